//! Profile-name templates: `{account_name}-{role_suffix}` and the like.

use super::NamingError;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "account_name",
    "account_id",
    "role_name",
    "role_suffix",
    "session",
];

/// A parsed template: literal text and `{placeholder}`s (`{{` and `}}` for literal braces).
///
/// - `{account_name}`: the account's short name (normalised, common prefix stripped);
/// - `{account_id}`: the 12-digit id;
/// - `{role_name}`: the role name as listed (unsafe characters turned into `-`);
/// - `{role_suffix}`: the role suffix the rules give (`admin`, empty for `ReadOnlyAccess`, else
///   the role name); a `-` written right before an empty suffix is dropped with it;
/// - `{session}`: the sso-session name.
///
/// The rendered name goes through the same sanitising as every other name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Placeholder(usize),
}

/// The values a template is rendered with.
#[derive(Debug)]
pub(super) struct Values<'a> {
    pub(super) account_name: &'a str,
    pub(super) account_id: &'a str,
    pub(super) role_name: &'a str,
    pub(super) role_suffix: &'a str,
    pub(super) session: &'a str,
}

impl Template {
    /// Parses a template; unknown placeholders, unbalanced braces and templates with no
    /// placeholder at all (which would name every profile the same) are errors.
    pub fn parse(source: &str) -> Result<Self, NamingError> {
        let bad = |reason: String| NamingError::Template {
            template: source.to_owned(),
            reason,
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => {
                                return Err(bad("a `{` is not closed by `}`".into()));
                            }
                            Some(c) => name.push(c),
                        }
                    }
                    let index = PLACEHOLDERS
                        .iter()
                        .position(|p| *p == name.trim())
                        .ok_or_else(|| {
                            bad(format!(
                                "unknown placeholder `{{{name}}}` (known: {})",
                                PLACEHOLDERS
                                    .iter()
                                    .map(|p| format!("{{{p}}}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })?;
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Placeholder(index));
                }
                '}' => return Err(bad("a `}` has no matching `{`".into())),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if !parts.iter().any(|p| matches!(p, Part::Placeholder(_))) {
            return Err(bad(
                "it has no placeholder, so every profile would get the same name".into(),
            ));
        }
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    /// The template as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub(super) fn render(&self, v: &Values<'_>) -> String {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(s) => {
                    // `{account_name}-{role_suffix}` with no suffix gives `name`, not `name-`.
                    let next_empty = matches!(self.parts.get(i + 1), Some(Part::Placeholder(3)))
                        && v.role_suffix.is_empty();
                    match (next_empty, s.strip_suffix('-')) {
                        (true, Some(rest)) => out.push_str(rest),
                        _ => out.push_str(s),
                    }
                }
                Part::Placeholder(index) => out.push_str(match index {
                    0 => v.account_name,
                    1 => v.account_id,
                    2 => v.role_name,
                    3 => v.role_suffix,
                    _ => v.session,
                }),
            }
        }
        out
    }
}
