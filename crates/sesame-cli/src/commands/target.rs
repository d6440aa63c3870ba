//! What `creds`, `exec`, `credential-process` and `console` share: which credentials the
//! arguments mean (`--account/--role`, or a profile of any kind), the warm path (what is on
//! disk, no runtime) and the cold path (the whole chain: portal, STS, login).

use jiff::SignedDuration;
use sesame::config::{AwsConfig, AwsCredentialsFile};
use sesame::credentials::chain::{
    self, AwsCredentials, ChainError, CredentialSource, MfaPrompt, ProfileKind, ResolveOptions,
};
use sesame::credentials::warm;
use sesame::credentials::{
    AccountRef, ChildEnv, CredentialResolver, CredentialsError, RoleSpec, RoleTarget,
};
use sesame::env::Env;
use sesame::listing::ListingCache;
use sesame::sso::{LoginFlow, LoginOptions, SessionSelector, Sso, SsoSession};

use crate::cli::RoleArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::prompt::TerminalPrompt;

/// Credentials and what they are for.
pub(crate) struct Resolved {
    /// The keys.
    pub(crate) creds: AwsCredentials,
    /// The region handed on with them (the profile's `region`, or `--region`).
    pub(crate) region: Option<String>,
    /// How to name them to a user.
    pub(crate) describe: String,
    /// The credentials-file section they go to when none is named.
    pub(crate) section: String,
    /// The profile they are of, if any.
    pub(crate) profile: Option<String>,
}

impl Resolved {
    fn of_role(target: RoleTarget, creds: sesame::cache::RoleCredentials) -> Self {
        let account_id = creds
            .account_id
            .clone()
            .or_else(|| target.account.id().map(str::to_owned))
            .unwrap_or_default();
        let describe = target.describe();
        Resolved {
            section: target.default_section_name(&account_id),
            region: target.region.clone(),
            profile: target.profile.clone(),
            creds: AwsCredentials::from_role(creds, describe.clone()),
            describe,
        }
    }

    fn of_profile(config: &AwsConfig, name: &str, creds: AwsCredentials) -> Self {
        Resolved {
            region: config
                .profile(name)
                .and_then(|p| p.region().filter(|r| !r.is_empty()).map(str::to_owned)),
            describe: creds.source.clone(),
            section: name.to_owned(),
            profile: Some(name.to_owned()),
            creds,
        }
    }

    /// The environment a program reads its credentials and region from.
    pub(crate) fn child_env(&self) -> ChildEnv {
        ChildEnv::new(&self.creds, self.region.as_deref())
    }
}

/// What the arguments name.
pub(crate) enum Spec {
    /// `--account/--role`: a role of the Identity Center login.
    Role(RoleSpec),
    /// A profile of any kind.
    Profile(String),
}

/// What the arguments name: `--account`/`--role`, else the profile, else `AWS_PROFILE`.
pub(crate) fn spec(
    ctx: &Context,
    profile: Option<&str>,
    role: &RoleArgs,
) -> Result<Spec, CliError> {
    if let (Some(account), Some(role_name)) = (&role.account, &role.role) {
        return Ok(Spec::Role(RoleSpec::AdHoc {
            session: SessionSelector {
                sso_session: role.sso_session.clone(),
                profile: None,
                start_url: role.start_url.clone(),
                sso_region: role.sso_region.clone(),
                region_override: None,
            },
            account: AccountRef::parse(account),
            role_name: role_name.clone(),
            region: role.region.clone(),
        }));
    }
    match profile.or_else(|| ctx.env.profile()) {
        Some(p) => Ok(Spec::Profile(p.to_owned())),
        None => Err(CliError::usage(anyhow::anyhow!("no profile given")).hint(
            "name a profile (or set AWS_PROFILE), or pass --account ID|NAME and --role NAME",
        )),
    }
}

/// The two files and the kind of profile `name`, after the checks that need no network.
fn profile_of(
    env: &Env,
    name: &str,
) -> Result<(AwsConfig, AwsCredentialsFile, ProfileKind), CliError> {
    let config = AwsConfig::from_env(env).map_err(ChainError::from)?;
    let creds_file = AwsCredentialsFile::from_env(env).map_err(|e| {
        CliError::user(e).hint("fix or move the credentials file; sesame did not change it")
    })?;
    match chain::profile_kind(&config, &creds_file, name)? {
        Some(kind) => Ok((config, creds_file, kind)),
        None if config.profile_with_credentials(&creds_file, name).is_none() => {
            let available = chain::profile_names(&config, &creds_file);
            let hint = crate::error::unknown_profile_hint(name, &available);
            Err(CliError::from(ChainError::NoSuchProfile {
                profile: name.to_owned(),
                config: config.path().display().to_string(),
                credentials: creds_file.path().display().to_string(),
                available,
            })
            .hint(hint))
        }
        None => Err(ChainError::ProfileWithoutCredentials {
            profile: name.to_owned(),
        }
        .into()),
    }
}

fn margin(role: &RoleArgs) -> SignedDuration {
    SignedDuration::try_from(role.min_validity).unwrap_or(SignedDuration::MAX)
}

/// The warm path: `Some(Ok)` for credentials on disk (a valid cached entry, static keys),
/// `Some(Err)` for an error no network call could fix, `None` when the cold path has to run.
pub(crate) fn warm(
    ctx: &Context,
    spec: &Spec,
    role: &RoleArgs,
) -> Option<Result<Resolved, CliError>> {
    let now = sesame::time::now();
    let name = match spec {
        Spec::Role(target) => {
            return match warm::lookup(&ctx.env, target, margin(role), now) {
                Ok(Some((target, creds))) => Some(Ok(Resolved::of_role(target, creds))),
                Ok(None) => None,
                Err(e) => Some(Err(e.into())),
            };
        }
        Spec::Profile(name) => name,
    };
    let (config, creds_file, kind) = match profile_of(&ctx.env, name) {
        Ok(found) => found,
        Err(e) => return Some(Err(e)),
    };
    if kind == ProfileKind::Sso {
        let target = RoleSpec::Profile(name.clone());
        return match warm::lookup_in(&ctx.env, &config, &target, margin(role), now) {
            Ok(Some((target, creds))) => Some(Ok(Resolved::of_role(target, creds))),
            Ok(None) => None,
            Err(e) => Some(Err(e.into())),
        };
    }
    match chain::warm::lookup(&ctx.env, &config, &creds_file, name, kind, margin(role)) {
        Ok(Some(creds)) => Some(Ok(Resolved::of_profile(&config, name, creds))),
        Ok(None) => None,
        Err(e) => Some(Err(e.into())),
    }
}

/// The MFA code of an assume-role profile: `--mfa-code` (or `SESAME_MFA_CODE`), else asked on
/// the terminal (no echo), else none (the chain then fails with a hint).
fn mfa_prompt(ctx: &Context, role: &RoleArgs) -> Option<Box<MfaPrompt>> {
    if let Some(code) = role.mfa_code.clone() {
        return Some(Box::new(move |_: &str| Ok(code.clone())));
    }
    super::api::mfa_prompt(ctx)
}

/// The cold path: the whole chain. An SSO profile or `--account/--role`: the cache, else the
/// token refreshed and the portal called; with `--auto-login`, one login when there is none.
/// Any other profile: [`chain::resolve_options`] (STS, a program, the instance), an SSO profile
/// at the end of a role chain logging in the same way.
pub(crate) async fn cold(
    ctx: &Context,
    spec: &Spec,
    role: &RoleArgs,
) -> Result<Resolved, CliError> {
    let name = match spec {
        Spec::Role(target) => return sso_cold(ctx, target, role).await,
        Spec::Profile(name) => name,
    };
    let (config, _, kind) = profile_of(&ctx.env, name)?;
    if kind == ProfileKind::Sso {
        return sso_cold(ctx, &RoleSpec::Profile(name.clone()), role).await;
    }
    let mfa = mfa_prompt(ctx, role);
    let (login, prompt) = login_options(ctx);
    let options = ResolveOptions {
        mfa: mfa.as_deref(),
        margin: margin(role),
        login: role
            .auto_login
            .then_some((&login, &prompt as &dyn sesame::sso::LoginPrompt)),
    };
    let source = CredentialSource::Profile(name.clone());
    let creds = chain::resolve_options(&ctx.env, &source, &options)
        .await
        .map_err(|e| {
            let login_required = matches!(&e, ChainError::Role(r) if r.is_login_required());
            let err = CliError::from(e);
            if login_required {
                err.hint(format!(
                    "the role chain of `{name}` ends in an SSO profile whose login is missing or expired: run `sesame login`, or add --auto-login"
                ))
            } else {
                err
            }
        })?;
    Ok(Resolved::of_profile(&config, name, creds))
}

fn login_options(ctx: &Context) -> (LoginOptions, TerminalPrompt) {
    let (flow, _) = LoginFlow::detect(&ctx.env);
    let options = LoginOptions {
        flow,
        ..LoginOptions::default()
    };
    let prompt = TerminalPrompt {
        browser: ctx.browser.clone(),
        to_tty: true,
    };
    (options, prompt)
}

/// An SSO role: cache, else refresh the token and call the portal; with `--auto-login`, one
/// login when there is none.
async fn sso_cold(ctx: &Context, spec: &RoleSpec, role: &RoleArgs) -> Result<Resolved, CliError> {
    let config = ctx.config()?;
    let target = spec.resolve(&ctx.env, &config)?;
    let resolver = CredentialResolver::new(&ctx.env)?
        .with_margin(margin(role))
        .with_retries();
    let creds = if role.auto_login {
        let (options, prompt) = login_options(ctx);
        resolver
            .credentials_or_login(&target, &options, &prompt)
            .await?
    } else {
        match resolver.credentials(&target).await {
            Ok(c) => c,
            Err(e) if e.is_login_required() => {
                let login = match &target.session.name {
                    Some(name) => format!("sesame login --sso-session {name}"),
                    None => format!(
                        "sesame login --start-url {} --sso-region {}",
                        target.session.start_url, target.session.region
                    ),
                };
                return Err(CliError::from(e).hint(format!("run `{login}`, or add --auto-login")));
            }
            Err(e @ CredentialsError::NoAccess { .. }) => {
                let CredentialsError::NoAccess {
                    account_id,
                    role_name,
                    ..
                } = &e
                else {
                    unreachable!("matched above")
                };
                let hint = match roles_of(ctx, &target.session, account_id).await {
                    Some(roles) => no_access_hint(account_id, role_name, &roles),
                    None => "check the account id and role name (`sesame roles`)".to_owned(),
                };
                return Err(CliError::user(e).hint(hint));
            }
            Err(e) => return Err(e.into()),
        }
    };
    Ok(Resolved::of_role(target, creds))
}

/// The roles the login has in `account_id`: the listing cache's if they are under an hour old
/// (what `sesame roles` saw), else one ListAccountRoles call; `None` when neither answers.
async fn roles_of(ctx: &Context, session: &SsoSession, account_id: &str) -> Option<Vec<String>> {
    let now = sesame::time::now();
    let cached = ListingCache::from_env(&ctx.env)
        .load(session)
        .and_then(|l| {
            l.fresh_roles(account_id, now, std::time::Duration::from_secs(3600))
                .map(<[String]>::to_vec)
        });
    if cached.is_some() {
        return cached;
    }
    let sso = Sso::new(&ctx.env).ok()?;
    let token = sso.access_token(session).await.ok()?;
    let roles = sso
        .portal(session)
        .ok()?
        .all_account_roles(&token, account_id)
        .await
        .ok()?;
    Some(roles.into_iter().map(|r| r.role_name).collect())
}

/// The hint when the portal refuses a role: the same name in another case ("did you mean"),
/// and the roles the account does have (role names are case-sensitive).
fn no_access_hint(account_id: &str, role_name: &str, roles: &[String]) -> String {
    if roles.is_empty() {
        return format!(
            "the login has no role in account {account_id} (`sesame roles` lists what it reaches)"
        );
    }
    let mut sorted = roles.to_vec();
    sorted.sort();
    let have = format!("account {account_id} has: {}", sorted.join(", "));
    match roles.iter().find(|r| r.eq_ignore_ascii_case(role_name)) {
        Some(exact) => format!("role names are case-sensitive: did you mean `{exact}`? ({have})"),
        None => format!("{have} (`sesame roles --account {account_id}`)"),
    }
}
