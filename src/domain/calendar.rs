//! Working days in England and Wales, for the standstill period: at least 8 working days
//! after the contract award notice (Procurement Act 2023 s.51). A working day is not a
//! Saturday, Sunday or bank holiday (Banking and Financial Dealings Act 1971, Sch. 1).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = ((h + l - 7 * m + 114) % 31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    (1..=7)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .find(|d| d.weekday() == Weekday::Mon)
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    (22..=31)
        .rev()
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .find(|d| d.weekday() == Weekday::Mon)
}

fn next_weekday(mut date: NaiveDate, taken: &[NaiveDate]) -> NaiveDate {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || taken.contains(&date) {
        date += Duration::days(1);
    }
    date
}

/// The regular bank holidays of England and Wales in `year`, with substitute days when a
/// fixed holiday falls at a weekend. One-off holidays proclaimed for a single year (jubilees,
/// coronations) are not included.
pub fn bank_holidays(year: i32) -> Vec<NaiveDate> {
    let mut days = Vec::with_capacity(8);
    if let Some(new_year) = NaiveDate::from_ymd_opt(year, 1, 1) {
        days.push(next_weekday(new_year, &[]));
    }
    if let Some(easter) = easter_sunday(year) {
        days.push(easter - Duration::days(2));
        days.push(easter + Duration::days(1));
    }
    days.extend(first_monday(year, 5));
    days.extend(last_monday(year, 5));
    days.extend(last_monday(year, 8));
    if let Some(christmas) = NaiveDate::from_ymd_opt(year, 12, 25) {
        let christmas_off = next_weekday(christmas, &[]);
        days.push(christmas_off);
        days.push(next_weekday(
            christmas + Duration::days(1),
            &[christmas_off],
        ));
    }
    days.sort();
    days
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !bank_holidays(date.year()).contains(&date)
}

/// The date `n` working days after `start` (not counting `start` itself).
pub fn add_working_days(start: NaiveDate, n: u32) -> NaiveDate {
    let mut date = start;
    let mut left = n;
    while left > 0 {
        date += Duration::days(1);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bank_holidays_match_the_published_lists() {
        // gov.uk/bank-holidays, England and Wales.
        assert_eq!(
            bank_holidays(2026),
            [
                d(2026, 1, 1),
                d(2026, 4, 3),
                d(2026, 4, 6),
                d(2026, 5, 4),
                d(2026, 5, 25),
                d(2026, 8, 31),
                d(2026, 12, 25),
                d(2026, 12, 28)
            ]
        );
        // Christmas on a Saturday: substitutes on Monday 27 and Tuesday 28.
        assert_eq!(
            bank_holidays(2027),
            [
                d(2027, 1, 1),
                d(2027, 3, 26),
                d(2027, 3, 29),
                d(2027, 5, 3),
                d(2027, 5, 31),
                d(2027, 8, 30),
                d(2027, 12, 27),
                d(2027, 12, 28)
            ]
        );
        // New Year's Day on a Saturday: substitute on Monday 3 January.
        assert_eq!(bank_holidays(2028)[0], d(2028, 1, 3));
        assert_eq!(bank_holidays(2025)[1..3], [d(2025, 4, 18), d(2025, 4, 21)]);
    }

    #[test]
    fn standstill_skips_weekends_and_bank_holidays() {
        // Monday 23 Nov 2026 + 8 working days = Thursday 3 Dec 2026.
        assert_eq!(add_working_days(d(2026, 11, 23), 8), d(2026, 12, 3));
        // Over Christmas 2026 from Fri 18 Dec: 21, 22, 23, 24, 29, 30, 31 Dec, then 4 Jan 2027
        // (25 and 28 Dec and 1 Jan are bank holidays).
        assert_eq!(add_working_days(d(2026, 12, 18), 8), d(2027, 1, 4));
        // From a Saturday the count starts on Monday.
        assert_eq!(add_working_days(d(2026, 11, 21), 1), d(2026, 11, 23));
    }
}
