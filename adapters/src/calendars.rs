//! Reading the calendar folder (`fixtures/calendars/`): one TOML file per year.

use std::path::Path;

use hoso_engine::clock::Calendars;
use hoso_engine::located::{Diagnostic, LoadError};

use crate::files::{FilesError, find_toml_files, read_text};

/// Why the calendars could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CalendarsError {
    /// The folder could not be read.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// The folder holds no calendar file.
    #[error("no calendar files (*.toml) in {0}: add one file per year, e.g. 2026.toml")]
    Empty(String),
    /// Some files have problems.
    #[error("{0}")]
    Invalid(LoadError),
}

impl CalendarsError {
    /// The located problems, when the files were read but are wrong.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Invalid(error) => &error.diagnostics,
            _ => &[],
        }
    }
}

/// Loads every calendar file in a folder.
pub fn load_calendars(folder: &Path) -> Result<Calendars, CalendarsError> {
    let files = find_toml_files(&[folder.to_path_buf()])?;
    if files.is_empty() {
        return Err(CalendarsError::Empty(folder.display().to_string()));
    }
    let mut texts = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        match read_text(&file) {
            Ok(text) => texts.push((file.display().to_string(), text)),
            Err(diagnostic) => unreadable.push(*diagnostic),
        }
    }
    if !unreadable.is_empty() {
        return Err(CalendarsError::Invalid(LoadError {
            diagnostics: unreadable,
        }));
    }
    Calendars::load(&texts).map_err(CalendarsError::Invalid)
}
