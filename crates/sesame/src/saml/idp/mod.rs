//! Signing in to a SAML identity provider and bringing back the `SAMLResponse` it would post to
//! AWS, the way a browser would: a cookie jar, redirects, HTML forms.
//!
//! | [`Provider`] | How | Anchors |
//! |---|---|---|
//! | `adfs` | AD FS 3.0+ forms: `UserName` / `Password` / `AuthMethod=FormsAuthentication`, the `#errorText` banner, additional-authentication (MFA) pages with a one-time-code field | saml2aws `adfs`, aws-adfs |
//! | `adfs-windows` | AD FS Windows integrated authentication: Kerberos (SPNEGO `Negotiate`, feature `kerberos`) with the `kinit` ticket, else NTLM (`WWW-Authenticate: NTLM`, NTLMv2 responses) | the AD FS 2.0 blog script (requests-ntlm), saml2aws `adfs2` |
//! | `form` | any IdP with a login form: the form with a password field, then whatever forms follow | saml2aws' generic scraping |
//!
//! With the `kerberos` feature, `adfs-windows` first tries Kerberos (SPNEGO `Negotiate`, the
//! service `HTTP@<idp host>`) with the user's ticket cache (`kinit`) through the system GSSAPI,
//! and falls back to NTLM when there is no ticket or the IdP refuses it. Without the feature
//! (the default build, which needs no system library) it speaks NTLM only.
//!
//! The user name, the password and any one-time code are asked for through [`IdpPrompt`] only
//! when a page wants them, so a sign-in the IdP's kept session cookies ([`SessionCookies`])
//! carry through asks for nothing. The password lives in a [`Secret`] for one sign-in; this
//! library never stores it (the CLI may, in the OS keyring, when the user asks).

mod cookies;
mod forms;
mod html;
#[cfg(feature = "kerberos")]
mod kerberos;
mod ntlm;

pub use cookies::SessionCookies;

use std::time::Duration;

use url::Url;

use crate::Secret;

/// How to sign in to the IdP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// AD FS 3.0 and later, forms-based.
    Adfs,
    /// AD FS Windows integrated authentication: Kerberos (feature `kerberos`), else NTLM.
    AdfsWindows,
    /// A generic login form.
    Form,
}

impl Provider {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Adfs => "adfs",
            Provider::AdfsWindows => "adfs-windows",
            Provider::Form => "form",
        }
    }
}

/// The questions an IdP may ask during a sign-in, answered by the caller (a terminal prompt).
/// Each is asked at most once per sign-in, and only when a page needs it.
pub trait IdpPrompt {
    /// The user name as the IdP wants it (`alice@example.com`, `EXAMPLE\alice`).
    fn username(&self) -> Result<String, IdpError>;
    /// The password of `username`.
    fn password(&self, username: &str) -> Result<Secret, IdpError>;
    /// A one-time code (MFA). `label` is what the IdP's page calls it.
    fn one_time_code(&self, label: &str) -> Result<Secret, IdpError>;
    /// Another one-time code after the IdP refused one (`message`: its words), or `None` to
    /// stop there (the default: a code that came from a variable would only be refused again).
    /// A sign-in asks at most twice.
    fn one_time_code_again(&self, label: &str, message: &str) -> Result<Option<Secret>, IdpError> {
        let _ = (label, message);
        Ok(None)
    }
}

/// Why no `SAMLResponse` came back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdpError {
    /// The IdP could not be reached.
    #[error("cannot reach the IdP at {url}: {reason}")]
    Unreachable {
        /// Where (scheme, host and path only).
        url: String,
        /// What the connection said.
        reason: String,
    },
    /// An HTTP status the flow cannot continue from.
    #[error("the IdP answered HTTP {status} at {url}{}", crate::aws_error::message_suffix(.message))]
    Status {
        /// Where.
        url: String,
        /// The status.
        status: u16,
        /// The error text of the page, if it has one.
        message: Option<String>,
    },
    /// The IdP refused the sign-in and said why (wrong password, locked account, ...).
    #[error("the IdP refused the sign-in: {}", page_words(.message, 200))]
    Rejected {
        /// The IdP's own words.
        message: String,
    },
    /// The IdP refused the one-time code.
    #[error("the IdP refused the one-time code: {}", page_words(.message, 200))]
    MfaRejected {
        /// The IdP's own words.
        message: String,
    },
    /// The first page has no login form (no form with a password field).
    #[error("the page at {url} has no login form{}", title_suffix(.title))]
    NoLoginForm {
        /// Where.
        url: String,
        /// The page's title, if any.
        title: Option<String>,
    },
    /// A page that is neither a form sesame can fill nor the `SAMLResponse`.
    #[error("the IdP's page at {url} is not one sesame recognises{}", title_suffix(.title))]
    Unrecognized {
        /// Where.
        url: String,
        /// The page's title, if any.
        title: Option<String>,
    },
    /// An MFA method that needs a device or app sesame cannot drive (push, phone call).
    #[error(
        "the IdP asks for `{}` multi-factor authentication, which sesame cannot answer",
        page_words(.method, 60)
    )]
    UnsupportedMfa {
        /// The method's name on the page.
        method: String,
    },
    /// The IdP does not offer NTLM for Windows integrated authentication.
    #[error("the IdP at {url} does not offer NTLM (it offers: {offered})")]
    NoNtlm {
        /// Where.
        url: String,
        /// The `WWW-Authenticate` schemes it offered.
        offered: String,
    },
    /// Kerberos could not sign in and nothing else was offered.
    #[error("Kerberos sign-in failed: {reason}")]
    Kerberos {
        /// Why.
        reason: String,
    },
    /// The IdP's Kerberos answer failed mutual authentication: the page may not be the IdP's.
    #[error("the IdP's Kerberos answer did not prove it is {service} ({reason})")]
    MutualAuthentication {
        /// The GSSAPI service name (`HTTP@host`).
        service: String,
        /// The GSSAPI's words.
        reason: String,
    },
    /// The NTLM exchange failed.
    #[error("Windows integrated authentication failed: {reason}")]
    Ntlm {
        /// Why.
        reason: String,
    },
    /// Windows integrated authentication: the IdP refused the NTLM answer computed from the user
    /// name and password (wrong password, unknown or locked account).
    #[error("Windows integrated authentication failed: the IdP refused the user name or password")]
    NtlmRefused,
    /// More pages than any real sign-in has: a loop.
    #[error("the IdP sign-in did not finish after {steps} pages")]
    TooManySteps {
        /// How many pages were seen.
        steps: usize,
    },
    /// The caller's prompt failed or was cancelled.
    #[error("{0}")]
    Prompt(String),
}

impl IdpError {
    /// Whether the IdP refused the user name and password (a wrong password, a locked account),
    /// as opposed to failing for another reason: a stored password is then no longer good.
    pub fn credentials_refused(&self) -> bool {
        matches!(self, IdpError::Rejected { .. } | IdpError::NtlmRefused)
    }
}

/// The page's title for an error line (see [`page_words`]).
fn title_suffix(title: &Option<String>) -> String {
    match title.as_deref().map(|t| page_words(t, 60)) {
        Some(t) if !t.is_empty() => format!(" (its title is \"{t}\")"),
        _ => String::new(),
    }
}

/// Text from an IdP's page as an error line shows it: its whitespace collapsed, control
/// characters (terminal escapes) dropped, cut at `max` characters.
fn page_words(text: &str, max: usize) -> String {
    let clean: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if clean.chars().count() > max {
        format!("{}…", clean.chars().take(max).collect::<String>())
    } else {
        clean
    }
}

/// Signs in at `url` with `provider` and returns the `SAMLResponse` (base64, as the IdP's form
/// carries it). `client` must keep cookies: see [`idp_client`].
pub async fn sign_in(
    client: &reqwest::Client,
    provider: Provider,
    url: &Url,
    prompt: &dyn IdpPrompt,
) -> Result<Secret, IdpError> {
    match provider {
        Provider::Adfs => forms::sign_in(client, url, prompt, forms::Flavor::Adfs).await,
        Provider::Form => forms::sign_in(client, url, prompt, forms::Flavor::Generic).await,
        Provider::AdfsWindows => ntlm::sign_in(client, url, prompt).await,
    }
}

/// The HTTP client for IdP pages: the cookie jar `cookies`, up to 10 redirects, timeouts. The
/// user agent is sesame's own, which makes AD FS serve its forms rather than try Windows
/// authentication. `ca_bundle` replaces the trusted roots, as for AWS calls (a TLS-inspecting
/// proxy sees the IdP's traffic too).
pub fn idp_client(
    cookies: &SessionCookies,
    ca_bundle: Option<&crate::http::CaBundle>,
) -> Result<reqwest::Client, crate::http::HttpError> {
    crate::http::install_crypto_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    // English pages, so error banners read the same for everyone (aws-adfs does the same).
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("en"),
    );
    let builder = reqwest::Client::builder()
        .user_agent(crate::http::USER_AGENT)
        .default_headers(headers)
        .cookie_provider(cookies.provider())
        .redirect(reqwest::redirect::Policy::limited(10))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60));
    let builder = match ca_bundle {
        Some(bundle) => builder.tls_certs_only(bundle.certificates()?),
        None => builder,
    };
    builder.build().map_err(crate::http::HttpError::Client)
}

/// A URL for messages: scheme, host, port and path, never the query (it may carry tokens).
pub(crate) fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// GETs or POSTs and reads the page, mapping connection failures.
pub(crate) async fn fetch(
    request: reqwest::RequestBuilder,
    url: &Url,
) -> Result<html::Page, IdpError> {
    let response = request.send().await.map_err(|e| IdpError::Unreachable {
        url: display_url(url),
        reason: crate::one_line(&e).replace(url.as_str(), &display_url(url)),
    })?;
    html::Page::read(response, url).await
}

/// The fuzzer's door to the HTML reader: everything sesame reads from an IdP page.
#[doc(hidden)]
pub(crate) fn fuzz_page(text: &str) {
    let base = url::Url::parse("https://idp.example.com/adfs/ls/").expect("a URL");
    let doc = scraper::Html::parse_document(text);
    for form in html::forms(&doc, &base) {
        let _ = form.submission();
        let _ = form.password_field();
        if let Some(f) = form.password_field() {
            let _ = html::label_of(&doc, f);
        }
    }
    let _ = html::saml_response(&doc);
    let _ = html::error_text(&doc);
    let _ = html::title(&doc);
}
