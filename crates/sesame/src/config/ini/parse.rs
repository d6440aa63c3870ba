//! The reader: Python 3's `configparser.RawConfigParser._read` with its default options
//! (`comment_prefixes=('#', ';')`, no inline comments, `strict=True`,
//! `empty_lines_in_values=True`, `default_section='DEFAULT'`), followed by the check botocore's
//! `raw_config_parse` makes on indented blocks. The control flow mirrors `_read` line for line so
//! the two can be compared.

use std::collections::HashSet;

use super::{DEFAULT_SECTION, IniError, KeyData, LineData, LineEnding, LineKind, SectionData};
use crate::config::pystr;

/// A key being read: its value's parts (one per line), with the line each came from.
struct OpenKey {
    section: usize,
    key: usize,
    parts: Vec<(String, usize)>,
}

pub(super) fn parse(text: &str) -> Result<(Vec<LineData>, Vec<SectionData>), IniError> {
    if text.starts_with('\u{feff}') {
        return Err(IniError::ByteOrderMark);
    }
    let mut lines = split_lines(text);
    let mut sections: Vec<SectionData> = Vec::new();
    let mut parts: Vec<OpenKey> = Vec::new();
    let mut seen_sections: HashSet<String> = HashSet::new();
    let mut seen_keys: HashSet<(String, String)> = HashSet::new();
    // configparser's `optname`: the key continuation lines and blank lines attach to.
    let mut open: Option<usize> = None;
    let mut indent_level = 0usize;

    for (index, line) in lines.iter_mut().enumerate() {
        let number = index + 1;
        let raw = &text[line.start..line.start + line.len];
        let stripped = pystr::strip(raw);
        let offset = raw.len() - pystr::lstrip(raw).len();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            line.kind = LineKind::Comment;
            continue;
        }
        if stripped.is_empty() {
            line.kind = LineKind::Blank;
            if let Some(o) = open {
                parts[o].parts.push((String::new(), index));
            }
            continue;
        }
        let indent = raw.chars().take_while(|c| pystr::is_space(*c)).count();
        if let Some(o) = open.filter(|_| indent > indent_level) {
            line.kind = LineKind::Continuation {
                value: offset..offset + stripped.len(),
            };
            parts[o].parts.push((stripped.to_owned(), index));
            continue;
        }
        indent_level = indent;
        if let Some(name) = header_name(stripped) {
            if name != DEFAULT_SECTION && !seen_sections.insert(name.to_owned()) {
                return Err(IniError::DuplicateSection {
                    line: number,
                    name: name.to_owned(),
                });
            }
            line.kind = LineKind::Header {
                name: offset + 1..offset + 1 + name.len(),
            };
            if let Some(prev) = sections.last_mut() {
                prev.end = index;
            }
            sections.push(SectionData {
                name: name.to_owned(),
                line: index,
                end: 0,
                keys: Vec::new(),
            });
            open = None;
            continue;
        }
        // `[sso-session dev` is an error either way (no section yet, or a key with no `=`);
        // the message says what the line looks like it meant.
        let unclosed = stripped.starts_with('[') && !stripped.contains(']');
        let Some(section) = sections.len().checked_sub(1) else {
            return Err(if unclosed {
                IniError::UnclosedHeader { line: number }
            } else {
                IniError::NoSectionHeader { line: number }
            });
        };
        let Some(d) = stripped.find(['=', ':']) else {
            return Err(if unclosed {
                IniError::UnclosedHeader { line: number }
            } else {
                IniError::MissingDelimiter { line: number }
            });
        };
        let key = pystr::rstrip(&stripped[..d]);
        if key.is_empty() {
            return Err(IniError::EmptyKey { line: number });
        }
        let after = &stripped[d + 1..];
        let value = pystr::strip(after);
        let name = key.to_lowercase();
        let section_name = &sections[section].name;
        if !seen_keys.insert((section_name.clone(), name.clone())) {
            return Err(IniError::DuplicateKey {
                line: number,
                section: section_name.clone(),
                key: name,
            });
        }
        let delimiter = offset + d;
        let value_start = if value.is_empty() {
            delimiter + 1
        } else {
            delimiter + 1 + (after.len() - pystr::lstrip(after).len())
        };
        line.kind = LineKind::Key {
            key: offset..offset + key.len(),
            delimiter,
            value: value_start..value_start + value.len(),
        };
        let keys = &mut sections[section].keys;
        keys.push(KeyData {
            name,
            line: index,
            last: index,
            value: String::new(),
        });
        parts.push(OpenKey {
            section,
            key: keys.len() - 1,
            parts: vec![(value.to_owned(), index)],
        });
        open = Some(parts.len() - 1);
    }
    if let Some(last) = sections.last_mut() {
        last.end = lines.len();
    }

    // configparser's `_join_multiline_values`.
    for key in &parts {
        let joined: Vec<&str> = key.parts.iter().map(|(p, _)| p.as_str()).collect();
        let data = &mut sections[key.section].keys[key.key];
        data.value = pystr::rstrip(&joined.join("\n")).to_owned();
        data.last = key
            .parts
            .iter()
            .rev()
            .find(|(p, _)| !p.is_empty())
            .map_or(data.line, |&(_, line)| line);
    }
    check_nested(&sections, &parts)?;
    Ok((lines, sections))
}

/// Where botocore's `raw_config_parse` would fail on an indented block: every value it reads
/// that starts with a newline must be `name = value` lines. It reads each section's keys plus the
/// `[DEFAULT]` keys that section does not override, so a `[DEFAULT]` value is checked only if some
/// section inherits it.
fn check_nested(sections: &[SectionData], parts: &[OpenKey]) -> Result<(), IniError> {
    let is_default = |s: usize| sections[s].name == DEFAULT_SECTION;
    let inherited = |name: &str| {
        sections
            .iter()
            .filter(|s| s.name != DEFAULT_SECTION)
            .any(|s| s.keys.iter().all(|k| k.name != name))
    };
    for key in parts {
        let data = &sections[key.section].keys[key.key];
        if !data.value.starts_with('\n') || (is_default(key.section) && !inherited(&data.name)) {
            continue;
        }
        for (part, line) in &key.parts {
            for piece in pystr::splitlines(part) {
                let piece = pystr::strip(piece);
                if !piece.is_empty() && !piece.contains('=') {
                    return Err(IniError::NestedWithoutEquals {
                        line: line + 1,
                        section: sections[key.section].name.clone(),
                        key: data.name.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// configparser's `SECTCRE` (`\[(?P<header>.+)\]`, matched at the start of the stripped line):
/// the name runs from after the first `[` to the last `]` and may not be empty.
fn header_name(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

/// Splits `text` into lines the way Python's universal newlines do: at `\n`, `\r\n` or `\r`.
fn split_lines(text: &str) -> Vec<LineData> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut push = |start: usize, end: usize, ending: LineEnding| {
        lines.push(LineData {
            start,
            len: end - start,
            ending,
            kind: LineKind::Blank,
        })
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                push(start, i, LineEnding::Lf);
                i += 1;
                start = i;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                push(start, i, LineEnding::CrLf);
                i += 2;
                start = i;
            }
            b'\r' => {
                push(start, i, LineEnding::Cr);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        push(start, bytes.len(), LineEnding::None);
    }
    lines
}
