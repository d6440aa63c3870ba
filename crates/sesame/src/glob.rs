//! Shell-style wildcards, the one matcher every pattern in sesame goes through: `*` (any run,
//! `/` and `:` included), `?` (one character), everything else literal, matched against the
//! whole text. Account and role names (`--account`, `--role`, the naming rules, the admin
//! filters) match case-insensitively, as people type them; a SAML role pattern matches ARNs
//! case-sensitively, as AWS compares them.

use wildmatch::WildMatch;

/// A wildcard pattern (`*`, `?`): case-insensitive from [`Glob::new`], case-sensitive from
/// [`Glob::case_sensitive`].
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

    /// A pattern matched case-sensitively (SAML role ARNs and names).
    pub fn case_sensitive(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_owned(),
            matcher: WildMatch::new(pattern),
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

    #[test]
    fn case_sensitive_wildcards() {
        let m = |p: &str, t: &str| Glob::case_sensitive(p).matches(t);
        assert!(m("*", ""));
        assert!(m("a*c", "abbbc"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*b*", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m("**x", "yyx"));
        assert!(m(
            "arn:aws:iam::*:role/*-Dev",
            "arn:aws:iam::1:role/ADFS-Dev"
        ));
        assert!(!m("*-dev", "ADFS-Dev"));
    }
}
