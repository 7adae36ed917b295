//! V2X infrastructure and link models as plain data. The models behind each field live in
//! `crate::radio` and `crate::v2x`; defaults and their sources are in `docs/v2x-models.md`.
use serde::{Deserialize, Serialize};

use super::Point;

/// A radio technology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tech {
    /// IEEE 802.11p / WAVE / ITS-G5 (CSMA/CA).
    Wave,
    /// C-V2X PC5 sidelink (LTE mode 4 / NR mode 2).
    Pc5,
    /// 5G Uu via a gNB and an edge server.
    Uu,
    /// Wired backhaul between infrastructure nodes.
    Backhaul,
}

impl Tech {
    pub const ALL: [Tech; 4] = [Tech::Wave, Tech::Pc5, Tech::Uu, Tech::Backhaul];
    /// Position in [`Tech::ALL`].
    pub fn index(self) -> usize {
        Tech::ALL.iter().position(|x| *x == self).unwrap_or(0)
    }
    pub fn name(self) -> &'static str {
        match self {
            Tech::Wave => "wave",
            Tech::Pc5 => "pc5",
            Tech::Uu => "uu",
            Tech::Backhaul => "backhaul",
        }
    }
}

/// A radio an on-board or roadside unit carries.
pub type Radio = Tech;

/// Message types, named as in their standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MsgType {
    /// Cooperative Awareness Message, ETSI EN 302 637-2.
    Cam,
    /// Decentralized Environmental Notification Message, ETSI EN 302 637-3.
    Denm,
    /// Signal Phase and Timing, SAE J2735 / ISO TS 19091.
    Spat,
    /// Intersection geometry (MapData), SAE J2735.
    Map,
    /// Collective Perception Message, ETSI TS 103 324.
    Cpm,
    /// Basic Safety Message, SAE J2735 (Korean profile: vehicles' awareness, and their
    /// hard-braking and disabled-vehicle events).
    Bsm,
    /// Road Side Alert, SAE J2735 (Korean profile: hazards announced by roadside units).
    Rsa,
    /// Traveler Information Message, SAE J2735 (Korean profile: road works announced by
    /// roadside units).
    Tim,
    /// Intersection Collision Avoidance, SAE J2735 (Korean profile: a roadside unit's camera
    /// sees a vehicle that will run its red light).
    Ica,
    /// Probe Vehicle Data, SAE J2735 (Korean profile: vehicles' reports to the control centre
    /// over 5G Uu, once a second).
    Pvd,
}

impl MsgType {
    pub const ALL: [MsgType; 10] = [
        MsgType::Cam,
        MsgType::Denm,
        MsgType::Spat,
        MsgType::Map,
        MsgType::Cpm,
        MsgType::Bsm,
        MsgType::Rsa,
        MsgType::Tim,
        MsgType::Ica,
        MsgType::Pvd,
    ];
    /// How many types there are.
    pub const COUNT: usize = MsgType::ALL.len();
    /// Position in [`MsgType::ALL`] (per-type tables, the view's toggles, the page's columns).
    pub fn index(self) -> usize {
        MsgType::ALL.iter().position(|x| *x == self).unwrap_or(0)
    }
    pub fn name(self) -> &'static str {
        match self {
            MsgType::Cam => "cam",
            MsgType::Denm => "denm",
            MsgType::Spat => "spat",
            MsgType::Map => "map",
            MsgType::Cpm => "cpm",
            MsgType::Bsm => "bsm",
            MsgType::Rsa => "rsa",
            MsgType::Tim => "tim",
            MsgType::Ica => "ica",
            MsgType::Pvd => "pvd",
        }
    }

    /// Whether stations on `profile` send this type.
    pub fn sent_on(self, profile: Profile) -> bool {
        match self {
            MsgType::Spat | MsgType::Map => true,
            MsgType::Cam | MsgType::Denm | MsgType::Cpm => profile == Profile::Etsi,
            MsgType::Bsm | MsgType::Rsa | MsgType::Tim | MsgType::Ica | MsgType::Pvd => {
                profile == Profile::Korea
            }
        }
    }
}

/// The message set and protocol stack stations use (docs/v2x-models.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// European C-ITS: CAM, DENM, CPM, SPATEM and MAPEM over GeoNetworking/BTP.
    #[default]
    Etsi,
    /// Korean C-ITS, as on the Sangam testbed: SAE J2735 BSM (10 Hz, SAE J2945/1 congestion
    /// control, event flags for hard braking and disabled vehicles), SPaT and MAP (10 Hz), Road
    /// Side Alerts and Intersection Collision Avoidance messages, over IEEE 1609.3 WSMP; Probe
    /// Vehicle Data to the control centre over 5G Uu.
    Korea,
}

/// Everything V2X in a scenario. `enabled: false` turns all of it off (a baseline run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct V2xSpec {
    pub enabled: bool,
    /// The message set: `Etsi` (default) or `Korea`.
    pub profile: Profile,
    pub rsus: Vec<RsuSpec>,
    pub gnbs: Vec<GnbSpec>,
    /// The control centre (Seoul Future Mobility Center in the Sangam scenarios).
    pub control_centre: Option<Point>,
    /// On-board units by vehicle class.
    pub obu: ObuSpec,
    pub links: LinkModels,
    pub messages: MessageSpec,
}

/// A roadside unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RsuSpec {
    pub id: String,
    pub pos: Point,
    /// Antenna height, m (default 6).
    #[serde(default = "six")]
    pub height: f64,
    /// Radios (default WAVE and PC5).
    #[serde(default = "rsu_radios")]
    pub radios: Vec<Radio>,
    /// Junction whose controller it is attached to: it broadcasts that junction's SPaT and MAP.
    #[serde(default)]
    pub junction: Option<String>,
    /// CCTV cameras that detect road users and publish them as CPM.
    #[serde(default)]
    pub cctv: Vec<CctvSpec>,
}

fn six() -> f64 {
    6.0
}
fn rsu_radios() -> Vec<Radio> {
    vec![Tech::Wave, Tech::Pc5]
}

/// A camera on a roadside unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CctvSpec {
    /// Direction the camera looks, degrees counter-clockwise from east.
    pub heading_deg: f64,
    /// Field of view, degrees (default 90).
    #[serde(default = "ninety")]
    pub fov_deg: f64,
    /// Detection range, m (default 80).
    #[serde(default = "eighty")]
    pub range: f64,
}

fn ninety() -> f64 {
    90.0
}
fn eighty() -> f64 {
    80.0
}

/// A 5G base station with an edge server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GnbSpec {
    pub id: String,
    pub pos: Point,
    /// Antenna height, m (default 25).
    #[serde(default = "twenty_five")]
    pub height: f64,
    /// Carrier, GHz (default 3.5, the Korean 5G NSA band).
    #[serde(default = "three_five")]
    pub freq_ghz: f64,
    /// Transmit power, dBm (default 46).
    #[serde(default = "forty_six")]
    pub tx_dbm: f64,
    /// Edge server processing latency at this gNB (MEC).
    #[serde(default)]
    pub mec: Latency,
    /// The edge server sits at the gNB (true, default); false puts it behind the transport
    /// network, adding `links.uu.core` to every Uu message through this cell.
    #[serde(default = "yes")]
    pub mec_at_gnb: bool,
    /// Extra utilisation of the cell's radio resources by other users, 0 to 0.95 (default 0:
    /// the link latency distributions already describe the cell at its usual load). Load adds
    /// a scheduling wait to each Uu radio hop (`radio::cell`).
    #[serde(default)]
    pub load: f64,
    /// Capacity of the cell for V2X traffic, Mbit/s (default 100), against which the V2X
    /// traffic through it adds to its load.
    #[serde(default = "hundred")]
    pub capacity_mbps: f64,
}

fn hundred() -> f64 {
    100.0
}

fn yes() -> bool {
    true
}

fn twenty_five() -> f64 {
    25.0
}
fn three_five() -> f64 {
    3.5
}
fn forty_six() -> f64 {
    46.0
}

/// Which radios on-board units carry, by vehicle class, and how many flow vehicles have one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObuSpec {
    /// Radios of automated vehicles.
    pub automated: Vec<Radio>,
    /// Radios of human-driven vehicles that have an OBU (they send CAM but ignore what arrives).
    pub human: Vec<Radio>,
    /// Share of human-driven vehicles with an OBU, 0-1.
    pub human_penetration: f64,
}

impl Default for ObuSpec {
    fn default() -> Self {
        ObuSpec {
            automated: vec![Tech::Pc5, Tech::Wave, Tech::Uu],
            human: vec![Tech::Pc5],
            human_penetration: 0.0,
        }
    }
}

/// A latency distribution, ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Latency {
    Constant(f64),
    Uniform {
        min_ms: f64,
        max_ms: f64,
    },
    /// Log-normal given by its median and 99th percentile.
    LogNormal {
        median_ms: f64,
        p99_ms: f64,
    },
    /// Empirical CDF: (latency ms, cumulative probability) pairs, increasing, ending at 1.
    Empirical(Vec<(f64, f64)>),
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Constant(1.0)
    }
}

/// Parameters of every link technology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkModels {
    pub wave: SidelinkSpec,
    pub pc5: SidelinkSpec,
    pub uu: UuSpec,
    pub backhaul: BackhaulSpec,
}

impl Default for LinkModels {
    fn default() -> Self {
        LinkModels {
            wave: SidelinkSpec::wave(),
            pc5: SidelinkSpec::pc5(),
            uu: UuSpec::default(),
            backhaul: BackhaulSpec::default(),
        }
    }
}

/// A direct (sidelink) radio: 802.11p or PC5. Path loss per 3GPP TR 37.885 Table 6.2.1-1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SidelinkSpec {
    pub freq_ghz: f64,
    pub bandwidth_mhz: f64,
    pub tx_dbm: f64,
    pub antenna_gain_dbi: f64,
    pub noise_figure_db: f64,
    /// SINR needed to decode, dB.
    pub sinr_threshold_db: f64,
    /// How SINR maps to packet errors around the threshold: `Step` (default) or
    /// `Logistic(width_db: 1.0)`.
    pub error_curve: ErrorCurve,
    /// Log-normal shadowing σ, dB (LOS, NLOS).
    pub shadowing_db: (f64, f64),
    /// Channel access latency (CSMA back-off or sidelink scheduling).
    pub access: Latency,
    /// Optional hard cut-off, m: receivers beyond it are `out_of_range` whatever the link
    /// budget says. The default is no cut-off in practice: the link budget decides, and
    /// `radio::budget::sidelink_reach_m` bounds the work where delivery is below 1 in 1000.
    pub max_range: f64,
}

/// Default sidelink cut-off, m: the largest allowed, i.e. none; the link budget decides.
pub const MAX_RANGE_DEFAULT_M: f64 = 10_000.0;

impl SidelinkSpec {
    pub fn wave() -> Self {
        SidelinkSpec {
            freq_ghz: 5.91,
            bandwidth_mhz: 10.0,
            tx_dbm: 23.0,
            antenna_gain_dbi: 3.0,
            noise_figure_db: 9.0,
            sinr_threshold_db: 6.5,
            error_curve: ErrorCurve::Step,
            shadowing_db: (3.0, 4.0),
            access: Latency::Uniform {
                min_ms: 0.1,
                max_ms: 1.5,
            },
            max_range: MAX_RANGE_DEFAULT_M,
        }
    }
    pub fn pc5() -> Self {
        SidelinkSpec {
            freq_ghz: 5.865,
            bandwidth_mhz: 20.0,
            sinr_threshold_db: 3.5,
            access: Latency::Uniform {
                min_ms: 1.0,
                max_ms: 20.0,
            },
            ..SidelinkSpec::wave()
        }
    }
}

impl Default for SidelinkSpec {
    fn default() -> Self {
        SidelinkSpec::wave()
    }
}

/// 5G Uu: uplink, edge/core, downlink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UuSpec {
    pub uplink: Latency,
    /// Transport from a gNB to its edge server and back when the server is not at the gNB
    /// (`mec_at_gnb: false`): the core network path of Coll-Perales et al. (TVT 2023).
    pub core: Latency,
    pub downlink: Latency,
    /// Loss probability per hop.
    pub loss: f64,
    /// Below this RSRP (the power of one subcarrier) a vehicle has no coverage, dBm.
    pub min_rsrp_dbm: f64,
    /// SINR at which a transport block is lost one time in ten, dB: the most robust modulation
    /// and coding scheme (`radio::nr::bler`).
    pub bler_sinr_db: f64,
    /// Width of the block error curve, dB per factor e of the odds.
    pub bler_width_db: f64,
    /// Interruption of service during a handover, ms.
    pub handover_ms: f64,
}

impl Default for UuSpec {
    fn default() -> Self {
        UuSpec {
            uplink: Latency::LogNormal {
                median_ms: 4.0,
                p99_ms: 12.0,
            },
            core: Latency::LogNormal {
                median_ms: 10.0,
                p99_ms: 25.0,
            },
            downlink: Latency::LogNormal {
                median_ms: 2.5,
                p99_ms: 7.0,
            },
            loss: 0.001,
            min_rsrp_dbm: -120.0,
            bler_sinr_db: DEFAULT_BLER_SINR_DB,
            bler_width_db: 1.0,
            handover_ms: 30.0,
        }
    }
}

/// SINR of 10 % block errors for MCS 0 (QPSK, code rate 0.12; TS 38.214 Table 5.1.3.1-1), dB:
/// about −6 dB in AWGN link-level results for NR's LDPC codes (assumed from published curves;
/// docs/v2x-models.md#the-5g-uu-radio-hop).
pub const DEFAULT_BLER_SINR_DB: f64 = -6.0;

/// Fibre backhaul: fixed latency plus jitter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackhaulSpec {
    pub latency_ms: f64,
    pub jitter_ms: f64,
}

impl Default for BackhaulSpec {
    fn default() -> Self {
        BackhaulSpec {
            latency_ms: 0.5,
            jitter_ms: 0.1,
        }
    }
}

/// ETSI's default DENM validity, s: EN 302 637-3 §8.2.1.5 `defaultValidity` (reference §4c).
pub const DEFAULT_DENM_VALIDITY_S: f64 = 600.0;
/// Longest DENM validity, s: ASN.1 `ValidityDuration` (0..86400, EN 302 637-3 Annex A).
pub const MAX_DENM_VALIDITY_S: f64 = 86_400.0;

/// Which messages are generated, and their parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessageSpec {
    pub cam: bool,
    pub denm: bool,
    pub spat: bool,
    pub map: bool,
    pub cpm: bool,
    /// Korean profile: vehicles with a 5G radio report Probe Vehicle Data to the control centre
    /// once a second (when the scenario has one).
    pub pvd: bool,
    /// Technologies vehicles send CAM on.
    pub cam_via: Vec<Tech>,
    /// Technologies hazards (DENM) are sent on.
    pub denm_via: Vec<Tech>,
    /// DENM repetition interval, s (EN 302 637-3 `repetitionInterval`).
    pub denm_repeat: f64,
    /// How long a DENM is repeated after its trigger, update or termination, s
    /// (`repetitionDuration`); `None`: until its validity ends.
    pub denm_repeat_duration: Option<f64>,
    /// DENM validity after detection, s (`validityDuration`; ETSI's default 600 s).
    pub denm_validity: f64,
    /// DENM relevance radius, m.
    pub denm_radius: f64,
    /// Validity of an emergency electronic brake light DENM, s: the warning is about a
    /// braking manoeuvre, seconds long (assumed 2 s).
    pub eebl_validity: f64,
    /// Relevance radius of an EEBL DENM, m: the followers that could run into the braking
    /// vehicle (assumed 300 m, 10 s of following at 30 m/s).
    pub eebl_radius: f64,
    /// Packet lifetime, s: a copy arriving later than this after it was sent is dropped
    /// (`expired`). GeoNetworking's default lifetime for CAM single-hop broadcast is 1 s
    /// (EN 302 637-2 as implemented in Artery `CaService`).
    pub lifetime_s: f64,
}

impl Default for MessageSpec {
    fn default() -> Self {
        MessageSpec {
            cam: true,
            denm: true,
            spat: true,
            map: true,
            cpm: true,
            pvd: true,
            cam_via: vec![Tech::Pc5],
            denm_via: vec![Tech::Pc5, Tech::Uu],
            denm_repeat: 0.1,
            denm_repeat_duration: None,
            denm_validity: DEFAULT_DENM_VALIDITY_S,
            denm_radius: 500.0,
            eebl_validity: 2.0,
            eebl_radius: 300.0,
            lifetime_s: 1.0,
        }
    }
}

/// How SINR maps to packet errors (selectable per sidelink in the scenario: `error_curve`;
/// the curves themselves are `radio::budget::per`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum ErrorCurve {
    /// Decoded iff SINR ≥ threshold (the usual PHY abstraction of WiLabV2Xsim and of
    /// Gonzalez-Martin et al., TVT 2019, reference §2b).
    #[default]
    Step,
    /// PER(γ) = 1 / (1 + exp((γ − γ_th) / w)): 50 % at the threshold, 12 % at γ_th + 2w,
    /// 1.8 % at γ_th + 4w. An engineering smoothing (class E, not fitted to a link-level
    /// curve: reference §7 says none were retrieved); w = 1 dB gives roughly the 3–4 dB
    /// waterfall width of coded OFDM at a fixed MCS.
    Logistic {
        /// Width w, dB (> 0).
        width_db: f64,
    },
}
