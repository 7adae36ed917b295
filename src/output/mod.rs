//! Writing outputs: each file is written to a temporary file beside its destination and renamed
//! into place, so a reader sees a complete file or none, never half of one; a run's files are
//! committed together as one set with a manifest written last ([`OutputSet`]).
pub mod error;
pub mod hash;
pub mod set;
pub mod staged;

use std::fs;
use std::io::Write;
use std::path::Path;

pub use error::OutputError;
pub use set::{Manifest, OutputSet};
pub use staged::Staged;

/// Write `bytes` to `path` atomically (same-directory temp file, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = staged::temp_path(&dir.join(path.file_name().unwrap_or_default()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// [`write_atomic`], its failure naming the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(path, bytes).map_err(OutputError::write(path))
}

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Text made safe for an XML attribute or element: markup escaped, and the characters XML 1.0
/// cannot carry at all (C0 controls other than tab, newline and carriage return) written as
/// `\u{..}` so they are not lost.
pub fn xml_escape(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_carry_is_escaped_not_dropped() {
        assert_eq!(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml_escape("x\u{1}y\tz\n"), "x\\u{1}y\tz\n");
    }
}
