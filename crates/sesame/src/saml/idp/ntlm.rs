//! AD FS Windows integrated authentication over NTLM (HTTP `WWW-Authenticate: NTLM`, RFC 4559
//! style), as the AD FS 2.0 blog's script does it with requests-ntlm: GET the IdP-initiated URL;
//! on `401` offering NTLM send a Negotiate message, answer the server's Challenge with an NTLMv2
//! Authenticate message, and read the `SAMLResponse` from the page that follows.
//!
//! NTLM authenticates the TCP connection, so the three requests must share one: reqwest's pool
//! reuses the idle keep-alive connection, as long as each answer's body is read in full first.
//! The messages are built and parsed by the `ntlmclient` crate (NTLMv2 only: no LM, no NTLMv1).
//!
//! With the `kerberos` feature, a `401` offering `Negotiate` is first answered with Kerberos
//! ([`super::kerberos`]): the user's ticket, no prompt. NTLM follows when that cannot be used.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ntlmclient::{
    ChallengeMessage, Credentials, Flags, Message, NegotiateMessage, TargetInfoEntry,
};
use url::Url;

use super::html::{self, Page};
use super::{IdpError, IdpPrompt, display_url, fetch};
use crate::Secret;

/// The workstation name sent (AD FS does not check it).
const WORKSTATION: &str = "SESAME";

pub(crate) async fn sign_in(
    client: &reqwest::Client,
    url: &Url,
    prompt: &dyn IdpPrompt,
) -> Result<Secret, IdpError> {
    let page = fetch(client.get(url.clone()), url).await?;
    if let Some(saml) = saml_of(&page) {
        return Ok(saml);
    }
    if page.status != 401 {
        return Err(not_ntlm(&page));
    }
    let why_not_kerberos = match kerberos_first(client, &page).await? {
        Ok(saml) => return Ok(saml),
        Err(why) => why,
    };
    if !offers(&page, "NTLM") {
        return Err(match why_not_kerberos {
            Some(reason) => IdpError::Kerberos {
                reason: format!("{reason}, and the IdP does not offer NTLM"),
            },
            None => IdpError::NoNtlm {
                url: display_url(&page.url),
                offered: schemes(&page),
            },
        });
    }
    // After redirects, the challenge belongs to the URL that answered 401.
    let target = page.url.clone();
    let full_name = prompt.username()?;
    let password = prompt.password(&full_name)?;
    let (username, domain) = split_user(&full_name);
    let creds = Credentials {
        username,
        password: password.expose().to_owned(),
        domain,
    };

    let negotiate = Message::Negotiate(NegotiateMessage {
        flags: flags(),
        supplied_domain: String::new(),
        supplied_workstation: String::new(),
        os_version: Default::default(),
    });
    let page = fetch(
        client
            .get(target.clone())
            .header(reqwest::header::AUTHORIZATION, header(&negotiate)?),
        &target,
    )
    .await?;
    let challenge = challenge_of(&page)?;

    let target_info: Vec<u8> = challenge
        .target_information
        .iter()
        .flat_map(TargetInfoEntry::to_bytes)
        .collect();
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        &creds,
    );
    let authenticate = response.to_message(&creds, WORKSTATION, flags());
    let page = fetch(
        client
            .get(target.clone())
            .header(reqwest::header::AUTHORIZATION, header(&authenticate)?),
        &target,
    )
    .await?;
    if page.status == 401 {
        return Err(IdpError::NtlmRefused);
    }
    let saml = saml_of(&page).ok_or_else(|| not_ntlm(&page))?;
    tracing::info!("signed in to the IdP with NTLM as {full_name}");
    Ok(saml)
}

/// Kerberos (SPNEGO) when the `401` offers `Negotiate` and this build has the `kerberos`
/// feature: `Ok(Ok(saml))` when it signed in, `Ok(Err(why))` to go on with NTLM (`why` is set
/// when Kerberos was tried and could not be used).
#[cfg(feature = "kerberos")]
async fn kerberos_first(
    client: &reqwest::Client,
    page: &Page,
) -> Result<Result<Secret, Option<String>>, IdpError> {
    use super::kerberos::{Attempt, attempt};
    if !offers(page, "Negotiate") {
        return Ok(Err(None));
    }
    match attempt(client, &page.url).await? {
        Attempt::Accepted {
            page,
            principal,
            mutual,
        } => {
            let saml = saml_of(&page).ok_or_else(|| not_ntlm(&page))?;
            let proof = if mutual {
                "the IdP proved its identity (mutual authentication)"
            } else {
                "the IdP sent no mutual-authentication token"
            };
            tracing::info!("signed in to the IdP with Kerberos (SPNEGO) as {principal}; {proof}");
            Ok(Ok(saml))
        }
        Attempt::Unavailable(reason) => {
            tracing::info!("Kerberos not used: {reason}; trying NTLM");
            Ok(Err(Some(reason)))
        }
    }
}

/// Without the `kerberos` feature: NTLM only.
#[cfg(not(feature = "kerberos"))]
async fn kerberos_first(
    _client: &reqwest::Client,
    page: &Page,
) -> Result<Result<Secret, Option<String>>, IdpError> {
    if offers(page, "Negotiate") {
        tracing::debug!(
            "the IdP offers Negotiate (Kerberos); this sesame is built without the `kerberos` feature, so NTLM is used"
        );
    }
    Ok(Err(None))
}

fn flags() -> Flags {
    Flags::NEGOTIATE_UNICODE
        | Flags::REQUEST_TARGET
        | Flags::NEGOTIATE_NTLM
        | Flags::NEGOTIATE_ALWAYS_SIGN
        | Flags::NEGOTIATE_NTLM2_KEY
        | Flags::NEGOTIATE_TARGET_INFO
        | Flags::NEGOTIATE_128BIT
}

fn header(message: &Message) -> Result<String, IdpError> {
    let bytes = message.to_bytes().map_err(|e| IdpError::Ntlm {
        reason: format!("cannot build the NTLM message: {e:?}"),
    })?;
    Ok(format!("NTLM {}", STANDARD.encode(bytes)))
}

/// The Challenge message of a `401` answer's `WWW-Authenticate: NTLM <base64>`.
fn challenge_of(page: &Page) -> Result<ChallengeMessage, IdpError> {
    let token = page.auth_token("NTLM").ok_or_else(|| IdpError::Ntlm {
        reason: format!(
            "the IdP answered HTTP {} without an NTLM challenge",
            page.status
        ),
    })?;
    let bytes = STANDARD.decode(token).map_err(|_| IdpError::Ntlm {
        reason: "the IdP's NTLM challenge is not base64".to_owned(),
    })?;
    match Message::try_from(bytes.as_slice()) {
        Ok(Message::Challenge(c)) => Ok(c),
        Ok(_) => Err(IdpError::Ntlm {
            reason: "the IdP sent an NTLM message that is not a challenge".to_owned(),
        }),
        Err(e) => Err(IdpError::Ntlm {
            reason: format!("the IdP's NTLM challenge is malformed ({e:?})"),
        }),
    }
}

/// `DOMAIN\user` → (`user`, `DOMAIN`); `user@example.com` stays whole with no domain (a UPN).
fn split_user(username: &str) -> (String, String) {
    match username.split_once('\\') {
        Some((domain, user)) => (user.to_owned(), domain.to_owned()),
        None => (username.to_owned(), String::new()),
    }
}

fn offers(page: &Page, scheme: &str) -> bool {
    page.authenticate.iter().any(|h| {
        h.split_whitespace()
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    })
}

fn schemes(page: &Page) -> String {
    let list: Vec<&str> = page
        .authenticate
        .iter()
        .filter_map(|h| h.split_whitespace().next())
        .collect();
    if list.is_empty() {
        "nothing".to_owned()
    } else {
        list.join(", ")
    }
}

pub(super) fn saml_of(page: &Page) -> Option<Secret> {
    (page.status < 400)
        .then(|| html::saml_response(&page.parse()))
        .flatten()
        .map(Secret::new)
}

fn not_ntlm(page: &Page) -> IdpError {
    if page.status >= 400 {
        return IdpError::Status {
            url: display_url(&page.url),
            status: page.status,
            message: html::error_text(&page.parse()),
        };
    }
    let doc = page.parse();
    if html::forms(&doc, &page.url)
        .iter()
        .any(|f| f.password_field().is_some())
    {
        return IdpError::Ntlm {
            reason: format!(
                "{} serves a login form, not Windows authentication; use `--provider adfs`",
                display_url(&page.url)
            ),
        };
    }
    IdpError::Unrecognized {
        url: display_url(&page.url),
        title: html::title(&doc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert_eq!(split_user("ACME\\alice"), ("alice".into(), "ACME".into()));
        assert_eq!(
            split_user("alice@acme.test"),
            ("alice@acme.test".into(), String::new())
        );
    }
}
