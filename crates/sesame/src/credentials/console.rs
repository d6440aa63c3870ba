//! A federated AWS console sign-in URL for role credentials: `getSigninToken` on the federation
//! endpoint, then the `Action=login` URL a browser opens ("custom identity broker" in the IAM
//! documentation).

use url::Url;

use super::AwsCredentials;
use super::CredentialsError;
use crate::Secret;
use crate::env::Env;
use crate::pace::{Classify, Failure, PacerConfig, Pacing, RetryPolicy};

/// What sesame names itself to the console as (`Issuer`).
const ISSUER: &str = "sesame";

/// The variable that points sesame at another federation endpoint (the emulator's `/federation`).
pub const FEDERATION_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SIGNIN";

/// The partition's federation endpoint for `region` (`https://signin.aws.amazon.com/federation`
/// in the commercial partition), or `AWS_ENDPOINT_URL_SIGNIN` + `/federation`.
pub fn federation_endpoint(env: &Env, region: Option<&str>) -> Result<Url, CredentialsError> {
    let text = match env.var(FEDERATION_ENDPOINT_VAR) {
        Some(base) => format!("{}/federation", base.trim_end_matches('/')),
        None => format!("https://{}/federation", partition_hosts(region).0),
    };
    Url::parse(&text).map_err(|e| CredentialsError::Federation {
        endpoint: text.clone(),
        reason: format!("not a URL ({e})"),
    })
}

/// (sign-in host, console host) of the region's partition.
fn partition_hosts(region: Option<&str>) -> (&'static str, &'static str) {
    match region {
        Some(r) if r.starts_with("cn-") => ("signin.amazonaws.cn", "console.amazonaws.cn"),
        Some(r) if r.starts_with("us-gov-") => (
            "signin.amazonaws-us-gov.com",
            "console.amazonaws-us-gov.com",
        ),
        _ => ("signin.aws.amazon.com", "console.aws.amazon.com"),
    }
}

/// Where the console opens: the region's console home, or the partition's console.
pub fn default_destination(region: Option<&str>) -> String {
    let console = partition_hosts(region).1;
    match region {
        Some(r) => format!("https://{r}.{console}/console/home?region={r}"),
        None => format!("https://{console}/"),
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    #[serde(rename = "SigninToken")]
    signin_token: String,
}

/// How one getSigninToken attempt failed.
#[derive(Debug, thiserror::Error)]
enum Federation {
    #[error("cannot reach it ({0})")]
    Unreachable(String),
    #[error("getSigninToken answered HTTP {0}")]
    Status(u16),
    #[error("getSigninToken answered something other than {{\"SigninToken\"}}")]
    NotJson,
}

impl Classify for Federation {
    fn failure(&self) -> Failure {
        match self {
            Federation::Status(429) => Failure::Throttle,
            Federation::Status(s) if *s >= 500 => Failure::Transient,
            Federation::Unreachable(_) => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

/// Exchanges temporary `credentials` for a signin token and returns the sign-in URL that opens
/// `destination` (itself a credential for 15 minutes, hence a [`Secret`]). `ca_bundle` replaces
/// the trusted roots ([`crate::http::CaBundle::resolve`]).
pub async fn console_url(
    env: &Env,
    ca_bundle: Option<&crate::http::CaBundle>,
    credentials: &AwsCredentials,
    region: Option<&str>,
    destination: &str,
) -> Result<Secret, CredentialsError> {
    let endpoint = federation_endpoint(env, region)?;
    let failed = |reason: String| CredentialsError::Federation {
        endpoint: endpoint.to_string(),
        reason,
    };
    let Some(token) = &credentials.session_token else {
        return Err(CredentialsError::LongTermKeys {
            origin: credentials.source.clone(),
        });
    };
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": token.expose(),
    })
    .to_string();
    let http = crate::http::client_for(&endpoint, ca_bundle).map_err(|e| failed(e.to_string()))?;
    let attempt = || async {
        let response = http
            .get(endpoint.clone())
            .query(&[("Action", "getSigninToken"), ("Session", session.as_str())])
            .send()
            .await
            .map_err(|e| Federation::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Federation::Status(status));
        }
        response
            .json::<Answer>()
            .await
            .map_err(|_| Federation::NotJson)
    };
    // Retried on 429, 5xx and dropped connections, bounded to a few seconds.
    let answer = Pacing::new(PacerConfig::default(), RetryPolicy::credential_fetch())
        .call("getSigninToken", attempt)
        .await
        .map_err(|e| failed(e.into_message()))?;
    let mut url = endpoint;
    url.query_pairs_mut()
        .clear()
        .append_pair("Action", "login")
        .append_pair("Issuer", ISSUER)
        .append_pair("Destination", destination)
        .append_pair("SigninToken", &answer.signin_token);
    Ok(Secret::new(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_by_partition_and_override() {
        let env = Env::from_vars([("HOME", "/h")]);
        let at = |r| federation_endpoint(&env, r).unwrap().to_string();
        assert_eq!(at(None), "https://signin.aws.amazon.com/federation");
        assert_eq!(
            at(Some("eu-west-1")),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            at(Some("cn-north-1")),
            "https://signin.amazonaws.cn/federation"
        );
        assert_eq!(
            at(Some("us-gov-west-1")),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        let env = Env::from_vars([("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9/")]);
        assert_eq!(
            federation_endpoint(&env, None).unwrap().as_str(),
            "http://127.0.0.1:9/federation"
        );
        assert_eq!(
            default_destination(Some("eu-west-1")),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(default_destination(None), "https://console.aws.amazon.com/");
    }
}
