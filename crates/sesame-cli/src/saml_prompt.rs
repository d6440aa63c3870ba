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

/// A fuzzy picker over the roles, on the terminal. It draws on the terminal's alternate screen,
/// as full-screen pickers do, so that whatever ends it (a choice, Esc, Ctrl-C) the list leaves
/// nothing behind: the terminal is as it was, plus one line saying what was chosen. Ctrl-C is
/// an interruption (exit 130), as everywhere in sesame.
pub(crate) fn pick_role(roles: &[SamlRole]) -> Result<&SamlRole, CliError> {
    const PROMPT: &str = "Role to assume:";
    let labels: Vec<String> = roles
        .iter()
        .map(|r| format!("{}  {}  ({})", r.account_id(), r.role_name(), r.role_arn))
        .collect();
    // The picker's key reader (the `console` crate) answers Ctrl-C by raising SIGINT, which
    // would kill sesame on the alternate screen: a handler is installed first, so the reader
    // returns an interruption instead and the screen is left.
    let interrupts = Interrupts::catch();
    let chosen = {
        let _screen = AlternateScreen::enter();
        inquire::Select::new(PROMPT, labels.clone())
            .with_page_size(15)
            .prompt()
    };
    interrupts.end_with_exit();
    let interrupted = |e: &inquire::InquireError| match e {
        inquire::InquireError::OperationInterrupted => true,
        inquire::InquireError::IO(io) => io.kind() == std::io::ErrorKind::Interrupted,
        _ => false,
    };
    match chosen {
        Ok(chosen) => {
            eprintln!("{PROMPT} {chosen}");
            let index = labels.iter().position(|l| *l == chosen).unwrap_or(0);
            Ok(&roles[index])
        }
        Err(e) if interrupted(&e) => Err(CliError::with_code(
            anyhow::anyhow!("no role chosen: interrupted"),
            130,
        )),
        Err(e) => Err(CliError::user(anyhow::anyhow!("no role chosen: {e}"))
            .hint("pass --role ARN|NAME|GLOB to choose without the picker")),
    }
}

/// SIGINT caught (through tokio, whose handler stays installed once there is one) while the
/// picker runs.
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn catch() -> Self {
        Interrupts {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        }
    }

    /// From here on, Ctrl-C ends sesame with exit 130, as the default action would have
    /// (tokio's handler does not give the default back).
    fn end_with_exit(self) {
        #[cfg(unix)]
        if let Some(mut signal) = self.signal {
            tokio::spawn(async move {
                if signal.recv().await.is_some() {
                    std::process::exit(130);
                }
            });
        }
    }
}

/// The terminal's alternate screen (xterm's mode 1049, which every terminal emulator in use
/// has) while it lives: leaving it restores the screen as it was before, cursor included.
struct AlternateScreen;

impl AlternateScreen {
    fn enter() -> Self {
        use std::io::Write as _;
        let mut err = std::io::stderr();
        let _ = write!(err, "\x1b[?1049h").and_then(|()| err.flush());
        AlternateScreen
    }
}

impl Drop for AlternateScreen {
    fn drop(&mut self) {
        use std::io::Write as _;
        let mut err = std::io::stderr();
        let _ = write!(err, "\x1b[?1049l").and_then(|()| err.flush());
    }
}
