//! Time as the AWS CLI writes it: `YYYY-MM-DDTHH:MM:SSZ`, parsed leniently.

use jiff::Timestamp;

/// Formats a timestamp the way botocore's `_sso_json_dumps` does: UTC, whole seconds, `Z`.
pub fn format_aws(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses the timestamps AWS tools write: `Z` or numeric offsets, `UTC`, fractional seconds.
/// A timestamp without a zone is taken as UTC (botocore would crash on it later; we are kinder).
pub fn parse_lenient(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let base = s.strip_suffix("UTC").map(str::trim_end).unwrap_or(s);
    for candidate in [format!("{base}Z"), format!("{}Z", base.replace(' ', "T"))] {
        if let Ok(ts) = candidate.parse::<Timestamp>() {
            return Some(ts);
        }
    }
    None
}

/// The current time.
pub fn now() -> Timestamp {
    Timestamp::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_botocore() {
        let ts: Timestamp = "2026-11-22T15:34:04.123Z".parse().unwrap();
        assert_eq!(format_aws(ts), "2026-11-22T15:34:04Z");
    }

    #[test]
    fn parses_what_aws_tools_write() {
        for s in [
            "2026-11-22T15:34:04Z",
            "2026-11-22T15:34:04+00:00",
            "2026-11-22T15:34:04.827655Z",
            "2026-11-22T15:34:04UTC",
            "2026-11-22T15:34:04",
            "2026-11-22 15:34:04",
        ] {
            let ts = parse_lenient(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(format_aws(ts), "2026-11-22T15:34:04Z", "{s}");
        }
        assert!(parse_lenient("tomorrow").is_none());
    }
}
