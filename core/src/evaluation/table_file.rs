//! A table written as CSV or XLSX, chosen by the file's extension: the estimates and the
//! rectification orders are both handed on as tables (to a bulletin, to Excel or WPS).

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{Error, Result};

/// One cell: numbers stay numbers in XLSX so Excel can sum and sort them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(f: f64) -> Self {
        Cell::Number(f)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

impl Cell {
    fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(f) => f.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A header row and data rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as CSV text (UTF-8, no BOM).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.headers).expect("in memory");
        for r in &self.rows {
            w.write_record(r.iter().map(Cell::csv_text)).expect("in memory");
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
    }

    /// Writes `path` as `.csv` or `.xlsx` (one sheet named `sheet`, bold frozen header row,
    /// an autofilter); any other extension is refused with the two that are accepted.
    pub fn write(&self, path: &Path, sheet: &str) -> Result<()> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let io = |e: std::io::Error| Error::Io { path: path.to_owned(), source: e };
        match ext.as_deref() {
            Some("csv") => std::fs::write(path, self.to_csv()).map_err(io),
            Some("xlsx") => self.write_xlsx(path, sheet),
            _ => Err(Error::Invalid(format!(
                "{}: unknown table format; expected a file name ending in .csv or .xlsx",
                path.display()
            ))),
        }
    }

    fn write_xlsx(&self, path: &Path, sheet: &str) -> Result<()> {
        let err = |e: rust_xlsxwriter::XlsxError| Error::Invalid(format!("{}: cannot write the workbook: {e}", path.display()));
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet).map_err(err)?;
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.6).clamp(8.0, 40.0)).map_err(err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => ws.write_string(r, c as u16, s).map(drop),
                    Cell::Number(f) => ws.write_number(r, c as u16, *f).map(drop),
                    Cell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        if !self.headers.is_empty() {
            ws.autofilter(0, 0, self.rows.len() as u32, self.headers.len() as u16 - 1).map_err(err)?;
        }
        wb.save(path).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_numbers() {
        let t = Table {
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec![Cell::from("x, y"), Cell::from(1.5)], vec![Cell::Empty, Cell::from(Some("z"))]],
        };
        assert_eq!(t.to_csv(), "a,b\n\"x, y\",1.5\n,z\n");
        let e = t.write(Path::new("/tmp/t.txt"), "s").unwrap_err().to_string();
        assert!(e.contains(".csv or .xlsx"), "{e}");
    }

    #[test]
    fn xlsx_reads_back_with_types() {
        use calamine::{open_workbook, Data, Reader, Xlsx};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let t = Table { headers: vec!["名称".into(), "n".into()], rows: vec![vec![Cell::from("甲"), Cell::from(3.0)]] };
        t.write(&path, "表").unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let r = wb.worksheet_range("表").unwrap();
        assert_eq!(r.get_value((0, 0)), Some(&Data::String("名称".into())));
        assert_eq!(r.get_value((1, 0)), Some(&Data::String("甲".into())));
        assert_eq!(r.get_value((1, 1)), Some(&Data::Float(3.0)));
    }
}
