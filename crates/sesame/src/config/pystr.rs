//! The few Python string operations botocore's config loader is built on, reproduced exactly:
//! `str.isspace` (and so `strip`), `str.splitlines` and `shlex.split`. Rust's own notions differ
//! at the edges (`char::is_whitespace` leaves out U+001C..U+001F, `str::lines` splits on fewer
//! characters), and those edges decide what a config file means.

/// Python's `str.isspace()` for one character (CPython's `Py_UNICODE_ISSPACE`), which is also
/// what `\s` matches in configparser's regular expressions.
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `s.strip()`.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python's `s.lstrip()`.
pub(crate) fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Python's `s.rstrip()`.
pub(crate) fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Whether `c` ends a line for Python's `str.splitlines()`.
fn is_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `s.splitlines()` (without `keepends`): `\r\n` counts as one boundary, and a
/// boundary at the very end makes no empty last line.
pub(crate) fn splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_line_boundary(c) {
            out.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                next += 1;
            }
            start = next;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Python's `shlex.split(s)` (POSIX mode, no comments); `None` where Python raises
/// `ValueError` (an unclosed quote, a trailing backslash).
///
/// Words are separated by space, tab, CR or LF only; single quotes take everything literally;
/// inside double quotes a backslash escapes only `"` and `\`; outside quotes it escapes any
/// character; `""` makes an empty word.
pub(crate) fn shlex_split(s: &str) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Between,
        Word,
        Single,
        Double,
        /// After a backslash; remembers whether it was inside double quotes.
        Escape {
            in_double: bool,
        },
    }
    let mut words = Vec::new();
    let mut token = String::new();
    // Whether the current word had quotes, so that `""` still makes a word.
    let mut quoted = false;
    let mut state = State::Between;
    for c in s.chars() {
        let is_ws = matches!(c, ' ' | '\t' | '\r' | '\n');
        state = match state {
            State::Between | State::Word if is_ws => {
                if !token.is_empty() || quoted {
                    words.push(std::mem::take(&mut token));
                    quoted = false;
                }
                State::Between
            }
            State::Between | State::Word => match c {
                '\'' => State::Single,
                '"' => State::Double,
                '\\' => State::Escape { in_double: false },
                _ => {
                    token.push(c);
                    State::Word
                }
            },
            State::Single => {
                quoted = true;
                if c == '\'' {
                    State::Word
                } else {
                    token.push(c);
                    State::Single
                }
            }
            State::Double => {
                quoted = true;
                match c {
                    '"' => State::Word,
                    '\\' => State::Escape { in_double: true },
                    _ => {
                        token.push(c);
                        State::Double
                    }
                }
            }
            State::Escape { in_double } => {
                if in_double && c != '"' && c != '\\' {
                    token.push('\\');
                }
                token.push(c);
                if in_double {
                    State::Double
                } else {
                    State::Word
                }
            }
        };
    }
    match state {
        State::Single | State::Double | State::Escape { .. } => None,
        State::Between | State::Word => {
            if !token.is_empty() || quoted {
                words.push(token);
            }
            Some(words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<&'static str>> {
        shlex_split(s).map(|v| v.into_iter().map(|w| &*w.leak()).collect())
    }

    #[test]
    fn shlex_matches_python() {
        // Each case checked with python3 -c 'import shlex; print(shlex.split(...))'.
        assert_eq!(split("profile  x  "), Some(vec!["profile", "x"]));
        assert_eq!(
            split("profile \"my name\""),
            Some(vec!["profile", "my name"])
        );
        assert_eq!(split("profile 'a \"b'"), Some(vec!["profile", "a \"b"]));
        assert_eq!(split("profile a\\ b"), Some(vec!["profile", "a b"]));
        assert_eq!(
            split("profile \"a\\x\\\"\""),
            Some(vec!["profile", "a\\x\""])
        );
        assert_eq!(split("profile \"\""), Some(vec!["profile", ""]));
        assert_eq!(split("profile a\"b c\"d"), Some(vec!["profile", "ab cd"]));
        assert_eq!(split("profile #x"), Some(vec!["profile", "#x"]));
        assert_eq!(split("profile \"x"), None);
        assert_eq!(split("profile x\\"), None);
        assert_eq!(split(""), Some(vec![]));
        assert_eq!(split("a\u{a0}b"), Some(vec!["a\u{a0}b"]));
    }

    #[test]
    fn splitlines_matches_python() {
        assert_eq!(splitlines("\na = b\n"), vec!["", "a = b"]);
        assert_eq!(
            splitlines("a\r\nb\rc\u{b}d\u{2028}e"),
            vec!["a", "b", "c", "d", "e"]
        );
        assert_eq!(splitlines(""), Vec::<&str>::new());
        assert_eq!(splitlines("\n\n"), vec!["", ""]);
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(strip("\u{1c} x \u{3000}"), "x");
        assert_eq!(strip("\u{feff}x"), "\u{feff}x");
        assert_eq!(rstrip(" x \t"), " x");
    }
}
