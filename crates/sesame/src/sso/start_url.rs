//! Start URLs as the AWS CLI v2 takes them (`awscli/customizations/sso/resolve.py`).
//!
//! An AWS-owned host (`*.awsapps.com`, `*.app.aws`, `*.portal.amazonaws.com[.cn]`, the China,
//! GovCloud and European Sovereign Cloud forms, `identitycenter.amazonaws.*`) is used as it is.
//! Any other `https://` URL is a vanity URL: one `HEAD` (a `GET` when the server answers 405 or
//! 501), at most one redirect followed, and the URL it lands on must be an AWS-owned `https://`
//! host; its region, when the host carries one, is the session's. The resolved URL is what
//! StartDeviceAuthorization and the PKCE registration's `issuerUrl` get; the token cache keeps the
//! configured URL, as the CLI does.
//!
//! One addition of sesame's: an `http://` URL on a loopback host (a local emulator) is used as it
//! is. Any other `http://` start URL is refused.

use std::net::IpAddr;

use url::{Host, Url};

use super::SsoError;

/// Hosts AWS owns by suffix (resolve.py's `_AWS_OWNED_SUFFIXES`).
const AWS_OWNED_SUFFIXES: [&str; 8] = [
    ".app.aws",
    ".portal.amazonaws.com",
    ".portal.amazonaws.com.cn",
    ".app.amazonwebservices.com.cn",
    ".portal.amazonaws.eu",
    ".api.amazonwebservices.eu",
    ".awsapps.com",
    ".awsapps.cn",
];

/// Hosts AWS owns exactly (resolve.py's `_AWS_OWNED_EXACT`).
const AWS_OWNED_EXACT: [&str; 4] = [
    "identitycenter.amazonaws.com",
    "identitycenter.amazonaws.com.cn",
    "identitycenter.amazonaws.eu",
    "identitycenter.us-gov.amazonaws.com",
];

/// Whether `host` is one of AWS's start-URL hosts (case and a trailing dot ignored).
pub fn is_aws_owned_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    AWS_OWNED_EXACT.contains(&host.as_str())
        || AWS_OWNED_SUFFIXES
            .iter()
            .any(|s| host == s[1..] || host.ends_with(s))
}

/// The region in an AWS-owned start-URL host, where its form carries one (resolve.py's
/// `_REGION_PATTERNS`): `ID.portal.REGION.app.aws`, `ID.REGION.portal.amazonaws.com[.cn]`,
/// `ID.portal.REGION.app.amazonwebservices.com.cn`, `ID.REGION.portal.amazonaws.eu`,
/// `ID.portal.REGION.api.amazonwebservices.eu`.
pub fn region_from_host(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let region_ok = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    };
    // (the labels after `ID`, with `*` for the region)
    const FORMS: [&[&str]; 6] = [
        &["portal", "*", "app", "aws"],
        &["*", "portal", "amazonaws", "com"],
        &["*", "portal", "amazonaws", "com", "cn"],
        &["portal", "*", "app", "amazonwebservices", "com", "cn"],
        &["*", "portal", "amazonaws", "eu"],
        &["portal", "*", "api", "amazonwebservices", "eu"],
    ];
    let (id, rest) = labels.split_first()?;
    if id.is_empty() {
        return None;
    }
    FORMS.iter().find_map(|form| {
        if form.len() != rest.len() {
            return None;
        }
        let mut region = None;
        for (want, got) in form.iter().zip(rest) {
            match *want {
                "*" if region_ok(got) => region = Some((*got).to_owned()),
                "*" => return None,
                w if w == *got => {}
                _ => return None,
            }
        }
        region
    })
}

/// What kind of start URL a session has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartUrlKind {
    /// An AWS-owned `https://` host: used as it is.
    AwsOwned,
    /// `http://` on a loopback host (a local emulator): used as it is.
    Local,
    /// Any other `https://` URL: resolved through its redirect.
    Vanity,
}

/// Checks a start URL's form (no network): `https://` with a host, or `http://` on loopback.
pub fn classify(start_url: &str) -> Result<(Url, StartUrlKind), SsoError> {
    let bad = |reason: &str| SsoError::StartUrl {
        url: start_url.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(start_url).map_err(|e| bad(&format!("it is not a URL ({e})")))?;
    let host = url.host().ok_or_else(|| bad("it has no host"))?;
    match url.scheme() {
        "https" => {
            let kind = match host {
                Host::Domain(d) if is_aws_owned_host(d) => StartUrlKind::AwsOwned,
                _ => StartUrlKind::Vanity,
            };
            Ok((url, kind))
        }
        "http" if is_loopback(&host) => Ok((url, StartUrlKind::Local)),
        "http" => Err(bad(
            "it must use https (http is accepted only on a loopback host, for a local emulator)",
        )),
        other => Err(bad(&format!("the scheme is `{other}`, not https"))),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// A start URL as Identity Center is to be asked about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedStartUrl {
    /// The URL to send (the configured one, or where a vanity URL leads).
    pub url: String,
    /// The region a vanity URL's destination names, if it names one.
    pub region: Option<String>,
}

/// Resolves `start_url` as the AWS CLI v2 does (see the [module docs](self)); `http` makes the
/// one or two requests a vanity URL needs (it must not follow redirects itself).
pub async fn resolve(
    http: impl FnOnce(&Url) -> Result<reqwest::Client, SsoError>,
    start_url: &str,
) -> Result<ResolvedStartUrl, SsoError> {
    let (url, kind) = classify(start_url)?;
    if kind != StartUrlKind::Vanity {
        // As the CLI: an AWS-owned URL keeps the configured region, whatever its host says.
        return Ok(ResolvedStartUrl {
            url: start_url.to_owned(),
            region: None,
        });
    }
    let client = http(&url)?;
    let bad = |reason: String| SsoError::StartUrl {
        url: start_url.to_owned(),
        reason,
    };
    let unreachable = |e: reqwest::Error| {
        let reason = format!("cannot resolve it ({})", crate::api::send_error(&e));
        if crate::http::is_certificate_error(&e) {
            SsoError::Certificate {
                endpoint: start_url.to_owned(),
                reason,
            }
        } else {
            bad(reason)
        }
    };
    let mut response = client.head(url.clone()).send().await.map_err(unreachable)?;
    if matches!(response.status().as_u16(), 405 | 501) {
        response = client.get(url.clone()).send().await.map_err(unreachable)?;
    }
    let status = response.status();
    let landed = if status.is_success() {
        url.clone()
    } else if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| bad(format!("its redirect (HTTP {status}) has no Location")))?;
        url.join(location)
            .map_err(|e| bad(format!("its redirect to `{location}` is not a URL ({e})")))?
    } else {
        return Err(bad(format!(
            "resolving it answered HTTP {}",
            status.as_u16()
        )));
    };
    let normalized = normalize(&landed);
    let host = landed.host_str().unwrap_or_default();
    if !is_aws_owned_host(host) {
        return Err(bad(format!(
            "it leads to {normalized}, which is not an AWS sign-in host (*.awsapps.com, *.app.aws, ...)"
        )));
    }
    if landed.scheme() != "https" {
        return Err(bad(format!("it leads to {normalized}, which is not https")));
    }
    Ok(ResolvedStartUrl {
        region: region_from_host(host),
        url: normalized,
    })
}

/// resolve.py's `_normalize_url`: scheme, host, a non-default port, the path without trailing
/// `/`; no query or fragment.
fn normalize(url: &Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path().trim_end_matches('/'));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_owned_hosts_are_resolve_pys() {
        for host in [
            "d-9067c2c1a0.awsapps.com",
            "D-9067C2C1A0.AWSAPPS.COM.",
            "ssoins-1234.portal.eu-west-1.app.aws",
            "ssoins-1234.eu-west-1.portal.amazonaws.com",
            "ssoins-1234.cn-north-1.portal.amazonaws.com.cn",
            "ssoins-1234.portal.cn-north-1.app.amazonwebservices.com.cn",
            "ssoins-1234.eusc-de-east-1.portal.amazonaws.eu",
            "ssoins-1234.portal.eusc-de-east-1.api.amazonwebservices.eu",
            "d-1234.awsapps.cn",
            "identitycenter.amazonaws.com",
            "identitycenter.amazonaws.com.cn",
            "identitycenter.amazonaws.eu",
            "identitycenter.us-gov.amazonaws.com",
            "awsapps.com",
        ] {
            assert!(is_aws_owned_host(host), "{host}");
        }
        for host in [
            "sso.example.com",
            "awsapps.com.evil.example",
            "evilawsapps.com",
            "identitycenter.amazonaws.com.evil",
            "x.identitycenter.amazonaws.com",
            "127.0.0.1",
            "app.aws.example.com",
        ] {
            assert!(!is_aws_owned_host(host), "{host}");
        }
    }

    #[test]
    fn the_region_is_read_from_the_hosts_that_carry_one() {
        let cases = [
            ("ssoins-1.portal.eu-west-1.app.aws", Some("eu-west-1")),
            (
                "ssoins-1.us-gov-west-1.portal.amazonaws.com",
                Some("us-gov-west-1"),
            ),
            (
                "ssoins-1.cn-north-1.portal.amazonaws.com.cn",
                Some("cn-north-1"),
            ),
            (
                "ssoins-1.portal.cn-northwest-1.app.amazonwebservices.com.cn",
                Some("cn-northwest-1"),
            ),
            (
                "ssoins-1.eusc-de-east-1.portal.amazonaws.eu",
                Some("eusc-de-east-1"),
            ),
            (
                "ssoins-1.portal.eusc-de-east-1.api.amazonwebservices.eu",
                Some("eusc-de-east-1"),
            ),
            ("SSOINS-1.PORTAL.AP-SOUTH-1.APP.AWS", Some("ap-south-1")),
            ("d-9067c2c1a0.awsapps.com", None),
            ("identitycenter.amazonaws.com", None),
            ("a.b.portal.eu-west-1.app.aws", None),
            ("portal.eu-west-1.app.aws", None),
        ];
        for (host, region) in cases {
            assert_eq!(region_from_host(host).as_deref(), region, "{host}");
        }
    }

    #[test]
    fn start_urls_are_classified_before_any_request() {
        let kind = |u: &str| classify(u).map(|(_, k)| k);
        assert_eq!(
            kind("https://d-9067c2c1a0.awsapps.com/start").unwrap(),
            StartUrlKind::AwsOwned
        );
        assert_eq!(
            kind("https://sso.example.com/").unwrap(),
            StartUrlKind::Vanity
        );
        assert_eq!(
            kind("https://127.0.0.1:8443/start").unwrap(),
            StartUrlKind::Vanity
        );
        assert_eq!(
            kind("http://127.0.0.1:4555/start").unwrap(),
            StartUrlKind::Local
        );
        assert_eq!(
            kind("http://localhost:4555/start").unwrap(),
            StartUrlKind::Local
        );
        assert_eq!(
            kind("http://[::1]:4555/start").unwrap(),
            StartUrlKind::Local
        );
        for bad in [
            "http://d-9067c2c1a0.awsapps.com/start",
            "http://sso.example.com/start",
            "ftp://d-9067c2c1a0.awsapps.com/start",
            "d-9067c2c1a0.awsapps.com/start",
        ] {
            assert!(matches!(kind(bad), Err(SsoError::StartUrl { .. })), "{bad}");
        }
    }

    #[test]
    fn a_resolved_url_is_normalized_as_the_cli_does() {
        let n = |u: &str| normalize(&Url::parse(u).unwrap());
        assert_eq!(
            n("https://d-1.awsapps.com/start/?x=1#f"),
            "https://d-1.awsapps.com/start"
        );
        assert_eq!(
            n("https://d-1.awsapps.com:443/start"),
            "https://d-1.awsapps.com/start"
        );
        assert_eq!(
            n("https://d-1.awsapps.com:8443/"),
            "https://d-1.awsapps.com:8443"
        );
    }
}
