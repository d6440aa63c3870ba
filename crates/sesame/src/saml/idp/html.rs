//! What sesame reads from an IdP's HTML pages: forms and their fields, the `SAMLResponse`, an
//! error banner, the title. Parsed with `scraper` (html5ever), as forgiving as a browser.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{IdpError, display_url};

/// Pages larger than this are not read (AD FS pages are about 50 KB).
const MAX_PAGE: usize = 4 * 1024 * 1024;

/// A page as the browser would have it after redirects.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Where it came from (after redirects).
    pub(crate) url: Url,
    /// The HTTP status.
    pub(crate) status: u16,
    /// The `WWW-Authenticate` headers.
    pub(crate) authenticate: Vec<String>,
    /// The body.
    pub(crate) html: String,
}

impl Page {
    /// The token of the first `WWW-Authenticate: <scheme> <token>` header for `scheme`
    /// (case-insensitive), as sent (base64).
    pub(crate) fn auth_token(&self, scheme: &str) -> Option<&str> {
        self.authenticate.iter().find_map(|h| {
            let (s, rest) = h.trim().split_once(' ')?;
            s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
        })
    }

    pub(crate) async fn read(response: reqwest::Response, asked: &Url) -> Result<Self, IdpError> {
        let url = response.url().clone();
        let status = response.status().as_u16();
        let authenticate = response
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_PAGE)
        {
            return Err(IdpError::Unrecognized {
                url: display_url(&url),
                title: Some("a page too large to be a sign-in page".into()),
            });
        }
        let bytes = response.bytes().await.map_err(|e| IdpError::Unreachable {
            url: display_url(asked),
            reason: crate::one_line(&e),
        })?;
        let html = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_PAGE)]).into_owned();
        Ok(Self {
            url,
            status,
            authenticate,
            html,
        })
    }

    pub(crate) fn parse(&self) -> Html {
        Html::parse_document(&self.html)
    }
}

/// One `<input>`, `<select>` or `<textarea>` of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) name: String,
    /// The input type, lowercased (`text` when absent; `select`, `textarea` for those).
    pub(crate) kind: String,
    pub(crate) value: String,
    pub(crate) id: Option<String>,
    /// For checkboxes and radios: whether it is checked.
    pub(crate) checked: bool,
}

impl Field {
    /// A field a person types into (not hidden, not a button, not a box to tick).
    pub(crate) fn is_typed(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "text" | "email" | "tel" | "number" | "password" | "textarea" | "search"
        )
    }
}

/// A `<form>`: where it posts and its fields, in document order.
#[derive(Debug, Clone)]
pub(crate) struct Form {
    pub(crate) id: Option<String>,
    pub(crate) action: Url,
    pub(crate) post: bool,
    pub(crate) fields: Vec<Field>,
}

impl Form {
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn password_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.kind == "password")
    }

    /// The name/value pairs a browser would submit with no button pressed: every named field
    /// except buttons, unticked boxes and file inputs.
    pub(crate) fn submission(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|f| {
                !matches!(
                    f.kind.as_str(),
                    "submit" | "button" | "image" | "reset" | "file"
                )
            })
            .filter(|f| !matches!(f.kind.as_str(), "checkbox" | "radio") || f.checked)
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect()
    }
}

fn selector(s: &str) -> Selector {
    Selector::parse(s).expect("a valid selector")
}

/// Every form of the page, with actions resolved against the page URL (an empty or missing
/// action posts back to the page itself).
pub(crate) fn forms(doc: &Html, base: &Url) -> Vec<Form> {
    let form_sel = selector("form");
    let field_sel = selector("input, select, textarea, button");
    doc.select(&form_sel)
        .map(|form| {
            let el = form.value();
            let action = el
                .attr("action")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .and_then(|a| base.join(&html_unescape_amp(a)).ok())
                .unwrap_or_else(|| base.clone());
            let post = el
                .attr("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"));
            let fields = form.select(&field_sel).filter_map(field).collect();
            Form {
                id: el.attr("id").map(str::to_owned),
                action,
                post,
                fields,
            }
        })
        .collect()
}

/// html5ever decodes entities in attributes already; this only guards against double-escaped
/// `&amp;` some IdPs emit in actions.
fn html_unescape_amp(s: &str) -> String {
    s.replace("&amp;", "&")
}

fn field(el: ElementRef<'_>) -> Option<Field> {
    let e = el.value();
    let name = e.attr("name")?.to_owned();
    if name.is_empty() || e.attr("disabled").is_some() {
        return None;
    }
    let (kind, value) = match e.name() {
        "select" => {
            let opt = selector("option");
            let chosen = el
                .select(&opt)
                .find(|o| o.value().attr("selected").is_some())
                .or_else(|| el.select(&opt).next());
            let value = chosen
                .map(|o| {
                    o.value()
                        .attr("value")
                        .map(str::to_owned)
                        .unwrap_or_else(|| o.text().collect())
                })
                .unwrap_or_default();
            ("select".to_owned(), value)
        }
        "textarea" => ("textarea".to_owned(), el.text().collect()),
        "button" => (
            e.attr("type").unwrap_or("submit").to_ascii_lowercase(),
            e.attr("value").unwrap_or_default().to_owned(),
        ),
        _ => (
            e.attr("type").unwrap_or("text").to_ascii_lowercase(),
            e.attr("value").unwrap_or_default().to_owned(),
        ),
    };
    Some(Field {
        name,
        kind,
        value,
        id: e.attr("id").map(str::to_owned),
        checked: e.attr("checked").is_some(),
    })
}

/// The `SAMLResponse` the page would post to AWS, if it carries one.
pub(crate) fn saml_response(doc: &Html) -> Option<String> {
    doc.select(&selector("input[name=SAMLResponse]"))
        .filter_map(|i| i.value().attr("value"))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

/// An error banner's text: AD FS's `#errorText` (and its MFA pages' `#error`), and the usual
/// places other IdPs put one (Keycloak, Shibboleth, generic `role=alert`).
pub(crate) fn error_text(doc: &Html) -> Option<String> {
    const PLACES: &str = "#errorText, #errorMessage, #error, .error-message, #kc-error-message, \
                          #input-error, .alert-error, .form-error, .error, [role=alert]";
    doc.select(&selector(PLACES))
        .map(|e| squeeze(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// The page title, squeezed.
pub(crate) fn title(doc: &Html) -> Option<String> {
    doc.select(&selector("title"))
        .map(|t| squeeze(&t.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// The text of the `<label for=ID>` of a field, or its placeholder.
pub(crate) fn label_of(doc: &Html, field: &Field) -> Option<String> {
    if let Some(id) = &field.id {
        let found = doc
            .select(&selector("label"))
            .filter(|l| l.value().attr("for") == Some(id.as_str()))
            .map(|l| squeeze(&l.text().collect::<String>()))
            .find(|t| !t.is_empty());
        if found.is_some() {
            return found;
        }
        let by_id = doc
            .select(&selector("input"))
            .filter(|i| i.value().attr("id") == Some(id.as_str()))
            .filter_map(|i| i.value().attr("placeholder"))
            .map(squeeze)
            .find(|t| !t.is_empty());
        if by_id.is_some() {
            return by_id;
        }
    }
    None
}

/// Whitespace runs collapsed to one space, trimmed, capped at 300 characters.
fn squeeze(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_adfs_login_page() {
        // docs/protocols.md, *SAML and AD FS* (saml2aws' loginpage.html, trimmed).
        let html = r#"<html><head><title>Sign In</title></head><body>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="/adfs/ls/idpinitiatedsignon?client-request-id=1&amp;x=2">
  <input id="userNameInput" name="UserName" type="email" value="">
  <input id="passwordInput" name="Password" type="password">
  <input type="checkbox" name="Kmsi" id="kmsiInput" value="true">
  <span id="submitButton" class="submit">Sign in</span>
  <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication">
</form>
<form id="options" method="post" action="https://id.example.com/adfs/ls/other"><input id="optionSelection" type="hidden" name="AuthMethod"></form>
<label id="errorText" for="">  Incorrect user ID
 or password.  </label></body></html>"#;
        let doc = Html::parse_document(html);
        let base = Url::parse("https://id.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices").unwrap();
        let forms = forms(&doc, &base);
        assert_eq!(forms.len(), 2);
        let f = &forms[0];
        assert_eq!(f.id.as_deref(), Some("loginForm"));
        assert!(f.post);
        assert_eq!(
            f.action.as_str(),
            "https://id.example.com/adfs/ls/idpinitiatedsignon?client-request-id=1&x=2"
        );
        assert_eq!(f.password_field().unwrap().name, "Password");
        assert_eq!(
            f.submission(),
            vec![
                ("UserName".to_owned(), String::new()),
                ("Password".to_owned(), String::new()),
                ("AuthMethod".to_owned(), "FormsAuthentication".to_owned())
            ]
        );
        assert_eq!(
            error_text(&doc).as_deref(),
            Some("Incorrect user ID or password.")
        );
        assert_eq!(title(&doc).as_deref(), Some("Sign In"));
        assert_eq!(saml_response(&doc), None);
    }

    #[test]
    fn finds_the_saml_response() {
        let doc = Html::parse_document(
            r#"<form method="POST" name="hiddenform" action="https://signin.aws.amazon.com:443/saml"><input type="hidden" name="SAMLResponse" value=" PHNhbWxwOlJlc3BvbnNlPg== " /><noscript><input type="submit" value="Submit" /></noscript></form>"#,
        );
        assert_eq!(
            saml_response(&doc).as_deref(),
            Some("PHNhbWxwOlJlc3BvbnNlPg==")
        );
    }
}
