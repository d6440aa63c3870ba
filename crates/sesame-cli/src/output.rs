//! Rendering: tables for people, JSON and tab-separated text for programs. stdout is data only.

use std::io::Write as _;

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

/// Writes rows as aligned columns under a header (no trailing spaces).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()
}

/// Writes rows as tab-separated lines.
pub(crate) fn text(rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for row in rows {
        writeln!(out, "{}", row.join("\t"))?;
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
