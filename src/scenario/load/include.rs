//! Include fragments and the bookkeeping that maps merged values back to their files.
//!
//! A scenario's `include: [...]` names fragment files (relative to the scenario) whose lists are
//! prepended to the scenario's own. Validation runs on the merged [`Spec`], so a path such as
//! `network.links[12].to` may really be `network.links[3].to` of a fragment: [`Origins`]
//! records which file each run of a merged list came from and rewrites paths accordingly.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::scenario::diag::{Diag, LineIndex};
use crate::scenario::locate::SpanTree;
use crate::scenario::spec::{
    Building, Expectation, Flow, GnbSpec, Network, PedestrianSpawn, Point, RsuSpec, Spec,
    TimedEvent, VehicleSpawn,
};
use crate::scenario::validate::Issue;

/// An included file: any subset of the shareable parts of a scenario. It cannot include.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fragment {
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub buildings: Vec<Building>,
    #[serde(default)]
    pub vehicles: Vec<VehicleSpawn>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub pedestrians: Vec<PedestrianSpawn>,
    #[serde(default)]
    pub events: Vec<TimedEvent>,
    /// Merged into `v2x.rsus`.
    #[serde(default)]
    pub rsus: Vec<RsuSpec>,
    /// Merged into `v2x.gnbs`.
    #[serde(default)]
    pub gnbs: Vec<GnbSpec>,
    /// Used only if the scenario sets no `v2x.control_centre`.
    #[serde(default)]
    pub control_centre: Option<Point>,
    #[serde(default)]
    pub expectations: Vec<Expectation>,
}

/// Merged list path, and the same list's path inside a fragment.
const LISTS: [(&str, &str); 11] = [
    ("network.nodes", "network.nodes"),
    ("network.links", "network.links"),
    ("network.junctions", "network.junctions"),
    ("buildings", "buildings"),
    ("vehicles", "vehicles"),
    ("flows", "flows"),
    ("pedestrians", "pedestrians"),
    ("events", "events"),
    ("v2x.rsus", "rsus"),
    ("v2x.gnbs", "gnbs"),
    ("expectations", "expectations"),
];

/// One loaded file: display name, text, and (built on first use, i.e. only when something
/// is wrong) its span tree and line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub src: Arc<str>,
    tree: OnceLock<SpanTree>,
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(name: &str, src: Arc<str>) -> SourceFile {
        SourceFile {
            name: name.to_string(),
            src,
            tree: OnceLock::new(),
            lines: OnceLock::new(),
        }
    }

    /// Span of `path` in this file (or of its deepest existing ancestor).
    pub fn span(&self, path: &str) -> Range<usize> {
        self.tree
            .get_or_init(|| SpanTree::parse(&self.src))
            .find(&self.src, path)
            .map_or(0..0, |f| f.span)
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.src))
    }
}

/// Where each part of a merged scenario came from. File 0 is the scenario itself.
#[derive(Debug, Clone)]
pub struct Origins {
    pub files: Vec<SourceFile>,
    /// Per entry of [`LISTS`]: runs of (file, count) in merged order.
    runs: Vec<Vec<(usize, usize)>>,
    /// File the control centre came from.
    control_centre: usize,
}

/// Prepends the fragments' lists (in include order) to the scenario's.
pub fn merge(
    mut spec: Spec,
    main: SourceFile,
    frags: Vec<(SourceFile, Fragment)>,
) -> (Spec, Origins) {
    let mut runs = vec![Vec::new(); LISTS.len()];
    let mut files = vec![main];
    let mut acc = Fragment::default();
    let mut control_centre = 0;
    for (file, f) in frags {
        let n = files.len();
        files.push(file);
        for (run, count) in runs.iter_mut().zip(f.counts()) {
            run.push((n, count));
        }
        if spec.network.geo_origin.is_none() && acc.network.geo_origin.is_none() {
            acc.network.geo_origin = f.network.geo_origin;
        }
        if spec.v2x.control_centre.is_none()
            && acc.control_centre.is_none()
            && f.control_centre.is_some()
        {
            acc.control_centre = f.control_centre;
            control_centre = n;
        }
        acc.append(f);
    }
    for (run, count) in runs.iter_mut().zip(spec_counts(&spec)) {
        run.push((0, count));
    }
    acc.prepend_to(&mut spec);
    let origins = Origins {
        files,
        runs,
        control_centre,
    };
    (spec, origins)
}

impl Fragment {
    /// Lengths of the lists, in the order of [`LISTS`].
    fn counts(&self) -> [usize; LISTS.len()] {
        [
            self.network.nodes.len(),
            self.network.links.len(),
            self.network.junctions.len(),
            self.buildings.len(),
            self.vehicles.len(),
            self.flows.len(),
            self.pedestrians.len(),
            self.events.len(),
            self.rsus.len(),
            self.gnbs.len(),
            self.expectations.len(),
        ]
    }

    /// Appends the lists of `f` (its control centre is handled by [`merge`]).
    fn append(&mut self, f: Fragment) {
        self.network.nodes.extend(f.network.nodes);
        self.network.links.extend(f.network.links);
        self.network.junctions.extend(f.network.junctions);
        self.buildings.extend(f.buildings);
        self.vehicles.extend(f.vehicles);
        self.flows.extend(f.flows);
        self.pedestrians.extend(f.pedestrians);
        self.events.extend(f.events);
        self.rsus.extend(f.rsus);
        self.gnbs.extend(f.gnbs);
        self.expectations.extend(f.expectations);
    }

    /// Puts the lists in front of the scenario's, and the control centre in if it has none.
    fn prepend_to(self, spec: &mut Spec) {
        prepend(&mut spec.network.nodes, self.network.nodes);
        prepend(&mut spec.network.links, self.network.links);
        prepend(&mut spec.network.junctions, self.network.junctions);
        prepend(&mut spec.buildings, self.buildings);
        prepend(&mut spec.vehicles, self.vehicles);
        prepend(&mut spec.flows, self.flows);
        prepend(&mut spec.pedestrians, self.pedestrians);
        prepend(&mut spec.events, self.events);
        prepend(&mut spec.v2x.rsus, self.rsus);
        prepend(&mut spec.v2x.gnbs, self.gnbs);
        prepend(&mut spec.expectations, self.expectations);
        if spec.v2x.control_centre.is_none() {
            spec.v2x.control_centre = self.control_centre;
        }
        if spec.network.geo_origin.is_none() {
            spec.network.geo_origin = self.network.geo_origin;
        }
    }
}

/// Lengths of the scenario's own lists, in the order of [`LISTS`].
fn spec_counts(spec: &Spec) -> [usize; LISTS.len()] {
    [
        spec.network.nodes.len(),
        spec.network.links.len(),
        spec.network.junctions.len(),
        spec.buildings.len(),
        spec.vehicles.len(),
        spec.flows.len(),
        spec.pedestrians.len(),
        spec.events.len(),
        spec.v2x.rsus.len(),
        spec.v2x.gnbs.len(),
        spec.expectations.len(),
    ]
}

fn prepend<T>(list: &mut Vec<T>, mut front: Vec<T>) {
    if !front.is_empty() {
        front.append(list);
        *list = front;
    }
}

impl Origins {
    /// Origins of a scenario without includes.
    pub fn single(main: SourceFile) -> Origins {
        Origins {
            files: vec![main],
            runs: vec![Vec::new(); LISTS.len()],
            control_centre: 0,
        }
    }

    /// (file index, path inside that file) of a merged path.
    pub fn resolve(&self, path: &str) -> (usize, String) {
        for (k, (merged, local)) in LISTS.iter().enumerate() {
            let Some(rest) = path.strip_prefix(merged).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some(close) = rest.find(']') else { break };
            let Ok(mut index) = rest[..close].parse::<usize>() else {
                break;
            };
            let tail = &rest[close + 1..];
            for &(file, count) in &self.runs[k] {
                if index < count {
                    let list = if file == 0 { merged } else { local };
                    return (file, format!("{list}[{index}]{tail}"));
                }
                index -= count;
            }
            break;
        }
        if self.control_centre != 0
            && let Some(tail) = path.strip_prefix("v2x.control_centre")
        {
            return (self.control_centre, format!("control_centre{tail}"));
        }
        (0, path.to_string())
    }

    /// `file:line:col` of a merged path.
    pub fn position(&self, path: &str) -> String {
        let (f, local) = self.resolve(path);
        let file = &self.files[f];
        let (line, col) = file.lines().line_col(&file.src, file.span(&local).start);
        format!("{}:{line}:{col}", file.name)
    }

    /// The diagnostic for a validation issue, in the file the value came from.
    pub fn diag(&self, issue: &Issue) -> Diag {
        let (f, local) = self.resolve(&issue.path);
        let file = &self.files[f];
        let message = if local.is_empty() {
            issue.message.clone()
        } else {
            format!("{local}: {}", issue.message)
        };
        let mut help = issue.help.clone();
        if let Some((label, path)) = &issue.see {
            let see = format!("{label} at {}", self.position(path));
            help = Some(match help {
                Some(h) => format!("{h}; {see}"),
                None => see,
            });
        }
        let span = file.span(&local);
        Diag::new_indexed(&file.name, &file.src, file.lines(), span, message, help)
    }
}
