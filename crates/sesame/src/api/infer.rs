//! Which service and region a request is signed for, read off the endpoint's host name.
//!
//! AWS host names follow a few shapes, and the signing name is not always the first label
//! (awscurl signs everything for `execute-api` in `us-east-1` unless told otherwise). What is
//! recognised, for the partitions' DNS suffixes (`amazonaws.com`, `amazonaws.com.cn`, `api.aws`,
//! `on.aws`, ...):
//!
//! - `{service}.{region}.amazonaws.com`, `{service}-fips.{region}...` (FIPS),
//!   `{service}.dualstack.{region}...` and `{service}.{region}.api.aws` (dual-stack);
//! - global endpoints `{service}.amazonaws.com` (IAM, STS, Organizations, Route 53, ...), signed in
//!   the partition's home region (`us-east-1`, `cn-north-1`, `us-gov-west-1`);
//! - endpoint prefixes whose signing name differs: `up.sso.{region}` → `identitystore` (the
//!   console's Identity Store endpoint), `portal.sso` → `awsssoportal`, `oidc` → `sso-oauth`,
//!   `email` → `ses`, `streams.dynamodb` → `dynamodb`, `data.iot` → `iotdata`, ...;
//! - S3 in every style: path (`s3.{region}...`, `s3.amazonaws.com`, legacy `s3-{region}`),
//!   virtual host (`{bucket}.s3.{region}...`, buckets with dots too), `s3.dualstack`, `s3-fips`,
//!   access points and S3 Control (both signed as `s3`);
//! - `{api}.execute-api.{region}`, OpenSearch `{domain}.{region}.es`, `{id}.lambda-url.{region}.on.aws`.
//!
//! Anything else (a loopback test server, a private endpoint) infers nothing, and the caller asks
//! for `--service` / `--region`.

/// What the host name says about signing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inferred {
    /// The signing name (`sts`, `s3`, `identitystore`, ...).
    pub service: Option<String>,
    /// The signing region.
    pub region: Option<String>,
}

/// DNS suffixes of the AWS partitions, longest first, with each one's home region (where its
/// global endpoints sign).
const SUFFIXES: [(&str, &str); 8] = [
    ("amazonaws.com.cn", "cn-north-1"),
    ("amazonaws.com", "us-east-1"),
    ("api.amazonwebservices.com.cn", "cn-north-1"),
    ("api.aws", "us-east-1"),
    ("on.aws", "us-east-1"),
    ("c2s.ic.gov", "us-iso-east-1"),
    ("sc2s.sgov.gov", "us-isob-east-1"),
    ("amazonaws.eu", "eusc-de-east-1"),
];

/// Endpoint prefixes (the labels before the region) whose signing name is not the prefix itself.
const SIGNING_NAMES: [(&str, &str); 16] = [
    ("up.sso", "identitystore"),
    ("portal.sso", "awsssoportal"),
    ("oidc", "sso-oauth"),
    ("email", "ses"),
    ("streams.dynamodb", "dynamodb"),
    ("data.iot", "iotdata"),
    ("data-ats.iot", "iotdata"),
    ("api.ecr", "ecr"),
    ("api.pricing", "pricing"),
    ("runtime.sagemaker", "sagemaker"),
    ("runtime.lex", "lex"),
    ("api.sagemaker", "sagemaker"),
    ("runtime-v2-lex", "lex"),
    ("execute-api", "execute-api"),
    ("bedrock-runtime", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
];

/// Global endpoints whose home region is not the partition's (all others sign in it).
const GLOBAL_REGIONS: [(&str, &str); 2] = [
    ("iam.us-gov", "us-gov-west-1"),
    ("sts.us-gov", "us-gov-west-1"),
];

/// Reads the signing service and region off `host` (no port, any case).
pub fn infer(host: &str) -> Inferred {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let Some((rest, home)) = SUFFIXES.iter().find_map(|(suffix, home)| {
        host.strip_suffix(suffix)?
            .strip_suffix('.')
            .map(|r| (r, *home))
    }) else {
        return Inferred::default();
    };
    let labels: Vec<&str> = rest.split('.').filter(|l| !l.is_empty()).collect();
    if labels.is_empty() {
        return Inferred::default();
    }
    if let Some(found) = s3(&labels, home) {
        return found;
    }
    let (prefix, region) = match labels.as_slice() {
        [before @ .., last] if is_region(last) => (before, Some((*last).to_owned())),
        // `{domain}.{region}.es`, `{collection}.{region}.aoss`: the service after the region.
        [_, .., region, service] if is_region(region) => {
            return Inferred {
                service: Some((*service).to_owned()),
                region: Some((*region).to_owned()),
            };
        }
        _ => (labels.as_slice(), None),
    };
    let prefix: Vec<&str> = prefix
        .iter()
        .copied()
        .filter(|l| *l != "dualstack")
        .collect();
    if prefix.is_empty() {
        return Inferred {
            service: None,
            region,
        };
    }
    let service = signing_name(&prefix);
    let region = region.or_else(|| {
        // A global endpoint: `iam.amazonaws.com`, `sts.amazonaws.com`, `route53.amazonaws.com`.
        let joined = prefix.join(".");
        let global = GLOBAL_REGIONS
            .iter()
            .find(|(p, _)| *p == joined)
            .map(|(_, r)| *r);
        (prefix.len() == 1).then(|| global.unwrap_or(home).to_owned())
    });
    Inferred {
        service: Some(service),
        region,
    }
}

/// The signing name for the labels before the region: a known multi-label prefix, else the
/// last label (`{api-id}.execute-api`, `{domain}.es`, `{id}.lambda-url`) without `-fips`.
fn signing_name(prefix: &[&str]) -> String {
    for take in (1..=prefix.len().min(2)).rev() {
        let tail = prefix[prefix.len() - take..].join(".");
        if let Some((_, name)) = SIGNING_NAMES.iter().find(|(p, _)| *p == tail) {
            return (*name).to_owned();
        }
    }
    let last = prefix[prefix.len() - 1];
    let last = last.strip_suffix("-fips").unwrap_or(last);
    match last {
        "lambda-url" => "lambda".to_owned(),
        "aoss" => "aoss".to_owned(),
        other => other.to_owned(),
    }
}

/// S3's many host shapes; `None` when the host is not S3's.
fn s3(labels: &[&str], home: &str) -> Option<Inferred> {
    let found = |region: Option<&str>| {
        Some(Inferred {
            service: Some("s3".to_owned()),
            region: Some(region.unwrap_or(home).to_owned()),
        })
    };
    // Scan from the right for the S3 label; what is left of it is a bucket or an access point.
    for (i, label) in labels.iter().enumerate().rev() {
        let after: Vec<&str> = labels[i + 1..]
            .iter()
            .copied()
            .filter(|l| *l != "dualstack")
            .collect();
        let region = match after.as_slice() {
            [] => None,
            [r] if is_region(r) => Some(*r),
            _ => continue,
        };
        match *label {
            "s3"
            | "s3-fips"
            | "s3-accesspoint"
            | "s3-accesspoint-fips"
            | "s3-control"
            | "s3-control-fips"
            | "s3-external-1" => return found(region),
            l if region.is_none() => {
                // The legacy dash style: `s3-us-west-2.amazonaws.com`, `bucket.s3-eu-west-1...`.
                if let Some(r) = l.strip_prefix("s3-").filter(|r| is_region(r)) {
                    return found(Some(r));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a label looks like a region code: `us-east-1`, `eu-central-2`, `us-gov-west-1`,
/// `cn-north-1`, `us-iso-east-1`, `ap-southeast-7`.
pub fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    if parts.len() < 3 {
        return false;
    }
    let (last, first) = (parts[parts.len() - 1], parts[0]);
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(host: &str) -> (Option<String>, Option<String>) {
        let i = infer(host);
        (i.service, i.region)
    }

    fn is(host: &str, service: &str, region: &str) {
        assert_eq!(
            both(host),
            (Some(service.to_owned()), Some(region.to_owned())),
            "{host}"
        );
    }

    #[test]
    fn regional_and_global_endpoints() {
        is("sts.eu-west-1.amazonaws.com", "sts", "eu-west-1");
        is(
            "dynamodb.ap-southeast-2.amazonaws.com",
            "dynamodb",
            "ap-southeast-2",
        );
        is("iam.amazonaws.com", "iam", "us-east-1");
        is("sts.amazonaws.com", "sts", "us-east-1");
        is("route53.amazonaws.com", "route53", "us-east-1");
        is(
            "organizations.us-east-1.amazonaws.com",
            "organizations",
            "us-east-1",
        );
        is("ec2.cn-north-1.amazonaws.com.cn", "ec2", "cn-north-1");
        is("iam.amazonaws.com.cn", "iam", "cn-north-1");
        is("sts.us-gov-west-1.amazonaws.com", "sts", "us-gov-west-1");
        is("STS.EU-WEST-1.AMAZONAWS.COM.", "sts", "eu-west-1");
    }

    #[test]
    fn fips_and_dualstack() {
        is("sts-fips.us-east-2.amazonaws.com", "sts", "us-east-2");
        is(
            "dynamodb-fips.us-gov-west-1.amazonaws.com",
            "dynamodb",
            "us-gov-west-1",
        );
        is("ec2.dualstack.eu-west-1.amazonaws.com", "ec2", "eu-west-1");
        is("sqs.eu-west-1.api.aws", "sqs", "eu-west-1");
    }

    #[test]
    fn signing_names_that_differ_from_the_prefix() {
        is(
            "up.sso.eu-central-1.amazonaws.com",
            "identitystore",
            "eu-central-1",
        );
        is(
            "identitystore.eu-central-1.amazonaws.com",
            "identitystore",
            "eu-central-1",
        );
        is("sso.us-east-1.amazonaws.com", "sso", "us-east-1");
        is(
            "portal.sso.us-east-1.amazonaws.com",
            "awsssoportal",
            "us-east-1",
        );
        is("email.us-east-1.amazonaws.com", "ses", "us-east-1");
        is(
            "streams.dynamodb.us-east-1.amazonaws.com",
            "dynamodb",
            "us-east-1",
        );
        is(
            "abc123.execute-api.eu-west-3.amazonaws.com",
            "execute-api",
            "eu-west-3",
        );
        is("search-dom-x.eu-west-1.es.amazonaws.com", "es", "eu-west-1");
        is("xyz.lambda-url.us-west-2.on.aws", "lambda", "us-west-2");
    }

    #[test]
    fn s3_in_every_style() {
        is("s3.amazonaws.com", "s3", "us-east-1");
        is("s3.us-west-2.amazonaws.com", "s3", "us-west-2");
        is("bucket.s3.us-west-2.amazonaws.com", "s3", "us-west-2");
        is(
            "my.dotted.bucket.s3.eu-west-1.amazonaws.com",
            "s3",
            "eu-west-1",
        );
        is("bucket.s3.amazonaws.com", "s3", "us-east-1");
        is("s3.dualstack.ap-south-1.amazonaws.com", "s3", "ap-south-1");
        is(
            "bucket.s3.dualstack.ap-south-1.amazonaws.com",
            "s3",
            "ap-south-1",
        );
        is("s3-fips.us-east-2.amazonaws.com", "s3", "us-east-2");
        is(
            "s3-fips.dualstack.us-east-2.amazonaws.com",
            "s3",
            "us-east-2",
        );
        is("s3-us-west-2.amazonaws.com", "s3", "us-west-2");
        is("bucket.s3-eu-west-1.amazonaws.com", "s3", "eu-west-1");
        is(
            "ap-111122223333.s3-accesspoint.us-west-2.amazonaws.com",
            "s3",
            "us-west-2",
        );
        is(
            "111122223333.s3-control.us-west-2.amazonaws.com",
            "s3",
            "us-west-2",
        );
        is("bucket.s3.cn-north-1.amazonaws.com.cn", "s3", "cn-north-1");
        is(
            "s3-bucket-named-like-s3.s3.us-east-2.amazonaws.com",
            "s3",
            "us-east-2",
        );
    }

    #[test]
    fn hosts_that_say_nothing() {
        assert_eq!(infer("127.0.0.1"), Inferred::default());
        assert_eq!(infer("localhost"), Inferred::default());
        assert_eq!(infer("api.example.com"), Inferred::default());
        assert_eq!(infer("amazonaws.com"), Inferred::default());
    }

    #[test]
    fn region_shapes() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "us-iso-east-1",
            "ap-southeast-7",
            "il-central-1",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in [
            "s3",
            "us-east",
            "dualstack",
            "execute-api",
            "s3-fips",
            "1-east-1",
            "us-east-x",
        ] {
            assert!(!is_region(r), "{r}");
        }
    }
}
