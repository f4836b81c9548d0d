//! A Shapefile's DBF field names: at most 10 bytes, so catalog names such as
//! `last_safety_inspection` need shortening, and reading the file back must undo it.
//!
//! The mapping is GDAL's (`OGRShapeLayer::CreateField`), applied to the layer's columns in
//! catalog order (`name`, `source`, then the fields): a name longer than 10 bytes is cut to
//! its first 10; a name already taken (compared without case) becomes its first 8 bytes,
//! `_` and a digit 1–9, then its first 8 bytes and two digits 10–99. It depends only on the
//! catalog, so import maps a short name back by computing the same table from the layer —
//! no sidecar file — and a Shapefile that `ogr2ogr` made from a wardgis GeoJSON or
//! GeoPackage export (same columns, same order) maps back as well.

use crate::catalog::LayerKind;

/// The longest DBF field name, in bytes.
pub(crate) const MAX_NAME: usize = 10;

/// Each column of `kind` (in [`LayerKind::column_names`] order) with its DBF field name.
pub(crate) fn dbf_names(kind: &LayerKind) -> Vec<(String, String)> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for column in kind.column_names() {
        let name = shortened(column, &taken);
        taken.push(name.to_ascii_lowercase());
        out.push((column.to_owned(), name));
    }
    out
}

fn shortened(column: &str, taken: &[String]) -> String {
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    let first = prefix(column, MAX_NAME);
    if free(first) {
        return first.to_owned();
    }
    let head = prefix(column, 8);
    (1..100)
        .map(|i| if i < 10 { format!("{head}_{i}") } else { format!("{head}{i}") })
        .find(|n| free(n))
        .unwrap_or_else(|| first.to_owned())
}

/// The first `n` bytes of `s`, not splitting a character (catalog names are ASCII).
fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_and_collisions_numbered_like_gdal() {
        let mut kind = crate::io::tests::catalog().kind("billboards").unwrap().clone();
        let names = dbf_names(&kind);
        let get = |names: &[(String, String)], c: &str| names.iter().find(|(col, _)| col == c).unwrap().1.clone();
        assert_eq!(get(&names, "last_safety_inspection"), "last_safet");
        assert_eq!(get(&names, "type"), "type");
        let mut extra = kind.fields[0].clone();
        for n in ["last_safety_x", "last_safety_y", "last_safe_1"] {
            extra.name = n.into();
            kind.fields.push(extra.clone());
        }
        let names = dbf_names(&kind);
        assert_eq!(get(&names, "last_safety_x"), "last_saf_1");
        assert_eq!(get(&names, "last_safety_y"), "last_saf_2");
        assert_eq!(get(&names, "last_safe_1"), "last_safe_");
        assert!(names.iter().all(|(_, n)| n.len() <= MAX_NAME));
        let mut lower: Vec<String> = names.iter().map(|(_, n)| n.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len(), "unique: {names:?}");
    }
}
