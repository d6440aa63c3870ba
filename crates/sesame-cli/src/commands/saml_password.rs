//! The SAML password in the OS keyring, as the commands use it: stored after a successful
//! sign-in with `--remember-password`, removed when the IdP refuses it, and removed by
//! `sesame saml forget` (which also drops the IdP's kept session cookies).

use std::process::ExitCode;

use sesame::saml::idp::{IdpError, SessionCookies};
use url::Url;

use crate::context::Context;
use crate::error::CliError;
use crate::saml_keyring::{self, KeyringError, PasswordEntry, persistence, store_name};
use crate::saml_prompt::{PasswordSource, UsedPassword};

/// `--remember-password` without a usable keyring: refused before anything is asked or changed.
pub(crate) fn unavailable(e: KeyringError) -> CliError {
    let hint = if cfg!(target_os = "linux") {
        "run without --remember-password (type the password, or set SESAME_SAML_PASSWORD); in a \
         container, the seccomp profile must allow the add_key and keyctl system calls"
    } else {
        "run without --remember-password (type the password, or set SESAME_SAML_PASSWORD)"
    };
    CliError::user(anyhow::anyhow!(
        "--remember-password needs the OS keyring, and {} is not usable here: {e}",
        store_name()
    ))
    .hint(hint)
}

/// The IdP refused the password taken from the keyring: it is removed, and the error says so.
pub(crate) fn refused(used: &UsedPassword, e: &IdpError) -> CliError {
    let who = used.entry.describe();
    match used.entry.delete() {
        Ok(_) => CliError::user(anyhow::anyhow!(
            "the IdP refused the password of {who} stored in {} ({e}); it has been removed \
             from the keyring",
            store_name()
        ))
        .hint(
            "run the command again and type the current password (or set SESAME_SAML_PASSWORD), \
             with --remember-password to store it; a locked account needs the IdP's administrators",
        ),
        Err(d) => CliError::user(anyhow::anyhow!(
            "the IdP refused the password of {who} stored in {} ({e}), and removing it failed: {d}",
            store_name()
        ))
        .hint("remove it with `sesame saml forget --idp-url URL --username USER`"),
    }
}

/// After a successful command: stores the password the sign-in used, if the user asked.
pub(crate) fn remember(asked: bool, used: Option<UsedPassword>) -> Result<(), CliError> {
    if !asked {
        return Ok(());
    }
    let Some(used) = used else {
        eprintln!(
            "note: the IdP's kept session signed you in without a password, so none was stored; \
             run with --fresh --remember-password to store it."
        );
        return Ok(());
    };
    let who = used.entry.describe();
    if used.source == PasswordSource::Keyring {
        eprintln!("The password of {who} stays in {}.", store_name());
        return Ok(());
    }
    used.entry.set(&used.password).map_err(|e| {
        CliError::user(anyhow::anyhow!(
            "the sign-in succeeded, but the password of {who} could not be stored in {}: {e}",
            store_name()
        ))
        .hint("the next sign-in will ask for the password; run without --remember-password")
    })?;
    eprintln!(
        "Stored the password of {who} in {} ({}); `sesame saml forget` removes it.",
        store_name(),
        persistence()
    );
    Ok(())
}

/// `sesame saml forget`: the stored password of `username` at the IdP, and its session cookies.
pub(crate) fn forget(
    ctx: &Context,
    url: &Url,
    username: Option<&str>,
) -> Result<ExitCode, CliError> {
    let Some(username) = username.map(str::trim).filter(|u| !u.is_empty()) else {
        return Err(CliError::user(anyhow::anyhow!("no user name was given")).hint(
            "pass --username USER as given to `sesame saml login` (or set SESAME_SAML_USERNAME)",
        ));
    };
    let entry = PasswordEntry::new(&url.origin().ascii_serialization(), username);
    let who = entry.describe();
    match saml_keyring::probe() {
        Err(e) => eprintln!(
            "No password is stored: {} is not usable here ({e}).",
            store_name()
        ),
        Ok(()) => match entry.delete() {
            Ok(true) => eprintln!("Removed the password of {who} from {}.", store_name()),
            Ok(false) => eprintln!("No password of {who} was stored in {}.", store_name()),
            Err(e) => {
                return Err(CliError::user(anyhow::anyhow!(
                    "cannot remove the password of {who} from {}: {e}",
                    store_name()
                ))
                .hint("check that the OS keyring is unlocked, then run the command again"));
            }
        },
    }
    let jar = SessionCookies::path_for(&ctx.env, url, Some(username));
    match std::fs::remove_file(&jar) {
        Ok(()) => eprintln!(
            "Removed the IdP's kept session cookies ({}).",
            jar.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(CliError::user(anyhow::anyhow!(
                "cannot remove the IdP's session cookies {}: {e}",
                jar.display()
            ))
            .hint("remove the file by hand"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
