//! The catalog's map styles, read for paper. Each layer's `[style]` is a MapLibre style
//! fragment the window draws with; a printed map must look the same, so this module evaluates
//! the same paint properties, for one feature at one zoom, into a [`Symbol`] in mm.
//!
//! It understands what the catalog uses: literals, `["get", F]`, `["match", input, …]`,
//! `["interpolate", ["linear"], ["zoom"], …]` and `["step", ["zoom"], …]`. Anything else is an
//! error naming the layer and the key, never a silently different map.
//!
//! Sizes in a style are CSS pixels; on paper a CSS pixel is 1/96 inch (0.2646 mm), the size
//! it has on a screen of normal density, so a 5 px circle prints 2.6 mm wide.

use std::collections::BTreeMap;

use super::draw::Rgb;
use crate::catalog::LayerKind;
use crate::feature::Value;
use crate::{Error, Result};

/// Millimetres in one CSS pixel.
pub const MM_PER_PX: f32 = 25.4 / 96.0;

/// How one feature is drawn, sizes in mm.
#[derive(Debug, Clone, PartialEq)]
pub enum Symbol {
    Circle { radius: f32, colour: Rgb, opacity: f32, stroke: Option<(Rgb, f32)> },
    /// `dash` is in mm (MapLibre gives it in line widths).
    Line { colour: Rgb, width: f32, opacity: f32, dash: Vec<f32>, round: bool },
    Fill { colour: Rgb, opacity: f32, outline: Option<Rgb> },
}

/// The symbol a layer's style gives a feature with attributes `props` at map zoom `zoom`.
pub fn symbol_for(kind: &LayerKind, props: &BTreeMap<String, Value>, zoom: f64) -> Result<Symbol> {
    let paint = kind.style.get("paint").and_then(|p| p.as_table());
    let layout = kind.style.get("layout").and_then(|p| p.as_table());
    let ctx = Context { kind, props, zoom };
    let number = |key: &str, default: f64| -> Result<f32> {
        match paint.and_then(|p| p.get(key)) {
            None => Ok(default as f32),
            Some(v) => ctx.number(key, v).map(|n| n as f32),
        }
    };
    let colour = |key: &str| -> Result<Option<Rgb>> {
        match paint.and_then(|p| p.get(key)) {
            None => Ok(None),
            Some(v) => ctx.colour(key, v).map(Some),
        }
    };
    let style_type = kind.style.get("type").and_then(|v| v.as_str()).unwrap_or("");
    match style_type {
        "circle" => {
            let stroke_width = number("circle-stroke-width", 0.0)? * MM_PER_PX;
            let stroke_colour = colour("circle-stroke-color")?.unwrap_or(Rgb::BLACK);
            Ok(Symbol::Circle {
                radius: number("circle-radius", 5.0)? * MM_PER_PX,
                colour: colour("circle-color")?.unwrap_or(Rgb::BLACK),
                opacity: number("circle-opacity", 1.0)?,
                stroke: (stroke_width > 0.0).then_some((stroke_colour, stroke_width)),
            })
        }
        "line" => {
            let width = number("line-width", 1.0)? * MM_PER_PX;
            let dash = match paint.and_then(|p| p.get("line-dasharray")) {
                None => Vec::new(),
                Some(v) => {
                    let list = v.as_array().ok_or_else(|| ctx.unsupported("line-dasharray", v))?;
                    list.iter().map(|d| ctx.number("line-dasharray", d).map(|n| n as f32 * width)).collect::<Result<Vec<f32>>>()?
                }
            };
            let round = layout.and_then(|l| l.get("line-cap")).and_then(|v| v.as_str()) == Some("round");
            Ok(Symbol::Line { colour: colour("line-color")?.unwrap_or(Rgb::BLACK), width, opacity: number("line-opacity", 1.0)?, dash, round })
        }
        "fill" => Ok(Symbol::Fill {
            colour: colour("fill-color")?.unwrap_or(Rgb::BLACK),
            opacity: number("fill-opacity", 1.0)?,
            outline: colour("fill-outline-color")?,
        }),
        other => Err(Error::Print(format!(
            "layer `{}`: style type `{other}` cannot be printed (circle, line and fill can)",
            kind.id
        ))),
    }
}

/// One feature at one zoom: what expressions are evaluated against.
struct Context<'a> {
    kind: &'a LayerKind,
    props: &'a BTreeMap<String, Value>,
    zoom: f64,
}

/// An evaluated expression.
enum Out {
    Number(f64),
    Text(String),
    Null,
}

impl Context<'_> {
    fn unsupported(&self, key: &str, v: &toml::Value) -> Error {
        Error::Print(format!(
            "layer `{}`: style key `{key}` = {v} cannot be printed (literals, get, match, interpolate linear and step on zoom can)",
            self.kind.id
        ))
    }

    fn number(&self, key: &str, v: &toml::Value) -> Result<f64> {
        match self.eval(key, v)? {
            Out::Number(n) => Ok(n),
            _ => Err(self.unsupported(key, v)),
        }
    }

    fn colour(&self, key: &str, v: &toml::Value) -> Result<Rgb> {
        match self.eval(key, v)? {
            Out::Text(s) => parse_colour(&s).ok_or_else(|| {
                Error::Print(format!("layer `{}`: style key `{key}`: `{s}` is not a colour (#rgb, #rrggbb or rgb(r, g, b))", self.kind.id))
            }),
            _ => Err(self.unsupported(key, v)),
        }
    }

    fn eval(&self, key: &str, v: &toml::Value) -> Result<Out> {
        match v {
            toml::Value::Integer(i) => Ok(Out::Number(*i as f64)),
            toml::Value::Float(f) => Ok(Out::Number(*f)),
            toml::Value::String(s) => Ok(Out::Text(s.clone())),
            toml::Value::Boolean(b) => Ok(Out::Text(b.to_string())),
            toml::Value::Array(a) => match a.first().and_then(|op| op.as_str()) {
                Some("get") if a.len() == 2 => {
                    let name = a[1].as_str().ok_or_else(|| self.unsupported(key, v))?;
                    Ok(match self.props.get(name).unwrap_or(&Value::Null) {
                        Value::Null => Out::Null,
                        Value::Integer(i) => Out::Number(*i as f64),
                        Value::Real(f) => Out::Number(*f),
                        other => Out::Text(other.to_text()),
                    })
                }
                Some("zoom") => Ok(Out::Number(self.zoom)),
                Some("match") if a.len() >= 3 => self.eval_match(key, v, a),
                Some("interpolate") if a.len() >= 5 => self.eval_interpolate(key, v, a),
                Some("step") if a.len() >= 3 => self.eval_step(key, v, a),
                _ => Err(self.unsupported(key, v)),
            },
            _ => Err(self.unsupported(key, v)),
        }
    }

    /// `["match", input, label(s), output, …, fallback]`.
    fn eval_match(&self, key: &str, v: &toml::Value, a: &[toml::Value]) -> Result<Out> {
        let input = match self.eval(key, &a[1])? {
            Out::Text(s) => Some(s),
            Out::Number(n) => Some(format_number(n)),
            Out::Null => None,
        };
        let rest = &a[2..];
        if rest.len().is_multiple_of(2) {
            return Err(self.unsupported(key, v)); // a match needs its fallback
        }
        let matches = |label: &toml::Value| match (label, &input) {
            (toml::Value::String(l), Some(i)) => l == i,
            (toml::Value::Integer(l), Some(i)) => l.to_string() == *i,
            (toml::Value::Array(list), Some(i)) => list.iter().any(|l| l.as_str() == Some(i) || l.as_integer().map(|n| n.to_string()).as_ref() == Some(i)),
            _ => false,
        };
        for pair in rest[..rest.len() - 1].chunks(2) {
            if matches(&pair[0]) {
                return self.eval(key, &pair[1]);
            }
        }
        self.eval(key, &rest[rest.len() - 1])
    }

    /// `["interpolate", ["linear"], input, stop, value, …]`: linear between stops, the end
    /// values beyond them.
    fn eval_interpolate(&self, key: &str, v: &toml::Value, a: &[toml::Value]) -> Result<Out> {
        let linear = a[1].as_array().and_then(|m| m.first()).and_then(|m| m.as_str()) == Some("linear");
        if !linear || a.len().is_multiple_of(2) {
            return Err(self.unsupported(key, v));
        }
        let x = self.number(key, &a[2])?;
        let stops = self.stops(key, &a[3..])?;
        let (first, last) = (stops[0], stops[stops.len() - 1]);
        if x <= first.0 {
            return Ok(Out::Number(first.1));
        }
        if x >= last.0 {
            return Ok(Out::Number(last.1));
        }
        let i = stops.iter().position(|s| s.0 > x).unwrap_or(stops.len() - 1);
        let ((x0, y0), (x1, y1)) = (stops[i - 1], stops[i]);
        Ok(Out::Number(y0 + (y1 - y0) * (x - x0) / (x1 - x0)))
    }

    /// `["step", input, value0, stop1, value1, …]`: the value of the last stop at or below
    /// the input.
    fn eval_step(&self, key: &str, v: &toml::Value, a: &[toml::Value]) -> Result<Out> {
        if a.len().is_multiple_of(2) {
            return Err(self.unsupported(key, v));
        }
        let x = self.number(key, &a[1])?;
        let mut out = &a[2];
        for pair in a[3..].chunks(2) {
            if self.number(key, &pair[0])? <= x {
                out = &pair[1];
            }
        }
        self.eval(key, out)
    }

    /// Numeric (stop, value) pairs, in order, at least one.
    fn stops(&self, key: &str, flat: &[toml::Value]) -> Result<Vec<(f64, f64)>> {
        flat.chunks(2)
            .map(|pair| Ok((self.number(key, &pair[0])?, self.number(key, &pair[1])?)))
            .collect::<Result<Vec<_>>>()
            .and_then(|s| if s.is_empty() { Err(Error::Print(format!("layer `{}`: `{key}` has no stops", self.kind.id))) } else { Ok(s) })
    }
}

/// An integer-valued number as an integer (`2`, not `2.0`), as a match label compares it.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

/// `#rgb`, `#rrggbb`, `rgb(r, g, b)` or `rgba(r, g, b, a)` (alpha ignored: opacity is its own
/// paint key in every catalog style), `white` and `black`.
pub fn parse_colour(s: &str) -> Option<Rgb> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
        return match hex.len() {
            3 => Some(Rgb(digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17)),
            6 => Some(Rgb(digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
            _ => None,
        };
    }
    let inner = s.strip_prefix("rgba(").or_else(|| s.strip_prefix("rgb(")).and_then(|r| r.strip_suffix(')'));
    if let Some(inner) = inner {
        let parts: Vec<u8> = inner.split(',').take(3).map(|p| p.trim().parse::<f64>().ok().map(|v| v.clamp(0.0, 255.0) as u8)).collect::<Option<_>>()?;
        return (parts.len() == 3).then(|| Rgb(parts[0], parts[1], parts[2]));
    }
    match s {
        "white" => Some(Rgb::WHITE),
        "black" => Some(Rgb::BLACK),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))).collect()
    }

    #[test]
    fn roads_take_colour_and_width_from_their_class() {
        let catalog = Catalog::embedded();
        let roads = catalog.kind("roads").unwrap();
        let Symbol::Line { colour, width, .. } = symbol_for(roads, &props(&[("class", "main")]), 15.0).unwrap() else { panic!() };
        assert_eq!(colour, Rgb(0xf6, 0xc2, 0x6b));
        assert!((width - 6.0 * MM_PER_PX).abs() < 1e-6);
        let Symbol::Line { width, .. } = symbol_for(roads, &props(&[("class", "alley")]), 15.0).unwrap() else { panic!() };
        assert!((width - 2.0 * MM_PER_PX).abs() < 1e-6, "the fallback width");
    }

    #[test]
    fn billboard_radius_interpolates_on_zoom_and_holds_beyond_the_stops() {
        let catalog = Catalog::embedded();
        let kind = catalog.kind("billboards").unwrap();
        let radius = |z| match symbol_for(kind, &BTreeMap::new(), z).unwrap() {
            Symbol::Circle { radius, .. } => radius / MM_PER_PX,
            other => panic!("{other:?}"),
        };
        assert!((radius(14.0) - 2.2).abs() < 1e-5, "halfway between 1.6 at 13 and 2.8 at 15");
        assert!((radius(10.0) - 1.6).abs() < 1e-5);
        assert!((radius(20.0) - 4.0).abs() < 1e-5);
    }

    #[test]
    fn community_lines_are_dashed_in_line_widths() {
        let catalog = Catalog::embedded();
        let Symbol::Line { dash, width, .. } = symbol_for(catalog.kind("communities").unwrap(), &BTreeMap::new(), 15.0).unwrap() else { panic!() };
        assert_eq!(dash.len(), 2);
        assert!((dash[0] - 2.0 * width).abs() < 1e-6);
    }

    #[test]
    fn an_expression_print_cannot_read_is_an_error_naming_layer_and_key() {
        let mut kind = Catalog::embedded().kind("chargers").unwrap().clone();
        let paint = kind.style.get_mut("paint").unwrap().as_table_mut().unwrap();
        paint.insert("circle-radius".into(), toml::Value::Array(vec!["coalesce".into(), 3.into()]));
        let e = symbol_for(&kind, &BTreeMap::new(), 15.0).unwrap_err().to_string();
        assert!(e.contains("chargers") && e.contains("circle-radius") && e.contains("coalesce"), "{e}");
    }

    #[test]
    fn colours_in_the_forms_styles_write() {
        assert_eq!(parse_colour("#fff"), Some(Rgb::WHITE));
        assert_eq!(parse_colour("#01665e"), Some(Rgb(1, 0x66, 0x5e)));
        assert_eq!(parse_colour("rgb(10, 20, 30)"), Some(Rgb(10, 20, 30)));
        assert_eq!(parse_colour("#12345"), None);
        assert_eq!(parse_colour("teal"), None);
    }
}
