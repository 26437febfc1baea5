//! Reads procedure files from disk: single files or whole folders, every problem reported.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use hoso_engine::procedure::{Diagnostic, Procedure};

/// The outcome of reading one procedure file.
#[derive(Debug)]
pub struct LoadedFile {
    /// The file as named to the user.
    pub path: PathBuf,
    /// The procedure, or every problem found in the file.
    pub outcome: Result<Procedure, Vec<Diagnostic>>,
}

/// Finds the procedure files under each path: a file is taken as given, a folder is searched
/// recursively for `*.toml`, in name order so output is stable.
pub fn find_procedure_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CatalogueError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|source| CatalogueError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            collect_toml(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_toml(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), CatalogueError> {
    let read_error = |source| CatalogueError::Read {
        path: folder.to_path_buf(),
        source,
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

/// Loads every file, then checks that no two files define the same (code, version).
pub fn load_files(files: &[PathBuf]) -> Vec<LoadedFile> {
    let mut loaded: Vec<LoadedFile> = files
        .iter()
        .map(|path| LoadedFile {
            path: path.clone(),
            outcome: load_file(path),
        })
        .collect();
    let mut first_definition: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    for file in &mut loaded {
        let Ok(procedure) = &file.outcome else {
            continue;
        };
        let key = (procedure.code().to_string(), procedure.version());
        match first_definition.get(&key) {
            Some(first) => {
                file.outcome = Err(vec![Diagnostic {
                    source: file.path.display().to_string(),
                    line: 1,
                    column: 1,
                    path: "version".to_owned(),
                    pointer: "/version".to_owned(),
                    message: format!(
                        "procedure {} version {} is already defined in {}",
                        key.0,
                        key.1,
                        first.display()
                    ),
                    fix: "give the newer file the next `version` number; a published version never changes".to_owned(),
                }]);
            }
            None => {
                first_definition.insert(key, file.path.clone());
            }
        }
    }
    loaded
}

/// Loads and validates one procedure file.
pub fn load_file(path: &Path) -> Result<Procedure, Vec<Diagnostic>> {
    let source = path.display().to_string();
    let unreadable = |message: String, fix: &str| {
        vec![Diagnostic {
            source: source.clone(),
            line: 1,
            column: 1,
            path: String::new(),
            pointer: String::new(),
            message,
            fix: fix.to_owned(),
        }]
    };
    let bytes = fs::read(path).map_err(|error| {
        unreadable(
            format!("cannot read the file: {error}"),
            "check the path and its permissions",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        unreadable(
            format!(
                "the file is not UTF-8 (bad byte at offset {})",
                error.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })?;
    Procedure::load(&source, &text).map_err(|error| error.diagnostics)
}

/// Loads a folder of procedures for the engine, failing with every problem if any file is bad.
pub fn load_catalogue(folder: &Path) -> Result<Vec<Procedure>, CatalogueError> {
    let files = find_procedure_files(&[folder.to_path_buf()])?;
    let mut procedures = Vec::new();
    let mut problems = Vec::new();
    for file in load_files(&files) {
        match file.outcome {
            Ok(procedure) => procedures.push(procedure),
            Err(diagnostics) => problems.extend(diagnostics),
        }
    }
    if problems.is_empty() {
        Ok(procedures)
    } else {
        Err(CatalogueError::Invalid(problems))
    }
}

/// Why a catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A path could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Some procedure files have problems.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}
