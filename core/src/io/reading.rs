//! One import in progress: where a reader puts the features and bad rows it finds, in
//! batches, while reporting progress and listening for a cancel.
//!
//! Readers stream: they hand each feature to [`Reading::feature`] as soon as it is parsed,
//! and the features leave in batches of [`BATCH`] through the caller's sink (an action of
//! the project, or a vector for a small file), so a file of any size imports in bounded
//! memory. Once a bad row is found and bad rows are not being skipped, nothing more is sent:
//! the import will fail, and the reader only goes on to find every other bad row.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::columns::Target;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

/// Features per batch handed to the sink: large enough for the GeoPackage bulk insert,
/// small enough to keep memory flat.
pub const BATCH: usize = 10_000;

/// Bad rows kept for the report; beyond this only their number is kept (a wrong file can
/// have millions, and the first thousand say what is wrong).
pub const MAX_REPORTED: usize = 1_000;

/// Progress is reported, and the cancel flag read, at most this often.
const TICK: Duration = Duration::from_millis(100);

/// Who watches an import: a progress bar, a Cancel button, Ctrl-C.
pub trait ImportObserver {
    /// `done` of `total` bytes of the file have been read (`total` is 0 when unknown).
    fn progress(&self, _done: u64, _total: u64) {}
    /// True when the user has asked to stop; the import then fails with
    /// [`Error::Cancelled`] and writes nothing.
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that shows nothing and never cancels.
pub struct Unobserved;

impl ImportObserver for Unobserved {}

/// What a finished import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    /// Features handed to the sink.
    pub imported: u64,
    /// The bad rows left out because bad rows were skipped, up to [`MAX_REPORTED`] of them:
    /// each an [`Error::BadRow`] (CSV, spreadsheet) or [`Error::BadFeature`] (GeoJSON, KML …).
    pub skipped: Vec<Error>,
    /// How many bad rows were skipped in all.
    pub skipped_total: u64,
    /// Things the user should know that did not stop the import (ignored columns, the text
    /// encoding that was detected, the coordinate system read from the file).
    pub warnings: Vec<String>,
}

/// The state of one import, shared by every reader.
pub(crate) struct Reading<'a> {
    /// The file as named in messages.
    pub file: String,
    skip_bad: bool,
    observer: &'a dyn ImportObserver,
    sink: &'a mut dyn FnMut(Vec<Feature>) -> Result<()>,
    batch: Vec<Feature>,
    imported: u64,
    bad: Vec<Error>,
    bad_total: u64,
    warnings: Vec<String>,
    total_bytes: u64,
    next_tick: Instant,
    /// Rows after which a preview stops reading; `None` reads the whole file.
    limit: Option<usize>,
    /// Set when the read stopped at `limit` (not a failure).
    pub limit_reached: bool,
    /// What the reader found out about the file, for a preview.
    pub found: Found,
}

/// What a reader learnt about the file on the way, which a preview shows: the source columns
/// and what each fills, the text encoding, the coordinate system the file declares, and a
/// few raw coordinates of tables (to guess a projected system when the file does not say).
#[derive(Default)]
pub(crate) struct Found {
    /// The source columns (table headers, property keys) in the order first met, each with
    /// what it fills (`None`: nothing). Shared with [`super::record::Keys`], which meets keys
    /// record by record.
    pub columns: Rc<RefCell<Vec<(String, Option<Target>)>>>,
    /// The text encoding the file was read in, where the format has one.
    pub encoding: Option<&'static str>,
    /// The coordinate system the file declares (a `.prj`, a GeoJSON `crs` member, a
    /// GeoPackage SRS), when it declares one.
    pub declared_crs: Option<Crs>,
    /// The numbers in a table's longitude and latitude columns, for the first rows.
    pub positions: Vec<(f64, f64)>,
}

impl Found {
    /// Keeps a table row's raw coordinates, for the first [`Found::POSITIONS`] rows.
    pub fn note_position(&mut self, p: Option<(f64, f64)>) {
        if let Some(p) = p.filter(|_| self.positions.len() < Self::POSITIONS) {
            self.positions.push(p);
        }
    }

    const POSITIONS: usize = 50;
}

impl<'a> Reading<'a> {
    pub fn new(
        file: String,
        total_bytes: u64,
        skip_bad: bool,
        observer: &'a dyn ImportObserver,
        sink: &'a mut dyn FnMut(Vec<Feature>) -> Result<()>,
    ) -> Reading<'a> {
        Reading {
            file,
            skip_bad,
            observer,
            sink,
            batch: Vec::new(),
            imported: 0,
            bad: Vec::new(),
            bad_total: 0,
            warnings: Vec::new(),
            total_bytes,
            next_tick: Instant::now(),
            limit: None,
            limit_reached: false,
            found: Found::default(),
        }
    }

    /// The same reading, stopped (by [`Reading::tick`]) once `rows` rows have been read.
    pub fn limited(mut self, rows: usize) -> Self {
        self.limit = Some(rows);
        self
    }

    /// How many rows (good and bad) have been read.
    fn rows_read(&self) -> u64 {
        self.imported + self.batch.len() as u64 + self.bad_total
    }

    /// The bad rows kept so far and the warnings (what a preview shows).
    pub fn into_parts(mut self) -> Result<(Vec<Error>, Vec<String>)> {
        self.flush()?;
        Ok((self.bad, self.warnings))
    }

    /// A feature that fits the catalog.
    pub fn feature(&mut self, f: Feature) -> Result<()> {
        if self.bad_total > 0 && !self.skip_bad {
            return Ok(()); // the import will fail; keep reading only to report every bad row
        }
        self.batch.push(f);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// A row that does not fit, already naming where it is.
    pub fn bad(&mut self, e: Error) {
        self.bad_total += 1;
        if self.bad.len() < MAX_REPORTED {
            self.bad.push(e);
        }
        if !self.skip_bad {
            self.batch.clear();
        }
    }

    /// Something the user should know that does not stop the import.
    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    /// Called by readers after each row with how far into the file they are (a closure,
    /// because finding out may cost a little): reports progress and honours a cancel at
    /// most every [`TICK`].
    /// A preview's row limit also ends the read here, as a cancel that
    /// [`Reading::limit_reached`] tells apart.
    pub fn tick(&mut self, done_bytes: impl FnOnce() -> u64) -> Result<()> {
        if self.limit.is_some_and(|l| self.rows_read() >= l as u64) {
            self.limit_reached = true;
            return Err(Error::Cancelled);
        }
        let now = Instant::now();
        if now < self.next_tick {
            return Ok(());
        }
        self.next_tick = now + TICK;
        self.observer.progress(done_bytes(), self.total_bytes);
        if self.observer.cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.imported += batch.len() as u64;
        (self.sink)(batch)
    }

    /// Sends the last batch and applies the all-or-nothing rule: without `skip_bad`, any bad
    /// row fails the import with every bad row listed (the single row's own error when there
    /// is one), and the caller rolls back what the sink wrote.
    pub fn finish(mut self) -> Result<ImportSummary> {
        if self.observer.cancelled() {
            return Err(Error::Cancelled);
        }
        if self.bad_total > 0 && !self.skip_bad {
            if self.bad_total == 1 {
                return Err(self.bad.remove(0));
            }
            return Err(Error::BadRows { rows: self.bad, total: self.bad_total });
        }
        self.flush()?;
        self.observer.progress(self.total_bytes, self.total_bytes);
        Ok(ImportSummary { imported: self.imported, skipped: self.bad, skipped_total: self.bad_total, warnings: self.warnings })
    }
}
