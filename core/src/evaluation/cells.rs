//! Reading cells of a workbook an evaluator filled in Excel or WPS: numbers typed as text,
//! dates as Excel serials or as YYYY-MM-DD text, pass/fail in Chinese or English. Shared by
//! the results import and the re-inspection import, so both accept the same things.

use calamine::Data;

use crate::dates::Day;

/// Excel's column letters for a 0-based column index.
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// A cell's text as shown in an error.
pub(crate) fn shown(d: &Data) -> String {
    match d {
        Data::Empty => "(blank)".into(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

pub(crate) fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

pub(crate) fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        Data::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

pub(crate) fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        other => shown(other),
    }
}

/// Days since 1899-12-30 (Excel's serial dates, 1900 system) to a civil date.
fn serial_to_date(serial: f64) -> Option<time::Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    epoch.checked_add(time::Duration::days(serial.floor() as i64))
}

/// A date cell: an Excel date, a serial number, or the text YYYY-MM-DD.
pub(crate) fn date(d: &Data) -> Option<Day> {
    match d {
        Data::DateTime(x) => serial_to_date(x.as_f64()).map(Day::new),
        Data::Float(f) => serial_to_date(*f).map(Day::new),
        Data::Int(i) => serial_to_date(*i as f64).map(Day::new),
        Data::String(s) | Data::DateTimeIso(s) => {
            let s = s.trim();
            let s = s.get(..10).filter(|_| s.len() == 10 || s.as_bytes().get(10) == Some(&b'T')).unwrap_or(s);
            s.parse().ok()
        }
        _ => None,
    }
}

/// Pass/fail words.
pub(crate) fn pass_fail(d: &Data) -> Option<bool> {
    match d {
        Data::Bool(b) => Some(*b),
        Data::Float(f) if *f == 1.0 => Some(true),
        Data::Float(f) if *f == 0.0 => Some(false),
        Data::Int(1) => Some(true),
        Data::Int(0) => Some(false),
        Data::String(s) => match s.trim().to_lowercase().as_str() {
            "通过" | "pass" | "是" | "1" => Some(true),
            "不通过" | "fail" | "否" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_dates_and_pass_words() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27 * 26), "AAA");
        assert_eq!(date(&Data::Float(45000.0)).map(|d| d.to_string()).as_deref(), Some("2023-03-15"));
        assert_eq!(date(&Data::String("2026-05-01".into())).map(|d| d.to_string()).as_deref(), Some("2026-05-01"));
        assert_eq!(date(&Data::String("2026-02-30".into())), None);
        assert_eq!(date(&Data::String("5/1/2026".into())), None);
        for (w, p) in [("通过", true), ("不通过", false), ("PASS", true), ("fail", false), ("是", true), ("否", false)] {
            assert_eq!(pass_fail(&Data::String(w.into())), Some(p), "{w}");
        }
        assert_eq!(pass_fail(&Data::Float(1.0)), Some(true));
        assert_eq!(pass_fail(&Data::String("ok".into())), None);
    }
}
