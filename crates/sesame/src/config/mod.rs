//! The AWS shared config and credentials files, read exactly as botocore (and so the AWS CLI)
//! reads them, and edited without disturbing what sesame did not write.
//!
//! - [`ini`]: the lossless INI [`Document`], botocore's parsing rules, and line-level edits.
//! - [`section`]: what a `[header]` means (`[profile NAME]`, `[sso-session NAME]`, ...).
//! - [`AwsConfig`] / [`AwsCredentialsFile`]: typed views ([`Profile`], [`Section`],
//!   [`SsoSessionConfig`]) over an [`AwsFile`], a document and the path it came from.
//! - [`endpoint`]: where each AWS service sesame calls lives, honouring the same endpoint
//!   overrides botocore does ([`resolve_endpoint`]).
//!
//! Reading follows `botocore/configloader.py` (`raw_config_parse` + `build_profile_map`):
//! keys are lowercased, values are kept as written (quotes and `#` included), indented blocks
//! become maps, `[DEFAULT]` keys are inherited by every section, and when two sections name the
//! same profile (`[default]` and `[profile default]`) the later one wins whole.

#[cfg(test)]
mod botocore_diff;
pub mod configure;
pub mod endpoint;
mod error;
pub mod ini;
mod profile;
pub(crate) mod pystr;
pub mod section;
#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

pub use endpoint::{ServiceId, resolve_endpoint};
pub use error::ConfigError;
pub use ini::{Document, IniError};
pub use profile::{
    Profile, Properties, Section, SsoSessionConfig, Value, parse_registration_scopes,
};
pub use section::{SectionName, profile_header, services_header, sso_session_header};

use crate::env::Env;
use crate::fsutil;

/// The mode a config or credentials file sesame creates gets (the AWS CLI's
/// `ConfigFileWriter` creates them 0600 too). An existing file keeps its own.
const NEW_FILE_MODE: u32 = 0o600;

/// Reads `path` into a document: a missing path (or a device such as `/dev/null`, which
/// botocore's `os.path.isfile` also skips) is an empty document. A directory is an error:
/// botocore would read it as no config at all, and the user would see "no profiles" without
/// knowing why.
fn load_document(path: &Path) -> Result<Document, ConfigError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "it is a directory, not a file",
                ),
            });
        }
        Ok(meta) if !meta.is_file() => return Ok(Document::new()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Document::new()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Document::new()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ConfigError::NotUtf8 {
            path: path.to_owned(),
            line: line_of(valid),
        }
    })?;
    parse_document(path, &text)
}

/// The 1-based line a position is on, counting line breaks as Python's universal newlines do.
fn line_of(before: &[u8]) -> usize {
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

fn parse_document(path: &Path, text: &str) -> Result<Document, ConfigError> {
    Document::parse(text).map_err(|source| ConfigError::Parse {
        path: path.to_owned(),
        source,
    })
}

fn save_document(path: &Path, doc: &Document) -> Result<(), ConfigError> {
    fsutil::write_atomic_keep_mode(path, doc.as_str().as_bytes(), NEW_FILE_MODE).map_err(|source| {
        ConfigError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

/// The sections of `doc` as `read` names them: each with its header and name, in file order.
fn named_sections<'a>(
    doc: &'a Document,
    read: fn(&str) -> SectionName,
    pick: fn(SectionName) -> Option<String>,
) -> impl Iterator<Item = (ini::IniSection<'a>, String)> + 'a {
    doc.sections()
        .filter_map(move |s| pick(read(s.name())).map(|name| (s, name)))
}

/// The distinct names, in order of first appearance (Python dict order).
fn names(
    doc: &Document,
    read: fn(&str) -> SectionName,
    pick: fn(SectionName) -> Option<String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, name) in named_sections(doc, read, pick) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The section that defines `name` (the last one, as botocore's dict updates leave it).
fn winner<'a>(
    doc: &'a Document,
    read: fn(&str) -> SectionName,
    pick: fn(SectionName) -> Option<String>,
    name: &str,
) -> Option<ini::IniSection<'a>> {
    named_sections(doc, read, pick)
        .filter(|(_, n)| n == name)
        .last()
        .map(|(s, _)| s)
}

/// A section's properties as configparser hands them to botocore: its own keys, then the
/// `[DEFAULT]` keys it does not set.
fn properties(doc: &Document, section: ini::IniSection<'_>) -> Properties {
    let mut props = Properties::default();
    for (k, v) in section.entries() {
        props.push(k.to_owned(), Value::from_raw(v));
    }
    let defaults = doc
        .sections()
        .filter(|s| s.name() == ini::DEFAULT_SECTION)
        .flat_map(|s| s.entries());
    for (k, v) in defaults {
        if !props.contains(k) {
            props.push(k.to_owned(), Value::from_raw(v));
        }
    }
    props
}

fn pick_profile(s: SectionName) -> Option<String> {
    match s {
        SectionName::Profile(n) => Some(n),
        _ => None,
    }
}

fn pick_sso_session(s: SectionName) -> Option<String> {
    match s {
        SectionName::SsoSession(n) => Some(n),
        _ => None,
    }
}

fn pick_services(s: SectionName) -> Option<String> {
    match s {
        SectionName::Services(n) => Some(n),
        _ => None,
    }
}

/// One of the AWS shared files: its path, its lossless [`Document`], and the header grammar its
/// sections follow. [`AwsConfig`] and [`AwsCredentialsFile`] dereference to it.
#[derive(Debug, Clone)]
pub struct AwsFile {
    path: PathBuf,
    doc: Document,
    /// What a `[header]` names in this file ([`SectionName::of_config`] or `of_credentials`).
    read: fn(&str) -> SectionName,
}

impl AwsFile {
    /// Reads the file at `path`. A missing file (or a device) is an empty document, as for
    /// botocore; a directory, an unreadable file, one that is not UTF-8, or one botocore
    /// would refuse is an error naming the path and line.
    fn load(path: PathBuf, read: fn(&str) -> SectionName) -> Result<Self, ConfigError> {
        let doc = load_document(&path)?;
        Ok(Self { path, doc, read })
    }

    /// The file read from `text`, as if from `path` (which errors name).
    fn from_str(
        path: PathBuf,
        text: &str,
        read: fn(&str) -> SectionName,
    ) -> Result<Self, ConfigError> {
        let doc = parse_document(&path, text)?;
        Ok(Self { path, doc, read })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document, for raw access.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The document, for edits; the typed views read the edited text.
    pub fn document_mut(&mut self) -> &mut Document {
        &mut self.doc
    }

    /// Writes the document back to [`path`](Self::path) atomically (an existing file keeps its
    /// mode and a symlink stays a link; a new file is created 0600).
    pub fn save(&self) -> Result<(), ConfigError> {
        save_document(&self.path, &self.doc)
    }

    /// Like [`save`](Self::save), for a file that now holds secrets: group and others lose
    /// their access to an existing file (0644 becomes 0600). Returns the old mode if it changed.
    pub fn save_private(&self) -> Result<Option<u32>, ConfigError> {
        fsutil::write_atomic_private(&self.path, self.doc.as_str().as_bytes()).map_err(|source| {
            ConfigError::Write {
                path: self.path.clone(),
                source,
            }
        })
    }

    /// The profile names, in order of first appearance.
    pub fn profile_names(&self) -> Vec<String> {
        names(&self.doc, self.read, pick_profile)
    }

    /// A profile as botocore reads it (with the `[DEFAULT]` keys it does not set), `None` if no
    /// section defines it.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        let s = winner(&self.doc, self.read, pick_profile, name)?;
        Some(Profile::new(name.to_owned(), properties(&self.doc, s)))
    }

    /// The header (between the brackets) of the section that defines profile `name`, to edit
    /// it with [`Document::set`]; write new ones with [`profile_header`].
    pub fn profile_header(&self, name: &str) -> Option<&str> {
        winner(&self.doc, self.read, pick_profile, name).map(|s| s.name())
    }

    /// The names `pick` takes from the headers, in order of first appearance.
    fn names(&self, pick: fn(SectionName) -> Option<String>) -> Vec<String> {
        names(&self.doc, self.read, pick)
    }

    /// The section `pick` calls `name`.
    fn section(&self, pick: fn(SectionName) -> Option<String>, name: &str) -> Option<Section> {
        let s = winner(&self.doc, self.read, pick, name)?;
        Some(Section::new(name.to_owned(), properties(&self.doc, s)))
    }
}

/// The shared config file (`~/.aws/config`): its path, its [`Document`], and botocore's view of
/// it (the file itself: [`AwsFile`], which this dereferences to).
#[derive(Debug, Clone)]
pub struct AwsConfig(AwsFile);

impl AwsConfig {
    /// Reads the config file at `path`, as [`AwsFile`] says.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, ConfigError> {
        AwsFile::load(path.into(), SectionName::of_config).map(Self)
    }

    /// Reads the config file the environment points at ([`Env::config_file`]).
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Self::load(env.config_file())
    }

    /// A config read from `text`, as if from `path` (which errors name).
    pub fn from_str(path: impl Into<PathBuf>, text: &str) -> Result<Self, ConfigError> {
        AwsFile::from_str(path.into(), text, SectionName::of_config).map(Self)
    }

    /// A profile merged with the same-named credentials file profile, as botocore's
    /// `Session.full_config` does: the credentials file's keys win. `None` if neither has it.
    pub fn profile_with_credentials(
        &self,
        credentials: &AwsCredentialsFile,
        name: &str,
    ) -> Option<Profile> {
        let creds = credentials.profile(name);
        let mut profile = match self.profile(name) {
            Some(p) => p,
            None => return creds,
        };
        if let Some(c) = creds {
            profile.properties_mut().update(c.properties());
        }
        Some(profile)
    }

    /// The `[sso-session NAME]` names, in order of first appearance.
    pub fn sso_session_names(&self) -> Vec<String> {
        self.0.names(pick_sso_session)
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<Section> {
        self.0.section(pick_sso_session, name)
    }

    /// The `[services NAME]` names, in order of first appearance.
    pub fn services_names(&self) -> Vec<String> {
        self.0.names(pick_services)
    }

    /// A `[services NAME]` section (its entries are indented blocks per service).
    pub fn services(&self, name: &str) -> Option<Section> {
        self.0.section(pick_services, name)
    }
}

impl Deref for AwsConfig {
    type Target = AwsFile;

    fn deref(&self) -> &AwsFile {
        &self.0
    }
}

impl DerefMut for AwsConfig {
    fn deref_mut(&mut self) -> &mut AwsFile {
        &mut self.0
    }
}

/// The shared credentials file (`~/.aws/credentials`), where every section is a profile of that
/// exact name (the file itself: [`AwsFile`], which this dereferences to).
#[derive(Debug, Clone)]
pub struct AwsCredentialsFile(AwsFile);

impl AwsCredentialsFile {
    /// Reads the credentials file at `path`, with the same rules as [`AwsConfig::load`].
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, ConfigError> {
        AwsFile::load(path.into(), SectionName::of_credentials).map(Self)
    }

    /// Reads the credentials file the environment points at ([`Env::credentials_file`]).
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Self::load(env.credentials_file())
    }

    /// A credentials file read from `text`, as if from `path`.
    pub fn from_str(path: impl Into<PathBuf>, text: &str) -> Result<Self, ConfigError> {
        AwsFile::from_str(path.into(), text, SectionName::of_credentials).map(Self)
    }
}

impl Deref for AwsCredentialsFile {
    type Target = AwsFile;

    fn deref(&self) -> &AwsFile {
        &self.0
    }
}

impl DerefMut for AwsCredentialsFile {
    fn deref_mut(&mut self) -> &mut AwsFile {
        &mut self.0
    }
}
