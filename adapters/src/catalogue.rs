//! Reads procedure files from disk: single files or whole folders, every problem reported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoso_engine::messages::DesignProblem;
use hoso_engine::procedure::{Diagnostic, Procedure};
use hoso_engine::retention::RetentionSchedule;

use crate::files::{FilesError, find_toml_files, read_text};

/// The outcome of reading one procedure file.
#[derive(Debug)]
pub struct LoadedFile {
    /// The file as named to the user.
    pub path: PathBuf,
    /// The procedure, or every problem found in the file.
    pub outcome: Result<Procedure, Vec<Diagnostic>>,
}

/// Loads every file, then checks that no two files define the same (code, version). With a
/// schedule, each file's retention class must be one it defines.
pub fn load_files(files: &[PathBuf], schedule: Option<&RetentionSchedule>) -> Vec<LoadedFile> {
    let mut loaded: Vec<LoadedFile> = files
        .iter()
        .map(|path| LoadedFile {
            path: path.clone(),
            outcome: load_checked(path, schedule),
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
                    said: DesignProblem::VersionTwice {
                        code: key.0.clone(),
                        version: key.1,
                        first: first.display().to_string(),
                    },
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
    load_checked(path, None)
}

fn load_checked(
    path: &Path,
    schedule: Option<&RetentionSchedule>,
) -> Result<Procedure, Vec<Diagnostic>> {
    let text = read_text(path).map_err(|diagnostic| vec![*diagnostic])?;
    Procedure::load_with(&path.display().to_string(), &text, schedule)
        .map_err(|error| error.diagnostics)
}

/// Loads a folder of procedures for the engine, failing with every problem if any file is bad.
pub fn load_catalogue(
    folder: &Path,
    schedule: &RetentionSchedule,
) -> Result<Vec<Procedure>, CatalogueError> {
    let files = find_toml_files(&[folder.to_path_buf()])?;
    let mut procedures = Vec::new();
    let mut problems = Vec::new();
    for file in load_files(&files, Some(schedule)) {
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
    #[error(transparent)]
    Files(#[from] FilesError),
    /// Some procedure files have problems.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}
