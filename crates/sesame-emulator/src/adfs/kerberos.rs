//! Windows integrated authentication with Kerberos, as IIS does it in front of AD FS: the
//! client's `Authorization: Negotiate <SPNEGO token>` is accepted by the system GSSAPI (MIT or
//! Heimdal, through the `libgssapi` crate) with the service keys of the keytab named by
//! `KRB5_KTNAME` (`HTTP/<host>@REALM`, from `kadmin ktadd`), exactly as a real Kerberos service
//! does. The client principal (`alice@ACME.TEST`) is the user whose UPN it is (`alice@acme.test`,
//! any case). Only with the `kerberos` feature.

use libgssapi::context::{SecurityContext as _, ServerCtx};

/// A token the GSSAPI accepted.
#[derive(Debug)]
pub(super) struct Accepted {
    /// The client principal, `user@REALM`.
    pub(super) principal: String,
    /// The answer for the client (mutual authentication), if the mechanism made one.
    pub(super) token: Option<Vec<u8>>,
}

/// Accepts a SPNEGO (or raw Kerberos) initial token in one step; a mechanism that wants more
/// round trips is refused (Kerberos needs one).
pub(super) fn accept(token: &[u8]) -> Result<Accepted, String> {
    let mut ctx = ServerCtx::new(None);
    let answer = ctx.step(token, None).map_err(|e| {
        e.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    if !ctx.is_complete() {
        return Err("the security context needs more than one round trip".to_owned());
    }
    let principal = ctx
        .source_name()
        .and_then(|n| n.display_name())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| e.to_string())?;
    Ok(Accepted {
        principal,
        token: answer.map(|b| b.to_vec()),
    })
}
