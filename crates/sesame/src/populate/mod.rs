//! `sesame populate`: a `[profile]` for every account and role of a session, kept in sync in the
//! AWS config file without touching a byte sesame did not write.
//!
//! # What sesame owns: one marked block per session
//!
//! Everything populate writes for a session lives between two comment lines:
//!
//! ```ini
//! # BEGIN sesame populate (sso-session acme): written by `sesame populate`; edits inside are overwritten
//! [profile payments-dev-admin]
//! sso_session = acme
//! ...
//! # END sesame populate (sso-session acme)
//! ```
//!
//! A block (rather than a marker key in each profile) because it makes ownership visible and
//! checkable at a glance, keeps the profiles free of keys botocore would carry around, and lets
//! populate prove its central promise by construction: the new file is the old file's bytes before
//! the block, the new block, and the old file's bytes after it. Comments and hand-written profiles
//! anywhere else, including between two sessions' blocks, are never rewritten.
//!
//! Inside the block, a profile is identified by its (account, role): a target that is listed
//! again gets its profile rewritten (renamed if the rules now name it differently); one that is
//! no longer listed keeps its profile unless [`PopulateOptions::prune`]. A profile defined outside
//! the block (by hand, or by another session's block) always wins: a generated profile of the same
//! name is skipped and reported in [`Plan::skipped`]. The block also holds the `[sso-session]`
//! section when the config has none of that name (a session given by `--start-url`).
//!
//! An auto-detected common prefix (the default) is detected on the first run and recorded in the
//! block as a comment (`# prefix_strip = acme-corp (detected on the first run and kept ...)`);
//! later runs keep it, so an account added without that prefix does not rename every profile.
//! A configured `prefix_strip` always wins.
//!
//! The first run appends the block at the end of the file. A run that would produce the same
//! block produces the same text, and [`apply`] then leaves the file alone (same bytes, same mtime).

mod apply;
mod block;
mod render;
mod settings;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use apply::{Applied, apply, backup_path, plan_file};
pub use block::{begin_marker, end_marker};
pub use settings::{PopulateOptions, ProfileStyle, SECTION, Settings};

use crate::config::{ConfigError, IniError};
use crate::listing::{Filter, Listing, ListingError};
use crate::naming::{AccountRole, NamingError};

/// The `[sso-session]` the profiles point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// The session name (`sso_session = NAME` in every profile).
    pub name: String,
    /// `sso_start_url`, written when the block holds the `[sso-session]` section.
    pub start_url: String,
    /// `sso_region`, idem.
    pub region: String,
    /// `sso_registration_scopes`, idem (the default scope when `None`).
    pub registration_scopes: Option<Vec<String>>,
}

/// Why populate cannot go ahead. Nothing has been written when one of these is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PopulateError {
    /// The config file cannot be read, parsed or written.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A naming rule or template is malformed.
    #[error(transparent)]
    Naming(#[from] NamingError),
    /// An option in the config's `[sesame-populate]` section is malformed.
    #[error("[{section}] in {}: {reason}", path.display())]
    Setting {
        /// The config file.
        path: PathBuf,
        /// The section as written.
        section: String,
        /// What is wrong.
        reason: String,
    },
    /// A managed block whose markers are broken (no END, two BEGINs...).
    #[error("{}: {reason}", path.display())]
    Block {
        /// The config file.
        path: PathBuf,
        /// What is wrong, with line numbers.
        reason: String,
    },
    /// The new text would not read back as intended (a bug, or a file shaped so that the new
    /// block would change how the lines around it read).
    #[error("{}: refusing to write: {source}", path.display())]
    Verify {
        /// The config file.
        path: PathBuf,
        /// What went wrong.
        source: IniError,
    },
    /// The lock or the backup file could not be taken or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done ("cannot write the backup").
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// One profile the plan writes, and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProfile {
    /// The profile name.
    pub name: String,
    /// The account and role (`None` for a kept profile whose keys no longer say).
    pub target: Option<AccountRole>,
    /// What the run does to it.
    pub change: Change,
}

/// What a run does to one profile of the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// New in the block.
    Added,
    /// Rewritten with other keys (or a new name: see [`Change::Removed`] for the old one).
    Updated,
    /// Written as before.
    Unchanged,
    /// Its target is no longer listed; kept because pruning was not asked for.
    Kept,
    /// Removed: pruned, renamed, or its name is now used by a listed target.
    Removed,
}

/// A target populate wrote no profile for, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The name it would have had.
    pub name: String,
    /// The account and role.
    pub target: AccountRole,
    /// Why: e.g. "a profile of that name is defined outside sesame's block (line 12)".
    pub reason: String,
    /// The 1-based line of the config file where a hand-written profile has the name (none
    /// when another session's populate block writes it).
    pub hand_written_at: Option<usize>,
}

/// The result of planning a populate run against a config text.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file as it is.
    pub old_text: String,
    /// The file as the run leaves it (equal to `old_text` when nothing changes).
    pub new_text: String,
    /// Every profile of the new block, and the removed ones, sorted by name.
    pub profiles: Vec<PlannedProfile>,
    /// Targets written no profile for.
    pub skipped: Vec<Skipped>,
    /// Whether the block holds the `[sso-session]` section.
    pub writes_session: bool,
    /// The prefix the naming rules stripped (normalised), if any.
    pub prefix: Option<String>,
}

impl Plan {
    /// Whether the run changes the file.
    pub fn changes_file(&self) -> bool {
        self.old_text != self.new_text
    }

    /// How many profiles get this change.
    pub fn count(&self, change: Change) -> usize {
        self.profiles.iter().filter(|p| p.change == change).count()
    }
}

/// Every (account, role) the login reaches, sorted by account id then role.
///
/// This is the one place populate lists the portal. It goes through [`Listing`]: accounts and
/// then each account's roles, concurrently, paced by the process-wide pacer of the endpoint,
/// retried on throttles, server faults and dropped connections, and served from (and written
/// to) the listing cache as the listing's [`ListingOptions`](crate::listing::ListingOptions)
/// say (`refresh`, `max_age`).
pub async fn collect_targets(listing: &Listing) -> Result<Vec<AccountRole>, ListingError> {
    let items = listing.roles(&Filter::all()).await?.collect().await?;
    let mut targets: Vec<AccountRole> = items
        .into_iter()
        .flat_map(|item| {
            let account = item.account;
            item.roles.into_iter().map(move |role_name| AccountRole {
                account_id: account.account_id.clone(),
                account_name: account.account_name.clone(),
                role_name,
            })
        })
        .collect();
    targets.sort();
    targets.dedup();
    Ok(targets)
}

pub use render::plan;

/// The fuzzer's door to the block reader: the marked blocks of `doc`, checked to be in order,
/// inside the document and apart.
#[doc(hidden)]
pub(crate) fn fuzz_blocks(doc: &crate::config::ini::Document) {
    if let Ok(blocks) = block::find_blocks(doc) {
        let lines = doc.lines().len();
        let mut end = 0;
        for b in &blocks {
            assert!(b.lines.start >= end && b.lines.start < b.lines.end && b.lines.end <= lines);
            end = b.lines.end;
            let _ = block::recorded_prefix(doc, b);
        }
    }
}
