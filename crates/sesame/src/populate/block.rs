//! The marked blocks populate owns: finding them in a document, and what their lines look like.

use std::ops::Range;

use crate::config::Document;
use crate::config::ini::LineKind;

const BEGIN: &str = "# BEGIN sesame populate (sso-session ";
const END: &str = "# END sesame populate (sso-session ";

/// The first line of the block of `session`, up to the closing parenthesis.
pub fn begin_marker(session: &str) -> String {
    format!("{BEGIN}{session})")
}

/// The last line of the block of `session`.
pub fn end_marker(session: &str) -> String {
    format!("{END}{session})")
}

/// The full first line: the marker and what it means.
pub(super) fn begin_line(session: &str) -> String {
    format!(
        "{}: written by `sesame populate`; edits inside this block are overwritten",
        begin_marker(session)
    )
}

const PREFIX_NOTE: &str = "# prefix_strip = ";
const PREFIX_NOTE_END: &str =
    " (detected on the first run and kept, so names stay stable; set prefix_strip to change it)";

/// The comment line that records an auto-detected prefix (`none` for no prefix).
pub(super) fn prefix_line(prefix: Option<&str>) -> String {
    format!("{PREFIX_NOTE}{}{PREFIX_NOTE_END}", prefix.unwrap_or("none"))
}

/// The prefix a block recorded: `Some(None)` for `none`, `None` if it recorded nothing.
pub(super) fn recorded_prefix(doc: &Document, block: &Block) -> Option<Option<String>> {
    doc.lines()
        .skip(block.lines.start)
        .take(block.lines.len())
        .find_map(|l| {
            let rest = l.raw().trim().strip_prefix(PREFIX_NOTE)?;
            let value = rest.split(" (").next()?.trim();
            Some((value != "none" && !value.is_empty()).then(|| value.to_owned()))
        })
}

/// One block in a document, as 0-based line indices: `lines.start` is the BEGIN line,
/// `lines.end - 1` the END line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    /// The session it belongs to.
    pub(super) session: String,
    /// BEGIN through END, inclusive of both.
    pub(super) lines: Range<usize>,
}

/// Which session a marker line names, if it is one: (is_begin, session).
fn marker(raw: &str) -> Option<(bool, &str)> {
    let line = raw.trim();
    let (begin, rest) = if let Some(rest) = line.strip_prefix(BEGIN) {
        (true, rest)
    } else {
        (false, line.strip_prefix(END)?)
    };
    // The session is up to the last `)` of the marker: after it, only `:` and text, or nothing.
    let close = match rest.find("):") {
        Some(i) if begin => i,
        _ => rest.strip_suffix(')').map(str::len)?,
    };
    Some((begin, &rest[..close]))
}

/// Every block in the document, or why the markers do not pair up (with 1-based line numbers).
pub(super) fn find_blocks(doc: &Document) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        if *line.kind() != LineKind::Comment {
            continue;
        }
        let Some((begin, session)) = marker(line.raw()) else {
            continue;
        };
        match (&open, begin) {
            (None, true) => open = Some((i, session.to_owned())),
            (None, false) => {
                return Err(format!(
                    "line {}: `{}` without its BEGIN line above; restore the BEGIN line or \
                     delete the END line",
                    i + 1,
                    end_marker(session)
                ));
            }
            (Some((start, s)), true) => {
                return Err(format!(
                    "line {}: a BEGIN line inside the block of sso-session `{s}` opened at line \
                     {}; restore `{}` above it",
                    i + 1,
                    start + 1,
                    end_marker(s)
                ));
            }
            (Some((start, s)), false) => {
                if s != session {
                    return Err(format!(
                        "line {}: the block opened at line {} for sso-session `{s}` ends with \
                         the END line of `{session}`",
                        i + 1,
                        start + 1
                    ));
                }
                blocks.push(Block {
                    session: s.clone(),
                    lines: *start..i + 1,
                });
                open = None;
            }
        }
    }
    if let Some((start, s)) = open {
        return Err(format!(
            "line {}: the block of sso-session `{s}` has no END line; restore `{}` after its \
             last profile, or delete the block",
            start + 1,
            end_marker(&s)
        ));
    }
    let mut sessions: Vec<&str> = blocks.iter().map(|b| b.session.as_str()).collect();
    sessions.sort_unstable();
    if let Some(w) = sessions.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "two blocks for sso-session `{}`; delete one of them",
            w[0]
        ));
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        for s in ["acme", "a)b", "my org"] {
            assert_eq!(marker(&begin_line(s)), Some((true, s)));
            assert_eq!(marker(&end_marker(s)), Some((false, s)));
        }
        assert_eq!(marker("# BEGIN sesame populate (sso-session x"), None);
        assert_eq!(marker("# some comment"), None);
    }

    #[test]
    fn broken_blocks_are_reported() {
        let cases = [
            (format!("{}\n[a]\n", begin_line("s")), "has no END line"),
            (format!("[a]\n{}\n", end_marker("s")), "without its BEGIN"),
            (
                format!("{}\n{}\n", begin_line("s"), begin_line("t")),
                "a BEGIN line inside",
            ),
            (
                format!("{}\n{}\n", begin_line("s"), end_marker("t")),
                "ends with the END line",
            ),
            (
                format!(
                    "{}\n{}\n{}\n{}\n",
                    begin_line("s"),
                    end_marker("s"),
                    begin_line("s"),
                    end_marker("s")
                ),
                "two blocks",
            ),
        ];
        for (text, needle) in cases {
            let doc = Document::parse(&text).unwrap();
            let e = find_blocks(&doc).unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }
}
