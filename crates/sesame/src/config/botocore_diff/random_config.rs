//! Seeded random AWS config and credentials files: plausible files (the keys and values people
//! write) with the quirks that decide what a file means to botocore: section-name forms,
//! `[DEFAULT]`, comments anywhere, continuation lines, indented sub-property blocks, odd
//! whitespace, CRLF and lone CR line ends, a missing final newline; and, in some files, one
//! fault botocore refuses (a duplicate section or key, text before the first header, a line
//! without `=`, a BOM, bytes that are not UTF-8, a block line without `=`).
//!
//! The generator does not predict what a file means: botocore does, and the test compares.

use fastrand::Rng;

use crate::config::Document;
use crate::config::section::{profile_header, services_header, sso_session_header};

const NAMES: &[&str] = &[
    "dev",
    "prod",
    "Dev",
    "default",
    "my-sso",
    "team.a",
    "acme_corp",
    "x1",
    "123",
    "a/b",
    "ünï",
];
const SPACED_NAMES: &[&str] = &[
    "my name",
    "Team  Prod",
    "it's",
    "a\\b",
    "tab\there",
    "ünï cödé",
];
const ODD_HEADERS: &[&str] = &[
    "profile",
    "profile a b",
    "profiles x",
    "Profile X",
    " profile x ",
    "preview",
    "plugins",
    "profile-x y",
    "sso-sessionfoo bar",
    "services",
    "profile \"unclosed",
    "profile a\\ b",
    "profile #x",
    "profile 'single quoted'",
    "]",
    "a]b",
    "sso-session",
    "DEFAULTS",
    "Default",
];
const KEYS: &[&str] = &[
    "region",
    "output",
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "sso_start_url",
    "sso_region",
    "sso_registration_scopes",
    "services",
    "endpoint_url",
    "credential_process",
    "role_arn",
    "source_profile",
    "cli_pager",
    "duration_seconds",
    "aws_access_key_id",
    "aws_secret_access_key",
    "Region",
    "SSO_Region",
    "x.y",
    "my key",
    "KİND",
    "ΣΑΣ",
];
const BLOCK_KEYS: &[&str] = &["s3", "sso_oidc", "sso", "sts", "S3", "ec2"];
const SUB_KEYS: &[&str] = &[
    "addressing_style",
    "signature_version",
    "endpoint_url",
    "Endpoint_Url",
    "max_concurrent_requests",
    "use_accelerate_endpoint",
    "a b",
];
const VALUES: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "json",
    "text",
    "111122223333",
    "ReadOnly",
    "Admin Access",
    "https://d-1234567890.awsapps.com/start",
    "https://d-1234567890.awsapps.com/start#/",
    "sso:account:access",
    "sso:account:access, sso:account:other",
    "http://127.0.0.1:5000",
    "aws-vault exec dev --json",
    "arn:aws:iam::111122223333:role/Admin",
    "'quoted'",
    "\"double\"",
    "a=b",
    "x # not a comment",
    "1;2",
    "%(region)s",
    "100%",
    "$HOME/x",
    "~/bin/creds",
    "ünïcödé",
    "tab\there",
    "\u{a0}nbsp\u{a0}",
    "v\u{b}t",
    "fs\u{1c}x",
    "line\u{2028}sep",
    "[not a header]",
    "true",
];
/// Values inside indented blocks: the ones above would end a block line early too often
/// (`\u{2028}`, `\v` and `\x1c` split lines for botocore's `splitlines`), so they come rarely.
const SUB_VALUES: &[&str] = &[
    "path",
    "virtual",
    "s3v4",
    "http://127.0.0.1:5000",
    "https://bucket.example.com/x?y=1",
    "10",
    "true",
    "a=b",
    "x # y",
    "'q'",
    "",
    "ünï",
    "\u{a0}",
];
const INDENTS: &[&str] = &["  ", "    ", "\t", "   ", " ", "\u{a0}\u{a0}"];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

/// Whether a 1-in-`n` event happens.
fn one_in(rng: &mut Rng, n: usize) -> bool {
    rng.usize(..n) == 0
}

/// What goes between the brackets of a config file header.
fn config_header(rng: &mut Rng) -> String {
    match rng.usize(..20) {
        0..=2 => "default".to_owned(),
        3 => "DEFAULT".to_owned(),
        4..=8 => profile_header(pick(rng, NAMES)),
        9 => format!("profile {}", pick(rng, NAMES)),
        10 => format!("profile  {}  ", pick(rng, NAMES)),
        11 => format!("profile\t{}", pick(rng, NAMES)),
        12 => profile_header(pick(rng, SPACED_NAMES)),
        13 => format!("profile '{}'", pick(rng, SPACED_NAMES)),
        14 | 15 => sso_session_header(pick(rng, NAMES)),
        16 => sso_session_header(pick(rng, SPACED_NAMES)),
        17 => services_header(pick(rng, NAMES)),
        _ => pick(rng, ODD_HEADERS).to_owned(),
    }
}

/// What goes between the brackets of a credentials file header.
fn credentials_header(rng: &mut Rng) -> String {
    match rng.usize(..10) {
        0 | 1 => "default".to_owned(),
        2 => "DEFAULT".to_owned(),
        3 => format!("profile {}", pick(rng, NAMES)),
        4 => pick(rng, SPACED_NAMES).to_owned(),
        5 => pick(rng, ODD_HEADERS).to_owned(),
        _ => pick(rng, NAMES).to_owned(),
    }
}

fn comment(rng: &mut Rng) -> String {
    let indent = if one_in(rng, 3) {
        pick(rng, INDENTS)
    } else {
        ""
    };
    let mark = if one_in(rng, 3) { ";" } else { "#" };
    format!("{indent}{mark} {}", pick(rng, VALUES))
}

fn blank(rng: &mut Rng) -> String {
    pick(rng, &["", "", "", "  ", "\t"]).to_owned()
}

/// `key = value` with one of the spellings people use.
fn key_line(key: &str, value: &str, rng: &mut Rng) -> String {
    let delimiter = if one_in(rng, 6) { ":" } else { "=" };
    let (before, after) = match rng.usize(..6) {
        0 => ("", ""),
        1 => ("  ", "\t"),
        2 => ("\t", " "),
        _ => (" ", " "),
    };
    let after = if value.is_empty() && one_in(rng, 2) {
        ""
    } else {
        after
    };
    let trailing = if one_in(rng, 12) { " \t" } else { "" };
    let indent = if one_in(rng, 15) {
        pick(rng, INDENTS)
    } else {
        ""
    };
    format!("{indent}{key}{before}{delimiter}{after}{value}{trailing}")
}

/// One key with its value, and maybe continuation lines or a sub-property block.
fn entry(rng: &mut Rng, seen: &mut Vec<String>, lines: &mut Vec<String>) {
    let block = one_in(rng, 4);
    let key = if block {
        pick(rng, BLOCK_KEYS)
    } else {
        pick(rng, KEYS)
    };
    if seen.contains(&key.to_lowercase()) {
        return;
    }
    seen.push(key.to_lowercase());
    let indent = pick(rng, INDENTS);
    if block {
        lines.push(key_line(key, "", rng));
        for _ in 0..rng.usize(1..4) {
            extras(rng, lines, 8);
            let sub = pick(rng, SUB_KEYS);
            let value = pick(rng, SUB_VALUES);
            // A block line botocore refuses, rarely: there are many block lines per file.
            let line = match rng.usize(..400) {
                0 => format!("{indent}{sub}: {value}"),
                1 => format!("{indent}{sub}"),
                2 => format!("{indent}{sub} = {}", pick(rng, VALUES)),
                3..=50 => format!("{indent}{sub}={value}"),
                _ => format!("{indent}{sub} = {value}"),
            };
            lines.push(line);
        }
    } else {
        let value = if one_in(rng, 10) {
            ""
        } else {
            pick(rng, VALUES)
        };
        lines.push(key_line(key, value, rng));
        // Lines under an empty value make it a block, which then needs `=` on every line.
        if one_in(rng, if value.is_empty() { 60 } else { 8 }) {
            for _ in 0..rng.usize(1..3) {
                extras(rng, lines, 4);
                lines.push(format!("{indent}{}", pick(rng, VALUES)));
            }
        }
    }
}

/// Sometimes a comment or blank line (1 in `n` each).
fn extras(rng: &mut Rng, lines: &mut Vec<String>, n: usize) {
    if one_in(rng, n) {
        lines.push(comment(rng));
    }
    if one_in(rng, n) {
        lines.push(blank(rng));
    }
}

/// A random config file (or credentials file), as bytes.
pub(super) fn file(rng: &mut Rng, credentials: bool) -> Vec<u8> {
    let mut lines: Vec<String> = Vec::new();
    for _ in 0..rng.usize(..3) {
        lines.push(comment(rng));
    }
    let mut headers: Vec<String> = Vec::new();
    let mut default_keys: Vec<String> = Vec::new();
    for _ in 0..rng.usize(..7) {
        let header = if credentials {
            credentials_header(rng)
        } else {
            config_header(rng)
        };
        let is_default = header == "DEFAULT";
        if headers.contains(&header) && !is_default {
            continue;
        }
        extras(rng, &mut lines, 4);
        let indent = if one_in(rng, 20) { "  " } else { "" };
        let tail = match rng.usize(..25) {
            0 => " ; comment",
            1 => " # c",
            2 => "   ",
            _ => "",
        };
        lines.push(format!("{indent}[{header}]{tail}"));
        let mut keys = if is_default {
            std::mem::take(&mut default_keys)
        } else {
            Vec::new()
        };
        for _ in 0..rng.usize(..6) {
            extras(rng, &mut lines, 6);
            entry(rng, &mut keys, &mut lines);
        }
        if is_default {
            default_keys = keys;
        }
        headers.push(header);
    }
    if one_in(rng, 10) {
        fault(rng, &headers, &mut lines);
    }
    let ends: &[&str] = match rng.usize(..10) {
        0 | 1 => &["\r\n"],
        2 => &["\n", "\n", "\r\n", "\r"],
        3 if one_in(rng, 3) => &["\r"],
        _ => &["\n"],
    };
    let mut text = String::new();
    for line in &lines {
        text.push_str(line);
        text.push_str(pick(rng, ends));
    }
    if one_in(rng, 8) {
        text.truncate(text.trim_end_matches(['\r', '\n']).len());
    }
    let mut bytes = text.into_bytes();
    match rng.usize(..60) {
        0 => bytes.splice(0..0, "\u{feff}".bytes()).for_each(drop),
        1 if !bytes.is_empty() => {
            let at = rng.usize(..bytes.len());
            bytes.insert(at, 0xff);
        }
        _ => {}
    }
    bytes
}

/// Adds one line botocore may refuse, at a random place (where it lands decides whether it is
/// still a fault: inside a value it may be a continuation).
fn fault(rng: &mut Rng, headers: &[String], lines: &mut Vec<String>) {
    let line = match rng.usize(..7) {
        0 if !headers.is_empty() => format!("[{}]", headers[rng.usize(..headers.len())]),
        1 => "REGION = again".to_owned(),
        2 => "just some words".to_owned(),
        3 => "= value".to_owned(),
        4 => "  no_equals_here".to_owned(),
        5 => "[]".to_owned(),
        _ => "region = before any header".to_owned(),
    };
    let first_header = lines.iter().position(|l| l.trim_start().starts_with('['));
    let at = match first_header {
        _ if line.starts_with("region = before") => 0,
        Some(first) if !one_in(rng, 5) => rng.usize(first + 1..=lines.len()),
        _ => rng.usize(..=lines.len()),
    };
    lines.insert(at, line);
}

/// Up to four random edits (set, remove, remove a section, append one), each skipped if refused.
pub(super) fn random_edits(doc: &mut Document, rng: &mut Rng) {
    const EDIT_VALUES: &[&str] = &[
        "v",
        "",
        "a=b",
        "x # y",
        "'q'",
        "\nendpoint_url = http://h:1",
        "\na = 1\nb = 2",
        "one\ntwo",
        "one\n\ntwo",
        " bad",
        "ünï",
        "%(x)s",
    ];
    for _ in 0..rng.usize(..5) {
        let sections: Vec<String> = doc.sections().map(|s| s.name().to_owned()).collect();
        let existing =
            (!sections.is_empty()).then(|| sections[rng.usize(..sections.len())].clone());
        let section = match existing {
            Some(s) if !one_in(rng, 4) => s,
            _ => profile_header(pick(rng, NAMES)),
        };
        let key = pick(rng, KEYS);
        let value = pick(rng, EDIT_VALUES);
        let _ = match rng.usize(..10) {
            0..=5 => doc.set(&section, key, value),
            6 | 7 => doc.remove(&section, key).map(drop),
            8 => doc.remove_section(&section).map(drop),
            _ => doc.append_section(&section, &[(key, value), ("output", "json")]),
        };
    }
}
