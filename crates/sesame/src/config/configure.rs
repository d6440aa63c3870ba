//! `[sso-session NAME]` written as `aws configure sso-session` writes it (the AWS CLI v2's
//! `ConfigFileWriter.update_config`, `awscli/customizations/configure/writer.py`), so a session
//! set up by `sesame setup` is byte for byte the one the CLI would have written.
//!
//! The CLI passes the section's current keys (as botocore read them), then `sso_start_url`,
//! `sso_region` and `sso_registration_scopes`, and the writer:
//!
//! - with no file, creates it (0600) holding the new section;
//! - with no such section, appends `[sso-session NAME]` and `key = value` lines at the end (a
//!   newline first if the file does not end with one, no blank line);
//! - otherwise rewrites, inside the section, each line whose key is one of the values as
//!   `key = value` (in place), and inserts the remaining keys after the section's last key line
//!   (at the end of the file: one line further, as the CLI's writer does).
//!
//! Every byte outside the section is kept; the file is replaced atomically under the config
//! lock, and the previous version saved as `CONFIG.bak` as `sesame populate` does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{AwsConfig, ConfigError, Value, sso_session_header};
use crate::env::Env;
use crate::fsutil::{self, FileLock};

/// How long [`write_sso_session`] waits for another sesame process writing the same file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// What [`write_sso_session`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured {
    /// Whether the file changed (a run with the same values writes nothing).
    pub changed: bool,
    /// Whether the section existed before.
    pub existed: bool,
    /// Where the previous file was saved, when there was one and it changed.
    pub backup: Option<PathBuf>,
}

/// The values `aws configure sso-session` would write for session `name` of `config`: the
/// section's current plain keys in file order, then `sso_start_url`, `sso_region` and
/// `sso_registration_scopes` set to the given values (in place where they are already keys).
pub fn sso_session_values(
    config: &AwsConfig,
    name: &str,
    start_url: &str,
    region: &str,
    scopes: &str,
) -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = config
        .sso_session(name)
        .map(|s| {
            s.properties()
                .iter()
                .filter_map(|(k, v)| match v {
                    // The CLI refuses values with newlines and writes blocks as blocks; sesame
                    // leaves both untouched.
                    Value::Text(t) if !t.contains('\n') => Some((k.to_owned(), t.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    for (key, value) in [
        ("sso_start_url", start_url),
        ("sso_region", region),
        ("sso_registration_scopes", scopes),
    ] {
        match values.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_owned(),
            None => values.push((key.to_owned(), value.to_owned())),
        }
    }
    values
}

/// Writes `[sso-session name]` with `values` into the config file at `path`, as the AWS CLI v2
/// does (see the module doc), under the config lock, with a backup, atomically.
pub fn write_sso_session(
    env: &Env,
    path: &Path,
    name: &str,
    values: &[(String, String)],
) -> Result<Configured, ConfigError> {
    let write_error = |path: &Path, source| ConfigError::Write {
        path: path.to_owned(),
        source,
    };
    let lock_path = fsutil::config_lock(env, path);
    let _lock = FileLock::acquire_timeout(&lock_path, LOCK_TIMEOUT)
        .map_err(|source| write_error(&lock_path, source))?;
    let config = AwsConfig::load(path)?;
    let exists = path.is_file();
    let old = exists.then(|| config.document().as_str());
    let header = sso_session_header(name);
    let existed = config.sso_session(name).is_some();
    let new = update_section(old, &header, values);
    // What is written must read back: the same file with this session as asked.
    let check = AwsConfig::from_str(path.to_owned(), &new)?;
    debug_assert!(check.sso_session(name).is_some());
    if old == Some(new.as_str()) {
        return Ok(Configured {
            changed: false,
            existed,
            backup: None,
        });
    }
    let backup = match old {
        Some(old) => {
            let b = fsutil::backup_path(path);
            fsutil::write_atomic(&b, old.as_bytes(), fsutil::SECRET_FILE_MODE)
                .map_err(|source| write_error(&b, source))?;
            Some(b)
        }
        None => None,
    };
    fsutil::write_atomic_keep_mode(path, new.as_bytes(), fsutil::SECRET_FILE_MODE)
        .map_err(|source| write_error(path, source))?;
    Ok(Configured {
        changed: true,
        existed,
        backup,
    })
}

/// The text `ConfigFileWriter.update_config` makes of `old` (`None`: no file) with `values` in
/// section `[header]`.
pub fn update_section(old: Option<&str>, header: &str, values: &[(String, String)]) -> String {
    let new_lines = |values: &[(String, String)]| -> String {
        values.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
    };
    let append = |text: &str| {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("[{header}]\n"));
        out.push_str(&new_lines(values));
        out
    };
    let Some(old) = old else {
        return append("");
    };
    let mut contents: Vec<String> = old.split_inclusive('\n').map(str::to_owned).collect();
    let Some(start) = find_section_start(&contents, header) else {
        return append(old);
    };
    let mut remaining: Vec<(String, String)> = values.to_vec();
    let mut last_matching = start;
    let mut j = start + 1;
    while j < contents.len() {
        let line = &contents[j];
        if section_header(line).is_some() {
            if !remaining.is_empty() {
                contents.insert(last_matching + 1, new_lines(&remaining));
            }
            return contents.concat();
        }
        if let Some(key) = option_key(line) {
            last_matching = j;
            if let Some(i) = remaining.iter().position(|(k, _)| *k == key) {
                let (k, v) = remaining.remove(i);
                contents[j] = format!("{k} = {v}\n");
            }
        }
        j += 1;
    }
    if !remaining.is_empty() {
        if !contents.last().is_some_and(|l| l.ends_with('\n')) {
            contents.push("\n".to_owned());
        }
        // The CLI inserts at `last_matching + 2` here (Python's insert past the end appends).
        let at = (last_matching + 2).min(contents.len());
        contents.insert(at, new_lines(&remaining));
    }
    contents.concat()
}

/// The first line (not a `#`/`;` comment) that is exactly `[header]`, or `[sso-session "NAME"]`.
fn find_section_start(contents: &[String], header: &str) -> Option<usize> {
    let unquoted = format!("[{header}]");
    let quoted = header
        .split_once(' ')
        .map(|(kind, rest)| format!("[{kind} \"{rest}\"]"));
    contents.iter().position(|line| {
        let stripped = line.trim();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            return false;
        }
        section_header(line)
            .is_some_and(|m| m == unquoted || quoted.as_deref().is_some_and(|q| m == q))
    })
}

/// What the CLI's `^\s*\[(?P<header>[^]]+)\]` matches at the start of `line` (leading
/// whitespace included), if it does.
fn section_header(line: &str) -> Option<&str> {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let rest = body.strip_prefix('[')?;
    let close = rest.find(']')?;
    if close == 0 || rest[..close].contains('\n') {
        return None;
    }
    Some(&line[..lead + 1 + close + 1])
}

/// The key of an option line as the CLI's `(?P<option>[^:=][^:=]*)\s*[:=]\s*(.*)$` searches it:
/// from the first character that is not `:` or `=` and has a `:` or `=` after it, up to that
/// delimiter, stripped.
fn option_key(line: &str) -> Option<String> {
    let is_delim = |c: char| c == ':' || c == '=';
    let line = line.strip_suffix('\n').unwrap_or(line);
    for (s, c) in line.char_indices() {
        if is_delim(c) {
            continue;
        }
        let d = line[s..].find(is_delim)? + s;
        return Some(line[s..d].trim().to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const NEW: [(&str, &str); 3] = [
        ("sso_start_url", "https://d-1.awsapps.com/start"),
        ("sso_region", "us-east-1"),
        ("sso_registration_scopes", "sso:account:access"),
    ];

    #[test]
    fn a_new_section_is_appended_without_a_blank_line() {
        let v = vals(&NEW);
        assert_eq!(
            update_section(None, "sso-session corp", &v),
            "[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\n\
             sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        );
        let out = update_section(Some("[default]\nregion = x"), "sso-session corp", &v);
        assert!(
            out.starts_with("[default]\nregion = x\n[sso-session corp]\n"),
            "{out}"
        );
    }

    #[test]
    fn an_existing_section_is_updated_in_place_and_extended_after_its_last_key() {
        let old = "[sso-session corp]\nsso_start_url=https://old\n# note: kept\n\n[profile a]\nregion = x\n";
        let v = vals(&[
            ("sso_start_url", "https://new"),
            ("sso_region", "eu-west-1"),
        ]);
        assert_eq!(
            update_section(Some(old), "sso-session corp", &v),
            "[sso-session corp]\nsso_start_url = https://new\n# note: kept\nsso_region = eu-west-1\n\n[profile a]\nregion = x\n"
        );
        // At the end of the file the CLI inserts one line further down.
        let old = "[sso-session corp]\nsso_start_url = a\n\n\n";
        let v = vals(&[("sso_region", "r")]);
        assert_eq!(
            update_section(Some(old), "sso-session corp", &v),
            "[sso-session corp]\nsso_start_url = a\n\nsso_region = r\n\n"
        );
    }

    #[test]
    fn option_keys_are_read_as_the_clis_regex_reads_them() {
        assert_eq!(option_key("a = b\n").as_deref(), Some("a"));
        assert_eq!(option_key("  url=https://x\n").as_deref(), Some("url"));
        assert_eq!(option_key("=a=b\n").as_deref(), Some("a"));
        assert_eq!(option_key("plain\n"), None);
        assert_eq!(option_key("\n"), None);
    }
}
