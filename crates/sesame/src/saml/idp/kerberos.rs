//! AD FS Windows integrated authentication with Kerberos: HTTP `Negotiate` (RFC 4559) carrying
//! a SPNEGO token for the service `HTTP@<idp host>`, made by the system GSSAPI (MIT or Heimdal,
//! through the `libgssapi` crate) from the user's Kerberos ticket cache — the ticket `kinit` or
//! the desktop sign-in got, so nothing is asked for. Only with the `kerberos` feature.
//!
//! One round trip: the IdP accepts the ticket and answers the `SAMLResponse` page, usually with a
//! `WWW-Authenticate: Negotiate <token>` that proves it holds the service key (mutual
//! authentication); that token is checked when it is there, and a bad one fails the sign-in.
//! Anything short of that (no ticket, no KDC, no such service principal, the IdP refusing the
//! ticket) is [`Attempt::Unavailable`] with the reason, and the caller falls back to NTLM.
//!
//! Why the system GSSAPI and not a pure-Rust Kerberos (`sspi`): only the system library reads
//! the ticket cache `kinit` and desktop sign-ins fill (`KRB5CCNAME`, KCM, keyring), which is the
//! point of Kerberos here (no password); `sspi` would need the password and its own KDC exchange.
//! Unix only (`libgssapi` refuses Windows, where SSPI is the native path).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libgssapi::context::{ClientCtx, CtxFlags};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::name::Name;
use libgssapi::oid::{GSS_MECH_SPNEGO, GSS_NT_HOSTBASED_SERVICE};
use url::Url;

use super::IdpError;
use super::html::Page;

/// What a Kerberos attempt came to.
pub(super) enum Attempt {
    /// The IdP accepted the ticket: the page that followed.
    Accepted {
        /// The page (the `SAMLResponse`, or whatever the IdP served).
        page: Page,
        /// The client principal (`alice@EXAMPLE.COM`).
        principal: String,
        /// Whether the IdP's mutual-authentication token was there and checked.
        mutual: bool,
    },
    /// Kerberos cannot be used here; why, for `-v`.
    Unavailable(String),
}

/// The context after its first step: the token to send, and who it speaks for.
struct Started {
    ctx: ClientCtx,
    token: Vec<u8>,
    principal: String,
}

/// The GSSAPI service name of the IdP at `url`: `HTTP@host`.
pub(super) fn service_name(url: &Url) -> Option<String> {
    url.host_str()
        .map(|h| format!("HTTP@{}", h.trim_start_matches('[').trim_end_matches(']')))
}

/// Tries Kerberos at `target` (the URL that answered `401 Negotiate`).
pub(super) async fn attempt(client: &reqwest::Client, target: &Url) -> Result<Attempt, IdpError> {
    let Some(service) = service_name(target) else {
        return Ok(Attempt::Unavailable("the IdP URL has no host name".into()));
    };
    // gss_init_sec_context may ask the KDC for a service ticket: blocking network I/O.
    let started = {
        let service = service.clone();
        tokio::task::spawn_blocking(move || start(&service))
            .await
            .map_err(|e| IdpError::Kerberos {
                reason: format!("the GSSAPI call did not finish: {e}"),
            })?
    };
    let Started {
        mut ctx,
        token,
        principal,
    } = match started {
        Ok(s) => s,
        Err(reason) => return Ok(Attempt::Unavailable(reason)),
    };
    tracing::debug!("sending a Kerberos (SPNEGO) token for {service} as {principal}");
    let request = client.get(target.clone()).header(
        reqwest::header::AUTHORIZATION,
        format!("Negotiate {}", STANDARD.encode(&token)),
    );
    let page = super::fetch(request, target).await?;
    if page.status == 401 {
        return Ok(Attempt::Unavailable(format!(
            "the IdP refused the Kerberos ticket of {principal} for {service}"
        )));
    }
    let mutual = match negotiate_token(&page)? {
        Some(answer) => {
            ctx.step(Some(&answer), None)
                .map_err(|e| IdpError::MutualAuthentication {
                    service: service.clone(),
                    reason: crate::one_line(&e),
                })?;
            true
        }
        None => false,
    };
    Ok(Attempt::Accepted {
        page,
        principal,
        mutual,
    })
}

/// Acquires the default initiator credentials (the ticket cache) and makes the first SPNEGO
/// token for `service`.
fn start(service: &str) -> Result<Started, String> {
    let cred = Cred::acquire(None, None, CredUsage::Initiate, None)
        .map_err(|e| format!("no Kerberos credentials ({})", crate::one_line(&e)))?;
    let principal = cred
        .name()
        .and_then(|n| n.display_name())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("no Kerberos credentials ({})", crate::one_line(&e)))?;
    let target = Name::new(service.as_bytes(), Some(GSS_NT_HOSTBASED_SERVICE)).map_err(|e| {
        format!(
            "the service name {service} is not valid ({})",
            crate::one_line(&e)
        )
    })?;
    let mut ctx = ClientCtx::new(
        Some(cred),
        target,
        CtxFlags::GSS_C_MUTUAL_FLAG | CtxFlags::GSS_C_SEQUENCE_FLAG,
        Some(GSS_MECH_SPNEGO),
    );
    let token = ctx
        .step(None, None)
        .map_err(|e| format!("no Kerberos ticket for {service} ({})", crate::one_line(&e)))?
        .ok_or_else(|| "the GSSAPI made no token".to_owned())?;
    Ok(Started {
        ctx,
        token: token.to_vec(),
        principal,
    })
}

/// The token of a `WWW-Authenticate: Negotiate <base64>` header, if any.
fn negotiate_token(page: &Page) -> Result<Option<Vec<u8>>, IdpError> {
    let Some(token) = page.auth_token("Negotiate") else {
        return Ok(None);
    };
    STANDARD
        .decode(token)
        .map(Some)
        .map_err(|_| IdpError::Kerberos {
            reason: "the IdP's Negotiate answer is not base64".to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        let url = Url::parse("https://adfs.example.com/adfs/ls/auth/integrated/").unwrap();
        assert_eq!(service_name(&url).unwrap(), "HTTP@adfs.example.com");
        let url = Url::parse("http://localhost:8443/x").unwrap();
        assert_eq!(service_name(&url).unwrap(), "HTTP@localhost");
    }
}
