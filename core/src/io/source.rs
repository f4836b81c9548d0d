//! Input files as streams: opened and counted as they are read, so a reader can
//! say how far it is without knowing what sits between it and the disk (a decoder, a CSV
//! parser's buffer).

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::error::{Error, Result};

/// Bytes read from a file so far, shared between the stream and whoever reports progress.
#[derive(Clone, Default)]
pub(crate) struct BytesRead(Rc<Cell<u64>>);

impl BytesRead {
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// A stream that adds what it reads to a [`BytesRead`].
pub(crate) struct Counted<R> {
    inner: R,
    count: BytesRead,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.0.set(self.count.0.get() + n as u64);
        Ok(n)
    }
}

/// An input file opened for streaming.
pub(crate) struct Input {
    pub stream: Counted<std::io::BufReader<File>>,
    pub read: BytesRead,
}

/// Opens `path`, skipping its first `skip` bytes (a byte-order mark).
pub(crate) fn open(path: &Path, skip: usize) -> Result<Input> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    std::io::copy(&mut (&mut reader).take(skip as u64), &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    let read = BytesRead::default();
    read.0.set(skip as u64);
    Ok(Input { stream: Counted { inner: reader, count: read.clone() }, read })
}
