//! The bad rows of an import as a list a user works through: each row's place in the file
//! (line, sheet/row/column or feature), the column as written, the value and what would be
//! accepted — shown by the import dialog and saved as a CSV that Excel opens.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// One bad row or cell of an imported file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BadEntry {
    pub file: String,
    /// The sheet of a workbook.
    pub sheet: Option<String>,
    /// The line of a CSV file (the header is line 1), or the row of a sheet as Excel numbers it.
    #[ts(type = "number | null")]
    pub line: Option<u64>,
    /// The column of a sheet as Excel shows it (`C`).
    pub column: Option<String>,
    /// The 1-based position of a feature in a GeoJSON, KML, Shapefile or GeoPackage file.
    #[ts(type = "number | null")]
    pub feature: Option<u64>,
    /// The column header or property name as written in the file.
    pub header: String,
    pub value: String,
    /// What is wrong and what would be accepted.
    pub expected: String,
}

/// The bad rows an import error holds ([`Error::BadRows`] lists several), one entry each;
/// any other error is one entry with its message.
pub fn bad_entries(e: &Error) -> Vec<BadEntry> {
    let entry = |file: &str, header: &str, value: &str, expected: &str| BadEntry {
        file: file.to_owned(),
        sheet: None,
        line: None,
        column: None,
        feature: None,
        header: header.to_owned(),
        value: value.to_owned(),
        expected: expected.to_owned(),
    };
    match e {
        Error::BadRows { rows, .. } => rows.iter().flat_map(bad_entries).collect(),
        Error::BadRow { file, line, field, value, expected } => {
            vec![BadEntry { line: Some(*line as u64), ..entry(file, field, value, expected) }]
        }
        Error::BadCell(c) => vec![BadEntry {
            sheet: Some(c.sheet.clone()),
            line: Some(c.row as u64),
            column: Some(c.column.clone()),
            ..entry(&c.file, &c.header, &c.value, &c.expected)
        }],
        Error::BadFeature { file, index, field, value, expected } => {
            vec![BadEntry { feature: Some(*index as u64), ..entry(file, field, value, expected) }]
        }
        other => vec![entry("", "", "", &other.to_string())],
    }
}

/// How many bad rows an import error stands for (more than it lists when there were over
/// [`super::MAX_REPORTED`]).
pub fn bad_total(e: &Error) -> u64 {
    match e {
        Error::BadRows { total, .. } => *total,
        _ => 1,
    }
}

/// Writes `entries` as a CSV report at `path`: UTF-8 with a byte-order mark (so Excel opens
/// the Chinese correctly), headers in Chinese and English, one line per bad row, and a last
/// line saying how many more there were when `total` exceeds the entries listed.
pub fn write_error_report(path: &Path, entries: &[BadEntry], total: u64) -> Result<()> {
    let fail = |e: csv::Error| Error::Invalid(format!("cannot write the report: {e}"));
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(["文件 file", "工作表 sheet", "行 line/row", "列 column", "要素 feature", "列名 header", "值 value", "应为 expected"])
        .map_err(fail)?;
    let text = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    for e in entries {
        let sheet = e.sheet.clone().unwrap_or_default();
        let column = e.column.clone().unwrap_or_default();
        w.write_record([&e.file, &sheet, &text(e.line), &column, &text(e.feature), &e.header, &e.value, &e.expected]).map_err(fail)?;
    }
    if total > entries.len() as u64 {
        let more = format!("… {} more not listed / 另有 {} 行未列出", total - entries.len() as u64, total - entries.len() as u64);
        w.write_record(["", "", "", "", "", "", "", more.as_str()]).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Invalid(format!("cannot write the report: {e}")))?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BadCell;

    #[test]
    fn every_kind_of_bad_row_becomes_an_entry_and_the_report_opens_in_excel() {
        let cell = Error::BadCell(Box::new(BadCell {
            file: "c.xlsx".into(),
            sheet: "一批".into(),
            row: 17,
            column: "C".into(),
            header: "充电端口数".into(),
            value: "四个".into(),
            expected: "expected a whole number".into(),
        }));
        let row = Error::BadRow { file: "c.csv".into(), line: 5, field: "端口".into(), value: "x, \"y\"".into(), expected: "a number".into() };
        let feature = Error::BadFeature { file: "c.geojson".into(), index: 2, field: "n".into(), value: "多".into(), expected: "a number".into() };
        let all = Error::BadRows { rows: vec![cell, row, feature], total: 1200 };
        let entries = bad_entries(&all);
        assert_eq!(entries.len(), 3);
        assert_eq!((entries[0].sheet.as_deref(), entries[0].line, entries[0].column.as_deref()), (Some("一批"), Some(17), Some("C")));
        assert_eq!((entries[1].line, entries[1].header.as_str()), (Some(5), "端口"));
        assert_eq!(entries[2].feature, Some(2));
        assert_eq!(bad_total(&all), 1200);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        write_error_report(&path, &entries, bad_total(&all)).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(&rows[0][1], "一批");
        assert_eq!(&rows[1][6], "x, \"y\"", "a value with a comma and quotes survives");
        assert!(rows[3][7].contains("1197"), "{:?}", rows[3]);
    }
}
