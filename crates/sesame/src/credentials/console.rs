//! A federated AWS console sign-in URL for role credentials: `getSigninToken` on the federation
//! endpoint, then the `Action=login` URL a browser opens ("custom identity broker" in the IAM
//! documentation).

use url::Url;

use super::CredentialsError;
use crate::Secret;
use crate::cache::RoleCredentials;
use crate::env::Env;

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

/// Exchanges `credentials` for a signin token and returns the sign-in URL that opens
/// `destination` (itself a credential for 15 minutes, hence a [`Secret`]). `ca_bundle` replaces
/// the trusted roots ([`crate::http::CaBundle::resolve`]).
pub async fn console_url(
    env: &Env,
    ca_bundle: Option<&crate::http::CaBundle>,
    credentials: &RoleCredentials,
    region: Option<&str>,
    destination: &str,
) -> Result<Secret, CredentialsError> {
    let endpoint = federation_endpoint(env, region)?;
    let failed = |reason: String| CredentialsError::Federation {
        endpoint: endpoint.to_string(),
        reason,
    };
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.expose(),
    })
    .to_string();
    let http = crate::http::client_for(&endpoint, ca_bundle).map_err(|e| failed(e.to_string()))?;
    let response = http
        .get(endpoint.clone())
        .query(&[("Action", "getSigninToken"), ("Session", session.as_str())])
        .send()
        .await
        .map_err(|e| failed(format!("cannot reach it ({})", e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!(
            "getSigninToken answered HTTP {}",
            status.as_u16()
        )));
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let answer: Answer = response.json().await.map_err(|_| {
        failed("getSigninToken answered something other than {\"SigninToken\"}".into())
    })?;
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
