//! A lossless INI document, read exactly as botocore reads `~/.aws/config` and
//! `~/.aws/credentials`, and edited without disturbing a byte it was not asked to touch.
//!
//! botocore parses these files with Python's `configparser.RawConfigParser()` (default options)
//! and then turns indented blocks into nested maps (`botocore/configloader.py`). [`Document`]
//! accepts exactly the files that pass both steps and reads the same keys and values out of them;
//! docs/protocols.md, *The config file* lists the rules, and the tests pin each one.
//!
//! The document is a list of lines, each keeping its raw text and line ending beside a parsed
//! view ([`LineKind`]). [`Document::to_string`](ToString::to_string) gives back the input
//! byte for byte. Edits ([`Document::set`], [`Document::remove`], [`Document::append_section`],
//! [`Document::remove_section`]) splice raw lines into the text, re-read the result and check that
//! every key of every section reads as before except the one edited; an edit that would change
//! anything else (or that cannot be written so it reads back unchanged) is refused and leaves the
//! document as it was.

mod edit;
mod parse;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// configparser's defaults section: every other section of the file inherits its keys.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// How a line ends. Python reads these files with universal newlines, so a lone `\r` ends a line
/// too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// The last line of a file that does not end with a newline.
    None,
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// A lone `\r`.
    Cr,
}

impl LineEnding {
    /// The ending's bytes.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::None => "",
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

/// What a line is, as configparser reads it. Ranges are byte offsets into the line's raw text
/// ([`Line::raw`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only whitespace. Inside a value it adds an empty line to it (`x=1`, blank,
    /// `  cont` reads `1\n\ncont`); trailing empty lines of a value are dropped.
    Blank,
    /// A line whose first non-blank character is `#` or `;`, indented or not. Comments never end a
    /// value, and there are no inline comments: `x = 1 # c` has the value `1 # c`.
    Comment,
    /// `[name]`: the name is everything between the first `[` and the *last* `]` (text after that
    /// `]` is ignored), not trimmed.
    Header {
        /// The section name.
        name: Range<usize>,
    },
    /// `key = value` or `key: value`: the first `=` or `:` splits; both sides are trimmed.
    Key {
        /// The key as written (its case kept; lookups lowercase it).
        key: Range<usize>,
        /// The `=` or `:`.
        delimiter: usize,
        /// The value on this line (empty just after the delimiter when there is none).
        value: Range<usize>,
    },
    /// A line indented deeper than the key line above it: one more line of that key's value.
    Continuation {
        /// This line's part of the value, trimmed.
        value: Range<usize>,
    },
}

/// Why a file cannot be read the way botocore reads it, or why an edit was refused.
///
/// Parse errors carry the 1-based line number; none of them quotes the offending line, since a
/// credentials file's lines hold secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IniError {
    /// The file starts with a UTF-8 byte order mark; botocore reads it as text before the first
    /// section header.
    #[error(
        "line 1: the file starts with a UTF-8 byte order mark (BOM), which botocore cannot read"
    )]
    ByteOrderMark,
    /// Something other than a comment or a blank line before the first `[section]`.
    #[error("line {line}: text before the first [section] header")]
    NoSectionHeader {
        /// 1-based line number.
        line: usize,
    },
    /// A line that starts a section header with `[` but has no closing `]` (botocore reads it
    /// as a key line, and fails the same way: say what it is).
    #[error("line {line}: a section header `[...` without its closing `]`")]
    UnclosedHeader {
        /// 1-based line number.
        line: usize,
    },
    /// A section header that appeared before (`[DEFAULT]` may repeat).
    #[error("line {line}: duplicate section [{name}]")]
    DuplicateSection {
        /// 1-based line number of the second header.
        line: usize,
        /// The section name.
        name: String,
    },
    /// A key set twice in one section (keys compare lowercased).
    #[error("line {line}: duplicate key `{key}` in [{section}]")]
    DuplicateKey {
        /// 1-based line number of the second key.
        line: usize,
        /// The section name.
        section: String,
        /// The key, lowercased.
        key: String,
    },
    /// A line that is not a header, comment, continuation or `key = value`.
    #[error("line {line}: expected `key = value` (there is no `=` or `:`)")]
    MissingDelimiter {
        /// 1-based line number.
        line: usize,
    },
    /// `= value` with nothing before the delimiter.
    #[error("line {line}: a key name is missing before the `=` or `:`")]
    EmptyKey {
        /// 1-based line number.
        line: usize,
    },
    /// A line of an indented block (`s3 =` then `  name = value` lines) without `=`.
    #[error(
        "line {line}: in the indented block under `{key} =` in [{section}], expected `name = value`"
    )]
    NestedWithoutEquals {
        /// 1-based line number.
        line: usize,
        /// The section name.
        section: String,
        /// The key whose block it is.
        key: String,
    },
    /// An edit that cannot be made without changing what other lines mean, or whose value would
    /// not read back as given.
    #[error("cannot {action}: {reason}")]
    Edit {
        /// What was asked, e.g. "set `region` in [profile dev]".
        action: String,
        /// Why not.
        reason: String,
    },
}

impl IniError {
    /// The 1-based line number a parse error points at.
    pub fn line(&self) -> Option<usize> {
        match self {
            IniError::ByteOrderMark => Some(1),
            IniError::NoSectionHeader { line }
            | IniError::UnclosedHeader { line }
            | IniError::DuplicateSection { line, .. }
            | IniError::DuplicateKey { line, .. }
            | IniError::MissingDelimiter { line }
            | IniError::EmptyKey { line }
            | IniError::NestedWithoutEquals { line, .. } => Some(*line),
            IniError::Edit { .. } => None,
        }
    }
}

/// One line's place in the text and what it is.
#[derive(Debug, Clone)]
struct LineData {
    start: usize,
    len: usize,
    ending: LineEnding,
    kind: LineKind,
}

/// A section occurrence: its header line, its keys, and where it ends.
#[derive(Debug, Clone)]
struct SectionData {
    name: String,
    /// Index of the header line.
    line: usize,
    /// Index of the next header line, or the number of lines.
    end: usize,
    keys: Vec<KeyData>,
}

/// A key and its value as configparser joins it.
#[derive(Debug, Clone)]
struct KeyData {
    /// Lowercased, as configparser's `optionxform` leaves it.
    name: String,
    /// Index of the key line.
    line: usize,
    /// Index of the value's last line (the key line or its last continuation line).
    last: usize,
    /// The value's lines joined with `\n`, trailing whitespace removed.
    value: String,
}

/// An INI file that keeps every byte it was read from. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Document {
    text: String,
    lines: Vec<LineData>,
    sections: Vec<SectionData>,
}

/// A view of one line of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    number: usize,
    raw: &'a str,
    ending: LineEnding,
    kind: &'a LineKind,
}

impl<'a> Line<'a> {
    /// 1-based line number.
    pub fn number(&self) -> usize {
        self.number
    }

    /// The line's text without its line ending.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// How the line ends.
    pub fn ending(&self) -> LineEnding {
        self.ending
    }

    /// What the line is.
    pub fn kind(&self) -> &'a LineKind {
        self.kind
    }

    /// The section name, on a header line.
    pub fn header_name(&self) -> Option<&'a str> {
        match self.kind {
            LineKind::Header { name } => Some(&self.raw[name.clone()]),
            _ => None,
        }
    }

    /// The key as written, on a key line.
    pub fn key(&self) -> Option<&'a str> {
        match self.kind {
            LineKind::Key { key, .. } => Some(&self.raw[key.clone()]),
            _ => None,
        }
    }

    /// This line's part of a value, on a key or continuation line.
    pub fn value(&self) -> Option<&'a str> {
        match self.kind {
            LineKind::Key { value, .. } | LineKind::Continuation { value } => {
                Some(&self.raw[value.clone()])
            }
            _ => None,
        }
    }
}

/// A view of one section of a [`Document`], as written (no `[DEFAULT]` inheritance: that is the
/// typed views' business).
#[derive(Debug, Clone, Copy)]
pub struct IniSection<'a> {
    doc: &'a Document,
    index: usize,
}

impl<'a> IniSection<'a> {
    fn data(self) -> &'a SectionData {
        &self.doc.sections[self.index]
    }

    /// The name between the brackets, exactly as written.
    pub fn name(&self) -> &'a str {
        &self.data().name
    }

    /// 1-based line number of the header.
    pub fn line(&self) -> usize {
        self.data().line + 1
    }

    /// The keys (lowercased) and values, in file order.
    pub fn entries(self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.data()
            .keys
            .iter()
            .map(|k| (k.name.as_str(), k.value.as_str()))
    }

    /// A key's value; the key is matched case-insensitively.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        let key = key.to_lowercase();
        self.data()
            .keys
            .iter()
            .find(|k| k.name == key)
            .map(|k| k.value.as_str())
    }

    /// The section's raw text: see [`Document::section_text`].
    pub fn text(&self) -> &'a str {
        self.doc.section_text_at(self.index)
    }
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `text` as botocore would, or says at which line and why botocore would refuse it.
    pub fn parse(text: &str) -> Result<Self, IniError> {
        let (lines, sections) = parse::parse(text)?;
        Ok(Self {
            text: text.to_owned(),
            lines,
            sections,
        })
    }

    /// The document's text, byte for byte as read (plus any edits).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The newline new lines get: the first line ending in the file, `\n` if there is none.
    pub fn newline(&self) -> &'static str {
        self.lines
            .iter()
            .map(|l| l.ending)
            .find(|e| *e != LineEnding::None)
            .unwrap_or(LineEnding::Lf)
            .as_str()
    }

    /// The lines, in order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = Line<'_>> + '_ {
        self.lines.iter().enumerate().map(|(i, l)| self.line(i, l))
    }

    fn line<'a>(&'a self, index: usize, l: &'a LineData) -> Line<'a> {
        Line {
            number: index + 1,
            raw: &self.text[l.start..l.start + l.len],
            ending: l.ending,
            kind: &l.kind,
        }
    }

    /// The sections, in file order (`[DEFAULT]` as often as it appears).
    pub fn sections(&self) -> impl ExactSizeIterator<Item = IniSection<'_>> + '_ {
        (0..self.sections.len()).map(|index| IniSection { doc: self, index })
    }

    /// The section with this exact name (its first occurrence, for a repeated `[DEFAULT]`).
    pub fn section(&self, name: &str) -> Option<IniSection<'_>> {
        self.sections
            .iter()
            .position(|s| s.name == name)
            .map(|index| IniSection { doc: self, index })
    }

    /// A key's value in a section (the section name exact, the key case-insensitive), as
    /// configparser joins it: continuation lines after a `\n`, trailing empty lines dropped.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        self.sections
            .iter()
            .filter(|s| s.name == section)
            .flat_map(|s| &s.keys)
            .find(|k| k.name == key)
            .map(|k| k.value.as_str())
    }

    /// A section's raw text: from its header line through its last key, continuation or comment
    /// line, with their line endings. Blank lines after it and the comment lines directly above
    /// the next header (which describe that section) are not part of it.
    pub fn section_text(&self, name: &str) -> Option<&str> {
        let index = self.sections.iter().position(|s| s.name == name)?;
        Some(self.section_text_at(index))
    }

    fn section_text_at(&self, index: usize) -> &str {
        let s = &self.sections[index];
        let mut end = self.lead(index + 1);
        while end > s.line + 1 && self.lines[end - 1].kind == LineKind::Blank {
            end -= 1;
        }
        &self.text[self.line_start(s.line)..self.line_full_end(end - 1)]
    }

    /// Where section `index`'s block starts: its header, or the comment lines directly above it.
    /// For `index == sections.len()`, the end of the document.
    fn lead(&self, index: usize) -> usize {
        let Some(s) = self.sections.get(index) else {
            return self.lines.len();
        };
        let mut start = s.line;
        while start > 0 && self.lines[start - 1].kind == LineKind::Comment {
            start -= 1;
        }
        start
    }

    /// Byte offset where line `index` starts (the text's length past the last line).
    fn line_start(&self, index: usize) -> usize {
        self.lines.get(index).map_or(self.text.len(), |l| l.start)
    }

    /// Byte offset just after line `index`'s ending.
    fn line_full_end(&self, index: usize) -> usize {
        let l = &self.lines[index];
        l.start + l.len + l.ending.as_str().len()
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Document {
    type Err = IniError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Document::parse(s)
    }
}

/// Splits an indented block's value (one that starts with a newline) into its `name = value`
/// pairs, as botocore's `_parse_nested` does: lines split on the first `=` only, names and values
/// trimmed but not lowercased, blank lines skipped, a later duplicate name replacing the earlier
/// value in place. `None` if a non-blank line has no `=` (which [`Document::parse`] has already
/// refused for every value it holds).
pub fn parse_nested(value: &str) -> Option<Vec<(String, String)>> {
    use super::pystr;
    let mut out: Vec<(String, String)> = Vec::new();
    for line in pystr::splitlines(value) {
        let line = pystr::strip(line);
        if line.is_empty() {
            continue;
        }
        let (k, v) = line.split_once('=')?;
        let (k, v) = (pystr::strip(k), pystr::strip(v));
        match out.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v.to_owned(),
            None => out.push((k.to_owned(), v.to_owned())),
        }
    }
    Some(out)
}
