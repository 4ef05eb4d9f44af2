//! Civil (UTC) dates from Unix seconds, for the SigV4 credential scope date and dig's `WHEN` line.
//!
//! No date crate: the civil-date arithmetic is `localvpc-model`'s; nothing here parses dates or knows time zones.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–59.
    pub second: u32,
    /// Day of the week, 0 = Sunday.
    pub weekday: u32,
}

impl UtcTime {
    /// The current time (the client's clock; the server does not check it).
    pub fn now() -> UtcTime {
        let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0);
        UtcTime::from_unix(seconds as i64)
    }

    /// Splits Unix seconds (the civil-date arithmetic is the model's, which renders EC2 timestamps).
    pub fn from_unix(seconds: i64) -> UtcTime {
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400) as u32;
        let (year, month, day) = localvpc_model::civil_from_days(days);
        UtcTime {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// `yyyymmdd`, as in a SigV4 credential scope.
    pub fn scope_date(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

/// `date`'s default form: `Sat Nov 22 02:42:07 UTC 2025`.
impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        write!(
            f,
            "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
            DAYS[self.weekday as usize],
            MONTHS[self.month as usize - 1],
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.year
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(UtcTime::from_unix(0).to_string(), "Thu Jan 01 00:00:00 UTC 1970");
        let time = UtcTime::from_unix(1_763_779_327);
        assert_eq!(time.to_string(), "Sat Nov 22 02:42:07 UTC 2025");
        assert_eq!(time.scope_date(), "20251122");
        assert_eq!(UtcTime::from_unix(951_782_400).scope_date(), "20000229");
    }
}
