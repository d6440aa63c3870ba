//! What `creds`, `exec` and `credential-process` share: which role the arguments mean, the
//! warm path (cache only, no runtime) and the cold path (portal, login).

use jiff::SignedDuration;
use sesame::cache::RoleCredentials;
use sesame::credentials::warm;
use sesame::credentials::{AccountRef, CredentialResolver, RoleTarget, TargetSpec};
use sesame::sso::{LoginFlow, LoginOptions, SessionSelector};

use crate::cli::RoleArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::prompt::TerminalPrompt;

/// Role credentials and what they are for.
pub(crate) struct Resolved {
    pub(crate) target: RoleTarget,
    pub(crate) creds: RoleCredentials,
}

impl Resolved {
    /// The account id (known once credentials are).
    pub(crate) fn account_id(&self) -> String {
        self.creds
            .account_id
            .clone()
            .or_else(|| self.target.account.id().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The variables a program reads its credentials and region from.
    pub(crate) fn variables(&self) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("AWS_ACCESS_KEY_ID", self.creds.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                self.creds.secret_access_key.expose().to_owned(),
            ),
            (
                "AWS_SESSION_TOKEN",
                self.creds.session_token.expose().to_owned(),
            ),
            (
                "AWS_CREDENTIAL_EXPIRATION",
                sesame::time::format_aws(self.creds.expiration),
            ),
        ];
        if let Some(region) = &self.target.region {
            vars.push(("AWS_REGION", region.clone()));
            vars.push(("AWS_DEFAULT_REGION", region.clone()));
        }
        vars
    }
}

/// The role the arguments name: `--account`/`--role`, else the profile, else `AWS_PROFILE`.
pub(crate) fn spec(
    ctx: &Context,
    profile: Option<&str>,
    role: &RoleArgs,
) -> Result<TargetSpec, CliError> {
    if let (Some(account), Some(role_name)) = (&role.account, &role.role) {
        return Ok(TargetSpec::AdHoc {
            session: SessionSelector {
                sso_session: role.sso_session.clone(),
                profile: None,
                start_url: role.start_url.clone(),
                sso_region: role.sso_region.clone(),
            },
            account: AccountRef::parse(account),
            role_name: role_name.clone(),
            region: role.region.clone(),
        });
    }
    match profile.or_else(|| ctx.env.profile()) {
        Some(p) => Ok(TargetSpec::Profile(p.to_owned())),
        None => Err(CliError::user(anyhow::anyhow!("no role given"))
            .hint("name an SSO profile, or pass --account ID|NAME and --role NAME")),
    }
}

fn margin(role: &RoleArgs) -> SignedDuration {
    SignedDuration::from_mins(i64::from(role.min_validity))
}

/// The warm path: `Some(Ok)` for a valid cached entry, `Some(Err)` for an error no network call
/// could fix, `None` when the cold path has to run.
pub(crate) fn warm(
    ctx: &Context,
    spec: &TargetSpec,
    role: &RoleArgs,
) -> Option<Result<Resolved, CliError>> {
    match warm::lookup(&ctx.env, spec, margin(role), sesame::time::now()) {
        Ok(Some((target, creds))) => Some(Ok(Resolved { target, creds })),
        Ok(None) => None,
        Err(e) => Some(Err(e.into())),
    }
}

/// The cold path: cache, else refresh the token and call the portal; with `--auto-login`, one
/// login when there is none.
pub(crate) async fn cold(
    ctx: &Context,
    spec: &TargetSpec,
    role: &RoleArgs,
) -> Result<Resolved, CliError> {
    let config = ctx.config()?;
    let target = spec.resolve(&ctx.env, &config)?;
    let resolver = CredentialResolver::new(&ctx.env)?.with_margin(margin(role));
    let creds = if role.auto_login {
        let (flow, _) = LoginFlow::detect(&ctx.env);
        let options = LoginOptions {
            flow,
            ..LoginOptions::default()
        };
        let prompt = TerminalPrompt {
            browser: ctx.browser.clone(),
            to_tty: true,
        };
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
            Err(e) => return Err(e.into()),
        }
    };
    Ok(Resolved { target, creds })
}
