//! The secrets of a server: its bearer token (the container endpoint's `Authorization` value) and
//! the IMDSv2 session tokens it issues, both checked in constant time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use subtle::ConstantTimeEq as _;

use crate::secret::Secret;

/// A fresh random bearer token: 32 bytes from the OS (256 bits), URL-safe base64, so it is a
/// legal header value and a single shell word.
pub(crate) fn bearer_token() -> Secret {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    Secret::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `given` (a header's bytes) is `expected`, in time independent of where they differ.
pub(crate) fn matches(given: &[u8], expected: &Secret) -> bool {
    given.ct_eq(expected.expose().as_bytes()).into()
}

/// The longest IMDSv2 session a client may ask for, as IMDS: six hours.
pub(crate) const MAX_IMDS_TTL: u32 = 21_600;

/// Issues and checks IMDSv2 session tokens without keeping them: a token is its expiry and an
/// HMAC-SHA256 of it under a key drawn at start, so a flood of `PUT /latest/api/token` costs no
/// memory and a server's tokens mean nothing to another server.
pub(crate) struct ImdsTokens {
    key: ring::hmac::Key,
}

impl ImdsTokens {
    pub(crate) fn new() -> ImdsTokens {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        ImdsTokens {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &bytes),
        }
    }

    /// A token valid for `ttl` seconds from `now`.
    pub(crate) fn issue(&self, now: Timestamp, ttl: u32) -> String {
        let expires = (now.as_second() + i64::from(ttl)).to_be_bytes();
        let tag = ring::hmac::sign(&self.key, &expires);
        let mut raw = expires.to_vec();
        raw.extend_from_slice(tag.as_ref());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Whether `token` was issued by this server and has not expired at `now`.
    pub(crate) fn valid(&self, token: &[u8], now: Timestamp) -> bool {
        let Ok(raw) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        if raw.len() != 8 + 32 {
            return false;
        }
        let (expires, tag) = raw.split_at(8);
        if ring::hmac::verify(&self.key, expires, tag).is_err() {
            return false;
        }
        let expires = i64::from_be_bytes(expires.try_into().expect("8 bytes"));
        now.as_second() < expires
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_fresh_and_compared_exactly() {
        let a = bearer_token();
        let b = bearer_token();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert!(matches(a.expose().as_bytes(), &a));
        assert!(!matches(b.expose().as_bytes(), &a));
        assert!(!matches(b"", &a));
        assert!(!matches(&a.expose().as_bytes()[..42], &a));
        let mut longer = a.expose().as_bytes().to_vec();
        longer.push(b'\n');
        assert!(!matches(&longer, &a));
    }

    #[test]
    fn imds_tokens_expire_and_belong_to_their_server() {
        let now = crate::time::now();
        let tokens = ImdsTokens::new();
        let t = tokens.issue(now, 60);
        assert!(tokens.valid(t.as_bytes(), now));
        assert!(tokens.valid(t.as_bytes(), now + jiff::SignedDuration::from_secs(59)));
        assert!(!tokens.valid(t.as_bytes(), now + jiff::SignedDuration::from_secs(60)));
        assert!(!ImdsTokens::new().valid(t.as_bytes(), now));
        assert!(!tokens.valid(b"not-a-token", now));
        let mut forged = URL_SAFE_NO_PAD.decode(&t).unwrap();
        forged[7] ^= 1;
        assert!(!tokens.valid(URL_SAFE_NO_PAD.encode(forged).as_bytes(), now));
    }
}
