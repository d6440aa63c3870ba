//! Assume-role and web-identity profiles, as botocore's `AssumeRoleProvider` and
//! `AssumeRoleWithWebIdentityProvider` resolve them, cached where the AWS CLI caches them.
//!
//! - `role_arn` + `source_profile` (resolved through the same chain; a source with static keys
//!   uses them even if it also has `role_arn`; cycles refused) or `credential_source =
//!   Environment`; optional `external_id`, `role_session_name` (default
//!   `botocore-session-<unix time>`), `duration_seconds`, `mfa_serial` (the code from the
//!   caller's [`MfaPrompt`]). STS `AssumeRole` signed with the source credentials.
//! - `web_identity_token_file` + `role_arn` (+ `role_session_name`): `AssumeRoleWithWebIdentity`,
//!   unsigned, the token read from the file on every call and never logged.
//!
//! Both are cached as the AWS CLI caches them (`awscli/customizations/assumerole.py` gives both
//! providers a `JSONFileCache` on `~/.aws/cli/cache`): the file `<key>.json`, key = SHA-1 of
//! `json.dumps(args, sort_keys=True)` with args the call's parameters (`RoleArn`,
//! `RoleSessionName` unless defaulted, `ExternalId`, `SerialNumber`, `DurationSeconds`), content
//! the answer as botocore's parser gives it. An entry is reused while it has 15 minutes left.

use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use serde_json::{Map, Value};

use super::{AwsCredentials, ChainError};
use crate::cache::{pyjson, sha1_hex, write_secret};
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::env::Env;
use crate::pace::{PacerConfig, Pacing, RetryPolicy};
use crate::sts::{self, StsCall};

/// Asks the user for the MFA code of `mfa_serial` (its argument is botocore's prompt,
/// `Enter MFA code for <serial>: `); `Err` carries why it could not ask.
pub type MfaPrompt = dyn Fn(&str) -> Result<String, String> + Send + Sync;

/// The parameters of one AssumeRole / AssumeRoleWithWebIdentity call, minus the secrets
/// (`TokenCode`, `WebIdentityToken`), in the order botocore builds them.
pub(super) struct RoleArgs {
    args: Map<String, Value>,
    default_session_name: bool,
}

impl RoleArgs {
    /// `RoleArn` and the optional keys of `profile`, as botocore's `_get_role_config` reads them
    /// (`duration_seconds` that is not an integer is ignored, as botocore ignores it).
    pub(super) fn new(role_arn: &str, get: impl Fn(&str) -> Option<String>, full: bool) -> Self {
        let mut args = Map::new();
        if let Some(v) = get("role_session_name").filter(|v| !v.is_empty()) {
            args.insert("RoleSessionName".into(), Value::String(v));
        }
        if full {
            if let Some(v) = get("external_id") {
                args.insert("ExternalId".into(), Value::String(v));
            }
            if let Some(v) = get("mfa_serial") {
                args.insert("SerialNumber".into(), Value::String(v));
            }
            if let Some(v) = get("duration_seconds").and_then(|d| d.trim().parse::<i64>().ok()) {
                args.insert("DurationSeconds".into(), Value::from(v));
            }
        }
        args.insert("RoleArn".into(), Value::String(role_arn.to_owned()));
        let default_session_name = !args.contains_key("RoleSessionName");
        RoleArgs {
            args,
            default_session_name,
        }
    }

    /// botocore's `_create_cache_key`: the defaulted session name is left out of the hash.
    pub(super) fn cache_key(&self) -> String {
        let mut args = self.args.clone();
        if self.default_session_name {
            args.remove("RoleSessionName");
        }
        sha1_hex(&pyjson::dumps_with(
            &Value::Object(args),
            pyjson::Options::SORTED,
        ))
    }

    fn mfa_serial(&self) -> Option<&str> {
        self.args.get("SerialNumber").and_then(Value::as_str)
    }

    /// The call's parameters, with a fresh default session name when none is configured.
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (k, name) in [
            ("RoleArn", "RoleArn"),
            ("RoleSessionName", "RoleSessionName"),
            ("ExternalId", "ExternalId"),
            ("SerialNumber", "SerialNumber"),
            ("DurationSeconds", "DurationSeconds"),
        ] {
            match self.args.get(k) {
                Some(Value::String(s)) => out.push((name, s.clone())),
                Some(v) => out.push((name, v.to_string())),
                None => {}
            }
        }
        if self.default_session_name {
            let now = crate::time::now().as_second();
            out.push(("RoleSessionName", format!("botocore-session-{now}")));
        }
        out
    }
}

/// What the role is assumed with.
pub(super) enum Assume<'a> {
    /// AssumeRole, signed with the source credentials.
    Role {
        source: &'a AwsCredentials,
        mfa: Option<&'a MfaPrompt>,
    },
    /// AssumeRoleWithWebIdentity with the token in this file.
    WebIdentity { token_file: &'a str },
}

/// What every STS call of one resolution shares.
pub(super) struct Context<'a> {
    pub(super) env: &'a Env,
    pub(super) config: &'a AwsConfig,
    /// The command's profile, whose region and endpoint settings the STS calls use.
    pub(super) session: &'a str,
    /// A cached entry is reused while it has this long left.
    pub(super) margin: SignedDuration,
}

/// The credentials of `args` from the AWS CLI's cache, else from STS (stored for the next
/// caller, sesame or the AWS CLI). `profile` is the profile assumed (for messages).
pub(super) async fn credentials(
    cx: Context<'_>,
    profile: &str,
    args: &RoleArgs,
    how: Assume<'_>,
) -> Result<AwsCredentials, ChainError> {
    let Context {
        env,
        config,
        session,
        margin,
    } = cx;
    let kind = match how {
        Assume::Role { .. } => "assume-role",
        Assume::WebIdentity { .. } => "web identity",
    };
    let source = format!("profile `{profile}` ({kind})");
    let path = cache_path(env, args);
    if let Some(c) = load(&path, &source, margin) {
        tracing::debug!(path = %path.display(), "assumed-role credentials from the AWS CLI cache");
        return Ok(c);
    }
    let region = super::region_in(env, config, session);
    let (endpoint, region) = sts_endpoint(env, config, session, region.as_deref())?;
    let mut params = args.params();
    let (operation, signer) = match how {
        Assume::Role { source, mfa } => {
            if let Some(serial) = args.mfa_serial() {
                let prompt = mfa.ok_or_else(|| ChainError::MfaNeedsTerminal {
                    profile: profile.to_owned(),
                    serial: serial.to_owned(),
                })?;
                let code = prompt(&format!("Enter MFA code for {serial}: ")).map_err(|reason| {
                    ChainError::Assume {
                        profile: profile.to_owned(),
                        reason: format!("no MFA code: {reason}"),
                    }
                })?;
                params.push(("TokenCode", code.trim().to_owned()));
            }
            ("AssumeRole", Some(source))
        }
        Assume::WebIdentity { token_file } => {
            let token = std::fs::read_to_string(token_file).map_err(|e| ChainError::Assume {
                profile: profile.to_owned(),
                reason: format!("cannot read web_identity_token_file {token_file}: {e}"),
            })?;
            params.push(("WebIdentityToken", token.trim().to_owned()));
            ("AssumeRoleWithWebIdentity", None)
        }
    };
    let ca_bundle = crate::http::CaBundle::resolve(env, config, Some(profile));
    let http =
        crate::http::client_for(&endpoint, ca_bundle.as_ref()).map_err(|e| ChainError::Assume {
            profile: profile.to_owned(),
            reason: e.to_string(),
        })?;
    // Retried on throttles, 5xx and dropped connections, bounded to a few seconds; an MFA code
    // stays valid for the retries (STS accepts it within its 30-second window).
    let answer = Pacing::new(PacerConfig::default(), RetryPolicy::credential_fetch())
        .call(operation, || {
            sts::call(
                &http,
                StsCall {
                    endpoint: &endpoint,
                    region: &region,
                    operation,
                    params: params.clone(),
                    signer,
                },
            )
        })
        .await
        .map_err(|e| ChainError::Assume {
            profile: profile.to_owned(),
            reason: e.into_message(),
        })?;
    store(&path, &answer)?;
    sts::credentials_of(&answer, &source).ok_or_else(|| ChainError::Assume {
        profile: profile.to_owned(),
        reason: "STS answered without credentials".to_owned(),
    })
}

/// The regions botocore sends to the global `sts.amazonaws.com` under
/// `sts_regional_endpoints = legacy` (its `LEGACY_GLOBAL_STS_REGIONS`).
const LEGACY_GLOBAL_STS_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// STS's endpoint and signing region: [`resolve_endpoint`] (`AWS_ENDPOINT_URL_STS`,
/// `AWS_ENDPOINT_URL`, `[services]`, else regional STS, botocore's default), except that
/// with no region at all, or with `sts_regional_endpoints = legacy` (or
/// `AWS_STS_REGIONAL_ENDPOINTS=legacy`) and a legacy region, botocore calls the global
/// `https://sts.amazonaws.com`, signed for `us-east-1`.
fn sts_endpoint(
    env: &Env,
    config: &AwsConfig,
    session: &str,
    region: Option<&str>,
) -> Result<(url::Url, String), ChainError> {
    let no_region = region.is_none();
    let region = region.unwrap_or("us-east-1");
    let url = resolve_endpoint(ServiceId::Sts, region, env, config, Some(session))?;
    let mode = match env.var("AWS_STS_REGIONAL_ENDPOINTS") {
        Some(v) => Some(v.to_owned()),
        None => config
            .profile(session)
            .and_then(|p| p.get("sts_regional_endpoints").map(str::to_owned)),
    };
    let legacy = mode.is_some_and(|m| m.trim().eq_ignore_ascii_case("legacy"));
    if (no_region || legacy && LEGACY_GLOBAL_STS_REGIONS.contains(&region))
        && ServiceId::Sts.default_endpoint(region).ok().as_ref() == Some(&url)
    {
        let global = url::Url::parse("https://sts.amazonaws.com/").expect("a valid URL");
        return Ok((global, "us-east-1".to_owned()));
    }
    Ok((url, region.to_owned()))
}

/// The AWS CLI's cache file of `args`.
pub(super) fn cache_path(env: &Env, args: &RoleArgs) -> PathBuf {
    env.cli_cache_dir()
        .join(format!("{}.json", args.cache_key()))
}

/// A usable entry (`margin` left: 15 minutes by default, as the AWS CLI requires); anything
/// unreadable is a miss, as botocore's `JSONFileCache` treats it.
pub(super) fn load(path: &Path, source: &str, margin: SignedDuration) -> Option<AwsCredentials> {
    let bytes = std::fs::read(path).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let c = sts::credentials_of(&value, source)?;
    let left = c.expiration?.duration_since(crate::time::now());
    (left >= margin).then_some(c)
}

/// Writes the answer as botocore's `JSONFileCache` does (`json.dumps`), atomically, mode 0600.
fn store(path: &Path, answer: &Value) -> Result<(), ChainError> {
    Ok(write_secret(path, &pyjson::dumps(answer))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint_of(vars: &[(&str, &str)], config: &str, region: &str) -> (String, String) {
        endpoint_in(vars, config, Some(region))
    }

    fn endpoint_in(vars: &[(&str, &str)], config: &str, region: Option<&str>) -> (String, String) {
        let env = Env::from_vars(vars.iter().copied());
        let config = AwsConfig::from_str("config", config).unwrap();
        let (url, region) = sts_endpoint(&env, &config, "p", region).unwrap();
        (url.to_string(), region)
    }

    #[test]
    fn with_no_region_sts_is_the_global_endpoint_as_botocore_calls_it() {
        // botocore, a role_arn profile and no region anywhere: "Could not connect to the
        // endpoint URL: https://sts.amazonaws.com/".
        assert_eq!(
            endpoint_in(&[], "[profile p]\n", None),
            (
                "https://sts.amazonaws.com/".to_owned(),
                "us-east-1".to_owned()
            )
        );
        assert_eq!(
            endpoint_in(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/")], "", None),
            ("http://127.0.0.1:9/".to_owned(), "us-east-1".to_owned())
        );
    }

    #[test]
    fn sts_endpoint_is_regional_unless_legacy_and_overrides_win() {
        let regional = "[profile p]\n";
        let legacy = "[profile p]\nsts_regional_endpoints = legacy\n";
        let global = (
            "https://sts.amazonaws.com/".to_owned(),
            "us-east-1".to_owned(),
        );
        assert_eq!(
            endpoint_of(&[], regional, "eu-west-1"),
            (
                "https://sts.eu-west-1.amazonaws.com/".to_owned(),
                "eu-west-1".to_owned()
            )
        );
        assert_eq!(endpoint_of(&[], legacy, "eu-west-1"), global);
        assert_eq!(
            endpoint_of(
                &[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")],
                regional,
                "us-west-2"
            ),
            global
        );
        // Not a legacy region: regional even under legacy.
        assert_eq!(
            endpoint_of(&[], legacy, "af-south-1"),
            (
                "https://sts.af-south-1.amazonaws.com/".to_owned(),
                "af-south-1".to_owned()
            )
        );
        assert_eq!(
            endpoint_of(
                &[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/")],
                legacy,
                "eu-west-1"
            ),
            ("http://127.0.0.1:9/".to_owned(), "eu-west-1".to_owned())
        );
    }

    #[test]
    fn cache_key_is_botocores() {
        // python3 -c "import json,hashlib; print(hashlib.sha1(json.dumps({'RoleArn':
        // 'arn:aws:iam::123456789012:role/Admin','ExternalId':'ext-1'},
        // sort_keys=True).encode()).hexdigest())"
        let get = |k: &str| (k == "external_id").then(|| "ext-1".to_owned());
        let args = RoleArgs::new("arn:aws:iam::123456789012:role/Admin", get, true);
        assert_eq!(args.cache_key(), "21864589ef84eda78bc804ce3cb15963bd4210c6");
        let params = args.params();
        assert!(
            params
                .iter()
                .any(|(k, v)| *k == "RoleSessionName" && v.starts_with("botocore-session-"))
        );
    }
}
