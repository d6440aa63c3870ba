//! Form-based sign-in, as a browser does it: fill the login form, then follow whatever pages
//! come (an MFA step asking for a code, an auto-posting form) until one carries the
//! `SAMLResponse`.
//!
//! AD FS (docs/protocols.md, *SAML and AD FS*): the IdP-initiated URL answers a page whose
//! `form#loginForm` has `UserName`, `Password` and a hidden `AuthMethod=FormsAuthentication`; a
//! failure comes back as the same page with text in `#errorText` (wrong password, locked account);
//! success sets the `MSISAuth` cookies and redirects to the page whose form posts `SAMLResponse` to
//! AWS, or first to an additional-authentication page (a one-time-code field such as
//! `VerificationCode`, the `AuthMethod` of the MFA adapter in a hidden field). The generic flavour
//! finds the login form by its password field and the user-name field beside it, and also handles
//! user-name-first pages.

use scraper::Html;
use url::Url;

use super::html::{self, Field, Form, Page};
use super::{IdpError, IdpPrompt, display_url, fetch};
use crate::Secret;

/// More pages than a sign-in ever takes: login, MFA, a couple of auto-posts, the SAML page.
const MAX_STEPS: usize = 12;

/// Field names IdPs use for a one-time code (AD FS adapters, RSA, Duo passcode, Keycloak OTP).
const CODE_FIELDS: [&str; 12] = [
    "VerificationCode",
    "OathCode",
    "Passcode",
    "ChallengeQuestionAnswer",
    "NextCode",
    "otp",
    "totp",
    "code",
    "security_code",
    "otc",
    "mfaCode",
    "one_time_code",
];

/// AD FS authentication methods that wait for a phone or an app, with no code to type.
const PUSH_METHODS: [&str; 3] = [
    "AzureMfaAuthentication",
    "AzureMfaServerAuthentication",
    "DuoAdfsAdapter",
];

/// Which IdP the pages come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// AD FS: `form#loginForm`, `UserName`, `AuthMethod`.
    Adfs,
    /// Any login form.
    Generic,
}

/// Where the sign-in is.
#[derive(Debug, Default)]
struct Progress {
    username: Option<String>,
    username_sent: bool,
    password_sent: bool,
    /// How many one-time codes were sent.
    codes_sent: u32,
}

impl Progress {
    /// The user name, asked for once.
    fn username(&mut self, prompt: &dyn IdpPrompt) -> Result<String, IdpError> {
        if self.username.is_none() {
            self.username = Some(prompt.username()?);
        }
        Ok(self.username.clone().unwrap_or_default())
    }
}

pub(crate) async fn sign_in(
    client: &reqwest::Client,
    url: &Url,
    prompt: &dyn IdpPrompt,
    flavor: Flavor,
) -> Result<Secret, IdpError> {
    let mut page = fetch(client.get(url.clone()), url).await?;
    let mut progress = Progress::default();
    for _ in 0..MAX_STEPS {
        let next = {
            let doc = page.parse();
            match step(&page, &doc, prompt, flavor, &mut progress)? {
                Step::Done(saml) => return Ok(saml),
                Step::Submit(form, values) => submission(client, &form, values),
            }
        };
        let (request, target) = next;
        page = fetch(request, &target).await?;
    }
    Err(IdpError::TooManySteps { steps: MAX_STEPS })
}

enum Step {
    Done(Secret),
    Submit(Form, Vec<(String, String)>),
}

fn step(
    page: &Page,
    doc: &Html,
    prompt: &dyn IdpPrompt,
    flavor: Flavor,
    progress: &mut Progress,
) -> Result<Step, IdpError> {
    if let Some(saml) = html::saml_response(doc) {
        return Ok(Step::Done(Secret::new(saml)));
    }
    let forms = html::forms(doc, &page.url);
    let error = html::error_text(doc);
    let unrecognized = || IdpError::Unrecognized {
        url: display_url(&page.url),
        title: html::title(doc),
    };
    if page.status >= 400 {
        return Err(match error {
            Some(message) if progress.password_sent => IdpError::Rejected { message },
            message => IdpError::Status {
                url: display_url(&page.url),
                status: page.status,
                message,
            },
        });
    }

    if let Some(form) = login_form(&forms, flavor) {
        if progress.password_sent {
            return Err(IdpError::Rejected {
                message: error.unwrap_or_else(|| {
                    "it showed the login form again (wrong user name or password?)".to_owned()
                }),
            });
        }
        let mut values = form.submission();
        let username = progress.username(prompt)?;
        if let Some(user) = username_field(form, flavor) {
            set(&mut values, &user.name, &username);
        }
        let password = prompt.password(&username)?;
        let field = form
            .password_field()
            .map(|f| f.name.clone())
            .unwrap_or_default();
        set(&mut values, &field, password.expose());
        if flavor == Flavor::Adfs && form.field("AuthMethod").is_none() {
            values.push(("AuthMethod".into(), "FormsAuthentication".into()));
        }
        progress.password_sent = true;
        progress.username_sent = true;
        return Ok(Step::Submit(form.clone(), values));
    }

    let code_form = code_form(&forms).filter(|_| progress.password_sent);
    // A refused code comes back as the code form again (with the IdP's words): asked again, up
    // to MAX_CODE_TRIES codes, when the prompt can ask (a person at a terminal).
    if progress.codes_sent > 0
        && let Some((form, field)) = code_form
    {
        let message = error.unwrap_or_else(|| "the IdP asked for the code again".to_owned());
        let label = code_label(doc, field);
        let again = if progress.codes_sent < MAX_CODE_TRIES {
            prompt.one_time_code_again(&label, &message)?
        } else {
            None
        };
        let Some(code) = again else {
            return Err(IdpError::MfaRejected { message });
        };
        return Ok(submit_code(form, field, &code, progress));
    }

    if let Some(message) = error.filter(|_| progress.username_sent) {
        return Err(if progress.codes_sent > 0 {
            IdpError::MfaRejected { message }
        } else {
            IdpError::Rejected { message }
        });
    }

    if let Some((form, field)) = code_form {
        let code = prompt.one_time_code(&code_label(doc, field))?;
        return Ok(submit_code(form, field, &code, progress));
    }

    if progress.password_sent
        && let Some(method) = forms
            .iter()
            .filter_map(|f| f.field("AuthMethod"))
            .map(|f| f.value.as_str())
            .find(|m| PUSH_METHODS.contains(m))
    {
        return Err(IdpError::UnsupportedMfa {
            method: method.to_owned(),
        });
    }

    if !progress.username_sent
        && flavor == Flavor::Generic
        && let Some((form, user)) = username_only_form(&forms)
    {
        let mut values = form.submission();
        let username = progress.username(prompt)?;
        set(&mut values, &user.name, &username);
        progress.username_sent = true;
        return Ok(Step::Submit(form.clone(), values));
    }

    // A page that only carries state forward (what JavaScript would auto-submit).
    if progress.username_sent
        && let Some(form) = forms.iter().find(|f| {
            !f.fields.is_empty()
                && f.fields.iter().all(|x| !x.is_typed())
                && f.fields.iter().any(|x| x.kind == "hidden")
        })
    {
        let values = form.submission();
        return Ok(Step::Submit(form.clone(), values));
    }

    if !progress.username_sent {
        return Err(IdpError::NoLoginForm {
            url: display_url(&page.url),
            title: html::title(doc),
        });
    }
    Err(unrecognized())
}

/// How many one-time codes one sign-in sends at most (the first and two more after a refusal).
const MAX_CODE_TRIES: u32 = 3;

/// What the page calls the code: its field's label, else the page's title.
fn code_label(doc: &Html, field: &Field) -> String {
    html::label_of(doc, field)
        .or_else(|| html::title(doc))
        .unwrap_or_else(|| "One-time code".to_owned())
}

/// The code form filled in with `code`.
fn submit_code(form: &Form, field: &Field, code: &Secret, progress: &mut Progress) -> Step {
    let mut values = form.submission();
    set(&mut values, &field.name, code.expose().trim());
    progress.codes_sent += 1;
    Step::Submit(form.clone(), values)
}

/// The login form: AD FS's `#loginForm` when it has a password field, else the first form
/// with a password field.
fn login_form(forms: &[Form], flavor: Flavor) -> Option<&Form> {
    let with_password = |f: &&Form| f.password_field().is_some();
    let adfs = (flavor == Flavor::Adfs)
        .then(|| {
            forms
                .iter()
                .filter(with_password)
                .find(|f| f.id.as_deref() == Some("loginForm"))
        })
        .flatten();
    adfs.or_else(|| forms.iter().find(with_password))
}

/// The user-name field: AD FS's `UserName`; otherwise a typed field whose name says user, email
/// or login, else the first typed field that is not the password.
fn username_field(form: &Form, flavor: Flavor) -> Option<&Field> {
    if flavor == Flavor::Adfs
        && let Some(f) = form.field("UserName")
    {
        return Some(f);
    }
    let typed = || {
        form.fields
            .iter()
            .filter(|f| f.is_typed() && f.kind != "password")
    };
    typed()
        .find(|f| {
            let n = f.name.to_ascii_lowercase();
            ["user", "email", "login", "upn", "account"]
                .iter()
                .any(|k| n.contains(k))
        })
        .or_else(|| typed().next())
}

/// A form asking for a one-time code: a field with a known name, or else a form whose only typed
/// field is a short text/number field (and no password).
fn code_form(forms: &[Form]) -> Option<(&Form, &Field)> {
    for form in forms {
        if let Some(field) = form.fields.iter().find(|f| {
            f.kind != "hidden" && CODE_FIELDS.iter().any(|c| f.name.eq_ignore_ascii_case(c))
        }) {
            return Some((form, field));
        }
    }
    forms.iter().find_map(|form| {
        let typed: Vec<&Field> = form.fields.iter().filter(|f| f.is_typed()).collect();
        match typed.as_slice() {
            [only] if matches!(only.kind.as_str(), "text" | "tel" | "number") && form.post => {
                Some((form, *only))
            }
            _ => None,
        }
    })
}

/// A user-name-first page: a form whose only typed field names a user or email.
fn username_only_form(forms: &[Form]) -> Option<(&Form, &Field)> {
    forms.iter().find_map(|form| {
        let typed: Vec<&Field> = form.fields.iter().filter(|f| f.is_typed()).collect();
        match typed.as_slice() {
            [only] if only.kind == "email" || only.name.to_ascii_lowercase().contains("user") => {
                Some((form, *only))
            }
            _ => None,
        }
    })
}

/// Replaces the value of `name` (or adds it).
fn set(values: &mut Vec<(String, String)>, name: &str, value: &str) {
    if name.is_empty() {
        return;
    }
    match values.iter_mut().find(|(n, _)| n == name) {
        Some(v) => v.1 = value.to_owned(),
        None => values.push((name.to_owned(), value.to_owned())),
    }
}

/// The request a browser makes when the form is submitted.
fn submission(
    client: &reqwest::Client,
    form: &Form,
    values: Vec<(String, String)>,
) -> (reqwest::RequestBuilder, Url) {
    if form.post {
        let request = client.post(form.action.clone()).form(&values);
        (request, form.action.clone())
    } else {
        let mut url = form.action.clone();
        url.query_pairs_mut().clear().extend_pairs(&values);
        (client.get(url.clone()), url)
    }
}
