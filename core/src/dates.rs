//! Calendar dates as the bureau writes them (YYYY-MM-DD), and "today" in the bureau's time
//! zone (China Standard Time, UTC+8, no daylight saving), so a deadline falls due on the
//! bureau's calendar day whatever the machine's clock zone.
//!
//! Two types carry them through the records: [`Day`], a calendar day (an inspection, a
//! deadline), and [`Timestamp`], an instant (when an action or an event was recorded). Each
//! prints, and serializes, as the text the project file stores, so the file format and every
//! output stay as they were when these were strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// `YYYY-MM-DD` (exactly: four, two and two digits) to a valid calendar date.
pub fn parse_ymd(s: &str) -> Option<Date> {
    let p: Vec<&str> = s.trim().split('-').collect();
    let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    if p.len() != 3 || !digits(p[0], 4) || !digits(p[1], 2) || !digits(p[2], 2) {
        return None;
    }
    let month = Month::try_from(p[1].parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(p[0].parse().ok()?, month, p[2].parse().ok()?).ok()
}

/// A date as `YYYY-MM-DD`.
pub fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Today's date in China Standard Time.
pub fn today_cst() -> Day {
    let cst = UtcOffset::from_hms(8, 0, 0).expect("+08:00 is a valid offset");
    Day(OffsetDateTime::now_utc().to_offset(cst).date())
}

/// Text that is not a date or time in the form wardgis reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDate {
    /// The text as given.
    pub value: String,
    /// The form that would have been accepted, with an example.
    pub expected: &'static str,
}

impl fmt::Display for BadDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not {}", self.value, self.expected)
    }
}

impl std::error::Error for BadDate {}

/// A calendar day (an inspection, a re-inspection, a deadline), written `YYYY-MM-DD`.
///
/// ```
/// use wardgis::dates::Day;
///
/// let opened: Day = "2026-05-01".parse().unwrap();
/// assert_eq!(opened.plus_days(3).unwrap().to_string(), "2026-05-04");
/// assert!(opened < "2026-05-04".parse().unwrap());
/// assert_eq!("2026-05-20".parse::<Day>().unwrap().days_since(opened), 19);
/// // The one form only, and only real days.
/// assert!("2026-5-1".parse::<Day>().is_err());
/// assert!("2025-02-29".parse::<Day>().is_err());
/// // Serialized as the same text.
/// assert_eq!(serde_json::to_string(&opened).unwrap(), r#""2026-05-01""#);
/// assert_eq!(serde_json::from_str::<Day>(r#""2026-05-01""#).unwrap(), opened);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    pub const EXPECTED: &'static str = "a date YYYY-MM-DD, e.g. 2026-05-01";

    pub fn new(date: Date) -> Day {
        Day(date)
    }

    pub fn date(self) -> Date {
        self.0
    }

    /// The day `days` later; `None` past the last day the calendar holds.
    pub fn plus_days(self, days: i64) -> Option<Day> {
        self.0.checked_add(Duration::days(days)).map(Day)
    }

    /// Whole days from `earlier` to this day (negative when `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        (self.0 - earlier.0).whole_days()
    }
}

impl fmt::Display for Day {
    /// `YYYY-MM-DD`; honours width and alignment (`{:<12}`) as a string would.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&ymd(self.0))
    }
}

impl FromStr for Day {
    type Err = BadDate;
    /// Exactly `YYYY-MM-DD` (surrounding blanks ignored), a real calendar day.
    fn from_str(s: &str) -> Result<Day, BadDate> {
        parse_ymd(s).map(Day).ok_or_else(|| BadDate { value: s.to_owned(), expected: Day::EXPECTED })
    }
}

impl From<Date> for Day {
    fn from(d: Date) -> Day {
        Day(d)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An instant (when an action or an order event was recorded), written in RFC 3339:
/// `2026-11-27T06:43:39.123456789Z`. wardgis records them in UTC; one read from a file keeps
/// the offset it was written with, so it prints back as stored.
///
/// ```
/// use wardgis::dates::Timestamp;
///
/// let t: Timestamp = "2026-11-27T06:43:39.1234Z".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-11-27T06:43:39.1234Z");
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""2026-11-27T06:43:39.1234Z""#);
/// assert!(t < Timestamp::now());
/// assert!("2026-11-27 06:43".parse::<Timestamp>().is_err());
/// // What `now` prints parses back to the same instant.
/// let now = Timestamp::now();
/// assert_eq!(now.to_string().parse::<Timestamp>().unwrap(), now);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub const EXPECTED: &'static str = "a time in RFC 3339, e.g. 2026-11-27T06:43:39.123Z";

    /// The current time, in UTC.
    pub fn now() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc())
    }

    pub fn offset_date_time(self) -> OffsetDateTime {
        self.0
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 (`Z` for UTC, fractional seconds without trailing zeros); honours width and
    /// alignment as a string would.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Cannot fail: `now` and RFC 3339 text give years 0–9999 and whole-minute offsets.
        f.pad(&self.0.format(&Rfc3339).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Timestamp {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Timestamp, BadDate> {
        OffsetDateTime::parse(s, &Rfc3339)
            .map(Timestamp)
            .map_err(|_| BadDate { value: s.to_owned(), expected: Timestamp::EXPECTED })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_dates_in_the_one_form() {
        assert_eq!(parse_ymd("2026-05-01").map(ymd).as_deref(), Some("2026-05-01"));
        assert_eq!(parse_ymd(" 2024-02-29 ").map(ymd).as_deref(), Some("2024-02-29"));
        for bad in ["2026-02-30", "2025-02-29", "5/1/2026", "2026-5-1", "20260501", "", "2026-13-01"] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
            assert!(bad.parse::<Day>().is_err(), "{bad}");
        }
    }

    #[test]
    fn days_print_padded_like_strings() {
        let d: Day = "2026-05-01".parse().unwrap();
        assert_eq!(format!("[{d:<12}]"), "[2026-05-01  ]");
        assert_eq!(format!("[{d:>12}]"), "[  2026-05-01]");
    }

    #[test]
    fn timestamps_print_as_recorded() {
        // As `now` writes them (UTC, nanoseconds without trailing zeros), and as another
        // program may have written them (an offset, no fraction).
        for s in ["2026-11-27T06:43:39.123456789Z", "2026-11-27T06:43:39.5Z", "2026-11-27T06:43:39Z", "2026-11-27T14:43:39+08:00"] {
            assert_eq!(s.parse::<Timestamp>().unwrap().to_string(), s);
        }
        let t: Timestamp = "2026-11-27T06:43:39Z".parse().unwrap();
        assert_eq!(format!("{t:<22}|"), "2026-11-27T06:43:39Z  |");
        let e = "yesterday".parse::<Timestamp>().unwrap_err().to_string();
        assert!(e.contains("`yesterday`") && e.contains("RFC 3339"), "{e}");
    }
}
