//! How far a roadside unit's or a gNB's signal reaches, for drawing: the view's rings and the
//! browser report's coverage circles. Indicative only; the link models decide every reception.
use crate::scenario::spec::Spec;

/// Approximate sidelink (RSU) coverage radius, m: the distance at which the 3GPP TR 38.901
/// UMi street-canyon NLOS path loss (PL = 22.4 + 35.3 log10 d + 21.3 log10 f) uses up the
/// budget tx + 2 × antenna gain − (noise + SINR threshold). Indicative only: the simulator's own
/// link model decides every reception.
pub fn rsu_radius(spec: &Spec) -> f64 {
    let sl = &spec.v2x.links.wave;
    let noise = -174.0 + 10.0 * (sl.bandwidth_mhz * 1e6).log10() + sl.noise_figure_db;
    let budget = sl.tx_dbm + 2.0 * sl.antenna_gain_dbi - (noise + sl.sinr_threshold_db);
    let rsu = 10f64.powf((budget - 22.4 - 21.3 * sl.freq_ghz.log10()) / 35.3);
    rsu.min(sl.max_range)
}

/// A gNB's coverage radius, m: where its RSRP out of line of sight falls to the scenario's
/// minimum, by the same function the simulation's cell selection uses (`radio::nr`).
pub fn gnb_radius(spec: &Spec, index: usize) -> f64 {
    let Some(g) = spec.v2x.gnbs.get(index) else {
        return 0.0;
    };
    let cell = super::nr::Cell {
        pos: [g.pos.0, g.pos.1],
        height: g.height,
        tx_dbm: g.tx_dbm,
        freq_ghz: g.freq_ghz,
    };
    super::nr::coverage_radius_m(&cell, spec.v2x.links.uu.min_rsrp_dbm, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_radii_are_plausible() {
        let spec = crate::scenario::embedded::load_embedded(crate::scenario::embedded::DEFAULT)
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()))
            .spec;
        let (rsu, gnb) = (rsu_radius(&spec), gnb_radius(&spec, 0));
        assert!((100.0..400.0).contains(&rsu), "{rsu}");
        assert!((300.0..1000.0).contains(&gnb), "{gnb}");
    }
}
