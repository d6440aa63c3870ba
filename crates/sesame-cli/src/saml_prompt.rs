//! The terminal side of a SAML sign-in: the user name, the password (no echo), a one-time code,
//! and the role picker. Each has an environment variable for scripts, and each refuses to wait
//! for input that cannot come (stdin not a terminal).

use std::io::IsTerminal as _;

use sesame::Secret;
use sesame::env::Env;
use sesame::saml::SamlRole;
use sesame::saml::idp::{IdpError, IdpPrompt};

use crate::error::CliError;

/// Whether a person can answer: stdin and stderr are terminals.
pub(crate) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The user name: `--username` / `SESAME_SAML_USERNAME`, else asked for.
fn username(given: Option<&str>) -> Result<String, IdpError> {
    if let Some(u) = given.map(str::trim).filter(|u| !u.is_empty()) {
        return Ok(u.to_owned());
    }
    if !interactive() {
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

/// The password: `SESAME_SAML_PASSWORD`, else read from the terminal without echo.
fn password(env: &Env, username: &str) -> Result<Secret, IdpError> {
    if let Some(p) = env.var("SESAME_SAML_PASSWORD") {
        return Ok(Secret::new(p));
    }
    if !interactive() {
        return Err(IdpError::Prompt(
            "the IdP asks for a password and there is no terminal to type it (set \
             SESAME_SAML_PASSWORD)"
                .to_owned(),
        ));
    }
    rpassword::prompt_password(format!("Password for {username}: "))
        .map(Secret::new)
        .map_err(|e| IdpError::Prompt(format!("cannot read the password: {e}")))
}

/// Answers the IdP's questions: the flags and `SESAME_SAML_*` variables, else the terminal.
pub(crate) struct TerminalPrompt {
    username: Option<String>,
    env: Env,
    otp: Option<Secret>,
}

impl TerminalPrompt {
    pub(crate) fn new(env: &Env, username: Option<&str>) -> Self {
        Self {
            username: username.map(str::to_owned),
            env: env.clone(),
            otp: env.var("SESAME_SAML_OTP").map(Secret::new),
        }
    }
}

impl IdpPrompt for TerminalPrompt {
    fn username(&self) -> Result<String, IdpError> {
        username(self.username.as_deref())
    }

    fn password(&self, username: &str) -> Result<Secret, IdpError> {
        password(&self.env, username)
    }

    fn one_time_code(&self, label: &str) -> Result<Secret, IdpError> {
        if let Some(code) = &self.otp {
            return Ok(code.clone());
        }
        if !interactive() {
            return Err(IdpError::Prompt(format!(
                "the IdP asks for a one-time code (\"{label}\"), and there is no terminal to type \
                 it; set SESAME_SAML_OTP"
            )));
        }
        inquire::Text::new(&format!("{label}:"))
            .prompt()
            .map(Secret::new)
            .map_err(|e| IdpError::Prompt(format!("no one-time code: {e}")))
    }
}

/// A fuzzy picker over the roles, on the terminal.
pub(crate) fn pick_role(roles: &[SamlRole]) -> Result<&SamlRole, CliError> {
    let labels: Vec<String> = roles
        .iter()
        .map(|r| format!("{}  {}  ({})", r.account_id(), r.role_name(), r.role_arn))
        .collect();
    let chosen = inquire::Select::new("Role to assume:", labels.clone())
        .with_page_size(15)
        .prompt()
        .map_err(|e| CliError::user(anyhow::anyhow!("no role chosen: {e}")))?;
    let index = labels.iter().position(|l| *l == chosen).unwrap_or(0);
    Ok(&roles[index])
}
