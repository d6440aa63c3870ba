//! What can go wrong reading the AWS config files, each error naming the file and the place in it.

use std::io;
use std::path::PathBuf;

use super::ini::IniError;

/// A config or credentials file that cannot be read or used, or an endpoint that cannot be
/// resolved. Every message is one lowercase line naming the file and where in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file exists but cannot be read (permissions, I/O).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("cannot parse {}: line {line} is not valid UTF-8", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the first invalid byte.
        line: usize,
    },
    /// botocore would refuse the file ("Unable to parse config file").
    #[error("cannot parse {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong and on which line.
        #[source]
        source: IniError,
    },
    /// A required key is missing (or empty) in a section.
    #[error("[{section}] in {} has no `{key}`", path.display())]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The section as written in the file, e.g. `sso-session corp`.
        section: String,
        /// The missing key.
        key: String,
    },
    /// No `[sso-session NAME]` section.
    #[error(
        "no [sso-session {name}] in {}{}",
        path.display(),
        available_list(available)
    )]
    NoSuchSession {
        /// The file.
        path: PathBuf,
        /// The session asked for.
        name: String,
        /// The sessions the file has.
        available: Vec<String>,
    },
    /// A profile's `services = NAME` names no (or an empty) `[services NAME]` section; botocore
    /// raises `InvalidConfigError` here.
    #[error(
        "profile `{profile}` in {} has `services = {name}`, but there is no [services {name}] \
         section with entries",
        path.display()
    )]
    NoSuchServices {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The services section it names.
        name: String,
    },
    /// A `[services NAME]` entry that is a plain value where an indented block
    /// (`sso =` then `  endpoint_url = ...`) is needed.
    #[error(
        "`{key}` in [services {services}] of {} must be an indented block of `name = value` lines",
        path.display()
    )]
    InvalidServicesEntry {
        /// The file.
        path: PathBuf,
        /// The services section.
        services: String,
        /// The entry, e.g. `sso_oidc`.
        key: String,
    },
    /// An endpoint override that is not an `http` or `https` URL with a host.
    #[error("invalid endpoint URL `{value}` in {origin}: {reason}")]
    InvalidEndpoint {
        /// Where it was set, e.g. "environment variable AWS_ENDPOINT_URL_SSO".
        origin: String,
        /// The value as set.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A region name botocore would refuse (`InvalidRegionError`).
    #[error("invalid region `{region}`: a region is letters, digits and `-`, like us-east-1")]
    InvalidRegion {
        /// The region as given.
        region: String,
    },
}

fn available_list(available: &[String]) -> String {
    if available.is_empty() {
        " (it has no [sso-session] sections)".to_owned()
    } else {
        format!(" (it has: {})", available.join(", "))
    }
}

impl ConfigError {
    /// The 1-based line number, for parse errors.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Parse { source, .. } => source.line(),
            ConfigError::NotUtf8 { line, .. } => Some(*line),
            _ => None,
        }
    }
}
