//! Finding a place from what a user types: a feature by (part of) its name, in any layer, or
//! a coordinate pasted from a map site in WGS84, GCJ-02 (Amap, Tencent) or BD-09 (Baidu).
//!
//! Name search runs in the store ([`crate::store::FeatureStore::search_names`], parameterised
//! `LIKE` with the user's `%`, `_` and `\` escaped), one layer at a time; the project merges
//! the layers' matches ([`crate::Project::search_names`]). Matches rank exact before prefix
//! before contains, then shorter names first (the closer a name is to what was typed).

use geo_types::Coord;

use crate::crs::Crs;
use crate::error::{Error, Result};

/// How well a name matched what was typed; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum MatchRank {
    /// The whole name is the text.
    Exact,
    /// The name starts with the text.
    Prefix,
    /// The text is somewhere inside the name.
    Contains,
}

impl MatchRank {
    /// The rank from the code the store computes (0 exact, 1 prefix, 2 contains).
    pub fn from_code(code: i64) -> MatchRank {
        match code {
            0 => MatchRank::Exact,
            1 => MatchRank::Prefix,
            _ => MatchRank::Contains,
        }
    }
}

/// One feature of one layer whose name matched, as the store finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub fid: i64,
    pub name: String,
    pub rank: MatchRank,
}

/// A `LIKE` pattern that matches `text` literally, with `\` as the escape character
/// (`ESCAPE '\'`): the user's `%` and `_` are characters to find, not wildcards.
pub fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The text trimmed, and refused when nothing is left to search for.
pub fn search_text(text: &str) -> Result<&str> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::Invalid("nothing to search for: type part of a name".into()));
    }
    Ok(t)
}

/// A pasted coordinate, read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastedCoordinate {
    /// The place in WGS84.
    pub wgs84: Coord<f64>,
    /// Longitude and latitude as typed, in the chosen system.
    pub typed: Coord<f64>,
    /// True when the text gave latitude first (`31.36,119.82`), which is taken so only when
    /// the first number cannot be a latitude's partner: the second is beyond ±90.
    pub latitude_first: bool,
}

/// Reads a pasted coordinate — two numbers separated by a comma, a full-width comma `，`,
/// a semicolon or spaces (`119.82,31.36`, `119.82 31.36`, `119.82，31.36`) — in `crs` (WGS84,
/// CGCS2000, GCJ-02 or BD-09), and converts it to WGS84. Longitude comes first, as map sites
/// copy it; latitude first is recognised where only that reading is possible (the first
/// number within ±90 and the second beyond it, as anywhere in China).
///
/// ```
/// use wardgis::crs::Crs;
/// use wardgis::search::parse_coordinate;
///
/// let p = parse_coordinate("119.82，31.36", Crs::Wgs84).unwrap();
/// assert_eq!((p.wgs84.x, p.wgs84.y), (119.82, 31.36));
/// assert!(parse_coordinate("31.36 119.82", Crs::Wgs84).unwrap().latitude_first);
/// assert!(parse_coordinate("二中", Crs::Wgs84).is_err());
/// ```
pub fn parse_coordinate(text: &str, crs: Crs) -> Result<PastedCoordinate> {
    if !crs.is_geographic() {
        return Err(Error::Invalid(format!(
            "{crs} is a projected system; a pasted coordinate is read as longitude, latitude in wgs84, cgcs2000, gcj02 or bd09"
        )));
    }
    let numbers = two_numbers(text)?;
    let [a, b] = numbers;
    let latitude_first = a.abs() <= 90.0 && b.abs() > 90.0;
    let (lon, lat) = if latitude_first { (b, a) } else { (a, b) };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(Error::Invalid(format!(
            "`{}`: {lon}, {lat} is not a longitude, latitude; expected longitude −180..180 and latitude −90..90, e.g. 119.82,31.36",
            text.trim()
        )));
    }
    let typed = Coord { x: lon, y: lat };
    let wgs84 = crs.to_wgs84(typed).map_err(Error::Invalid)?;
    Ok(PastedCoordinate { wgs84, typed, latitude_first })
}

/// Whether the text looks like a coordinate (two numbers and nothing else), so a search box
/// can tell a pasted coordinate from a name without an error.
pub fn looks_like_coordinate(text: &str) -> bool {
    two_numbers(text).is_ok()
}

fn two_numbers(text: &str) -> Result<[f64; 2]> {
    let parts: Vec<&str> = text
        .split(|c: char| c == ',' || c == '，' || c == ';' || c == '；' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let expected = "expected two numbers, longitude then latitude, separated by a comma or a space, e.g. 119.82,31.36";
    if parts.len() != 2 {
        return Err(Error::Invalid(format!("`{}`: {expected}", text.trim())));
    }
    let mut out = [0.0; 2];
    for (o, p) in out.iter_mut().zip(&parts) {
        *o = p
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| Error::Invalid(format!("`{p}` is not a number; {expected}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::{distance_m, gcj02_to_bd09, wgs84_to_gcj02};

    #[test]
    fn like_patterns_escape_the_wildcards() {
        assert_eq!(like_literal("充电"), "充电");
        assert_eq!(like_literal("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn separators_and_order() {
        for text in ["119.82,31.36", " 119.82 , 31.36 ", "119.82 31.36", "119.82，31.36", "119.82\t31.36", "119.82;31.36"] {
            let p = parse_coordinate(text, Crs::Wgs84).unwrap();
            assert_eq!((p.typed.x, p.typed.y, p.latitude_first), (119.82, 31.36, false), "{text}");
        }
        let p = parse_coordinate("31.36,119.82", Crs::Wgs84).unwrap();
        assert_eq!((p.wgs84.x, p.wgs84.y, p.latitude_first), (119.82, 31.36, true));
        // Both readings possible: taken as written, longitude first.
        let p = parse_coordinate("31.36,60.5", Crs::Wgs84).unwrap();
        assert_eq!((p.wgs84.x, p.wgs84.y, p.latitude_first), (31.36, 60.5, false));
    }

    #[test]
    fn bad_text_says_what_is_expected() {
        for text in ["", "119.82", "119.82,31.36,5", "abc,31", "200,100", "119.82,NaN"] {
            let e = parse_coordinate(text, Crs::Wgs84).unwrap_err().to_string();
            assert!(e.contains("expected") || e.contains("not a number"), "{text}: {e}");
        }
        assert!(!looks_like_coordinate("人民路"));
        assert!(looks_like_coordinate("119.82, 31.36"));
        assert!(parse_coordinate("119.82,31.36", "EPSG:4549".parse().unwrap()).is_err());
    }

    #[test]
    fn gcj02_and_bd09_land_on_the_wgs84_point() {
        let truth = Coord { x: 119.8231, y: 31.3604 };
        let gcj = wgs84_to_gcj02(truth);
        let bd = gcj02_to_bd09(gcj);
        for (c, crs) in [(gcj, Crs::Gcj02), (bd, Crs::Bd09)] {
            let p = parse_coordinate(&format!("{},{}", c.x, c.y), crs).unwrap();
            assert!(distance_m(p.wgs84, truth) < 0.01, "{crs}: {:?}", p.wgs84);
            assert!(distance_m(c, truth) > 100.0, "{crs} is offset from WGS84 here");
        }
    }

    #[test]
    fn search_text_must_have_something() {
        assert!(search_text("  ").is_err());
        assert_eq!(search_text(" 人民 ").unwrap(), "人民");
    }
}
