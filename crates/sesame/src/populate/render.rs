//! Planning a run: what the block should hold, and the new file text around it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::config::ini::LineEnding;
use crate::config::pystr::shlex_split;
use crate::config::section::SectionName;
use crate::config::{Document, sso_session_header};
use crate::naming::{AccountRole, NamedProfile, PrefixStrip, ProfileNamer};
use crate::sso::session::DEFAULT_SCOPE;

use super::block::{Block, begin_line, end_marker, find_blocks, prefix_line, recorded_prefix};
use super::settings::{PopulateOptions, ProfileStyle};
use super::{Change, Plan, PlannedProfile, PopulateError, SessionSpec, Skipped};

type Entries = Vec<(String, String)>;

/// Plans a populate run of `session` with these `targets` against the config `doc` (read from
/// `path`, which errors name). Pure: reads nothing, writes nothing.
///
/// The steps: `survey` the file (what our block holds, what is taken outside it), `name` the
/// targets (skipping taken names), `reconcile` the two into the profiles to write and what
/// happens to each, `render_block` and `splice` it in, then parse and `verify` the result.
pub fn plan(
    path: &Path,
    doc: &Document,
    session: &SessionSpec,
    targets: &[AccountRole],
    options: &PopulateOptions,
) -> Result<Plan, PopulateError> {
    let blocks = find_blocks(doc).map_err(|reason| PopulateError::Block {
        path: path.to_owned(),
        reason,
    })?;
    let ours = blocks.iter().find(|b| b.session == session.name);
    let survey = survey(doc, &blocks, &session.name);
    let auto = options.naming.prefix_strip == PrefixStrip::Auto;
    let named = name(doc, ours, session, targets, options, &survey.taken);
    let (profiles, sections) = reconcile(&named.desired, &survey.old, options.prune);

    let writes_session = !survey.session_outside;
    let old_text = doc.as_str();
    let new_text = if ours.is_none() && sections.is_empty() {
        old_text.to_owned()
    } else {
        let prefix = auto.then(|| named.namer.prefix());
        let lines = render_block(session, prefix, writes_session, &sections);
        splice(doc, ours, &lines, doc.newline())
    };
    let new_doc = Document::parse(&new_text).map_err(|source| PopulateError::Verify {
        path: path.to_owned(),
        source,
    })?;
    verify(path, &new_doc, &sections)?;
    Ok(Plan {
        old_text: old_text.to_owned(),
        new_text,
        profiles,
        skipped: named.skipped,
        writes_session,
        prefix: named.namer.prefix().map(str::to_owned),
    })
}

/// What the file holds before the run, as [`survey`] reads it.
struct Survey {
    /// Profile names defined outside our block, each with why it cannot be written and the
    /// line of a hand-written one.
    taken: HashMap<String, (String, Option<usize>)>,
    /// Whether the `[sso-session]` section is defined outside our block (then we do not write it).
    session_outside: bool,
    /// The profiles our block holds now, in file order.
    old: Vec<(String, Entries)>,
}

/// What is defined outside the block of `session`, and what its block holds now.
fn survey(doc: &Document, blocks: &[Block], session: &str) -> Survey {
    let block_of = |line: usize| blocks.iter().find(|b| b.lines.contains(&line));
    let mut out = Survey {
        taken: HashMap::new(),
        session_outside: false,
        old: Vec::new(),
    };
    for s in doc.sections() {
        let line = s.line() - 1;
        let inside = block_of(line);
        let mine = inside.is_some_and(|b| b.session == session);
        match SectionName::of_config(s.name()) {
            SectionName::Profile(name) if mine => {
                let entries = s.entries().map(|(k, v)| (k.to_owned(), v.to_owned()));
                out.old.push((name, entries.collect()));
            }
            SectionName::Profile(name) => {
                let taken = match inside {
                    Some(b) => (
                        format!(
                            "profile `{name}` is written by the populate block of sso-session `{}`",
                            b.session
                        ),
                        None,
                    ),
                    None => (
                        format!(
                            "profile `{name}` is defined outside sesame's block (line {})",
                            line + 1
                        ),
                        Some(line + 1),
                    ),
                };
                out.taken.entry(name).or_insert(taken);
            }
            SectionName::SsoSession(name) if !mine && name == session => {
                out.session_outside = true;
            }
            _ => {}
        }
    }
    out
}

/// The profiles the targets should become, as [`name`] gives them.
struct Named {
    /// The namer (its prefix is recorded in the block).
    namer: ProfileNamer,
    /// Profile name → its target and keys.
    desired: BTreeMap<String, (AccountRole, Entries)>,
    /// Targets whose name is taken outside our block.
    skipped: Vec<Skipped>,
}

/// Names every target and renders its keys, skipping names `taken` outside our block. An
/// auto-detected prefix is detected once and recorded in the block, so that accounts coming and
/// going do not rename every profile.
fn name(
    doc: &Document,
    ours: Option<&Block>,
    session: &SessionSpec,
    targets: &[AccountRole],
    options: &PopulateOptions,
    taken: &HashMap<String, (String, Option<usize>)>,
) -> Named {
    let mut naming = options.naming.clone();
    if naming.prefix_strip == PrefixStrip::Auto
        && let Some(recorded) = ours.and_then(|b| recorded_prefix(doc, b))
    {
        naming.prefix_strip = recorded.map_or(PrefixStrip::None, PrefixStrip::Fixed);
    }
    let namer = ProfileNamer::new(naming, &session.name, targets);
    let mut desired = BTreeMap::new();
    let mut skipped = Vec::new();
    for p in namer.name_all(targets) {
        if let Some((reason, line)) = taken.get(&p.name) {
            skipped.push(Skipped {
                name: p.name.clone(),
                target: p.target.clone(),
                reason: reason.clone(),
                hand_written_at: *line,
            });
            continue;
        }
        let entries = profile_entries(&p, session, options);
        desired.insert(p.name, (p.target, entries));
    }
    Named {
        namer,
        desired,
        skipped,
    }
}

/// What happens to every profile, desired or in the block now (sorted by name), and the
/// sections the new block holds. A profile no target names any more is kept, unless `prune`
/// or a desired profile now writes its account and role (it was renamed).
fn reconcile(
    desired: &BTreeMap<String, (AccountRole, Entries)>,
    old: &[(String, Entries)],
    prune: bool,
) -> (Vec<PlannedProfile>, BTreeMap<String, Entries>) {
    let written: HashSet<(&str, &str)> = desired
        .values()
        .map(|(t, _)| (t.account_id.as_str(), t.role_name.as_str()))
        .collect();
    let mut profiles: Vec<PlannedProfile> = Vec::new();
    let mut sections: BTreeMap<String, Entries> = BTreeMap::new();
    let old_names: HashMap<&str, &Entries> = old.iter().map(|(n, e)| (n.as_str(), e)).collect();
    for (name, (target, entries)) in desired {
        let change = match old_names.get(name.as_str()) {
            None => Change::Added,
            Some(e) if *e == entries => Change::Unchanged,
            Some(_) => Change::Updated,
        };
        profiles.push(PlannedProfile {
            name: name.clone(),
            target: Some(target.clone()),
            change,
        });
        sections.insert(name.clone(), entries.clone());
    }
    for (name, entries) in old {
        if desired.contains_key(name) {
            continue;
        }
        let identity = identity(entries);
        let superseded = identity
            .as_ref()
            .is_some_and(|t| written.contains(&(t.account_id.as_str(), t.role_name.as_str())));
        let keep = !superseded && !prune;
        profiles.push(PlannedProfile {
            name: name.clone(),
            target: identity,
            change: if keep { Change::Kept } else { Change::Removed },
        });
        if keep {
            sections.insert(name.clone(), entries.clone());
        }
    }
    profiles.sort_by(|a, b| a.name.cmp(&b.name).then(a.change.cmp(&b.change)));
    (profiles, sections)
}

/// The block's lines, BEGIN to END: the recorded prefix (`Some` when auto-detected), the
/// `[sso-session]` section when we write it, then every profile section.
fn render_block(
    session: &SessionSpec,
    prefix: Option<Option<&str>>,
    writes_session: bool,
    sections: &BTreeMap<String, Entries>,
) -> Vec<String> {
    let mut lines = vec![begin_line(&session.name)];
    if let Some(prefix) = prefix {
        lines.push(prefix_line(prefix));
    }
    if writes_session {
        lines.push(format!("[{}]", sso_session_header(&session.name)));
        lines.extend(render_entries(&session_entries(session)));
        lines.push(String::new());
    }
    for (name, entries) in sections {
        lines.push(format!("[profile {name}]"));
        lines.extend(render_entries(entries));
        lines.push(String::new());
    }
    lines.push(end_marker(&session.name));
    lines
}

/// The keys of one generated profile, in the order they are written.
fn profile_entries(p: &NamedProfile, session: &SessionSpec, options: &PopulateOptions) -> Entries {
    let t = &p.target;
    let mut e: Entries = match options.style {
        ProfileStyle::Sso => vec![
            ("sso_session".into(), session.name.clone()),
            ("sso_account_id".into(), t.account_id.clone()),
            ("sso_role_name".into(), t.role_name.clone()),
        ],
        ProfileStyle::CredentialProcess => {
            let words = [
                options.credential_process_command.as_str(),
                "credential-process",
                "--account",
                &t.account_id,
                "--role",
                &t.role_name,
                "--sso-session",
                &session.name,
            ];
            let line: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
            vec![("credential_process".into(), line.join(" "))]
        }
    };
    if let Some(r) = &p.region {
        e.push(("region".into(), r.clone()));
    }
    if let Some(o) = &options.output {
        e.push(("output".into(), o.clone()));
    }
    if let Some(d) = options.duration_seconds {
        e.push(("duration_seconds".into(), d.to_string()));
    }
    e
}

fn session_entries(session: &SessionSpec) -> Entries {
    let scopes = session
        .registration_scopes
        .as_ref()
        .map_or_else(|| DEFAULT_SCOPE.to_owned(), |s| s.join(", "));
    vec![
        ("sso_start_url".into(), session.start_url.clone()),
        ("sso_region".into(), session.region.clone()),
        ("sso_registration_scopes".into(), scopes),
    ]
}

fn render_entries(entries: &Entries) -> impl Iterator<Item = String> + '_ {
    entries.iter().map(|(k, v)| format!("{k} = {v}"))
}

/// Which (account, role) a profile of the block is for: its SSO keys, or the `--account` and
/// `--role` of its `credential_process` line.
fn identity(entries: &Entries) -> Option<AccountRole> {
    let get = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (account_id, role_name) = match (get("sso_account_id"), get("sso_role_name")) {
        (Some(a), Some(r)) => (a, r),
        _ => {
            let words = shlex_split(&get("credential_process")?)?;
            let arg = |flag: &str| {
                let i = words.iter().position(|w| w == flag)?;
                words.get(i + 1).cloned()
            };
            (arg("--account")?, arg("--role")?)
        }
    };
    Some(AccountRole {
        account_id,
        account_name: String::new(),
        role_name,
    })
}

/// Quotes a word for `shlex.split` (botocore splits `credential_process` so): bare when it holds
/// only characters no shell treats specially, else in single quotes.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The document's text with `lines` in place of block `ours` (or appended after a blank line).
fn splice(doc: &Document, ours: Option<&Block>, lines: &[String], nl: &str) -> String {
    let text = doc.as_str();
    let mut offsets = Vec::with_capacity(doc.lines().len() + 1);
    let mut at = 0;
    let mut last_ending = LineEnding::None;
    for l in doc.lines() {
        offsets.push(at);
        at += l.raw().len() + l.ending().as_str().len();
        last_ending = l.ending();
    }
    offsets.push(at);
    let body: String = lines.iter().flat_map(|l| [l.as_str(), nl]).collect();
    match ours {
        Some(b) => {
            let (start, end) = (offsets[b.lines.start], offsets[b.lines.end]);
            let mut block = body;
            if end == text.len() && last_ending == LineEnding::None {
                // The END line was the file's last line, without a newline: it stays so.
                block.truncate(block.len() - nl.len());
            }
            format!("{}{block}{}", &text[..start], &text[end..])
        }
        None => {
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with(['\n', '\r']) {
                out.push_str(nl);
            }
            let last_blank = doc.lines().last().is_none_or(|l| l.raw().trim().is_empty())
                && last_ending != LineEnding::None;
            if !out.is_empty() && !last_blank {
                out.push_str(nl);
            }
            out + &body
        }
    }
}

/// Every profile of the block reads back from the new text with exactly its keys.
fn verify(
    path: &Path,
    doc: &Document,
    sections: &BTreeMap<String, Entries>,
) -> Result<(), PopulateError> {
    for (name, entries) in sections {
        let header = format!("profile {name}");
        let got: Entries = doc
            .section(&header)
            .map(|s| {
                s.entries()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if got != *entries {
            return Err(PopulateError::Verify {
                path: path.to_owned(),
                source: crate::config::IniError::Edit {
                    action: format!("write [{header}]"),
                    reason: "it would not read back as written".into(),
                },
            });
        }
    }
    Ok(())
}
