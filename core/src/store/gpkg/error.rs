//! SQLite's errors, kept behind the core's one storage variant.

use crate::error::{Error, StorageError};

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        Error::Storage(StorageError { backend: "SQLite", busy, source: Box::new(e) })
    }
}
