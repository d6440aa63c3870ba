//! Properties: any line-structured text that parses comes back byte for byte; edits either
//! read back as intended (and leave every other section's text alone) or change nothing.

use proptest::prelude::*;

use super::*;

type Model = Vec<(String, Vec<(String, String)>)>;

/// What a document reads as, through the public API only.
fn model(d: &Document) -> Model {
    d.sections()
        .map(|s| {
            let keys = s.entries().map(|(k, v)| (k.to_owned(), v.to_owned()));
            (s.name().to_owned(), keys.collect())
        })
        .collect()
}

fn indent() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "", "", " ", "  ", "\t", "    ", "\u{a0}"]).prop_map(String::from)
}

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_\\- \"'#;=:\\[\\]\u{e9}]{0,8}"
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (indent(), word(), word()).prop_map(|(i, n, t)| format!("{i}[{n}]{t}")),
        3 => (indent(), "[a-zA-Z_]{1,6}", "[ \t]{0,2}", prop::sample::select(vec!['=', ':']), "[ \t]{0,2}", word())
            .prop_map(|(i, k, a, d, b, v)| format!("{i}{k}{a}{d}{b}{v}")),
        2 => (indent(), word()).prop_map(|(i, t)| format!("{i}  {t}")),
        1 => (indent(), prop::sample::select(vec!['#', ';']), word())
            .prop_map(|(i, c, t)| format!("{i}{c}{t}")),
        1 => indent(),
        1 => word(),
    ]
}

/// Text made of lines, with mixed line endings and maybe no final one.
fn text() -> impl Strategy<Value = String> {
    let ending = prop::sample::select(vec!["\n", "\n", "\n", "\r\n", "\r"]);
    (
        prop::collection::vec((line(), ending), 0..14),
        any::<bool>(),
    )
        .prop_map(|(lines, cut)| {
            let mut s: String = lines.iter().flat_map(|(l, e)| [l.as_str(), e]).collect();
            if cut && s.ends_with('\n') {
                s.pop();
                if s.ends_with('\r') {
                    s.pop();
                }
            }
            s
        })
}

#[derive(Debug, Clone)]
enum Op {
    Set(String, String, String),
    Remove(String, String),
    Append(String, Vec<(String, String)>),
    RemoveSection(String),
}

fn section_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "default",
        "profile a",
        "a",
        "DEFAULT",
        "sso-session s",
        "new",
        "x]y",
    ])
    .prop_map(String::from)
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["region", "Output", "k", "sso_session", "s3"]).prop_map(String::from)
}

fn value() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "v",
        "",
        "a=b",
        "x # y",
        "'q'",
        "\nendpoint_url = http://h:1",
        "\na = 1\n\nb = 2",
        "one\ntwo",
        "one\n\ntwo",
        " bad",
        "bad ",
        "x\n#c",
        "x\n",
    ])
    .prop_map(String::from)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (section_name(), key(), value()).prop_map(|(s, k, v)| Op::Set(s, k, v)),
        2 => (section_name(), key()).prop_map(|(s, k)| Op::Remove(s, k)),
        1 => (section_name(), prop::collection::vec((key(), value()), 0..3))
            .prop_map(|(s, e)| Op::Append(s, e)),
        1 => section_name().prop_map(Op::RemoveSection),
    ]
}

/// Whether `value` can be written so configparser reads it back unchanged.
fn representable(value: &str) -> bool {
    use crate::config::pystr;
    !value.contains('\r')
        && !value.ends_with('\n')
        && value
            .split('\n')
            .enumerate()
            .all(|(i, l)| pystr::strip(l) == l && (i == 0 || !l.starts_with(['#', ';'])))
}

/// The model `op` should leave, or `None` if it must be refused or is a no-op.
fn expected(before: &Model, op: &Op) -> Option<Model> {
    let mut m = before.clone();
    match op {
        Op::Set(s, k, v) => {
            let k = k.to_lowercase();
            let found = m.iter_mut().find_map(|(name, keys)| {
                let slot = keys.iter_mut().find(|(key, _)| *key == k);
                slot.filter(|_| name == s)
            });
            if let Some(slot) = found {
                slot.1 = v.clone();
            } else if let Some((_, keys)) = m.iter_mut().find(|(name, _)| name == s) {
                keys.push((k, v.clone()));
            } else {
                m.push((s.clone(), vec![(k, v.clone())]));
            }
        }
        Op::Remove(s, k) => {
            let k = k.to_lowercase();
            for (_, keys) in m.iter_mut().filter(|(name, _)| name == s) {
                keys.retain(|(key, _)| *key != k);
            }
        }
        Op::Append(s, entries) => {
            let keys = entries.iter().map(|(k, v)| (k.to_lowercase(), v.clone()));
            m.push((s.clone(), keys.collect()));
        }
        Op::RemoveSection(s) => m.retain(|(name, _)| name != s),
    }
    Some(m)
}

fn apply(d: &mut Document, op: &Op) -> Result<(), IniError> {
    match op {
        Op::Set(s, k, v) => d.set(s, k, v),
        Op::Remove(s, k) => d.remove(s, k).map(drop),
        Op::Append(s, e) => {
            let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            d.append_section(s, &e)
        }
        Op::RemoveSection(s) => d.remove_section(s).map(drop),
    }
}

/// The sections an op may touch.
fn touched(op: &Op) -> &str {
    match op {
        Op::Set(s, ..) | Op::Remove(s, _) | Op::Append(s, _) | Op::RemoveSection(s) => s,
    }
}

/// A clean document: `key = value` lines under plain headers.
fn clean_text() -> impl Strategy<Value = String> {
    let section = (
        section_name(),
        prop::collection::vec(
            (key(), prop::sample::select(vec!["v", "x # y", "", "a=b"])),
            0..3,
        ),
    );
    prop::collection::vec(section, 0..4).prop_map(|sections| {
        let mut seen = Vec::new();
        let mut out = String::new();
        for (name, keys) in sections {
            if seen.contains(&name) {
                continue;
            }
            out.push_str(&format!("[{name}]\n"));
            let mut ks = Vec::new();
            for (k, v) in keys {
                if !ks.contains(&k.to_lowercase()) {
                    ks.push(k.to_lowercase());
                    out.push_str(&format!("{k} = {v}\n"));
                }
            }
            seen.push(name);
        }
        out
    })
}

proptest! {
    // No regression files: they would land outside this module's directory.
    #![proptest_config(ProptestConfig {
        cases: 2048,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_is_lossless(s in text()) {
        if let Ok(d) = Document::parse(&s) {
            prop_assert_eq!(d.to_string(), s.clone());
            let rebuilt: String =
                d.lines().map(|l| format!("{}{}", l.raw(), l.ending().as_str())).collect();
            prop_assert_eq!(rebuilt, s);
            for s in d.sections() {
                prop_assert!(s.text().starts_with('[') || s.text().trim_start().starts_with('['));
            }
        }
    }

    #[test]
    fn edits_read_back_or_change_nothing(s in text(), ops in prop::collection::vec(op(), 1..6)) {
        let Ok(mut d) = Document::parse(&s) else { return Ok(()) };
        for op in &ops {
            let before = d.clone();
            let m = model(&d);
            match apply(&mut d, op) {
                Ok(()) => {
                    let reread = Document::parse(&d.to_string()).unwrap();
                    prop_assert_eq!(model(&reread), expected(&m, op).unwrap(), "{:?}", op);
                    for sec in before.sections() {
                        let once = before.sections().filter(|o| o.name() == sec.name()).count() == 1;
                        if once && sec.name() != touched(op) {
                            // The old last line gains a line ending when lines follow it.
                            let unended = |t: &str| t.trim_end_matches(['\n', '\r']).to_owned();
                            prop_assert_eq!(
                                Some(unended(sec.text())),
                                reread.section_text(sec.name()).map(unended),
                                "{:?} changed [{}]", op, sec.name()
                            );
                        }
                    }
                }
                Err(_) => prop_assert_eq!(d.to_string(), before.to_string()),
            }
        }
    }

    #[test]
    fn edits_on_clean_files_succeed(s in clean_text(), ops in prop::collection::vec(op(), 1..6)) {
        let mut d = Document::parse(&s).unwrap();
        for op in &ops {
            let m = model(&d);
            let ok_values = match op {
                Op::Set(_, _, v) => representable(v),
                Op::Append(s, e) => {
                    !m.iter().any(|(n, _)| n == s)
                        && e.iter().all(|(_, v)| representable(v))
                        && {
                            let mut ks: Vec<_> = e.iter().map(|(k, _)| k.to_lowercase()).collect();
                            ks.sort();
                            ks.windows(2).all(|w| w[0] != w[1])
                        }
                }
                _ => true,
            };
            let result = apply(&mut d, op);
            prop_assert_eq!(result.is_ok(), ok_values, "{:?}: {:?}", op, result);
            if result.is_ok() {
                prop_assert_eq!(model(&d), expected(&m, op).unwrap());
            }
        }
    }

    #[test]
    fn a_new_value_changes_only_its_own_bytes(s in text(), pick in any::<prop::sample::Index>()) {
        let Ok(mut d) = Document::parse(&s) else { return Ok(()) };
        // Entries whose value is on one line and whose section and key are unique.
        let m = model(&d);
        let single: Vec<(String, String)> = m
            .iter()
            .filter(|(n, _)| m.iter().filter(|(o, _)| o == n).count() == 1)
            .flat_map(|(n, keys)| keys.iter().map(move |(k, v)| (n.clone(), k.clone(), v.clone())))
            .filter(|(_, _, v)| !v.is_empty() && !v.contains('\n'))
            // Once in the text, overlaps counted (`==` stands twice in `A===`), so that the
            // replacement below can only mean the value's own bytes.
            .filter(|(n, k, v)| occurrences(&s, v) == 1 && !k.is_empty() && !n.is_empty())
            .map(|(n, k, _)| (n, k))
            .collect();
        if single.is_empty() {
            return Ok(());
        }
        let (section, key) = pick.get(&single).clone();
        let old = d.get(&section, &key).unwrap().to_owned();
        if d.set(&section, &key, "new-value").is_ok() {
            // Every byte outside the old value is where it was.
            prop_assert_eq!(d.to_string(), s.replacen(&old, "new-value", 1));
        }
    }
}

/// How many times `needle` stands in `haystack`, overlapping ones counted.
fn occurrences(haystack: &str, needle: &str) -> usize {
    (0..haystack.len())
        .filter(|&i| haystack.is_char_boundary(i) && haystack[i..].starts_with(needle))
        .count()
}
