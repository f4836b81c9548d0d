//! Turning the bytes of an input file into text.
//!
//! Files reach the bureau from Excel, WPS and older desktop GIS tools. Excel on a Chinese
//! Windows saves "CSV" in GBK (code page 936), "CSV UTF-8" with a byte-order mark, and
//! "Unicode text" in UTF-16LE; all of them must open without the user knowing which it is.

use encoding_rs::{Encoding, GBK, UTF_16BE, UTF_16LE};

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
