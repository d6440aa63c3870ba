//! DPoP proofs (RFC 9449) with the P-256 key an `aws login` session is bound to, as the AWS
//! CLI v2 builds them (`botocore.utils.build_dpop_header`): a JWT whose header is
//! `{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":..,"y":..,"crv":"P-256"}}` and payload
//! `{"htm":"POST","htu":URL,"iat":SECONDS,"jti":UUID}`, signed ES256 (r‖s, 64 bytes).
//!
//! The key is stored in the cache as the CLI writes it: a SEC1 `EC PRIVATE KEY` PEM (awscrt's
//! export: version 1, the 32-byte scalar, the prime256v1 OID, the public point). ring signs
//! with the scalar and the public point, so the SEC1 structure is read (and written) here by
//! hand: it is one fixed DER layout, and ring is already how sesame does TLS and SAML crypto.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// The DER of OID 1.2.840.10045.3.1.7 (prime256v1).
const P256_OID: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// A P-256 key that signs DPoP proofs.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    scalar: [u8; 32],
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(<redacted>)")
    }
}

/// One DER element: (tag, contents, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = match len {
        l if l < 0x80 => (usize::from(l), rest),
        0x81 => (usize::from(*rest.first()?), &rest[1..]),
        _ => return None,
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

impl DpopKey {
    /// A new random key (for a new sign-in).
    pub fn generate() -> Result<DpopKey, String> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "cannot generate a P-256 key".to_owned())?;
        // ring's PKCS#8 holds an ECPrivateKey whose scalar is the first 32-byte OCTET STRING
        // after `04 20`.
        let doc = pkcs8.as_ref();
        let at = doc
            .windows(2)
            .position(|w| w == [0x04, 0x20])
            .ok_or("an unexpected PKCS#8 layout")?;
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(&doc[at + 2..at + 34]);
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc, &rng)
            .map_err(|e| format!("cannot use the new key ({e})"))?;
        Ok(DpopKey { pair, scalar })
    }

    /// The key of a cached `dpopKey` (SEC1 PEM).
    pub fn from_sec1_pem(pem: &str) -> Result<DpopKey, String> {
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("");
        let bytes = B64
            .decode(body.trim())
            .map_err(|_| "it is not base64 PEM".to_owned())?;
        let bad = || "it is not a SEC1 P-256 private key".to_owned();
        let (tag, seq, _) = der(&bytes).ok_or_else(bad)?;
        if tag != 0x30 {
            return Err(bad());
        }
        let (tag, version, rest) = der(seq).ok_or_else(bad)?;
        if tag != 0x02 || version != [1] {
            return Err(bad());
        }
        let (tag, short, mut rest) = der(rest).ok_or_else(bad)?;
        // awscrt drops the scalar's leading zero bytes (one key in ~256): pad it back.
        if tag != 0x04 || short.is_empty() || short.len() > 32 {
            return Err(bad());
        }
        let mut padded = [0u8; 32];
        padded[32 - short.len()..].copy_from_slice(short);
        let scalar = &padded[..];
        let mut public = None;
        while !rest.is_empty() {
            let (tag, contents, next) = der(rest).ok_or_else(bad)?;
            match tag {
                0xa0 if contents != P256_OID => {
                    return Err("the key is not on the P-256 curve".to_owned());
                }
                // BIT STRING: no unused bits, then the uncompressed point.
                0xa1 => {
                    let (t, bits, _) = der(contents).ok_or_else(bad)?;
                    if t != 0x03 || bits.len() != 66 || bits[0] != 0 || bits[1] != 4 {
                        return Err(bad());
                    }
                    public = Some(&bits[1..]);
                }
                _ => {}
            }
            rest = next;
        }
        let public = public.ok_or("the key has no public point")?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            scalar,
            public,
            &SystemRandom::new(),
        )
        .map_err(|_| "its private and public halves do not match".to_owned())?;
        Ok(DpopKey {
            pair,
            scalar: padded,
        })
    }

    /// The key as the AWS CLI v2 caches it: SEC1 DER in a PEM with 64-character lines.
    pub fn to_sec1_pem(&self) -> String {
        let public = self.pair.public_key().as_ref();
        let mut der = vec![0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
        der.extend_from_slice(&self.scalar);
        der.extend_from_slice(&[0xa0, 0x0a]);
        der.extend_from_slice(&P256_OID);
        der.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
        der.extend_from_slice(public);
        let text = B64.encode(&der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        format!(
            "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    /// A proof for `POST url` at `iat` (Unix seconds) with a fresh `jti`.
    pub fn proof(&self, url: &str, iat: i64) -> Result<String, String> {
        let public = self.pair.public_key().as_ref();
        let (x, y) = (&public[1..33], &public[33..65]);
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","x":"{}","y":"{}","crv":"P-256"}}}}"#,
            B64URL.encode(x),
            B64URL.encode(y)
        );
        let payload = serde_json::json!({
            "htm": "POST",
            "htu": url,
            "iat": iat,
            "jti": uuid_v4(),
        })
        .to_string();
        let input = format!(
            "{}.{}",
            B64URL.encode(header.as_bytes()),
            B64URL.encode(payload.as_bytes())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| "cannot sign the DPoP proof".to_owned())?;
        Ok(format!("{input}.{}", B64URL.encode(signature.as_ref())))
    }
}

/// A random (version 4) UUID.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exported by the AWS CLI v2's awscrt (`EC.new_generate(P_256).export_key(SEC1)`).
    const CLI_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAUfIDHcEVILFMYGF++IQb7FNgUk1xjXz7Yc8ppwoREooAoGCCqGSM49\nAwEHoUQDQgAErnx/5Jx9DotEhtE0NPY68jkob9I/2OE2QQtssUY7jJ65xtCQnsVr\nClMxf++vvnk6TxLk8m7jxYuuuXQisJhbFg==\n-----END EC PRIVATE KEY-----\n";

    /// The same export with a 31-byte scalar (awscrt drops a leading zero byte).
    const CLI_SHORT_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHYCAQEEH++dHF3Sckpcip5QKDv3ZUD9vx5zVjlXA++49262QYugCgYIKoZIzj0D\nAQehRANCAAR2VXh+iXpvcORc2N0kA+i2ZbfdO5ACCBpAhaCrSJerNGc9TexhEC5h\n5h0kz0lsAq0IFAZDTSbmuVjI8wE9viYd\n-----END EC PRIVATE KEY-----\n";

    #[test]
    fn the_cli_key_reads_and_writes_back_byte_for_byte() {
        let key = DpopKey::from_sec1_pem(CLI_KEY).unwrap();
        assert_eq!(key.to_sec1_pem(), CLI_KEY);
        let new = DpopKey::generate().unwrap();
        let again = DpopKey::from_sec1_pem(&new.to_sec1_pem()).unwrap();
        assert_eq!(again.to_sec1_pem(), new.to_sec1_pem());
    }

    #[test]
    fn a_short_scalar_as_awscrt_writes_it_is_padded() {
        let key = DpopKey::from_sec1_pem(CLI_SHORT_KEY).unwrap();
        let pem = key.to_sec1_pem();
        assert_ne!(
            pem, CLI_SHORT_KEY,
            "written back in the padded standard form"
        );
        assert_eq!(DpopKey::from_sec1_pem(&pem).unwrap().to_sec1_pem(), pem);
    }

    #[test]
    fn a_proof_verifies_with_its_jwk() {
        let key = DpopKey::from_sec1_pem(CLI_KEY).unwrap();
        let proof = key
            .proof("http://127.0.0.1:9/v1/token", 1_700_000_000)
            .unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        let header: serde_json::Value =
            serde_json::from_slice(&B64URL.decode(parts[0]).unwrap()).unwrap();
        let mut point = vec![4u8];
        point.extend(B64URL.decode(header["jwk"]["x"].as_str().unwrap()).unwrap());
        point.extend(B64URL.decode(header["jwk"]["y"].as_str().unwrap()).unwrap());
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &B64URL.decode(parts[2]).unwrap(),
            )
            .unwrap();
        assert!(DpopKey::from_sec1_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END").is_err());
    }
}
