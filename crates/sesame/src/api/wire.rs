//! The URL a request goes out with, in the one encoding SigV4 signs.
//!
//! A URL typed by a user may be raw (`/my key`, `?prefix=a b`), already encoded (`/my%20key`,
//! `?marker=a%2Fb`), or a mix. The signer and the server must agree on every byte, so sesame
//! rewrites the path and query into SigV4's canonical encoding once, sends exactly that, and signs
//! exactly that (no second encoding for S3, no double decoding anywhere):
//!
//! - path: each `/`-separated segment is percent-decoded, then every byte but the unreserved
//!   ones (`A-Z a-z 0-9 - _ . ~`) is encoded; an encoded slash inside a segment (`a%2Fb`) stays
//!   `%2F`, a stray `%` becomes `%25`;
//! - query: each `name=value` pair is decoded with form rules (`+` is a space, as AWS and the
//!   signer read it) and encoded the same way; order and `name`-without-`=` pairs (`?acl`) are
//!   kept. A literal plus is `%2B`. This is what awscurl gets wrong (its #216: `%2F` sent as
//!   `%252F`).
//!
//! Dot segments (`/a/../b`) are left to the HTTP layer, which resolves them before sending as
//! curl does; the signer then sees the resolved path.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::RequestError;

/// Every byte but SigV4's unreserved characters.
pub(crate) const SIGV4_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A URL split into the parts sesame needs, with path and query in canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireUrl {
    /// `http` or `https`.
    pub scheme: String,
    /// The host (lowercase; IPv6 in brackets).
    pub host: String,
    /// The port if one was written.
    pub port: Option<u16>,
    /// The encoded path, starting with `/`.
    pub path: String,
    /// The encoded query without `?`, if any.
    pub query: Option<String>,
}

impl WireUrl {
    /// Parses and re-encodes `input` (`https://host[:port]/path?query`; a fragment is dropped).
    pub fn parse(input: &str) -> Result<Self, RequestError> {
        let bad = |reason: &str| RequestError::BadUrl {
            url: input.to_owned(),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| bad("it has no scheme; write it as https://host/path"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad(&format!("the scheme is `{scheme}`, not http or https")));
        }
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_query) = rest.split_at(split);
        if authority.contains('@') {
            return Err(bad("user names and passwords in the URL are not supported"));
        }
        // Let the URL crate validate the host and port (IDNA, IPv6, ranges).
        let parsed = url::Url::parse(&format!("{scheme}://{authority}/"))
            .map_err(|e| bad(&e.to_string()))?;
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
            _ => return Err(bad("it has no host")),
        };
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_query, None),
        };
        Ok(Self {
            scheme,
            host,
            port: parsed.port(),
            path: encode_path(path),
            query: query.map(encode_query).filter(|q| !q.is_empty()),
        })
    }

    /// Resolves `.` and `..` path segments as the HTTP layer (and curl) does before sending, so
    /// what is signed is what goes out.
    pub fn resolve_dot_segments(&mut self) {
        if let Ok(u) = url::Url::parse(&format!("http://h{}", self.path)) {
            self.path = u.path().to_owned();
        }
    }

    /// `host[:port]`, as the `Host` header carries it.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// The host without brackets or port, for service and region inference.
    pub fn host_name(&self) -> &str {
        &self.host
    }

    /// Appends `name=value` pairs (raw; encoded here) to the query.
    pub fn append_query<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut query = self.query.take().unwrap_or_default();
        for (name, value) in pairs {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&encode(name));
            query.push('=');
            query.push_str(&encode(value));
        }
        self.query = Some(query).filter(|q| !q.is_empty());
    }

    /// The whole URL as sent.
    pub fn as_string(&self) -> String {
        let mut s = format!("{}://{}{}", self.scheme, self.authority(), self.path);
        if let Some(q) = &self.query {
            s.push('?');
            s.push_str(q);
        }
        s
    }
}

/// SigV4's encoding of one raw string.
pub(crate) fn encode(raw: &str) -> String {
    utf8_percent_encode(raw, SIGV4_ENCODE).to_string()
}

fn encode_bytes(raw: &[u8]) -> String {
    percent_encoding::percent_encode(raw, SIGV4_ENCODE).to_string()
}

/// Each segment decoded (leniently: a `%` not followed by two hex digits is literal) and encoded.
fn encode_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/')
        .map(|segment| encode_bytes(&percent_decode_str(segment).collect::<Vec<u8>>()))
        .collect::<Vec<_>>()
        .join("/")
}

/// Each pair decoded with form rules and encoded; empty pairs (`a=1&&b=2`) dropped.
fn encode_query(query: &str) -> String {
    let decode = |s: &str| {
        let spaced = s.replace('+', " ");
        percent_decode_str(&spaced).collect::<Vec<u8>>()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => format!("{}={}", encode_bytes(&decode(k)), encode_bytes(&decode(v))),
            None => encode_bytes(&decode(pair)),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(input: &str) -> String {
        WireUrl::parse(input).unwrap().as_string()
    }

    #[test]
    fn raw_and_encoded_paths_end_up_the_same() {
        assert_eq!(wire("https://h/my key/ሴ"), "https://h/my%20key/%E1%88%B4");
        assert_eq!(
            wire("https://h/my%20key/%E1%88%B4"),
            "https://h/my%20key/%E1%88%B4"
        );
        assert_eq!(wire("https://h/a+b/c%2Bd"), "https://h/a%2Bb/c%2Bd");
        assert_eq!(wire("https://h/100%/x"), "https://h/100%25/x");
        assert_eq!(
            wire("https://h/a%2Fb"),
            "https://h/a%2Fb",
            "an encoded slash stays one"
        );
        assert_eq!(wire("https://h/-._~"), "https://h/-._~");
        assert_eq!(wire("https://h"), "https://h/");
        assert_eq!(wire("https://h//a//"), "https://h//a//");
        assert_eq!(wire("https://h/a:b@c"), "https://h/a%3Ab%40c");
    }

    #[test]
    fn queries_are_never_double_encoded() {
        // awscurl #216: a pre-encoded `%2F` must go out as `%2F`, not `%252F`.
        assert_eq!(
            wire("https://h/?marker=a%2Fb&x=1"),
            "https://h/?marker=a%2Fb&x=1"
        );
        assert_eq!(wire("https://h/?marker=a/b"), "https://h/?marker=a%2Fb");
        assert_eq!(
            wire("https://h/?q=a+b&r=a%2Bb"),
            "https://h/?q=a%20b&r=a%2Bb"
        );
        assert_eq!(wire("https://h/?acl"), "https://h/?acl");
        assert_eq!(wire("https://h/?a=&b"), "https://h/?a=&b");
        assert_eq!(wire("https://h/?ሴ=bar"), "https://h/?%E1%88%B4=bar");
        assert_eq!(wire("https://h/p?"), "https://h/p");
        assert_eq!(wire("https://h/p#frag"), "https://h/p");
    }

    #[test]
    fn hosts_ports_and_bad_urls() {
        let u = WireUrl::parse("HTTP://Example.AmazonAWS.com:8080/x").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port),
            ("http", "example.amazonaws.com", Some(8080))
        );
        assert_eq!(u.authority(), "example.amazonaws.com:8080");
        assert_eq!(
            WireUrl::parse("https://h:443/").unwrap().port,
            None,
            "the default port is dropped"
        );
        assert_eq!(
            WireUrl::parse("http://[::1]:9/").unwrap().authority(),
            "[::1]:9"
        );
        for bad in [
            "sts.amazonaws.com",
            "ftp://h/",
            "https:///x",
            "https://u:p@h/",
            "https://h:99999/",
        ] {
            assert!(WireUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dot_segments_resolve_as_curl_does() {
        let mut u = WireUrl::parse("https://h/a/./b/../c%20d/").unwrap();
        u.resolve_dot_segments();
        assert_eq!(u.path, "/a/c%20d/");
        let mut u = WireUrl::parse("https://h//x//").unwrap();
        u.resolve_dot_segments();
        assert_eq!(u.path, "//x//");
    }

    #[test]
    fn appended_pairs_are_encoded() {
        let mut u = WireUrl::parse("https://h/?a=1").unwrap();
        u.append_query([
            ("X-Amz-Credential", "AKID/2015/us-east-1/s3/aws4_request"),
            ("t", "a+b="),
        ]);
        assert_eq!(
            u.as_string(),
            "https://h/?a=1&X-Amz-Credential=AKID%2F2015%2Fus-east-1%2Fs3%2Faws4_request&t=a%2Bb%3D"
        );
    }
}
