//! SQLite's hot reads — a dossier's state, a command id — on a read-only connection of the
//! calling thread, through SQLite's C API: a point read served from the page cache takes
//! microseconds, less than handing it to sqlx's connection thread and being woken back (the
//! channel hop measured in BENCHMARKS.md). Each runtime thread keeps one connection per
//! database file, opened on first use; WAL lets these readers run beside the writer thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use hoso_engine::ports::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

thread_local! {
    static READERS: RefCell<HashMap<PathBuf, Connection>> = RefCell::new(HashMap::new());
}

use super::sqlite_writer::unavailable;

fn open(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| StoreError::Unavailable(format!("{}: {error}", path.display())))?;
    // A reader waits only in the rare moment a checkpoint holds the WAL index; it runs on a
    // runtime thread, so it gives up sooner than the writer.
    connection
        .busy_timeout(std::time::Duration::from_secs(1))
        .map_err(unavailable)?;
    connection.set_prepared_statement_cache_capacity(16);
    Ok(connection)
}

/// Runs `read` on this thread's connection to the database at `path`.
fn with_reader<T>(
    path: &Path,
    read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<T, StoreError> {
    READERS.with(|readers| {
        let mut readers = readers.borrow_mut();
        let connection = match readers.entry(path.to_path_buf()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(open(path)?),
        };
        read(connection).map_err(unavailable)
    })
}

/// The one text column `sql` selects for `key`, if a row has it.
fn text(path: &Path, sql: &str, key: &str) -> Result<Option<String>, StoreError> {
    with_reader(path, |connection| {
        connection
            .prepare_cached(sql)?
            .query_row([key], |row| row.get(0))
            .optional()
    })
}

/// A dossier's stored state (its JSON), if the dossier exists.
pub(super) fn state(path: &Path, code: &str) -> Result<Option<String>, StoreError> {
    text(path, "SELECT state FROM dossiers WHERE code = ?1", code)
}

/// The dossier a command id was applied to, if it was.
pub(super) fn command(path: &Path, command_id: &str) -> Result<Option<String>, StoreError> {
    text(
        path,
        "SELECT case_code FROM commands WHERE command_id = ?1",
        command_id,
    )
}
