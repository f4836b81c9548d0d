//! Parsing one input value against its catalog field.
//!
//! Import, the UI's attribute editor and the command line all accept values the way people
//! type them in Excel or WPS (`是`, `2022/3/5`, an enum's Chinese label) and store them one
//! canonical way (`true`, `2022-03-05`, the enum code), so that queries and statistics never
//! see two spellings of one value. Every rejection says what would have been accepted.

use crate::catalog::{FieldDef, FieldType};
use crate::feature::Value;

/// Parses one input value for `field`, as typed in a file or in the attribute editor.
///
/// Empty (after trimming) is [`Value::Null`], or an error if the field is required.
/// Integers and reals parse as numbers (`4.0` is accepted as the integer 4); booleans from
/// `true/false`, `1/0`, `yes/no`, `y/n` or `是/否` (any case); dates as `YYYY-MM-DD`, also
/// `YYYY/MM/DD`, `YYYY.MM.DD` or `YYYY年M月D日` with one-digit month and day, must be real
/// calendar dates and are normalised to `YYYY-MM-DD`; enums match the code (any case), the
/// Chinese or the English label and are normalised to the code.
///
/// `Err` is a message for the user saying what would have been accepted (for enums, the
/// codes with their Chinese labels).
pub fn parse_value(field: &FieldDef, raw: &str) -> Result<Value, String> {
    let v = parse_typed(field, raw)?;
    field.check(&v)?;
    Ok(v)
}

/// [`parse_value`] before the field's constraints are checked.
fn parse_typed(field: &FieldDef, raw: &str) -> Result<Value, String> {
    let s = raw.trim();
    if s.is_empty() {
        return empty(field);
    }
    let parsed = match field.ty {
        FieldType::Text => Some(Value::Text(s.to_owned())),
        FieldType::Integer => parse_integer(s).map(Value::Integer),
        FieldType::Real => parse_real(s).map(Value::Real),
        FieldType::Boolean => parse_boolean(s).map(Value::Boolean),
        FieldType::Date => return parse_date(s).map(Value::Date).map_err(|why| format!("{why}; expected {}", accepted(field))),
        FieldType::Enum => enum_code(field, s).map(Value::Text),
    };
    parsed.ok_or_else(|| format!("expected {}", accepted(field)))
}

/// Parses one JSON value (a GeoJSON property) for `field`: `null` as empty, numbers and
/// booleans as themselves where the field's type takes them (a number in a text or enum field
/// is taken as its digits), and strings through [`parse_value`]. Arrays and objects are
/// refused. `Err` is a message for the user as for [`parse_value`].
pub fn parse_json_value(field: &FieldDef, v: &serde_json::Value) -> Result<Value, String> {
    let value = parse_json_typed(field, v)?;
    field.check(&value)?;
    Ok(value)
}

fn parse_json_typed(field: &FieldDef, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    match v {
        J::Null => empty(field),
        J::String(s) => parse_value(field, s),
        J::Number(n) => match field.ty {
            FieldType::Integer => n
                .as_i64()
                .or_else(|| n.as_f64().and_then(integral))
                .map(Value::Integer)
                .ok_or_else(|| format!("expected {}", accepted(field))),
            FieldType::Real => n.as_f64().map(Value::Real).ok_or_else(|| format!("expected {}", accepted(field))),
            // A permit number or an enum code may well have been written as a JSON number.
            _ => parse_value(field, &n.to_string()),
        },
        J::Bool(b) => match field.ty {
            FieldType::Boolean => Ok(Value::Boolean(*b)),
            _ => parse_value(field, &b.to_string()),
        },
        J::Array(_) | J::Object(_) => Err(format!("is a JSON {}; expected {}", json_kind(v), accepted(field))),
    }
}

/// What an empty input means: no value, unless the catalog says the field is required.
fn empty(field: &FieldDef) -> Result<Value, String> {
    if field.required {
        Err(format!("is required but empty; expected {}", accepted(field)))
    } else {
        Ok(Value::Null)
    }
}

/// A description of what `field` accepts, for error messages.
pub(crate) fn accepted(field: &FieldDef) -> String {
    let unit = field.unit_in(false).map(|u| format!(" in {u}")).unwrap_or_default();
    match field.ty {
        FieldType::Text => "text".to_owned(),
        FieldType::Integer => format!("a whole number{unit}, e.g. 4"),
        FieldType::Real => format!("a number{unit}, e.g. 12.5"),
        FieldType::Boolean => "true/false, 1/0, yes/no, y/n or 是/否".to_owned(),
        FieldType::Date => "a date YYYY-MM-DD (or YYYY/MM/DD), e.g. 2024-03-15".to_owned(),
        FieldType::Enum => {
            let list: Vec<String> = field.values.iter().map(|v| format!("{} ({})", v.value, v.zh)).collect();
            format!("one of {} (the code, the Chinese or the English label)", list.join(", "))
        }
    }
}

/// Integers as Excel writes them: `4`, or `4.0` after a round trip through a number cell.
fn parse_integer(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().and_then(integral))
}

fn integral(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn parse_real(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn parse_boolean(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "是" => Some(true),
        "false" | "0" | "no" | "n" | "否" => Some(false),
        _ => None,
    }
}

/// The code of the enum value whose code (any case), Chinese or English label is `s`.
fn enum_code(field: &FieldDef, s: &str) -> Option<String> {
    field
        .enum_value(s)
        .or_else(|| field.values.iter().find(|v| v.value.eq_ignore_ascii_case(s)))
        .map(|v| v.value.clone())
}

/// A calendar date as `YYYY-MM-DD`. Accepts `-`, `/` or `.` separators and `2022年3月5日`,
/// with one- or two-digit month and day (Excel's Chinese locale writes `2022/3/5`), and
/// ignores a time of day after the date (`2022/3/5 0:00`, from a date-time cell).
pub(crate) fn parse_date(s: &str) -> Result<String, String> {
    let date_part = split_time(s).ok_or_else(|| "is not a date".to_owned())?;
    let normalised = date_part.replace(['年', '月', '/', '.'], "-").replace('日', "");
    let parts: Vec<&str> = normalised.split('-').collect();
    let [y, m, d] = parts[..] else { return Err("is not a date".into()) };
    let ok_len = y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len());
    let all_digits = [y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !(ok_len && all_digits) {
        return Err("is not a date".into());
    }
    let (y, m, d): (i32, u8, u8) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0));
    let month = time::Month::try_from(m).map_err(|_| format!("has month {m}, which does not exist"))?;
    time::Date::from_calendar_date(y, month, d)
        .map_err(|_| format!("is not a calendar date: {month} {y} has {} days", month.length(y)))?;
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// The date part of `s`, if what follows it (if anything) looks like a time of day.
fn split_time(s: &str) -> Option<&str> {
    match s.split_once([' ', 'T']) {
        None => Some(s),
        Some((date, time)) => {
            let time = time.trim();
            let looks_like_time = !time.is_empty() && time.bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
            looks_like_time.then_some(date)
        }
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    if v.is_array() {
        "array"
    } else {
        "object"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::EnumValue;

    fn field(ty: FieldType, required: bool) -> FieldDef {
        FieldDef {
            name: "f".into(),
            ty,
            label_zh: "字段".into(),
            label_en: "Field".into(),
            unit: None,
            unit_en: None,
            required,
            values: if ty == FieldType::Enum {
                vec![
                    EnumValue { value: "car".into(), zh: "机动车".into(), en: "Car".into() },
                    EnumValue { value: "ebike".into(), zh: "非机动车".into(), en: "E-bike".into() },
                ]
            } else {
                vec![]
            },
            min: None,
            max: None,
            max_length: None,
            pattern: None,
            join: None,
        }
    }

    #[test]
    fn empty_is_null_unless_required() {
        assert_eq!(parse_value(&field(FieldType::Integer, false), "  "), Ok(Value::Null));
        let e = parse_value(&field(FieldType::Integer, true), "").unwrap_err();
        assert!(e.contains("required"), "{e}");
    }

    #[test]
    fn constraints_are_enforced_and_named() {
        let mut ports = field(FieldType::Integer, true);
        ports.min = Some(1.0);
        ports.max = Some(64.0);
        assert_eq!(parse_value(&ports, "4"), Ok(Value::Integer(4)));
        let e = parse_value(&ports, "-5").unwrap_err();
        assert!(e.contains("minimum 1") && e.contains("`min`"), "{e}");
        assert!(parse_value(&ports, "65").unwrap_err().contains("maximum 64"));
        assert!(parse_json_value(&ports, &serde_json::json!(-5)).unwrap_err().contains("minimum 1"));
        let mut name = field(FieldType::Text, false);
        name.max_length = Some(4);
        assert_eq!(parse_value(&name, "人民路站"), Ok(Value::Text("人民路站".into())), "characters, not bytes");
        assert!(parse_value(&name, "人民路充电站").unwrap_err().contains("6 characters"));
        assert_eq!(parse_value(&name, ""), Ok(Value::Null));
        let mut permit = field(FieldType::Text, false);
        permit.pattern = Some(r"[A-Z]{2}\d{6}".into());
        assert_eq!(parse_value(&permit, "YX202201"), Ok(Value::Text("YX202201".into())));
        let e = parse_value(&permit, "YX2022011").unwrap_err();
        assert!(e.contains("pattern") && e.contains(r"[A-Z]{2}\d{6}"), "the whole value must match: {e}");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_value(&field(FieldType::Integer, false), " 4 "), Ok(Value::Integer(4)));
        assert_eq!(parse_value(&field(FieldType::Integer, false), "4.0"), Ok(Value::Integer(4)));
        assert!(parse_value(&field(FieldType::Integer, false), "4.5").is_err());
        let e = parse_value(&field(FieldType::Integer, false), "abc").unwrap_err();
        assert!(e.contains("whole number"), "{e}");
        assert_eq!(parse_value(&field(FieldType::Real, false), "12.5"), Ok(Value::Real(12.5)));
        assert!(parse_value(&field(FieldType::Real, false), "NaN").is_err());
    }

    #[test]
    fn booleans_in_both_languages() {
        let f = field(FieldType::Boolean, false);
        for (raw, want) in [("是", true), ("否", false), ("TRUE", true), ("0", false), ("Y", true), ("no", false)] {
            assert_eq!(parse_value(&f, raw), Ok(Value::Boolean(want)), "{raw}");
        }
        assert!(parse_value(&f, "maybe").unwrap_err().contains("是/否"));
    }

    #[test]
    fn dates_are_normalised_and_checked() {
        let f = field(FieldType::Date, false);
        for raw in ["2022-03-05", "2022/3/5", "2022.03.05", "2022年3月5日", "2022/3/5 0:00"] {
            assert_eq!(parse_value(&f, raw), Ok(Value::Date("2022-03-05".into())), "{raw}");
        }
        let e = parse_value(&f, "2022-02-30").unwrap_err();
        assert!(e.contains("February 2022 has 28 days"), "{e}");
        assert!(parse_value(&f, "2022-13-01").unwrap_err().contains("month 13"));
        assert!(parse_value(&f, "05/03/2022").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_value(&f, "yesterday").is_err());
    }

    #[test]
    fn enums_by_code_or_label() {
        let f = field(FieldType::Enum, true);
        for raw in ["car", "CAR", "机动车", "car ", "Car"] {
            assert_eq!(parse_value(&f, raw), Ok(Value::Text("car".into())), "{raw}");
        }
        assert_eq!(parse_value(&f, "e-bike"), Ok(Value::Text("ebike".into())));
        let e = parse_value(&f, "truck").unwrap_err();
        assert!(e.contains("car (机动车), ebike (非机动车)"), "{e}");
    }

    #[test]
    fn json_values() {
        use serde_json::json;
        assert_eq!(parse_json_value(&field(FieldType::Integer, false), &json!(3)), Ok(Value::Integer(3)));
        assert_eq!(parse_json_value(&field(FieldType::Integer, false), &json!(3.0)), Ok(Value::Integer(3)));
        assert!(parse_json_value(&field(FieldType::Integer, false), &json!(3.5)).is_err());
        assert_eq!(parse_json_value(&field(FieldType::Real, false), &json!(3)), Ok(Value::Real(3.0)));
        assert_eq!(parse_json_value(&field(FieldType::Boolean, false), &json!(true)), Ok(Value::Boolean(true)));
        assert_eq!(parse_json_value(&field(FieldType::Boolean, false), &json!("是")), Ok(Value::Boolean(true)));
        assert_eq!(parse_json_value(&field(FieldType::Text, false), &json!(12345)), Ok(Value::Text("12345".into())));
        assert_eq!(parse_json_value(&field(FieldType::Text, false), &json!(null)), Ok(Value::Null));
        assert!(parse_json_value(&field(FieldType::Text, true), &json!(null)).is_err());
        assert!(parse_json_value(&field(FieldType::Text, false), &json!([1])).unwrap_err().contains("array"));
    }
}
