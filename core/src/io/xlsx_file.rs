//! XLSX import and export.
//!
//! A sheet is read like a CSV file (the same headers and values are accepted, through
//! [`super::table::Layout`]): the first row with two or more cells filled is the header (a
//! title above it is skipped with a warning), every non-empty row
//! below it one feature. Excel's typed cells are read as the field takes them: a date cell,
//! or a date's serial number, in a date field is that date; a number in an integer field may
//! be stored as `12.0`; numbers typed as text are read as CSV reads them. A cell holding an
//! Excel error (`#N/A`, `#VALUE!`) is a bad cell. Problems name the sheet, the row and column
//! as Excel shows them (`row 17 column C`) and the column's header.
//!
//! The workbook is read whole (Excel's 1 048 576 rows bound it); progress is reported by rows.

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use geo_types::Geometry;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::geometry::round;
use super::reading::Reading;
use super::table::Layout;
use super::{bad_input, wkt, ImportOptions, RowError};
use crate::catalog::{FieldDef, FieldType, GeometryType, LayerKind};
use crate::crs::Crs;
use crate::error::{BadCell, Error, Result};
use crate::evaluation::cells::{column_letter, is_blank, shown};
use crate::feature::{Feature, Value};

/// Excel's limit on the characters of one cell; a longer WKT cannot be written.
const MAX_CELL_CHARS: usize = 32_767;

/// The sheets of a workbook, in its order.
pub(crate) fn sheet_names(path: &Path) -> Result<Vec<String>> {
    let load = || -> Result<Vec<String>> {
        let wb: Xlsx<_> = open_workbook(path).map_err(|e| bad_input(path, format!("cannot read the workbook: {e}")))?;
        Ok(wb.sheet_names())
    };
    std::panic::catch_unwind(load).map_err(|_| bad_input(path, DAMAGED))?
}

/// What a workbook that makes the parser panic is reported as.
const DAMAGED: &str = "cannot read the workbook: its contents are damaged; open and save it again in Excel or WPS";

/// Reads one sheet of a workbook into `reading`; see [`super::import_features`].
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let crs = opts.crs.unwrap_or_default();
    // calamine trusts a workbook's cell references: one of many letters overflows its column
    // arithmetic, a panic where overflow is checked (found by fuzzing). A workbook that makes
    // the parser panic is reported as damaged instead.
    let load = || -> Result<(String, calamine::Range<Data>)> {
        let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| bad_input(path, format!("cannot read the workbook: {e}")))?;
        let names = wb.sheet_names();
        let sheet = match &opts.sheet {
            None => names.first().cloned().ok_or_else(|| bad_input(path, "the workbook has no sheet"))?,
            Some(want) => names.iter().find(|n| *n == want).cloned().ok_or_else(|| {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                bad_input(path, format!("has no sheet `{want}`; its sheets are {}", list.join(", ")))
            })?,
        };
        let range = wb.worksheet_range(&sheet).map_err(|e| bad_input(path, format!("sheet `{sheet}`: {e}")))?;
        Ok((sheet, range))
    };
    let (sheet, range) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(load))
        .map_err(|_| bad_input(path, DAMAGED))??;
    let in_sheet = |m: String| bad_input(path, format!("sheet `{sheet}`: {m}"));
    // `range` starts at the first non-empty cell; Excel's numbers count from A1.
    let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
    // A title above the header (one cell, often merged across) is common in the bureau's
    // sheets: the header is the first row with two or more cells filled.
    let mut rows = range.rows().enumerate().map(|(i, r)| (r0 + i + 1, r)).peekable();
    let mut titles = Vec::new();
    while let Some((n, r)) = rows.next_if(|(_, r)| r.iter().filter(|d| !is_blank(d)).count() < 2) {
        if let Some(d) = r.iter().find(|d| !is_blank(d)) {
            titles.push(format!("row {n} `{}`", shown(d)));
        }
    }
    let Some((header_row, header)) = rows.next() else {
        return Err(in_sheet("has no header row; expected a header row such as 名称, 经度, 纬度 and one row per feature".into()));
    };
    if !titles.is_empty() {
        reading.warn(format!("sheet `{sheet}`: {} taken as a title; the header is row {header_row}", titles.join(", ")));
    }
    let headers: Vec<String> = header.iter().map(|d| if is_blank(d) { String::new() } else { shown(d) }).collect();
    let layout = Layout::new(kind, headers, opts, reading).map_err(|m| in_sheet(format!("header row {header_row}: {m}")))?;
    if let Some(w) = layout.unknown_warning(kind) {
        reading.warn(format!("sheet `{sheet}`: {w}"));
    }
    let total_rows = range.height().max(1) as u64;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let file = reading.file.clone();
    let bad_cell = |row: usize, e: RowError| match e.column {
        Some(c) => Error::BadCell(Box::new(BadCell {
            file: file.clone(),
            sheet: sheet.clone(),
            row,
            column: column_letter(c0 + c),
            header: layout.headers.get(c).map_or(String::new(), |h| h.trim().to_owned()),
            value: e.value,
            expected: e.expected,
        })),
        None => Error::BadRow { file: format!("{file} sheet `{sheet}` row"), line: row, field: e.field, value: e.value, expected: e.expected },
    };
    for (excel_row, cells) in rows {
        if cells.iter().all(is_blank) {
            continue;
        }
        let parsed = row_text(&layout, kind, cells).and_then(|texts| {
            reading.found.note_position(layout.raw_position(&texts));
            layout.feature(kind, &texts, crs)
        });
        match parsed {
            Ok(f) => reading.feature(f)?,
            Err(e) => reading.bad(bad_cell(excel_row, e)),
        }
        reading.tick(|| size * (excel_row - r0) as u64 / total_rows)?;
    }
    Ok(())
}

/// The cells of one row as the text [`Layout::feature`] parses, each read as its column's
/// field takes it; a cell holding an Excel error is refused here.
fn row_text(layout: &Layout, kind: &LayerKind, cells: &[Data]) -> Result<Vec<String>, RowError> {
    cells
        .iter()
        .enumerate()
        .map(|(i, d)| {
            cell_text(d, layout.field(kind, i)).map_err(|why| {
                RowError::new(layout.headers.get(i).map_or("", |h| h.as_str()), shown(d), why).at(i)
            })
        })
        .collect()
}

/// One cell as text for `field` (or for a coordinate or built-in column when `None`).
fn cell_text(d: &Data, field: Option<&FieldDef>) -> Result<String, String> {
    let date_field = field.is_some_and(|f| f.ty == FieldType::Date);
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Int(i) if date_field => serial_date(*i as f64)?,
        Data::Float(f) if date_field => serial_date(*f)?,
        Data::Int(i) => i.to_string(),
        // Rust prints the shortest text that reads back as the same number: 12.0 → "12".
        Data::Float(f) => f.to_string(),
        Data::DateTime(x) => {
            let (y, m, day, h, min, s, _) = x.to_ymd_hms_milli();
            if date_field || (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::Error(e) => return Err(format!("the cell holds the Excel error {e}; expected a value")),
    })
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`.
fn serial_date(serial: f64) -> Result<String, String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return Err("is a number that is not an Excel date; expected a date cell or text YYYY-MM-DD".into());
    }
    let x = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
    let (y, m, d, ..) = x.to_ymd_hms_milli();
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// The workbook bytes of `features`: one sheet named after the layer, a frozen header row of
/// catalog column names (`fid`, `name`, `source`, the fields, then `lon`, `lat` for point
/// layers or `wkt`), numbers as numbers, dates as Excel dates, booleans as TRUE/FALSE.
pub(crate) fn write(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    write_book(kind, features, crs).map_err(|e| match e {
        Written::Xlsx(e) => Error::Invalid(format!("cannot write the workbook: {e}")),
        Written::Data(e) => e,
    })
}

enum Written {
    Xlsx(XlsxError),
    Data(Error),
}

impl From<XlsxError> for Written {
    fn from(e: XlsxError) -> Self {
        Written::Xlsx(e)
    }
}

fn write_book(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>, Written> {
    let points = kind.geometry == GeometryType::Point;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(kind))?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut header: Vec<&str> = vec!["fid"];
    header.extend(kind.column_names());
    header.extend(if points { &["lon", "lat"][..] } else { &["wkt"][..] });
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, f) in features.iter().enumerate() {
        let r = i as u32 + 1;
        if let Some(fid) = f.fid {
            sheet.write_number(r, 0, fid as f64)?;
        }
        let mut c = 1u16;
        for key in kind.column_names() {
            match f.get(key) {
                Value::Null => {}
                Value::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Value::Integer(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Value::Real(x) => {
                    sheet.write_number(r, c, *x)?;
                }
                Value::Boolean(b) => {
                    sheet.write_boolean(r, c, *b)?;
                }
                Value::Date(d) => match ExcelDateTime::parse_from_str(d) {
                    Ok(when) => {
                        sheet.write_datetime_with_format(r, c, &when, &date)?;
                    }
                    Err(_) => {
                        sheet.write_string(r, c, d)?;
                    }
                },
            }
            c += 1;
        }
        let g = super::geometry::for_export(f, crs).map_err(Written::Data)?;
        match (&g, points) {
            (Geometry::Point(p), true) => {
                sheet.write_number(r, c, round(p.x()))?;
                sheet.write_number(r, c + 1, round(p.y()))?;
            }
            (_, false) => {
                let text = wkt::to_wkt(&g);
                if text.chars().count() > MAX_CELL_CHARS {
                    return Err(Written::Data(Error::Geometry(format!(
                        "feature {} of layer `{}` has {} characters of WKT, more than an Excel cell holds ({MAX_CELL_CHARS}); export it as GeoJSON or GeoPackage",
                        f.fid.map_or("(unsaved)".to_owned(), |i| i.to_string()),
                        kind.id,
                        text.chars().count()
                    ))));
                }
                sheet.write_string(r, c, &text)?;
            }
            (other, true) => return Err(Written::Data(super::csv_file::not_a_point(kind, f, other))),
        }
    }
    sheet.autofit();
    Ok(book.save_to_buffer()?)
}

/// The layer's Chinese name as a sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(kind: &LayerKind) -> String {
    let clean: String = kind.name_zh.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    let clean = clean.trim_matches('\'').trim().to_owned();
    if clean.is_empty() {
        kind.id.chars().take(31).collect()
    } else {
        clean
    }
}
