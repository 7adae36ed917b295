//! Scenario metres to WGS 84 latitude and longitude, for the positions messages carry on the air.
//!
//! A local tangent plane at the map's geodetic origin: north metres over the meridional radius
//! of curvature M, east metres over the radius of the parallel N·cos φ₀ (WGS 84 ellipsoid,
//! NIMA TR8350.2 §3: a = 6 378 137 m, 1/f = 298.257223563). Over a district (a few km) the
//! plane departs from the ellipsoid by d²/2R: 0.3 m at 2 km, below GNSS error and far below
//! the 10⁻⁷ ° (≈ 1 cm) resolution of the ETSI and J2735 position fields. docs/v2x-models.md.

/// WGS 84 semi-major axis, m.
const A: f64 = 6_378_137.0;
/// WGS 84 first eccentricity squared, e² = f(2 − f).
const E2: f64 = (2.0 - 1.0 / 298.257_223_563) / 298.257_223_563;

/// The geodetic point at the map's origin (x = 0, y = 0), degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoOrigin {
    pub lat_deg: f64,
    pub lon_deg: f64,
}

impl Default for GeoOrigin {
    fn default() -> Self {
        GeoOrigin::DMC
    }
}

impl GeoOrigin {
    /// The Digital Media City intersection, the Sangam map's origin (docs/sangam.md).
    pub const DMC: GeoOrigin = GeoOrigin {
        lat_deg: 37.5770,
        lon_deg: 126.8898,
    };

    /// Metres per degree of latitude and of longitude at the origin.
    pub fn metres_per_degree(&self) -> (f64, f64) {
        let phi = self.lat_deg.to_radians();
        let w = 1.0 - E2 * phi.sin().powi(2);
        let m = A * (1.0 - E2) / w.powf(1.5);
        let n = A / w.sqrt();
        (m.to_radians(), (n * phi.cos()).to_radians())
    }

    /// (latitude, longitude) in degrees of a map point (x east, y north, m).
    pub fn to_wgs84(&self, x: f64, y: f64) -> (f64, f64) {
        let (m_lat, m_lon) = self.metres_per_degree();
        (self.lat_deg + y / m_lat, self.lon_deg + x / m_lon)
    }
}

/// Degrees clockwise from north, from radians counter-clockwise from east.
pub fn compass_deg(rad: f64) -> f64 {
    (90.0 - rad.to_degrees()).rem_euclid(360.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_lengths_match_the_series_formulas() {
        // The usual series for WGS 84 degree lengths (e.g. the NGA/NOAA "length of a degree"
        // calculators): an independent form of the same ellipsoid.
        for lat in [0.0_f64, 37.577, 60.0] {
            let o = GeoOrigin {
                lat_deg: lat,
                lon_deg: 0.0,
            };
            let (m_lat, m_lon) = o.metres_per_degree();
            let p = lat.to_radians();
            let lat_series = 111_132.954 - 559.822 * (2.0 * p).cos() + 1.175 * (4.0 * p).cos();
            let lon_series =
                111_412.84 * p.cos() - 93.5 * (3.0 * p).cos() + 0.118 * (5.0 * p).cos();
            assert!(
                (m_lat - lat_series).abs() < 1.0,
                "{lat}: {m_lat} vs {lat_series}"
            );
            assert!(
                (m_lon - lon_series).abs() < 1.0,
                "{lat}: {m_lon} vs {lon_series}"
            );
        }
    }

    #[test]
    fn offsets_become_degrees_at_the_local_scale() {
        let o = GeoOrigin::DMC;
        assert_eq!(o.to_wgs84(0.0, 0.0), (o.lat_deg, o.lon_deg));
        let (m_lat, m_lon) = o.metres_per_degree();
        let (lat, lon) = o.to_wgs84(300.0, -200.0);
        assert!(((lat - o.lat_deg) * m_lat + 200.0).abs() < 1e-9);
        assert!(((lon - o.lon_deg) * m_lon - 300.0).abs() < 1e-9);
    }
}
