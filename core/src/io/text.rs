//! Turning the bytes of an input file into text.
//!
//! Files reach the bureau from Excel, WPS and older desktop GIS tools. Excel on a Chinese
//! Windows saves "CSV" in GBK (code page 936), "CSV UTF-8" with a byte-order mark, and
//! "Unicode text" in UTF-16LE; all of them must open without the user knowing which it is.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use encoding_rs::{Decoder, Encoding, GBK, UTF_16BE, UTF_16LE, UTF_8};

use super::bad_input;
use crate::error::{Error, Result};

/// A text encoding a user can name (`--encoding`), for files whose bytes do not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GBK, as Chinese Windows (code page 936) and older ArcGIS write; read as GB 18030, its
    /// superset, so any GB 18030 text also reads.
    Gbk,
}

impl FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "cp936" | "936" | "gb2312" | "gb18030" => Ok(TextEncoding::Gbk),
            _ => Err(format!("unknown encoding `{s}`; expected utf-8 or gbk")),
        }
    }
}

impl TextEncoding {
    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Gbk => GBK,
        }
    }

    /// The name as a Shapefile `.cpg` and messages write it.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }
}

/// How a file's text is encoded, found by reading it through once (a file's first lines are
/// often plain ASCII, with the first Chinese name thousands of lines down).
pub(crate) struct Sniffed {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom: usize,
}

/// Finds a file's encoding as [`decode`] would, without holding the file: a UTF-16 BOM,
/// else UTF-8 when every byte is valid UTF-8, else GBK when every byte decodes as GBK.
/// `forced` skips the guess; the bytes must still decode. `Err` names the line of the first
/// byte that decodes as neither.
pub(crate) fn sniff_file(path: &Path, forced: Option<TextEncoding>) -> Result<Sniffed> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 3];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io(path, e))?;
    let (bom_encoding, bom) = match Encoding::for_bom(&head[..n]) {
        Some((enc, len)) => (Some(enc), len),
        None => (None, 0),
    };
    if let Some(enc) = bom_encoding.filter(|e| *e == UTF_16LE || *e == UTF_16BE) {
        return Ok(Sniffed { encoding: enc, bom });
    }
    let candidates: Vec<&'static Encoding> = match forced {
        Some(f) => vec![f.encoding()],
        None => vec![UTF_8, GBK],
    };
    let mut failure = None;
    for enc in candidates {
        match first_undecodable_line(path, enc, bom) {
            Ok(None) => return Ok(Sniffed { encoding: enc, bom }),
            Ok(Some(line)) => failure = Some((enc, line)),
            Err(e) => return Err(e),
        }
    }
    let (enc, line) = failure.expect("at least one candidate was tried");
    Err(bad_input(
        path,
        match forced {
            Some(f) => format!("the file is not {} (undecodable bytes on line {line}); check --encoding", f.name()),
            None => format!(
                "the file is neither UTF-8 nor {} (undecodable bytes on line {line}); save it as UTF-8 or GBK",
                enc.name()
            ),
        },
    ))
}

/// The line of the first byte that does not decode in `enc`, if any.
fn first_undecodable_line(path: &Path, enc: &'static Encoding, skip: usize) -> Result<Option<usize>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    std::io::copy(&mut (&mut reader).take(skip as u64), &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut input = vec![0u8; 1 << 16];
    let mut output = String::with_capacity(1 << 17);
    let mut line = 1;
    loop {
        let n = reader.read(&mut input).map_err(|e| Error::io(path, e))?;
        let last = n == 0;
        let mut consumed = 0;
        loop {
            output.clear();
            let (result, read, had_errors) = decoder.decode_to_string(&input[consumed..n], &mut output, last);
            consumed += read;
            if had_errors {
                let upto = output.find('\u{FFFD}').unwrap_or(output.len());
                return Ok(Some(line + output[..upto].matches('\n').count()));
            }
            line += output.matches('\n').count();
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        if last {
            return Ok(None);
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// UTF-8 text from a byte stream in any encoding encoding_rs knows, decoded as it is read.
/// Undecodable bytes become U+FFFD; [`sniff_file`] has already refused files that have any.
pub(crate) struct Utf8Reader<R> {
    inner: R,
    decoder: Option<Decoder>,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    pending: Vec<u8>,
    pending_at: usize,
}

impl<R: Read> Utf8Reader<R> {
    /// `inner` positioned after any byte-order mark.
    pub fn new(inner: R, encoding: &'static Encoding) -> Utf8Reader<R> {
        let decoder = (encoding != UTF_8).then(|| encoding.new_decoder_without_bom_handling());
        Utf8Reader { inner, decoder, input: vec![0; 1 << 16], start: 0, end: 0, eof: false, pending: Vec::new(), pending_at: 0 }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(decoder) = self.decoder.as_mut() else { return self.inner.read(buf) };
        loop {
            if self.pending_at < self.pending.len() {
                let n = buf.len().min(self.pending.len() - self.pending_at);
                buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
                self.pending_at += n;
                return Ok(n);
            }
            if self.eof && self.start == self.end {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.eof = self.end == 0;
            }
            self.pending.clear();
            self.pending_at = 0;
            let room = decoder.max_utf8_buffer_length(self.end - self.start).unwrap_or(1 << 18).max(16);
            self.pending.resize(room, 0);
            let (_, read, written, _) = decoder.decode_to_utf8(&self.input[self.start..self.end], &mut self.pending, self.eof);
            self.start += read;
            self.pending.truncate(written);
            if self.eof && self.start == self.end && self.pending.is_empty() {
                return Ok(0);
            }
        }
    }
}

/// Decoded text, and how it was decoded when that is worth telling the user.
pub(crate) struct Decoded {
    pub text: String,
    /// `Some("GBK")` etc. when the file was not UTF-8; `None` for UTF-8.
    pub encoding: Option<&'static str>,
}

/// Decodes `bytes`: a UTF-16 BOM wins, then UTF-8 (BOM stripped) when the bytes are valid
/// UTF-8, else GBK. `Err` names the problem when the bytes are none of these, because
/// decoding anyway would store replacement characters in the project.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        if enc == UTF_16LE || enc == UTF_16BE {
            return decode_with(enc, &bytes[bom_len..]);
        }
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(Decoded { text: s.to_owned(), encoding: None }),
        Err(_) => decode_with(GBK, body),
    }
}

fn decode_with(enc: &'static Encoding, body: &[u8]) -> Result<Decoded, String> {
    let (text, had_errors) = enc.decode_without_bom_handling(body);
    if had_errors {
        let first_bad = text.find('\u{FFFD}').map(|i| text[..i].lines().count().max(1)).unwrap_or(1);
        return Err(format!(
            "the file is neither UTF-8 nor {} (undecodable bytes near line {first_bad}); save it as UTF-8 or GBK",
            enc.name()
        ));
    }
    Ok(Decoded { text: text.into_owned(), encoding: Some(enc.name()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("\u{FEFF}经度,纬度".as_bytes()).unwrap();
        assert_eq!(d.text, "经度,纬度");
        assert_eq!(d.encoding, None);
        assert_eq!(decode("经度".as_bytes()).unwrap().text, "经度");
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = GBK.encode("名称,经度\n宜城街道,119.8");
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "名称,经度\n宜城街道,119.8");
        assert_eq!(d.encoding, Some("GBK"));
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "名称\t经度".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().text, "名称\t经度");
    }
}
