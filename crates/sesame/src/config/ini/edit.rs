//! Edits: each one splices raw lines into the text, re-reads the result, and keeps it only if
//! every section and key reads exactly as before apart from the change asked for.

use std::ops::Range;

use super::{Document, IniError, LineEnding, LineKind};
use crate::config::pystr;

/// What a document means: each section occurrence's name and its keys and values, in order.
type Model = Vec<(String, Vec<(String, String)>)>;

/// How a key line is laid out, copied from a neighbour so new lines look like the old ones.
struct KeyStyle {
    indent: String,
    before: String,
    delimiter: char,
    after: String,
}

impl KeyStyle {
    /// `key = value`, unindented.
    fn plain() -> Self {
        Self {
            indent: String::new(),
            before: " ".into(),
            delimiter: '=',
            after: " ".into(),
        }
    }

    /// The layout of key line `index` of `doc`.
    fn of_line(doc: &Document, index: usize) -> Self {
        let line = doc.line(index, &doc.lines[index]);
        let LineKind::Key {
            key,
            delimiter,
            value,
        } = line.kind()
        else {
            return Self::plain();
        };
        let raw = line.raw();
        let before = raw[key.end..*delimiter].to_owned();
        let after = if value.is_empty() {
            before.clone()
        } else {
            raw[delimiter + 1..value.start].to_owned()
        };
        Self {
            indent: raw[..key.start].to_owned(),
            before,
            delimiter: raw[*delimiter..].chars().next().unwrap_or('='),
            after,
        }
    }

    /// The lines for `key` set to `value`: the first line of the value on the key line, the rest
    /// indented by `continuation` (empty lines left empty).
    fn render(&self, key: &str, value: &str, continuation: &str) -> Vec<String> {
        let mut pieces = value.split('\n');
        let first = pieces.next().unwrap_or_default();
        let KeyStyle {
            indent,
            before,
            delimiter,
            after,
        } = self;
        let mut lines = vec![if first.is_empty() {
            format!("{indent}{key}{before}{delimiter}")
        } else {
            format!("{indent}{key}{before}{delimiter}{after}{first}")
        }];
        lines.extend(pieces.map(|p| {
            if p.is_empty() {
                String::new()
            } else {
                format!("{continuation}{p}")
            }
        }));
        lines
    }
}

fn edit_error(action: impl Into<String>, reason: impl Into<String>) -> IniError {
    IniError::Edit {
        action: action.into(),
        reason: reason.into(),
    }
}

fn check_key(action: &str, key: &str) -> Result<(), IniError> {
    let reason = if key.is_empty() {
        "a key cannot be empty"
    } else if pystr::strip(key) != key {
        "a key cannot start or end with whitespace"
    } else if key.contains(['=', ':']) {
        "a key cannot contain `=` or `:`"
    } else if key.contains(['\n', '\r']) {
        "a key cannot contain a line break"
    } else if key.starts_with(['#', ';', '[']) {
        "a key cannot start with `#`, `;` or `[`"
    } else {
        return Ok(());
    };
    Err(edit_error(action, reason))
}

fn check_section_name(action: &str, name: &str) -> Result<(), IniError> {
    let reason = if name.is_empty() {
        "a section name cannot be empty"
    } else if name.contains(['\n', '\r']) {
        "a section name cannot contain a line break"
    } else {
        return Ok(());
    };
    Err(edit_error(action, reason))
}

impl Document {
    fn model(&self) -> Model {
        self.sections
            .iter()
            .map(|s| {
                let keys = s.keys.iter().map(|k| (k.name.clone(), k.value.clone()));
                (s.name.clone(), keys.collect())
            })
            .collect()
    }

    /// The text with lines `range` replaced by `new_lines`, each ended with the document's
    /// newline. A file that did not end with a newline still does not.
    ///
    /// Where a line ends with a lone `\r`, a `\n` written right after it would merge with it
    /// into one `\r\n` ending and swallow a line; the new lines are then ended with `\r\n`
    /// (and a removal that would bring the two together turns the `\r` into `\r\n`).
    fn splice(&self, range: Range<usize>, new_lines: &[String]) -> String {
        let start = self.line_start(range.start);
        let end = if range.is_empty() {
            start
        } else {
            self.line_full_end(range.end - 1)
        };
        let mut prefix = self.text[..start].to_owned();
        let suffix = &self.text[end..];
        let mut nl = self.newline();
        if range.len() == 1 && new_lines.len() == 1 {
            // One line rewritten in place keeps its own line ending (a CRLF line in a LF file).
            let ending = self.lines[range.start].ending;
            if ending != LineEnding::None {
                nl = ending.as_str();
            }
        }
        let after_cr =
            prefix.ends_with('\r') && nl == "\n" && new_lines.first().is_some_and(String::is_empty);
        let before_lf = suffix.starts_with('\n') && nl == "\r" && !new_lines.is_empty();
        if after_cr || before_lf {
            nl = "\r\n";
        }
        let mut block: String = new_lines.iter().flat_map(|l| [l.as_str(), nl]).collect();
        let unterminated = self
            .lines
            .last()
            .is_some_and(|l| l.ending == LineEnding::None);
        if suffix.is_empty() && unterminated {
            if new_lines.is_empty() {
                // The new last line loses its ending, as the old last line had none.
                if let Some(prev) = range.start.checked_sub(1) {
                    let ending = self.lines[prev].ending.as_str().len();
                    prefix.truncate(prefix.len() - ending);
                }
            } else {
                block.truncate(block.len() - nl.len());
                if !prefix.is_empty() && !prefix.ends_with(['\n', '\r']) {
                    prefix.push_str(nl);
                }
            }
        } else if new_lines.is_empty() && prefix.ends_with('\r') && suffix.starts_with('\n') {
            prefix.push('\n');
        }
        prefix + &block + suffix
    }

    /// Keeps `text` as the document if it reads as `expected`.
    fn commit(&mut self, text: &str, expected: &Model, action: &str) -> Result<(), IniError> {
        let doc = Document::parse(text)
            .map_err(|e| edit_error(action, format!("the file would no longer parse ({e})")))?;
        if doc.model() != *expected {
            return Err(edit_error(
                action,
                "the file would not read back as intended (a value with leading or trailing \
                 whitespace, a value line starting with `#` or `;`, trailing empty lines, or \
                 indentation that would change how the following lines read)",
            ));
        }
        *self = doc;
        Ok(())
    }

    /// Sets `key` in `section` to `value`, which reads back exactly as given or the edit is
    /// refused.
    ///
    /// - If the key is there (compared case-insensitively, in any `[DEFAULT]` occurrence), its
    ///   value is replaced in place: the key line keeps its indentation, spelling and spacing, and
    ///   all the old value's lines (continuations, and the blank and comment lines between them)
    ///   are replaced by the new value's.
    /// - Otherwise a key line is inserted after the section's last key (or after its header),
    ///   laid out like that key line (or like the document's last key line; else `key = value`).
    ///   For a repeated `[DEFAULT]`, into its first occurrence.
    /// - If there is no such section, one is appended ([`Document::append_section`]).
    ///
    /// A value with `\n` is written as continuation lines indented two spaces deeper than the key
    /// (or as deep as the old value's continuation lines); a value starting with `\n` makes an
    /// indented block (`sso_oidc =` then `  endpoint_url = ...`).
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), IniError> {
        let action = format!("set `{key}` in [{section}]");
        check_key(&action, key)?;
        check_section_name(&action, section)?;
        let lower = key.to_lowercase();
        let mut expected = self.model();
        let found = self.sections.iter().enumerate().find_map(|(si, s)| {
            let ki = s.keys.iter().position(|k| k.name == lower);
            ki.filter(|_| s.name == section).map(|ki| (si, ki))
        });
        let (range, lines) = if let Some((si, ki)) = found {
            expected[si].1[ki].1 = value.to_owned();
            self.replace_value(si, ki, value)
        } else if let Some(si) = self.sections.iter().position(|s| s.name == section) {
            expected[si].1.push((lower, value.to_owned()));
            self.insert_key(si, key, value)
        } else {
            return self.append_section(section, &[(key, value)]);
        };
        let text = self.splice(range, &lines);
        self.commit(&text, &expected, &action)
    }

    /// The lines that replace key `ki` of section `si` with `value`.
    fn replace_value(&self, si: usize, ki: usize, value: &str) -> (Range<usize>, Vec<String>) {
        let k = &self.sections[si].keys[ki];
        let line = self.line(k.line, &self.lines[k.line]);
        let raw = line.raw();
        let LineKind::Key {
            key,
            delimiter,
            value: old,
        } = line.kind()
        else {
            unreachable!("a key's line is a key line");
        };
        let mut pieces = value.split('\n');
        let first = pieces.next().unwrap_or_default();
        let head = &raw[..=*delimiter];
        let key_line = if first.is_empty() {
            head.to_owned()
        } else if old.is_empty() {
            let sep = if key.end < *delimiter { " " } else { "" };
            format!("{head}{sep}{first}")
        } else {
            format!("{}{first}{}", &raw[..old.start], &raw[old.end..])
        };
        let continuation = (k.line + 1..=k.last)
            .find(|&i| matches!(self.lines[i].kind, LineKind::Continuation { .. }))
            .map(|i| {
                let l = self.line(i, &self.lines[i]);
                let LineKind::Continuation { value } = l.kind() else {
                    unreachable!()
                };
                l.raw()[..value.start].to_owned()
            })
            .unwrap_or_else(|| format!("{}  ", &raw[..key.start]));
        let mut lines = vec![key_line];
        lines.extend(pieces.map(|p| {
            if p.is_empty() {
                String::new()
            } else {
                format!("{continuation}{p}")
            }
        }));
        (k.line..k.last + 1, lines)
    }

    /// The lines that add `key = value` to section `si`, and where they go.
    fn insert_key(&self, si: usize, key: &str, value: &str) -> (Range<usize>, Vec<String>) {
        let s = &self.sections[si];
        let at = s.keys.last().map_or(s.line + 1, |k| k.last + 1);
        let reference = s.keys.last().map(|k| k.line).or_else(|| {
            self.sections
                .iter()
                .flat_map(|s| &s.keys)
                .map(|k| k.line)
                .max()
        });
        let mut style = reference.map_or_else(KeyStyle::plain, |i| KeyStyle::of_line(self, i));
        if s.keys.is_empty() {
            // The next header must not become a continuation of the new key.
            if let Some(next) = self.lines.get(s.end) {
                let raw = &self.text[next.start..next.start + next.len];
                let lead = &raw[..raw.len() - pystr::lstrip(raw).len()];
                if lead.chars().count() > style.indent.chars().count() {
                    style.indent = lead.to_owned();
                }
            }
        }
        let continuation = format!("{}  ", style.indent);
        (at..at, style.render(key, value, &continuation))
    }

    /// Removes `key` (case-insensitive) from `section`, with its continuation lines. Returns
    /// whether it was there.
    pub fn remove(&mut self, section: &str, key: &str) -> Result<bool, IniError> {
        let lower = key.to_lowercase();
        let found = self.sections.iter().enumerate().find_map(|(si, s)| {
            let ki = s.keys.iter().position(|k| k.name == lower);
            ki.filter(|_| s.name == section).map(|ki| (si, ki))
        });
        let Some((si, ki)) = found else {
            return Ok(false);
        };
        let mut expected = self.model();
        expected[si].1.remove(ki);
        let k = &self.sections[si].keys[ki];
        let text = self.splice(k.line..k.last + 1, &[]);
        self.commit(
            &text,
            &expected,
            &format!("remove `{key}` from [{section}]"),
        )?;
        Ok(true)
    }

    /// Appends `[name]` and its keys at the end, after one blank line (none if the document is
    /// empty or already ends with a blank line), with the document's newline. Key lines are laid
    /// out like the document's last key line, else `key = value`. Refused if the section exists.
    pub fn append_section(&mut self, name: &str, entries: &[(&str, &str)]) -> Result<(), IniError> {
        let action = format!("add section [{name}]");
        check_section_name(&action, name)?;
        if self.sections.iter().any(|s| s.name == name) {
            return Err(edit_error(action, "the section already exists"));
        }
        let reference = self
            .sections
            .iter()
            .flat_map(|s| &s.keys)
            .map(|k| k.line)
            .max();
        let style = reference.map_or_else(KeyStyle::plain, |i| KeyStyle::of_line(self, i));
        let continuation = format!("{}  ", style.indent);
        let mut lines = Vec::new();
        if self.lines.last().is_some_and(|l| l.kind != LineKind::Blank) {
            lines.push(String::new());
        }
        lines.push(format!("[{name}]"));
        let mut keys = Vec::new();
        for (key, value) in entries {
            check_key(&action, key)?;
            lines.extend(style.render(key, value, &continuation));
            keys.push((key.to_lowercase(), (*value).to_owned()));
        }
        let mut expected = self.model();
        expected.push((name.to_owned(), keys));
        let n = self.lines.len();
        let text = self.splice(n..n, &lines);
        self.commit(&text, &expected, &action)
    }

    /// Removes section `name` (every occurrence, for `[DEFAULT]`). Returns whether it was there.
    ///
    /// What goes: the comment lines directly above the header (they describe it), the header,
    /// and everything up to the next section's own block (that is, up to the comment lines
    /// directly above the next header, or to the next header). Blank lines at the end of the
    /// removed block go with it, so the sections around it stay separated as they were; when
    /// the last section is removed, the blank lines before it go instead.
    pub fn remove_section(&mut self, name: &str) -> Result<bool, IniError> {
        if !self.sections.iter().any(|s| s.name == name) {
            return Ok(false);
        }
        let action = format!("remove section [{name}]");
        let mut expected = self.model();
        expected.retain(|(n, _)| n != name);
        let mut doc = self.clone();
        while let Some(i) = doc.sections.iter().rposition(|s| s.name == name) {
            let end = doc.lead(i + 1);
            let mut start = doc.lead(i);
            if end == doc.lines.len() {
                while start > 0 && doc.lines[start - 1].kind == LineKind::Blank {
                    start -= 1;
                }
            }
            let text = doc.splice(start..end, &[]);
            doc = Document::parse(&text).map_err(|e| {
                edit_error(&action, format!("the file would no longer parse ({e})"))
            })?;
        }
        let text = doc.text.clone();
        self.commit(&text, &expected, &action)?;
        Ok(true)
    }
}
