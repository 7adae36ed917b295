//! `sangam-sim check FILE...`: validate without running.
use std::path::PathBuf;

use super::load_named;
use super::{BAD_INPUT, OK};

pub fn check(files: &[PathBuf]) -> i32 {
    let mut code = OK;
    for f in files {
        match load_named(f) {
            Ok(l) if l.warnings.is_empty() => println!("{}: ok", f.display()),
            Ok(l) => {
                super::print_warnings(&l.warnings);
                let n = l.warnings.len();
                println!(
                    "{}: ok, {n} warning{}",
                    f.display(),
                    if n == 1 { "" } else { "s" }
                );
            }
            Err(d) => {
                eprint!("{}", d.render_fancy());
                println!(
                    "{}: {} error{}",
                    f.display(),
                    d.len(),
                    if d.len() == 1 { "" } else { "s" }
                );
                code = BAD_INPUT;
            }
        }
    }
    code
}
