//! The terminal side of a SAML sign-in: the user name, the password (no echo), a one-time code,
//! and the role picker. Each has an environment variable for scripts, and each refuses to wait
//! for input that cannot come (stdin not a terminal). The password comes from
//! `SESAME_SAML_PASSWORD`, else from the OS keyring when the user stored it there
//! (`--remember-password`), else from the terminal.

use std::cell::RefCell;

use sesame::Secret;
use sesame::env::Env;
use sesame::saml::SamlRole;
use sesame::saml::idp::{IdpError, IdpPrompt};

use crate::context::Context;
use crate::error::CliError;
use crate::saml_keyring::{self, PasswordEntry};

/// The user name: `--username` / `SESAME_SAML_USERNAME`, else asked for.
fn username(given: Option<&str>, interactive: bool) -> Result<String, IdpError> {
    if let Some(u) = given.map(str::trim).filter(|u| !u.is_empty()) {
        return Ok(u.to_owned());
    }
    if !interactive {
        return Err(IdpError::Prompt(
            "the IdP asks for a user name and none was given (pass --username USER or set \
             SESAME_SAML_USERNAME)"
                .to_owned(),
        ));
    }
    inquire::Text::new("IdP user name:")
        .prompt()
        .map(|u| u.trim().to_owned())
        .map_err(|e| IdpError::Prompt(format!("no user name: {e}")))
}

/// Where the password handed to the IdP came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordSource {
    /// `SESAME_SAML_PASSWORD`.
    Env,
    /// The OS keyring, stored there earlier with `--remember-password`.
    Keyring,
    /// Typed on the terminal.
    Terminal,
}

/// The password a sign-in used, kept until the command knows whether the IdP took it.
pub(crate) struct UsedPassword {
    pub(crate) entry: PasswordEntry,
    pub(crate) password: Secret,
    pub(crate) source: PasswordSource,
}

/// The password: `SESAME_SAML_PASSWORD`, else the keyring entry of `username` at `origin` if
/// one was stored, else read from the terminal without echo.
fn password(
    env: &Env,
    interactive: bool,
    origin: &str,
    username: &str,
) -> Result<(Secret, PasswordSource), IdpError> {
    if let Some(p) = env.var("SESAME_SAML_PASSWORD") {
        return Ok((Secret::new(p), PasswordSource::Env));
    }
    let entry = PasswordEntry::new(origin, username);
    match entry.get() {
        Ok(Some(p)) => {
            eprintln!(
                "Using the password of {} from {}.",
                entry.describe(),
                saml_keyring::store_name()
            );
            return Ok((p, PasswordSource::Keyring));
        }
        Ok(None) => {}
        // No usable keyring here: nothing can have been stored, so the terminal it is.
        Err(e) => tracing::debug!("no keyring lookup: {e}"),
    }
    if !interactive {
        return Err(IdpError::Prompt(
            "the IdP asks for a password and there is no terminal to type it (set \
             SESAME_SAML_PASSWORD)"
                .to_owned(),
        ));
    }
    rpassword::prompt_password(format!("Password for {username}: "))
        .map(|p| (Secret::new(p), PasswordSource::Terminal))
        .map_err(|e| IdpError::Prompt(format!("cannot read the password: {e}")))
}

/// Answers the IdP's questions: the flags and `SESAME_SAML_*` variables, else the terminal.
pub(crate) struct TerminalPrompt {
    username: Option<String>,
    env: Env,
    /// Whether a person can answer ([`Context::interactive`]).
    interactive: bool,
    otp: Option<Secret>,
    /// The IdP's origin (`scheme://host[:port]`), which keys the keyring entry.
    origin: String,
    used: RefCell<Option<UsedPassword>>,
}

impl TerminalPrompt {
    pub(crate) fn new(ctx: &Context, username: Option<&str>, origin: &str) -> Self {
        Self {
            username: username.map(str::to_owned),
            env: ctx.env.clone(),
            interactive: ctx.interactive,
            otp: ctx.env.var("SESAME_SAML_OTP").map(Secret::new),
            origin: origin.to_owned(),
            used: RefCell::new(None),
        }
    }

    /// The password the sign-in used, if the IdP asked for one.
    pub(crate) fn take_used_password(&self) -> Option<UsedPassword> {
        self.used.borrow_mut().take()
    }
}

impl IdpPrompt for TerminalPrompt {
    fn username(&self) -> Result<String, IdpError> {
        username(self.username.as_deref(), self.interactive)
    }

    fn password(&self, username: &str) -> Result<Secret, IdpError> {
        let (secret, source) = password(&self.env, self.interactive, &self.origin, username)?;
        *self.used.borrow_mut() = Some(UsedPassword {
            entry: PasswordEntry::new(&self.origin, username),
            password: secret.clone(),
            source,
        });
        Ok(secret)
    }

    fn one_time_code(&self, label: &str) -> Result<Secret, IdpError> {
        if let Some(code) = &self.otp {
            return Ok(code.clone());
        }
        if !self.interactive {
            return Err(IdpError::Prompt(format!(
                "the IdP asks for a one-time code (\"{label}\"), and there is no terminal to type \
                 it; set SESAME_SAML_OTP"
            )));
        }
        read_code(label)
    }

    /// On a terminal, the IdP's refusal is shown and the code asked for again (a mistyped or
    /// expired code should not end the whole sign-in); a code from SESAME_SAML_OTP is not.
    fn one_time_code_again(&self, label: &str, message: &str) -> Result<Option<Secret>, IdpError> {
        if self.otp.is_some() || !self.interactive {
            return Ok(None);
        }
        eprintln!("The IdP refused the code: {message}");
        read_code(label).map(Some)
    }
}

/// A one-time code typed on the terminal.
fn read_code(label: &str) -> Result<Secret, IdpError> {
    inquire::Text::new(&format!("{label}:"))
        .prompt()
        .map(Secret::new)
        .map_err(|e| IdpError::Prompt(format!("no one-time code: {e}")))
}

/// A fuzzy picker over the roles, on the terminal: the one picker ([`crate::picker::pick`]),
/// which leaves nothing behind whatever ends it; Esc and Ctrl-C are an interruption (exit 130).
pub(crate) fn pick_role(roles: &[SamlRole]) -> Result<&SamlRole, CliError> {
    let labels: Vec<String> = roles
        .iter()
        .map(|r| format!("{}  {}  ({})", r.account_id(), r.role_name(), r.role_arn))
        .collect();
    let index = crate::picker::pick(
        "Role to assume:",
        labels,
        None,
        "name the role with --role ARN|NAME|GLOB",
    )?;
    Ok(&roles[index])
}
