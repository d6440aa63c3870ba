//! Shell-style wildcards for role and account-name rules: `*` (any run), `?` (one character),
//! everything else literal; matched case-insensitively against the whole text.

use wildmatch::WildMatch;

/// A case-insensitive wildcard pattern (`*`, `?`), as the listing's `--account`/`--role` and
/// the admin filters match.
#[derive(Debug, Clone)]
pub struct Glob {
    pattern: String,
    matcher: WildMatch,
}

impl Glob {
    /// A pattern; every string is a valid one.
    pub fn new(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_owned(),
            matcher: WildMatch::new_case_insensitive(pattern),
        }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        self.matcher.matches(text)
    }
}

/// Two globs are equal when they were written the same.
impl PartialEq for Glob {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl Eq for Glob {}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn wildcards() {
        let cases = [
            ("*-eu-*", "payments-eu-prod", true),
            ("*-eu-*", "payments-eu", false),
            ("*-eu", "payments-eu", true),
            ("*Audit*", "SecurityAudit", true),
            ("*audit*", "SecurityAudit", true),
            ("Billing", "billing", true),
            ("Billing", "BillingX", false),
            ("?ev", "dev", true),
            ("?ev", "ddev", false),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            // A `*` in the text is matched by the pattern's `*` as a wildcard, not a literal.
            ("a*c", "a*bc", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).matches(t), want, "{p} vs {t}");
        }
    }
}
