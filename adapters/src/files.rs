//! Finding and reading the hand-written files hoso loads: procedures and calendars.

use std::fs;
use std::path::{Path, PathBuf};

use hoso_engine::located::Diagnostic;
use hoso_engine::messages::DesignProblem;

/// A path that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {reason}", path.display())]
pub struct FilesError {
    /// The path.
    pub path: PathBuf,
    /// The operating system's reason (part of the message, so not also a `source`, which would
    /// print it twice in an error chain).
    pub reason: std::io::Error,
}

/// Finds the `*.toml` files under each path: a file is taken as given, a folder is searched
/// recursively, in name order so output is stable.
pub fn find_toml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FilesError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|reason| FilesError {
            path: path.clone(),
            reason,
        })?;
        if metadata.is_dir() {
            collect_toml(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_toml(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), FilesError> {
    let read_error = |reason| FilesError {
        path: folder.to_path_buf(),
        reason,
    };
    let mut entries: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(read_error)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_toml(&entry, files)?;
        } else if entry
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            files.push(entry);
        }
    }
    Ok(())
}

/// Reads a hand-written file as UTF-8 text; a failure is a diagnostic at the file's start.
pub fn read_text(path: &Path) -> Result<String, Box<Diagnostic>> {
    let unreadable = |said: DesignProblem| {
        Box::new(Diagnostic {
            source: path.display().to_string(),
            line: 1,
            column: 1,
            path: String::new(),
            pointer: String::new(),
            said,
        })
    };
    let bytes = fs::read(path).map_err(|error| {
        unreadable(DesignProblem::Unreadable {
            detail: error.to_string(),
        })
    })?;
    String::from_utf8(bytes).map_err(|error| {
        unreadable(DesignProblem::NotUtf8 {
            offset: Some(error.utf8_error().valid_up_to()),
        })
    })
}
