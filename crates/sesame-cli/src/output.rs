//! Rendering: tables for people, JSON and tab-separated text for programs. stdout is data only.

use std::io::Write as _;

use unicode_width::UnicodeWidthStr as _;

/// How a warning line starts: the CLI's own ([`warning`]) and the library's (`tracing` warnings,
/// see `crate::logging`) alike.
pub(crate) const WARNING: &str = "warning: ";

/// Tells the user about something that did not stop the command: one `warning: ...` line on
/// stderr. The one way sesame warns; `tracing` is for `-v` diagnostics.
pub(crate) fn warning(message: impl std::fmt::Display) {
    eprintln!("{WARNING}{message}");
}

/// Says that a file which now holds secrets was readable by others and is owner-only now.
pub(crate) fn warn_made_private(path: &std::path::Path, old_mode: Option<u32>) {
    if let Some(old) = old_mode {
        warning(format_args!(
            "{} was readable by others (mode {old:04o}); it holds secret keys, so it is 0600 now",
            path.display()
        ));
    }
}

/// Writes rows as aligned columns under a header (no trailing spaces). Widths are terminal
/// columns (`unicode-width`: a CJK character takes two); control characters are escaped as in
/// [`text`], so a cell is always one line of its own width.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let cells: Vec<Vec<String>> = std::iter::once(&header)
        .chain(rows)
        .map(|row| row.iter().map(|c| escape(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = Vec::new();
    for row in &cells {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.width();
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for row in &cells {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i].saturating_sub(cell.width());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()
}

/// Writes rows as tab-separated lines, each cell [`escape`]d so that a line is a row and a tab
/// separates cells, whatever the names hold.
pub(crate) fn text(rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for row in rows {
        writeln!(out, "{}", text_row(row))?;
    }
    out.flush()
}

/// One row of [`text`]: escaped cells joined by tabs.
pub(crate) fn text_row<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<_> = cells.iter().map(|c| escape(c.as_ref())).collect();
    cells.join("\t")
}

/// A cell made safe for one line of a table or of tab-separated text: a backslash becomes `\\`,
/// tab, newline and carriage return `\t`, `\n`, `\r`, any other control character `\u{XX}`
/// (docs/commands.md, "Output"). Plain names come back unchanged (and unallocated).
pub(crate) fn escape(cell: &str) -> std::borrow::Cow<'_, str> {
    if !cell.chars().any(|c| c == '\\' || c.is_control()) {
        return std::borrow::Cow::Borrowed(cell);
    }
    let mut s = String::with_capacity(cell.len() + 8);
    for c in cell.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => s.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => s.push(c),
        }
    }
    std::borrow::Cow::Owned(s)
}

/// Writes one JSON value on one line (JSON Lines), flushed: a consumer reads it as it comes.
pub(crate) fn json_line(value: &serde_json::Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// Writes values as JSON Lines, one object a line.
pub(crate) fn json_lines(values: &[serde_json::Value]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for value in values {
        serde_json::to_writer(&mut out, value)?;
        writeln!(out)?;
    }
    out.flush()
}

/// Writes a JSON value, pretty.
pub(crate) fn json(value: &serde_json::Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// "in 3h12m" / "2h ago" for a timestamp relative to now.
pub(crate) fn relative(ts: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let secs = ts.as_second() - now.as_second();
    let a = secs.unsigned_abs();
    let span = if a >= 86_400 {
        format!("{}d{}h", a / 86_400, (a % 86_400) / 3600)
    } else if a >= 3600 {
        format!("{}h{:02}m", a / 3600, (a % 3600) / 60)
    } else if a >= 60 {
        format!("{}m", a / 60)
    } else {
        format!("{a}s")
    };
    if secs >= 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}
