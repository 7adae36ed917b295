//! Every citation of a document inside the repository resolves: `docs/NAME.md` names a file that
//! exists, `docs/NAME.md §3a` (and the `§` items listed after it) a numbered section of that file,
//! `docs/NAME.md#anchor` one of its headings, and each "ref §3a" of `docs/v2x-models.md` a
//! section of `docs/standards.md`. Facts the models rely on live in docs/ (issue 11); a renamed
//! file or section must not leave a dangling citation behind.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// All `.rs` and `.md` files under `dir`, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "md")) {
            out.push(path);
        }
    }
}

/// Section numbers (`3a`, `4`) of the headings of a markdown file: "## 4. Messages" gives `4`,
/// "### 3a. Check points" gives `3a`.
fn sections(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('#'))
        .filter_map(|l| {
            let title = l.trim_start_matches('#').trim();
            let (num, _) = title.split_once(". ")?;
            let ok = !num.is_empty() && num.chars().all(|c| c.is_ascii_alphanumeric());
            ok.then(|| num.to_string())
        })
        .collect()
}

/// GitHub-style anchors of a markdown file's headings.
fn anchors(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// The `§` items right after a citation: " §1d, §6" gives ["1d", "6"].
fn section_refs(rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = rest;
    loop {
        let t = s.trim_start_matches([' ', ',', '(']);
        let t = t.strip_prefix("and ").unwrap_or(t);
        let Some(after) = t.strip_prefix('§') else {
            return out;
        };
        let num: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if num.is_empty() {
            return out;
        }
        s = &after[num.len()..];
        out.push(num);
    }
}

/// (file, line, cited doc, its sections, its anchor) for every `docs/NAME.md` in `text`.
fn citations(path: &Path, text: &str) -> Vec<(String, String, Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut s = line;
        while let Some(at) = s.find("docs/") {
            let tail = &s[at + 5..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect();
            let rest = &tail[name.len()..];
            s = rest;
            if !name.ends_with(".md") {
                continue;
            }
            let anchor = rest.strip_prefix('#').map(|a| {
                a.chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
                    .collect()
            });
            let at = format!("{}:{}", path.display(), i + 1);
            out.push((at, name, section_refs(rest), anchor));
        }
    }
    out
}

#[test]
fn every_docs_citation_resolves() {
    let mut all = Vec::new();
    files(&root().join("src"), &mut all);
    files(&root().join("docs"), &mut all);
    let mut bad = Vec::new();
    let mut checked = 0;
    for path in &all {
        let text = fs::read_to_string(path).expect("source files are UTF-8");
        for (at, name, secs, anchor) in citations(path, &text) {
            checked += 1;
            let Ok(doc) = fs::read_to_string(root().join("docs").join(&name)) else {
                bad.push(format!("{at}: docs/{name} does not exist"));
                continue;
            };
            let have = sections(&doc);
            for sec in secs.iter().filter(|s| !have.contains(s)) {
                bad.push(format!("{at}: docs/{name} has no section {sec}"));
            }
            if let Some(a) = anchor.filter(|a| !anchors(&doc).contains(a)) {
                bad.push(format!("{at}: docs/{name} has no heading #{a}"));
            }
        }
    }
    assert!(
        checked >= 10,
        "found only {checked} citations: the scan is broken"
    );
    assert!(bad.is_empty(), "dangling citations:\n{}", bad.join("\n"));
}

#[test]
fn v2x_models_refs_name_sections_of_standards() {
    let models = fs::read_to_string(root().join("docs/v2x-models.md")).expect("v2x-models.md");
    let have = sections(&fs::read_to_string(root().join("docs/standards.md")).expect("standards"));
    let mut refs = Vec::new();
    for part in models.split("ref ").skip(1) {
        refs.extend(section_refs(part));
    }
    assert!(
        refs.len() >= 20,
        "found only {} refs: the scan is broken",
        refs.len()
    );
    let missing: Vec<_> = refs.iter().filter(|r| !have.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "v2x-models.md cites missing sections {missing:?}"
    );
}

#[test]
fn section_parsing_follows_the_heading_convention() {
    let doc = "# T\n## 4. Messages\n### 4a. CAM generation\n### Not numbered\n";
    assert_eq!(sections(doc), ["4", "4a"]);
    assert_eq!(section_refs(" §1d, §6: x"), ["1d", "6"]);
    assert_eq!(section_refs(" (§3a; the"), ["3a"]);
    assert!(section_refs(" says").is_empty());
    assert!(anchors("## Physical ranges").contains(&"physical-ranges".to_string()));
}
