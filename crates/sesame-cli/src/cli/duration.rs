//! The one syntax of every flag that takes a time: `30s`, `5m`, `1h`, `1h30m` (or ISO 8601
//! `PT1H30M`), or a plain number in the flag's own unit, as each flag documents it (so the old
//! `--timeout 600` and `--min-validity 15` mean what they did).

use std::time::Duration;

/// A plain number means seconds: `--timeout`, `--expires`, `--duration`, `--max-age`.
pub(crate) fn seconds(s: &str) -> Result<Duration, String> {
    parse(s, 1, "seconds")
}

/// A plain number means minutes: `--min-validity`.
pub(crate) fn minutes(s: &str) -> Result<Duration, String> {
    parse(s, 60, "minutes")
}

/// A duration given in whole seconds to a field that holds seconds (`--duration-seconds`).
pub(crate) fn whole_seconds(s: &str) -> Result<u32, String> {
    let d = seconds(s)?;
    u32::try_from(d.as_secs()).map_err(|_| format!("`{s}` is too long"))
}

/// An STS session length, 15 minutes to 12 hours, in seconds (`saml --duration`).
pub(crate) fn sts_session(s: &str) -> Result<u32, String> {
    let secs = whole_seconds(s)?;
    if (900..=43200).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "`{s}` is not between 15m and 12h (900 to 43200 seconds)"
        ))
    }
}

/// `s` as a duration; a plain number is `unit_secs` seconds each.
fn parse(s: &str, unit_secs: u64, unit: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return n
            .checked_mul(unit_secs)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("`{s}` is too long"));
    }
    let bad = || format!("`{s}` is not a duration (use 30s, 5m, 1h, 1h30m, or a number of {unit})");
    // jiff reads both the friendly `1h30m` and ISO 8601 `PT1H30M`; days and longer are calendar
    // units it refuses here, which a flag of these sizes never needs.
    let d: jiff::SignedDuration = s.parse().map_err(|_| bad())?;
    Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_plain_numbers() {
        for (s, secs) in [
            ("30s", 30),
            ("5m", 300),
            ("1h", 3600),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            ("PT1H", 3600),
            ("600", 600),
            ("0", 0),
        ] {
            assert_eq!(seconds(s), Ok(Duration::from_secs(secs)), "{s}");
        }
        assert_eq!(minutes("15"), Ok(Duration::from_secs(900)));
        assert_eq!(minutes("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(minutes("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(whole_seconds("1h"), Ok(3600));
        assert_eq!(sts_session("1h"), Ok(3600));
        assert_eq!(sts_session("900"), Ok(900));
        assert!(sts_session("13h").is_err());
    }

    #[test]
    fn nonsense_and_negatives_are_refused_with_the_unit() {
        let e = minutes("soon").unwrap_err();
        assert!(
            e.contains("`soon` is not a duration") && e.contains("minutes"),
            "{e}"
        );
        assert!(seconds("-5m").unwrap_err().contains("negative"));
        assert!(seconds("5x").is_err());
    }
}
