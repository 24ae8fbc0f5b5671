//! [`Date`]: a calendar day (UTC), enough to expire ignore-file entries.

use std::fmt;
use std::time::SystemTime;

/// A day of the proleptic Gregorian calendar. Orders chronologically.
///
/// # Example
///
/// ```
/// use layerleak_report::Date;
///
/// assert!(Date::new(2026, 1, 31) < Date::new(2026, 2, 1));
/// assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
/// assert_eq!(Date::new(2024, 2, 29).to_string(), "2024-02-29");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The day `year-month-day` (not validated beyond its parts' ranges by the caller).
    pub const fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// Today, in UTC, from the system clock (1970-01-01 if the clock is before it).
    pub fn today() -> Date {
        let secs =
            SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(i64::MAX))
    }

    /// The day `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            // In 1..=12 and 1..=31 by construction.
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_from_days_matches_known_dates() {
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_days_since_epoch(19_782), Date::new(2024, 2, 29));
        assert_eq!(Date::from_days_since_epoch(19_783), Date::new(2024, 3, 1));
        assert_eq!(Date::from_days_since_epoch(-1), Date::new(1969, 12, 31));
        assert_eq!(Date::from_days_since_epoch(10_957), Date::new(2000, 1, 1));
        assert!(Date::today() > Date::new(2025, 1, 1));
    }
}
