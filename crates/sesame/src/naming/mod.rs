//! Profile names for (account, role) targets: the rules `sesame populate` names profiles by.
//!
//! The default rules, "the naming rules" (`docs/naming.md` says where they come from), keep the
//! names of a widely shared populate script: the account name lower-cased with spaces turned
//! into `-`, a prefix common to every account name stripped (`Acme Corp Payments Dev` →
//! `payments-dev`), then a role suffix: `AdministratorAccess` → `-admin`, `ReadOnlyAccess` →
//! none, any other role → `-RoleName`. Every rule is configurable
//! ([`NamingRules`]), or a [`Template`] replaces them (`{account_name}-{role_name}`).
//!
//! Whatever the rules, a name [`ProfileNamer`] hands out is *safe*: only ASCII letters, digits,
//! `.`, `_` and `-`, not starting or ending with `-` or `.` ([`is_safe_profile_name`]). Such a
//! name needs no quoting in a `[profile NAME]` header, in `--profile NAME`, in `AWS_PROFILE` or
//! in a shell, and botocore reads it back as exactly that profile. Two targets that would get the
//! same name both get their account id appended (then the role name, then a counter), so the
//! result depends only on the set of targets, never on their order.
//!
//! ```
//! use sesame::naming::{NamingRules, ProfileNamer, AccountRole};
//!
//! let target = |id: &str, name: &str, role: &str| AccountRole {
//!     account_id: id.into(),
//!     account_name: name.into(),
//!     role_name: role.into(),
//! };
//! let targets = [
//!     target("111111111111", "Acme Corp Payments Dev", "AdministratorAccess"),
//!     target("111111111111", "Acme Corp Payments Dev", "ReadOnlyAccess"),
//!     target("222222222222", "Acme Corp [Search] EU", "PowerUserAccess"),
//! ];
//! let mut rules = NamingRules::default();
//! rules.region_rules.push(NamingRules::parse_region_rule("*-eu=eu-west-1")?);
//! let namer = ProfileNamer::new(rules, "acme", &targets);
//! let named: Vec<(String, Option<String>)> = namer
//!     .name_all(&targets)
//!     .into_iter()
//!     .map(|p| (p.name, p.region))
//!     .collect();
//! assert_eq!(
//!     named,
//!     [
//!         ("payments-dev".to_owned(), None),
//!         ("payments-dev-admin".to_owned(), None),
//!         ("search-eu-PowerUserAccess".to_owned(), Some("eu-west-1".to_owned())),
//!     ]
//! );
//! # Ok::<(), sesame::naming::NamingError>(())
//! ```

mod template;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::glob::Glob;

pub use template::{PLACEHOLDERS, Template};

/// One (account, role) pair the user can sign in to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountRole {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name as Identity Center lists it.
    pub account_name: String,
    /// The role (permission set) name.
    pub role_name: String,
}

/// Why a naming rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NamingError {
    /// A profile-name template that does not parse.
    #[error("bad profile-name template `{template}`: {reason}")]
    Template {
        /// The template as given.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A rule (`PATTERN=REGION`, `ROLE=SUFFIX`, a glob) that does not parse.
    #[error("bad {what} `{rule}`: {reason}")]
    Rule {
        /// Which kind of rule ("region rule", "role suffix", ...).
        what: &'static str,
        /// The rule as given.
        rule: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Which common prefix to strip from account names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PrefixStrip {
    /// The longest run of leading words every account name shares (with at least two accounts,
    /// and leaving every name at least one word): `Acme Corp` for `Acme Corp Payments Dev` and
    /// `Acme Corp Search Prod`.
    #[default]
    Auto,
    /// Strip nothing.
    None,
    /// Strip this prefix (compared after normalising: `Acme Corp`, `acme-corp` and `acme corp `
    /// are the same prefix).
    Fixed(String),
}

impl PrefixStrip {
    /// Reads `auto`, `none` (or an empty string), or a prefix.
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "auto" => PrefixStrip::Auto,
            "" | "none" => PrefixStrip::None,
            p => PrefixStrip::Fixed(p.to_owned()),
        }
    }
}

/// How profile names (and regions) are chosen. `Default` gives the naming rules (`docs/naming.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingRules {
    /// Lower-case the account part of the name (role suffixes are written as configured).
    pub lowercase: bool,
    /// The prefix to strip from account names.
    pub prefix_strip: PrefixStrip,
    /// Role name → suffix (without the `-`; empty for none). Roles not listed get `-RoleName`.
    pub role_suffixes: BTreeMap<String, String>,
    /// Roles to write no profile for (globs, case-insensitive).
    pub ignore_roles: Vec<Glob>,
    /// Region rules: the first glob matching the account's short name (normalised, prefix
    /// stripped, e.g. `payments-eu-prod`) gives the profile's region.
    pub region_rules: Vec<(Glob, String)>,
    /// The region when no rule matches (`None`: no `region` key unless the caller sets one).
    pub default_region: Option<String>,
    /// A template that replaces the name rules above (regions still follow the region rules).
    pub template: Option<Template>,
}

impl Default for NamingRules {
    fn default() -> Self {
        Self {
            lowercase: true,
            prefix_strip: PrefixStrip::Auto,
            role_suffixes: default_role_suffixes(),
            ignore_roles: Vec::new(),
            region_rules: Vec::new(),
            default_region: None,
            template: None,
        }
    }
}

/// `AdministratorAccess` → `admin`, `ReadOnlyAccess` → none.
pub fn default_role_suffixes() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("AdministratorAccess".to_owned(), "admin".to_owned()),
        ("ReadOnlyAccess".to_owned(), String::new()),
    ])
}

impl NamingRules {
    /// Parses `PATTERN=REGION` into a region rule.
    pub fn parse_region_rule(rule: &str) -> Result<(Glob, String), NamingError> {
        let bad = |reason: &str| NamingError::Rule {
            what: "region rule",
            rule: rule.to_owned(),
            reason: reason.to_owned(),
        };
        let (pattern, region) = rule
            .split_once('=')
            .ok_or_else(|| bad("expected PATTERN=REGION, e.g. `*-eu-*=eu-west-1`"))?;
        let (pattern, region) = (pattern.trim(), region.trim());
        if pattern.is_empty() {
            return Err(bad("the pattern is empty"));
        }
        check_region(region).map_err(|r| bad(&r))?;
        Ok((Glob::new(pattern), region.to_owned()))
    }

    /// Parses `ROLE=SUFFIX` (an empty suffix means none).
    pub fn parse_role_suffix(rule: &str) -> Result<(String, String), NamingError> {
        let bad = |reason: &str| NamingError::Rule {
            what: "role suffix",
            rule: rule.to_owned(),
            reason: reason.to_owned(),
        };
        let (role, suffix) = rule
            .split_once('=')
            .ok_or_else(|| bad("expected ROLE=SUFFIX, e.g. `PowerUserAccess=power`"))?;
        let (role, suffix) = (role.trim(), suffix.trim());
        if role.is_empty() {
            return Err(bad("the role name is empty"));
        }
        let cleaned = sanitize(suffix, false);
        if cleaned != suffix {
            return Err(bad(
                "a suffix may hold only letters, digits, `.`, `_` and `-`, not at its ends",
            ));
        }
        Ok((role.to_owned(), suffix.to_owned()))
    }
}

/// Checks a region name looks like one (`eu-west-1`): lower-case letters, digits and `-`.
pub fn check_region(region: &str) -> Result<(), String> {
    let ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{region}` is not a region name (expected something like `eu-west-1`)"
        ))
    }
}

/// A target with the profile name and region the rules give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedProfile {
    /// The profile name (always [safe](is_safe_profile_name)).
    pub name: String,
    /// The account and role.
    pub target: AccountRole,
    /// The region the rules give, if any.
    pub region: Option<String>,
}

/// Names profiles for a set of targets. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct ProfileNamer {
    rules: NamingRules,
    /// The normalised prefix to strip, resolved once for the whole set of targets.
    prefix: Option<String>,
    session: String,
}

impl ProfileNamer {
    /// A namer for `targets` of the session `session` (the name `{session}` expands to). An
    /// [`PrefixStrip::Auto`] prefix is detected from these targets' account names.
    pub fn new(rules: NamingRules, session: &str, targets: &[AccountRole]) -> Self {
        let prefix = match &rules.prefix_strip {
            PrefixStrip::None => None,
            PrefixStrip::Fixed(p) => Some(normalize(p, rules.lowercase)).filter(|p| !p.is_empty()),
            PrefixStrip::Auto => common_prefix(
                targets
                    .iter()
                    .map(|t| normalize(&t.account_name, rules.lowercase)),
            ),
        };
        Self {
            rules,
            prefix,
            session: session.to_owned(),
        }
    }

    /// The prefix being stripped (normalised), if any.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// Whether the rules skip this role.
    pub fn ignores(&self, role_name: &str) -> bool {
        self.rules.ignore_roles.iter().any(|g| g.matches(role_name))
    }

    /// The account's short name: normalised, prefix stripped (never empty: the account id when
    /// the name has nothing usable).
    pub fn short_account_name(&self, target: &AccountRole) -> String {
        let full = normalize(&target.account_name, self.rules.lowercase);
        let short = match &self.prefix {
            Some(p) if full.len() > p.len() && full.starts_with(p.as_str()) => {
                let rest = &full[p.len()..];
                if rest.starts_with(['-', '.', '_']) {
                    trim_ends(rest).to_owned()
                } else {
                    full.clone()
                }
            }
            _ => full.clone(),
        };
        if short.is_empty() {
            target.account_id.clone()
        } else {
            short
        }
    }

    /// The role's suffix, without the `-` (empty for none).
    pub fn role_suffix(&self, role_name: &str) -> String {
        match self.rules.role_suffixes.get(role_name) {
            Some(s) => sanitize(s, false),
            None => sanitize(role_name, false),
        }
    }

    /// The region the rules give the target.
    pub fn region(&self, target: &AccountRole) -> Option<String> {
        let short = self.short_account_name(target);
        self.rules
            .region_rules
            .iter()
            .find(|(g, _)| g.matches(&short))
            .map(|(_, r)| r.clone())
            .or_else(|| self.rules.default_region.clone())
    }

    /// The name the rules give one target, before collisions are resolved.
    pub fn base_name(&self, target: &AccountRole) -> String {
        let account = self.short_account_name(target);
        let suffix = self.role_suffix(&target.role_name);
        let name = match &self.rules.template {
            Some(t) => t.render(&template::Values {
                account_name: &account,
                account_id: &target.account_id,
                role_name: &sanitize(&target.role_name, false),
                role_suffix: &suffix,
                session: &sanitize(&self.session, self.rules.lowercase),
            }),
            None if suffix.is_empty() => account,
            None => format!("{account}-{suffix}"),
        };
        let name = sanitize(&name, false);
        if name.is_empty() {
            target.account_id.clone()
        } else {
            name
        }
    }

    /// Names every target the rules do not ignore, resolving collisions: each of the targets
    /// sharing a name gets `-ACCOUNTID` appended; those still sharing one (two roles of an
    /// account with the same suffix) get `-RoleName` too, then `-2`, `-3`... in (account id,
    /// role) order. `default` counts as taken, since `[profile default]` is the default profile.
    /// The result is sorted by name.
    pub fn name_all(&self, targets: &[AccountRole]) -> Vec<NamedProfile> {
        let mut items: Vec<(String, &AccountRole)> = targets
            .iter()
            .filter(|t| !self.ignores(&t.role_name))
            .map(|t| (self.base_name(t), t))
            .collect();
        items.sort_by(|a, b| a.1.cmp(b.1));
        items.dedup_by(|a, b| a.1 == b.1);
        let reserved: HashSet<&str> = HashSet::from(["default"]);
        // First the account id, then the role name, for names still shared.
        for with_role in [false, true] {
            let counts = count_names(&items);
            for (name, t) in &mut items {
                if counts[name.as_str()] > 1 || reserved.contains(name.as_str()) {
                    let extra = if with_role {
                        sanitize(&t.role_name, false)
                    } else {
                        t.account_id.clone()
                    };
                    *name = format!("{name}-{extra}");
                }
            }
        }
        let counts = count_names(&items);
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (name, _) in &mut items {
            if counts[name.as_str()] > 1 {
                let n = seen.entry(name.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    *name = format!("{name}-{n}");
                }
            }
        }
        let mut out: Vec<NamedProfile> = items
            .into_iter()
            .map(|(name, t)| NamedProfile {
                region: self.region(t),
                name,
                target: t.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

fn count_names(items: &[(String, &AccountRole)]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for (name, _) in items {
        *counts.entry(name.clone()).or_insert(0) += 1;
    }
    counts
}

/// Whether `name` is a profile name sesame would write: non-empty, only ASCII letters, digits,
/// `.`, `_` and `-`, not starting or ending with `-` or `.`, and not `default`.
pub fn is_safe_profile_name(name: &str) -> bool {
    !name.is_empty() && name != "default" && sanitize(name, false) == name
}

/// Turns any text into a safe name: letters of the Latin, Greek and Cyrillic alphabets are
/// transliterated (through `deunicode`: `é` → `e`, `ß` → `ss`, `Ж` → `Zh`), other characters than
/// ASCII letters, digits, `.` and `_` become `-`, runs of `-` collapse, and `-`, `.` and `_` are
/// trimmed from both ends. With `lowercase`, letters are lower-cased.
pub fn sanitize(text: &str, lowercase: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push = |c: char| {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            if lowercase { c.to_ascii_lowercase() } else { c }
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    };
    for c in text.chars() {
        match transliterate(c) {
            Some(ascii) => ascii.chars().for_each(&mut push),
            None => push(c),
        }
    }
    trim_ends(&out).to_owned()
}

/// The ASCII spelling of a letter of an alphabet whose letters have one (Latin with its
/// accents and ligatures, Greek, Cyrillic), through `deunicode`'s tables: `Données Société`
/// becomes `Donnees Societe`, not `Donn-es Soci-t`. Other scripts (CJK ideographs, kana, ...)
/// are left to become `-`: a romanisation of them would be a guess at the language.
fn transliterate(c: char) -> Option<&'static str> {
    let alphabetic = matches!(u32::from(c),
        0x00C0..=0x024F // Latin-1 letters, Latin Extended-A and -B
        | 0x0370..=0x03FF // Greek
        | 0x0400..=0x04FF // Cyrillic
        | 0x1E00..=0x1EFF // Latin Extended Additional (Vietnamese)
    );
    if !alphabetic || !c.is_alphabetic() {
        return None;
    }
    deunicode::deunicode_char(c).filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A name as the default rules see it: [`sanitize`]d (and lower-cased unless told not to).
pub fn normalize(text: &str, lowercase: bool) -> String {
    sanitize(text, lowercase)
}

fn trim_ends(s: &str) -> &str {
    s.trim_matches(['-', '.', '_'])
}

/// The longest run of leading `-`-separated words every name shares, if there are at least two
/// names and every name keeps at least one word after it.
fn common_prefix(names: impl Iterator<Item = String>) -> Option<String> {
    let mut distinct: Vec<String> = names.collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return None;
    }
    let words: Vec<Vec<&str>> = distinct.iter().map(|n| n.split('-').collect()).collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let mut n = 0;
    while n + 1 < shortest && words.iter().all(|w| w[n] == words[0][n]) {
        n += 1;
    }
    (n > 0).then(|| words[0][..n].join("-"))
}
