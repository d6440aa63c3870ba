//! Where each AWS service sesame calls lives: the one place endpoint URLs are decided.
//!
//! The overrides are botocore's (`ConfiguredEndpointProvider` in `botocore/configprovider.py`,
//! docs/protocols.md, *Endpoint overrides*), so one environment or config file points the AWS CLI,
//! botocore-based tools and sesame at the same (real or fake) server:
//!
//! 1. `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_SSO_OIDC`);
//! 2. `AWS_ENDPOINT_URL`;
//! 3. the profile's `services = NAME`: in `[services NAME]`, the service's indented block's
//!    `endpoint_url` (`sso_oidc =` then `  endpoint_url = http://...`);
//! 4. the profile's own `endpoint_url`;
//!
//! all skipped when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (if set, else the profile's
//! `ignore_configured_endpoint_urls`) is `true`. Otherwise the service's public endpoint in the
//! region's partition.
//!
//! A path in an override is kept: callers append request paths to the returned URL's path
//! (trim its trailing `/`, add `/` and the path), and send path-less requests (STS) to the URL as
//! it is, as botocore does (`http://127.0.0.1:5000/sts` gets `POST /sts`).

use url::{Host, Url};

use super::{AwsConfig, ConfigError, Profile, Value};
use crate::env::Env;

/// An AWS service sesame calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceId {
    /// IAM Identity Center OIDC (`sso-oidc`): client registration, device and token grants.
    SsoOidc,
    /// The access portal (`sso`): accounts, roles, role credentials.
    Sso,
    /// STS.
    Sts,
    /// IAM Identity Center administration (`sso-admin`).
    SsoAdmin,
    /// Identity Store.
    IdentityStore,
    /// AWS Organizations.
    Organizations,
}

impl ServiceId {
    /// Every service, in declaration order.
    pub const ALL: [ServiceId; 6] = [
        ServiceId::SsoOidc,
        ServiceId::Sso,
        ServiceId::Sts,
        ServiceId::SsoAdmin,
        ServiceId::IdentityStore,
        ServiceId::Organizations,
    ];

    /// botocore's client name (`sso-oidc`).
    pub fn client_name(self) -> &'static str {
        match self {
            ServiceId::SsoOidc => "sso-oidc",
            ServiceId::Sso => "sso",
            ServiceId::Sts => "sts",
            ServiceId::SsoAdmin => "sso-admin",
            ServiceId::IdentityStore => "identitystore",
            ServiceId::Organizations => "organizations",
        }
    }

    /// The key of the service's block in a `[services NAME]` section (`sso_oidc`).
    pub fn config_key(self) -> &'static str {
        match self {
            ServiceId::SsoOidc => "sso_oidc",
            ServiceId::Sso => "sso",
            ServiceId::Sts => "sts",
            ServiceId::SsoAdmin => "sso_admin",
            ServiceId::IdentityStore => "identitystore",
            ServiceId::Organizations => "organizations",
        }
    }

    /// The service's endpoint environment variable (`AWS_ENDPOINT_URL_SSO_OIDC`).
    pub fn env_var(self) -> &'static str {
        match self {
            ServiceId::SsoOidc => "AWS_ENDPOINT_URL_SSO_OIDC",
            ServiceId::Sso => "AWS_ENDPOINT_URL_SSO",
            ServiceId::Sts => "AWS_ENDPOINT_URL_STS",
            ServiceId::SsoAdmin => "AWS_ENDPOINT_URL_SSO_ADMIN",
            ServiceId::IdentityStore => "AWS_ENDPOINT_URL_IDENTITYSTORE",
            ServiceId::Organizations => "AWS_ENDPOINT_URL_ORGANIZATIONS",
        }
    }

    /// The service's public endpoint for `region`, as botocore's endpoint rules give it (no FIPS,
    /// no dual-stack; STS regional, botocore's default since 1.36).
    pub fn default_endpoint(self, region: &str) -> Result<Url, ConfigError> {
        self.public_endpoint(region, false)
    }

    /// The service's public endpoint for `region`, dual-stack (IPv4 and IPv6: the partition's
    /// dual-stack DNS suffix, `oidc.REGION.api.aws`) when `dual_stack`, as the endpoint rule
    /// sets give it for `UseDualStack`.
    pub fn public_endpoint(self, region: &str, dual_stack: bool) -> Result<Url, ConfigError> {
        if !is_valid_region(region) {
            return Err(ConfigError::InvalidRegion {
                region: region.to_owned(),
            });
        }
        let partition = Partition::of(region);
        let suffix = if dual_stack {
            partition.dual_stack_dns_suffix()
        } else {
            partition.dns_suffix()
        };
        let host = match self {
            ServiceId::SsoOidc => format!("oidc.{region}.{suffix}"),
            ServiceId::Sso => format!("portal.sso.{region}.{suffix}"),
            ServiceId::Sts => format!("sts.{region}.{suffix}"),
            ServiceId::SsoAdmin => format!("sso.{region}.{suffix}"),
            ServiceId::IdentityStore => format!("identitystore.{region}.{suffix}"),
            // Organizations is global: one endpoint per partition (its endpoint rule set).
            // Dual-stack, it is named after the partition's global pseudo-region.
            ServiceId::Organizations => match (dual_stack, partition.global_region()) {
                (true, Some(_)) => match partition.global_name() {
                    Some(global) => format!("organizations.{global}.{suffix}"),
                    None => format!("organizations.{region}.{suffix}"),
                },
                (false, Some(global)) => format!("organizations.{global}.{suffix}"),
                (_, None) => format!("organizations.{region}.{suffix}"),
            },
        };
        Url::parse(&format!("https://{host}")).map_err(|e| ConfigError::InvalidEndpoint {
            origin: format!("the default endpoint for region {region}"),
            value: host,
            reason: e.to_string(),
        })
    }
}

/// The AWS partitions (botocore's `partitions.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partition {
    Aws,
    China,
    UsGov,
    Iso,
    IsoB,
    IsoE,
    IsoF,
    Eusc,
}

impl Partition {
    /// The partition whose region pattern `region` matches; `aws` when none does, as botocore.
    fn of(region: &str) -> Self {
        const PREFIXES: [(&str, Partition); 7] = [
            ("cn-", Partition::China),
            ("us-gov-", Partition::UsGov),
            ("us-iso-", Partition::Iso),
            ("us-isob-", Partition::IsoB),
            ("us-isof-", Partition::IsoF),
            ("eu-isoe-", Partition::IsoE),
            ("eusc-", Partition::Eusc),
        ];
        PREFIXES
            .iter()
            .find(|(p, _)| region.starts_with(p))
            .map_or(Partition::Aws, |&(_, partition)| partition)
    }

    fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::UsGov => "amazonaws.com",
            Partition::China => "amazonaws.com.cn",
            Partition::Iso => "c2s.ic.gov",
            Partition::IsoB => "sc2s.sgov.gov",
            Partition::IsoE => "cloud.adc-e.uk",
            Partition::IsoF => "csp.hci.ic.gov",
            Partition::Eusc => "amazonaws.eu",
        }
    }

    /// The partition's `dualStackDnsSuffix` (botocore's `partitions.json`).
    fn dual_stack_dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::UsGov => "api.aws",
            Partition::China => "api.amazonwebservices.com.cn",
            Partition::Iso => "api.aws.ic.gov",
            Partition::IsoB => "api.aws.scloud",
            Partition::IsoE => "api.cloud-aws.adc-e.uk",
            Partition::IsoF => "api.aws.hci.ic.gov",
            Partition::Eusc => "api.amazonwebservices.eu",
        }
    }

    /// The global pseudo-region Organizations' dual-stack endpoint is named after.
    fn global_name(self) -> Option<&'static str> {
        match self {
            Partition::Aws => Some("aws-global"),
            Partition::China => Some("aws-cn-global"),
            Partition::UsGov => Some("aws-us-gov-global"),
            _ => None,
        }
    }

    /// Where Organizations' single endpoint is, in the partitions its rules name one for.
    fn global_region(self) -> Option<&'static str> {
        match self {
            Partition::Aws => Some("us-east-1"),
            Partition::China => Some("cn-northwest-1"),
            Partition::UsGov => Some("us-gov-west-1"),
            Partition::Iso => Some("us-iso-east-1"),
            Partition::IsoB => Some("us-isob-east-1"),
            Partition::IsoF => Some("us-isof-south-1"),
            Partition::IsoE | Partition::Eusc => None,
        }
    }
}

/// botocore's `validate_region_name`: `^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$`.
fn is_valid_region(region: &str) -> bool {
    let b = region.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Where service `service` is for a client in `region`, with botocore's endpoint overrides
/// (see the [module docs](self)).
///
/// `profile` is the profile whose `services`, `endpoint_url` and
/// `ignore_configured_endpoint_urls` apply; `None` means the environment's
/// ([`Env::profile`]) or else `default`, as for botocore. A profile that is not in the config
/// contributes nothing. Only the config file is read: botocore would also see these keys in a
/// credentials file profile, which sesame does not look at here.
///
/// Errors: an override that is not an `http(s)` URL with a valid host (naming the variable or
/// key), a profile naming a missing or empty `[services NAME]` section, a services entry that is
/// not an indented block, an invalid region (when the default endpoint is used).
pub fn resolve_endpoint(
    service: ServiceId,
    region: &str,
    env: &Env,
    config: &AwsConfig,
    profile: Option<&str>,
) -> Result<Url, ConfigError> {
    let profile_name = profile.or_else(|| env.profile()).unwrap_or("default");
    let scoped = config.profile(profile_name);
    if !ignore_configured_endpoints(env, scoped.as_ref())
        && let Some(url) = configured_endpoint(service, env, config, scoped.as_ref())?
    {
        return Ok(url);
    }
    service.public_endpoint(region, use_dual_stack(env, scoped.as_ref()))
}

/// `AWS_USE_DUALSTACK_ENDPOINT` if set, else the profile's `use_dualstack_endpoint`, read with
/// botocore's `ensure_boolean` (`true` in any case).
fn use_dual_stack(env: &Env, profile: Option<&Profile>) -> bool {
    let value = match env.var("AWS_USE_DUALSTACK_ENDPOINT") {
        Some(v) => Some(v),
        None => profile.and_then(|p| p.get("use_dualstack_endpoint")),
    };
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` if set, else the profile's
/// `ignore_configured_endpoint_urls`, read with botocore's `ensure_boolean` (only `true`, in any
/// case, is true: `1` is not). One difference: botocore lets a variable set to the empty string
/// decide (false); [`Env::var`] treats it as unset, so the profile's key decides.
fn ignore_configured_endpoints(env: &Env, profile: Option<&Profile>) -> bool {
    let value = match env.var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        Some(v) => Some(v),
        None => profile.and_then(|p| p.get("ignore_configured_endpoint_urls")),
    };
    value.is_some_and(|v| v.to_lowercase() == "true")
}

/// Steps 1 to 4 of the lookup; empty values are skipped, as botocore skips falsy ones.
fn configured_endpoint(
    service: ServiceId,
    env: &Env,
    config: &AwsConfig,
    profile: Option<&Profile>,
) -> Result<Option<Url>, ConfigError> {
    for var in [service.env_var(), "AWS_ENDPOINT_URL"] {
        if let Some(value) = env.var(var) {
            return parse_endpoint(value, || format!("environment variable {var}")).map(Some);
        }
    }
    let Some(profile) = profile else {
        return Ok(None);
    };
    let path = config.path();
    if let Some(services) = profile.value("services") {
        let name = services.as_text().unwrap_or_default();
        let section = config
            .services(name)
            .filter(|s| !s.properties().is_empty())
            .ok_or_else(|| ConfigError::NoSuchServices {
                path: path.to_owned(),
                profile: profile.name().to_owned(),
                name: name.to_owned(),
            })?;
        let key = service.config_key();
        match section.value(key) {
            None => {}
            Some(Value::Text(_)) => {
                return Err(ConfigError::InvalidServicesEntry {
                    path: path.to_owned(),
                    services: name.to_owned(),
                    key: key.to_owned(),
                });
            }
            Some(block) => {
                if let Some(value) = block.nested_get("endpoint_url").filter(|v| !v.is_empty()) {
                    let origin = || {
                        format!(
                            "`{key}.endpoint_url` of [services {name}] in {}",
                            path.display()
                        )
                    };
                    return parse_endpoint(value, origin).map(Some);
                }
            }
        }
    }
    let origin = || {
        format!(
            "`endpoint_url` of profile `{}` in {}",
            profile.name(),
            path.display()
        )
    };
    match profile.value("endpoint_url") {
        Some(Value::Text(value)) if !value.is_empty() => parse_endpoint(value, origin).map(Some),
        Some(Value::Nested(_)) => Err(ConfigError::InvalidEndpoint {
            origin: origin(),
            value: String::new(),
            reason: "it is an indented block, not a URL".to_owned(),
        }),
        _ => Ok(None),
    }
}

/// An override URL, checked as botocore's `is_valid_endpoint_url` does (a host made of DNS
/// labels, or an IP address), and with an `http` or `https` scheme.
fn parse_endpoint(value: &str, origin: impl Fn() -> String) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidEndpoint {
        origin: origin(),
        value: value.to_owned(),
        reason,
    };
    let url = Url::parse(value).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme is `{}`, not http or https",
            url.scheme()
        )));
    }
    match url.host() {
        None => Err(invalid("it has no host".to_owned())),
        Some(Host::Domain(d)) if !is_valid_hostname(d) => Err(invalid(
            "the host name must be dot-separated labels of letters, digits and `-`".to_owned(),
        )),
        Some(_) => Ok(url),
    }
}

/// botocore's host name check: labels of 1 to 63 letters, digits or `-`, not starting or ending
/// with `-`, a trailing dot allowed, at most 255 characters.
fn is_valid_hostname(host: &str) -> bool {
    if host.is_empty() || host.len() > 255 {
        return false;
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    host.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}
