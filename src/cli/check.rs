//! `sangam-sim check FILE...`: validate without running.
use std::path::PathBuf;

use super::{BAD_INPUT, OK};
use crate::scenario::load::load_file;

pub fn check(files: &[PathBuf]) -> i32 {
    let mut code = OK;
    for f in files {
        match load_file(f) {
            Ok(_) => println!("{}: ok", f.display()),
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
