//! SUMO files named by a scenario's `sumo: (net: .., routes: [..])`: read (bounded, and inside
//! the scenario's directory tree as includes are), converted (`crate::sumo`), and merged as the
//! first fragment, so that the scenario's own lists and its includes come after them. Errors in
//! them point at their own line and column; what they hold that is not read becomes warnings.
use std::sync::Arc;

use super::include::{Fragment, SourceFile};
use super::{Fragments, MAX_SUMO_BYTES, Resolver, fetch, file_error};
use crate::scenario::diag::{Diag, Diagnostics, offset_of};
use crate::scenario::spec::{Network, Spec};
use crate::sumo::demand::{Known, to_demand};
use crate::sumo::memo::{self, Failed};
use crate::sumo::{Note, routes, xml::NetError};

/// A SUMO file read: its display path and text.
struct Text {
    path: String,
    src: Arc<str>,
}

impl Text {
    fn diag(&self, line: usize, col: usize, message: &str) -> Diag {
        let at = offset_of(&self.src, line.max(1), col.max(1));
        Diag::new(&self.path, &self.src, at..at, message, None)
    }

    fn errors(&self, errors: &[NetError]) -> Vec<Diag> {
        errors
            .iter()
            .map(|e| self.diag(e.line, e.col, &e.message))
            .collect()
    }

    fn notes(&self, notes: &[Note]) -> Vec<Diag> {
        notes.iter().map(|(l, m)| self.diag(*l, 1, m)).collect()
    }
}

/// The fragment the scenario's SUMO files make (none without them), and their notes as
/// warnings.
pub fn read(
    spec: &Spec,
    main: &SourceFile,
    frags: &Fragments,
    resolve: &mut Resolver<'_>,
    allow_outside: bool,
) -> Result<(Fragments, Vec<Diag>), Diagnostics> {
    let files = &spec.sumo;
    if files.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut errors = Vec::new();
    let mut fetch = |field: String, rel: &str| {
        let (path, text) = fetch(main, rel, resolve, allow_outside, MAX_SUMO_BYTES);
        match text {
            Ok(t) => Some(Text {
                path,
                src: Arc::from(t.strip_prefix('\u{feff}').unwrap_or(&t)),
            }),
            Err(e) => {
                errors.push(file_error(main, &field, rel, &path, e));
                None
            }
        }
    };
    let net_text = (!files.net.is_empty()).then(|| fetch("sumo.net".into(), &files.net));
    let route_texts: Vec<Option<Text>> = (files.routes.iter().enumerate())
        .map(|(i, r)| fetch(format!("sumo.routes[{i}]"), r))
        .collect();
    let mut fragment = Fragment::default();
    let mut notes = Vec::new();
    if let Some(Some(t)) = &net_text {
        match memo::network(&t.src) {
            Ok(imported) => {
                notes.extend(t.notes(&imported.notes));
                fragment.network = imported.network.clone();
            }
            Err(Failed::Parse(e)) => errors.append(&mut t.errors(&e)),
            Err(Failed::Convert(e)) => errors.extend(e.iter().map(|(l, m)| t.diag(*l, 1, m))),
        }
    }
    let mut networks: Vec<&Network> = vec![&spec.network, &fragment.network];
    networks.extend(frags.iter().map(|(_, f)| &f.network));
    let known = Known::new(&networks);
    let (mut vehicles, mut flows) = (Vec::new(), Vec::new());
    for t in route_texts.iter().flatten() {
        let (demand, mut found) = routes::parse(&t.src);
        match to_demand(&demand, &known) {
            Ok(d) if found.is_empty() => {
                notes.extend(t.notes(&d.notes));
                // As SUMO run with `--end`, vehicles due after the end never depart.
                let (due, late): (Vec<_>, Vec<_>) = d
                    .vehicles
                    .into_iter()
                    .partition(|v| v.depart <= spec.duration);
                if !late.is_empty() {
                    let m = format!(
                        "{} vehicle(s) depart after the scenario's {} s and are left out",
                        late.len(),
                        spec.duration
                    );
                    notes.push(t.diag(1, 1, &m));
                }
                vehicles.extend(due);
                flows.extend(d.flows);
            }
            Ok(_) => {}
            Err(mut e) => found.append(&mut e),
        }
        found.sort_by_key(|e| (e.line, e.col));
        errors.extend(t.errors(&found));
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    (fragment.vehicles, fragment.flows) = (vehicles, flows);
    // Validation's paths into this fragment resolve in the scenario itself, at `sumo`.
    let file = SourceFile::new(&main.name, main.src.clone());
    Ok((vec![(file, fragment)], notes))
}
