//! Windows integrated authentication with NTLM (MS-NLMP), as IIS does it in front of AD FS:
//! a connection-bound Negotiate / Challenge / Authenticate exchange in `Authorization` and
//! `WWW-Authenticate` headers. The Authenticate message's NTLMv2 response is verified properly:
//! the NTLMv2 key from the user's password (MD4 NT hash, then HMAC-MD5 over the upper-cased user
//! and the domain) and the HMAC-MD5 proof over the server challenge and the client's blob.
//! Messages are parsed with `ntlmclient`; the Challenge is built here byte by byte.
//!
//! With the `kerberos` feature, a `Negotiate` token that is not NTLMSSP is a Kerberos (SPNEGO)
//! token and goes to [`super::kerberos`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use md5::Md5;
use ntlmclient::{AuthenticateMessage, Credentials, Message};

use super::{Idp, connection_id, relying_party_error};
use crate::server::Connection;

/// NEGOTIATE_UNICODE | REQUEST_TARGET | NEGOTIATE_NTLM | ALWAYS_SIGN | TARGET_TYPE_DOMAIN |
/// EXTENDED_SESSIONSECURITY | TARGET_INFO | VERSION | 128 | 56.
const CHALLENGE_FLAGS: u32 = 0x0000_0001
    | 0x0000_0004
    | 0x0000_0200
    | 0x0000_8000
    | 0x0001_0000
    | 0x0008_0000
    | 0x0080_0000
    | 0x0200_0000
    | 0x2000_0000
    | 0x8000_0000;

/// `GET /adfs/ls/auth/integrated/`.
pub(super) async fn integrated(
    State(idp): State<Arc<Idp>>,
    info: ConnectInfo<Connection>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = relying_party_error(&params) {
        return r;
    }
    let conn = connection_id(&info);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("NTLM") || scheme.eq_ignore_ascii_case("Negotiate")
        })
        .and_then(|(_, t)| STANDARD.decode(t.trim()).ok());
    let Some(bytes) = token else {
        return unauthorized(&["Negotiate", "NTLM"]);
    };
    #[cfg(feature = "kerberos")]
    if !bytes.starts_with(b"NTLMSSP\0") {
        return kerberos(&idp, bytes).await;
    }
    // A NEGOTIATE_MESSAGE is recognised by its signature and type alone: ntlmclient's parser
    // wants 44 bytes where MS-NLMP's minimal message (no version) has 40.
    let negotiate =
        bytes.len() >= 32 && bytes.starts_with(b"NTLMSSP\0") && bytes[8..12] == [1, 0, 0, 0];
    let message = if negotiate {
        None
    } else {
        Message::try_from(bytes.as_slice()).ok()
    };
    match message {
        None if negotiate => {
            let challenge: [u8; 8] = std::array::from_fn(|_| fastrand::u8(..));
            idp.challenges
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(conn, challenge);
            let message = challenge_message(&idp.config.domain, challenge);
            let value = format!("NTLM {}", STANDARD.encode(message));
            unauthorized(&[&value])
        }
        Some(Message::Authenticate(auth)) => {
            let challenge = idp
                .challenges
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&conn);
            match challenge.and_then(|c| verify(&idp, &auth, c)) {
                Some(user) => idp.saml_page(user),
                None => unauthorized(&["Negotiate", "NTLM"]),
            }
        }
        // A Kerberos SPNEGO token without the `kerberos` feature, or garbage: start over.
        _ => unauthorized(&["Negotiate", "NTLM"]),
    }
}

/// A Kerberos (SPNEGO) token: accepted with the keytab, mapped to a user, answered with the
/// `SAMLResponse` page and the mutual-authentication token; anything else is a `401`.
#[cfg(feature = "kerberos")]
async fn kerberos(idp: &Idp, token: Vec<u8>) -> Response {
    let accepted = tokio::task::spawn_blocking(move || super::kerberos::accept(&token)).await;
    let accepted = match accepted {
        Ok(Ok(a)) => a,
        Ok(Err(reason)) => {
            tracing::info!("Kerberos token refused: {reason}");
            return unauthorized(&["Negotiate", "NTLM"]);
        }
        Err(_) => return unauthorized(&["Negotiate", "NTLM"]),
    };
    let user = idp
        .index_of(&accepted.principal)
        .filter(|&i| !idp.user(i).locked);
    let Some(user) = user else {
        tracing::info!(
            "Kerberos principal {} is not a user who may sign in",
            accepted.principal
        );
        return unauthorized(&["Negotiate", "NTLM"]);
    };
    tracing::info!("Kerberos: signed in {}", accepted.principal);
    let mut response = idp.saml_page(user);
    let token = match idp.config.kerberos_answer {
        crate::KerberosAnswer::Mutual => accepted.token,
        crate::KerberosAnswer::None => None,
        crate::KerberosAnswer::Forged => accepted.token.map(|mut t| {
            if let Some(last) = t.last_mut() {
                *last ^= 0x5a;
            }
            t
        }),
    };
    if let Some(v) = token.and_then(|t| format!("Negotiate {}", STANDARD.encode(t)).parse().ok()) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

fn unauthorized(schemes: &[&str]) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head><body><h2>401 - Unauthorized</h2></body></html>",
    )
        .into_response();
    for s in schemes {
        if let Ok(v) = s.parse() {
            response.headers_mut().append(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}

/// The user the Authenticate message proves to be, if the NTLMv2 proof checks out.
fn verify(idp: &Idp, auth: &AuthenticateMessage, challenge: [u8; 8]) -> Option<usize> {
    let response = &auth.ntlm_response;
    // NTProofStr (16) + the blob's fixed part (28): anything shorter is NTLMv1 or junk.
    if response.len() < 16 + 28 {
        return None;
    }
    let name = if auth.domain_name.is_empty() {
        auth.user_name.clone()
    } else {
        format!("{}\\{}", auth.domain_name, auth.user_name)
    };
    let index = idp.index_of(&name)?;
    let user = idp.user(index);
    if user.locked {
        return None;
    }
    let key = ntlmclient::ntlm_v2_password_func(&Credentials {
        username: auth.user_name.clone(),
        password: user.password.clone(),
        domain: auth.domain_name.clone(),
    });
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(&key).ok()?;
    mac.update(&challenge);
    mac.update(&response[16..]);
    mac.verify_slice(&response[..16]).ok()?;
    Some(index)
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn av_pair(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
}

/// A CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): header, flags, challenge, target name and target
/// info (domain and server names, a timestamp, the end marker).
fn challenge_message(domain: &str, challenge: [u8; 8]) -> Vec<u8> {
    let target_name = utf16(domain);
    let mut info = Vec::new();
    av_pair(&mut info, 2, &utf16(domain));
    av_pair(&mut info, 1, &utf16("ADFS"));
    av_pair(
        &mut info,
        4,
        &utf16(&format!("{}.test", domain.to_lowercase())),
    );
    av_pair(
        &mut info,
        3,
        &utf16(&format!("adfs.{}.test", domain.to_lowercase())),
    );
    let filetime = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() / 100)
        .unwrap_or(0) as u64)
        + 116_444_736_000_000_000;
    av_pair(&mut info, 7, &filetime.to_le_bytes());
    av_pair(&mut info, 0, &[]);

    const HEADER: u32 = 56;
    let mut m = Vec::with_capacity(HEADER as usize + target_name.len() + info.len());
    m.extend_from_slice(b"NTLMSSP\0");
    m.extend_from_slice(&2u32.to_le_bytes());
    m.extend_from_slice(&(target_name.len() as u16).to_le_bytes());
    m.extend_from_slice(&(target_name.len() as u16).to_le_bytes());
    m.extend_from_slice(&HEADER.to_le_bytes());
    m.extend_from_slice(&CHALLENGE_FLAGS.to_le_bytes());
    m.extend_from_slice(&challenge);
    m.extend_from_slice(&[0; 8]);
    m.extend_from_slice(&(info.len() as u16).to_le_bytes());
    m.extend_from_slice(&(info.len() as u16).to_le_bytes());
    m.extend_from_slice(&(HEADER + target_name.len() as u32).to_le_bytes());
    // Version: Windows Server 2016 (10.0.14393), NTLM revision 15.
    m.extend_from_slice(&[10, 0]);
    m.extend_from_slice(&14393u16.to_le_bytes());
    m.extend_from_slice(&[0, 0, 0, 15]);
    m.extend_from_slice(&target_name);
    m.extend_from_slice(&info);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntlmclient_reads_the_challenge() {
        let bytes = challenge_message("ACME", [1, 2, 3, 4, 5, 6, 7, 8]);
        let Ok(Message::Challenge(c)) = Message::try_from(bytes.as_slice()) else {
            panic!("not a challenge");
        };
        assert_eq!(c.challenge, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.target_name, "ACME");
        assert_eq!(c.target_information.len(), 6);
    }
}
