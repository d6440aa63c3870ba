//! `credential_source = Ec2InstanceMetadata` and `EcsContainer`: the role of the machine sesame
//! runs on, as botocore's `InstanceMetadataProvider` and `ContainerProvider` fetch it.
//!
//! - IMDSv2: `PUT /latest/api/token` (a 6-hour token), then
//!   `GET /latest/meta-data/iam/security-credentials/` (the role's name) and
//!   `GET …/security-credentials/<role>` (`{"Code": "Success", "AccessKeyId", "SecretAccessKey",
//!   "Token", "Expiration"}`), the token in `X-aws-ec2-metadata-token`. A token refused with
//!   403, 404 or 405 falls back to IMDSv1 (no token), as botocore does. The endpoint is
//!   `AWS_EC2_METADATA_SERVICE_ENDPOINT` or the profile's `ec2_metadata_service_endpoint`, else
//!   `http://169.254.169.254/`; `AWS_EC2_METADATA_DISABLED=true` turns it off. Timeouts are
//!   botocore's: one second per request.
//! - Container: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on `http://169.254.170.2`, or
//!   `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https anywhere; http only to a loopback address or the
//!   ECS/EKS link-local hosts, botocore's rule), with `Authorization` from
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use super::{AwsCredentials, ChainError};
use crate::config::AwsConfig;
use crate::env::Env;
use crate::secret::Secret;

const IMDS_DEFAULT: &str = "http://169.254.169.254/";
const CONTAINER_HOST: &str = "http://169.254.170.2";
/// botocore's `DEFAULT_METADATA_SERVICE_TIMEOUT`.
const IMDS_TIMEOUT: Duration = Duration::from_secs(1);
/// botocore's `ContainerMetadataFetcher.TIMEOUT_SECONDS`.
const CONTAINER_TIMEOUT: Duration = Duration::from_secs(2);
/// The IMDSv2 token's lifetime botocore asks for.
const TOKEN_TTL: &str = "21600";

/// The credentials either endpoint answers (`Token` is the session token).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<Secret>,
    token: Option<Secret>,
    expiration: Option<String>,
}

impl Answer {
    fn into_credentials(self, source: String) -> Result<AwsCredentials, String> {
        if let Some(code) = self.code.filter(|c| c != "Success") {
            return Err(format!("the answer's Code is {code}"));
        }
        let access_key_id = self
            .access_key_id
            .filter(|k| !k.is_empty())
            .ok_or("the answer has no AccessKeyId")?;
        let secret_access_key = self
            .secret_access_key
            .filter(|k| !k.is_empty())
            .ok_or("the answer has no SecretAccessKey")?;
        let expiration = match self.expiration {
            Some(e) => {
                Some(crate::time::parse_lenient(&e).ok_or_else(|| format!("Expiration `{e}`"))?)
            }
            None => None,
        };
        Ok(AwsCredentials {
            access_key_id,
            secret_access_key,
            session_token: self.token.filter(|t| !t.is_empty()),
            expiration,
            source,
        })
    }
}

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    crate::http::install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(crate::http::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

/// The instance role's credentials from IMDS, for profile `profile` (`session` is the command's
/// profile, whose `ec2_metadata_service_endpoint` applies).
pub(super) async fn imds(
    env: &Env,
    config: &AwsConfig,
    session: &str,
    profile: &str,
) -> Result<AwsCredentials, ChainError> {
    let fail = |reason: String| ChainError::Instance {
        profile: profile.to_owned(),
        source_name: "Ec2InstanceMetadata",
        reason,
    };
    if env
        .var("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(fail("AWS_EC2_METADATA_DISABLED is true".to_owned()));
    }
    let base = env
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .map(str::to_owned)
        .or_else(|| {
            config
                .profile(session)
                .and_then(|p| p.get("ec2_metadata_service_endpoint").map(str::to_owned))
        })
        .unwrap_or_else(|| IMDS_DEFAULT.to_owned());
    let base = url::Url::parse(&base)
        .and_then(|u| u.join("latest/"))
        .map_err(|e| fail(format!("the endpoint `{base}` is not a URL ({e})")))?;
    let http = client(IMDS_TIMEOUT).map_err(&fail)?;
    let unreachable = |e: reqwest::Error| {
        fail(format!(
            "the instance metadata service at {base} did not answer ({}); is this an EC2 instance?",
            e.without_url()
        ))
    };
    let token = http
        .put(base.join("api/token").expect("a relative path"))
        .header("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL)
        .send()
        .await
        .map_err(unreachable)?;
    let token = match token.status().as_u16() {
        200 => Some(token.text().await.map_err(unreachable)?),
        // botocore falls back to IMDSv1 on these.
        403..=405 => None,
        s => return Err(fail(format!("the token request answered HTTP {s}"))),
    };
    let get = |path: String| {
        let mut req = http.get(
            base.join(&format!("meta-data/iam/security-credentials/{path}"))
                .expect("a relative path"),
        );
        if let Some(t) = &token {
            req = req.header("x-aws-ec2-metadata-token", t.trim());
        }
        req
    };
    let roles = get(String::new()).send().await.map_err(unreachable)?;
    if !roles.status().is_success() {
        return Err(fail(format!(
            "no instance role (the role listing answered HTTP {})",
            roles.status().as_u16()
        )));
    }
    let roles = roles.text().await.map_err(unreachable)?;
    let role = roles
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| fail("the instance has no role".to_owned()))?
        .to_owned();
    let answer = get(role.clone()).send().await.map_err(unreachable)?;
    if !answer.status().is_success() {
        return Err(fail(format!(
            "the credentials of role `{role}` answered HTTP {}",
            answer.status().as_u16()
        )));
    }
    let answer: Answer = answer
        .json()
        .await
        .map_err(|e| fail(format!("the answer is not the credential JSON ({e})")))?;
    answer
        .into_credentials(format!("profile `{profile}` (instance role `{role}`)"))
        .map_err(fail)
}

/// The container's credentials (ECS task role, EKS pod identity) for profile `profile`.
pub(super) async fn container(env: &Env, profile: &str) -> Result<AwsCredentials, ChainError> {
    let fail = |reason: String| ChainError::Instance {
        profile: profile.to_owned(),
        source_name: "EcsContainer",
        reason,
    };
    let url = match (
        env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(rel), _) => format!("{CONTAINER_HOST}{rel}"),
        (None, Some(full)) => full.to_owned(),
        (None, None) => {
            return Err(fail(
                "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
                    .to_owned(),
            ));
        }
    };
    let url = url::Url::parse(&url).map_err(|e| fail(format!("`{url}` is not a URL ({e})")))?;
    if !allowed_container_url(&url) {
        return Err(fail(format!(
            "{url} is neither https nor a loopback or ECS/EKS address (botocore's rule)"
        )));
    }
    let auth = match env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(file) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| fail(format!("cannot read {file}: {e}")))?
                .trim()
                .to_owned(),
        ),
        None => env
            .var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(str::to_owned),
    };
    if auth.as_deref().is_some_and(|a| a.contains(['\r', '\n'])) {
        return Err(fail(
            "the authorization token has a line break in it".to_owned(),
        ));
    }
    let http = client(CONTAINER_TIMEOUT).map_err(&fail)?;
    let mut req = http.get(url.clone()).header("accept", "application/json");
    if let Some(a) = &auth {
        req = req.header("authorization", a);
    }
    let answer = req.send().await.map_err(|e| {
        fail(format!(
            "the container endpoint did not answer ({})",
            e.without_url()
        ))
    })?;
    if !answer.status().is_success() {
        return Err(fail(format!(
            "the container endpoint answered HTTP {}",
            answer.status().as_u16()
        )));
    }
    let answer: Answer = answer
        .json()
        .await
        .map_err(|e| fail(format!("the answer is not the credential JSON ({e})")))?;
    answer
        .into_credentials(format!("profile `{profile}` (container credentials)"))
        .map_err(fail)
}

/// botocore's `ContainerMetadataFetcher`: https anywhere; http only to loopback or the ECS
/// (169.254.170.2) and EKS (169.254.170.23, fd00:ec2::23) hosts, or `localhost`.
fn allowed_container_url(url: &url::Url) -> bool {
    if url.scheme() == "https" {
        return true;
    }
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => {
            ip.is_loopback()
                || ip == std::net::Ipv4Addr::new(169, 254, 170, 2)
                || ip == std::net::Ipv4Addr::new(169, 254, 170, 23)
        }
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || IpAddr::V6(ip) == "fd00:ec2::23".parse::<IpAddr>().expect("an IP")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::net::TcpListener;

    use super::*;

    /// A one-thread HTTP server answering `answer(method, path, headers)` for `n` requests;
    /// returns its base URL and the requests it saw.
    fn serve(
        n: usize,
        answer: impl Fn(&str, &str, &[String]) -> (u16, String) + Send + 'static,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for stream in listener.incoming().take(n) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                let mut headers = Vec::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let line = line.trim_end().to_owned();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    headers.push(line.to_ascii_lowercase());
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let mut parts = first.split_whitespace();
                let (method, path) = (parts.next().unwrap(), parts.next().unwrap());
                let (status, text) = answer(method, path, &headers);
                seen.push(format!("{method} {path}"));
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                )
                .unwrap();
            }
            seen
        });
        (url, handle)
    }

    const CREDS: &str = r#"{"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "s", "Token": "t", "Expiration": "2099-01-01T00:00:00Z"}"#;

    #[tokio::test]
    async fn imds_v2_token_then_role_then_credentials() {
        let (url, seen) = serve(3, |method, path, headers| {
            let has_token = headers.iter().any(|h| h == "x-aws-ec2-metadata-token: tok");
            match (method, path) {
                ("PUT", "/latest/api/token") => (200, "tok".into()),
                (_, "/latest/meta-data/iam/security-credentials/") if has_token => {
                    (200, "web-role\n".into())
                }
                (_, "/latest/meta-data/iam/security-credentials/web-role") if has_token => {
                    (200, CREDS.into())
                }
                _ => (401, String::new()),
            }
        });
        let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())]);
        let config = AwsConfig::from_str("config", "").unwrap();
        let c = imds(&env, &config, "p", "p").await.unwrap();
        assert_eq!(c.access_key_id, "ASIAIMDS");
        assert_eq!(c.session_token.unwrap().expose(), "t");
        assert_eq!(seen.join().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn imds_falls_back_to_v1_and_can_be_disabled() {
        let (url, _seen) = serve(3, |_, path, _| match path {
            "/latest/api/token" => (403, String::new()),
            "/latest/meta-data/iam/security-credentials/" => (200, "r".into()),
            _ => (200, CREDS.into()),
        });
        let config = AwsConfig::from_str("config", "").unwrap();
        let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())]);
        assert!(imds(&env, &config, "p", "p").await.is_ok());
        let env = Env::from_vars([("AWS_EC2_METADATA_DISABLED", "true")]);
        let e = imds(&env, &config, "p", "p").await.unwrap_err().to_string();
        assert!(e.contains("AWS_EC2_METADATA_DISABLED"), "{e}");
    }

    #[tokio::test]
    async fn container_full_uri_with_the_token_file() {
        let (url, _seen) = serve(1, |_, path, headers| {
            if path == "/creds" && headers.iter().any(|h| h == "authorization: secret-auth") {
                (200, CREDS.replace("ASIAIMDS", "ASIAECS"))
            } else {
                (403, String::new())
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "secret-auth\n").unwrap();
        let full = format!("{url}creds");
        let env = Env::from_vars([
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full.as_str()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                file.to_str().unwrap(),
            ),
        ]);
        assert_eq!(container(&env, "p").await.unwrap().access_key_id, "ASIAECS");
        let env = Env::from_vars([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds",
        )]);
        let e = container(&env, "p").await.unwrap_err().to_string();
        assert!(e.contains("botocore's rule"), "{e}");
    }
}
