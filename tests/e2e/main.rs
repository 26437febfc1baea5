//! End-to-end tests: they run the real `hoso` binary, as users and CI do.

mod calendar;
mod procedure;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `procedures/` and `tests/fixtures/` live.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `hoso` with arguments from the repository root.
pub fn hoso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the hoso binary runs")
}

/// Text of a command's standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Text of a command's standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `*.toml` files of a folder, sorted.
pub fn toml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(folder))
        .expect("folder exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    files
}
