//! Shell-style wildcards for role and account-name rules: `*` (any run), `?` (one character),
//! everything else literal; matched case-insensitively against the whole text.

/// A case-insensitive wildcard pattern (`*`, `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    chars: Vec<char>,
}

impl Glob {
    /// A pattern; every string is a valid one.
    pub fn new(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_owned(),
            chars: pattern.chars().flat_map(char::to_lowercase).collect(),
        }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let p = &self.chars;
        // The classic linear wildcard match with one backtrack point (the last `*`).
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == text[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

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
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).matches(t), want, "{p} vs {t}");
        }
    }
}
