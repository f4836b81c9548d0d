//! Calendar dates as the bureau writes them (YYYY-MM-DD), and "today" in the bureau's time
//! zone (China Standard Time, UTC+8, no daylight saving), so a deadline falls due on the
//! bureau's calendar day whatever the machine's clock zone.

use time::{Date, Month, OffsetDateTime, UtcOffset};

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

/// The current time as RFC 3339 in UTC (`2026-11-27T06:43:39.123456789Z`): when an action or
/// an event was recorded.
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Today's date in China Standard Time.
pub fn today_cst() -> Date {
    let cst = UtcOffset::from_hms(8, 0, 0).expect("+08:00 is a valid offset");
    OffsetDateTime::now_utc().to_offset(cst).date()
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
        }
    }
}
