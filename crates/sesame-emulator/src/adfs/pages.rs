//! The HTML of the emulated IdPs, shaped like the real pages (AD FS 2016's login and
//! additional-authentication pages, Keycloak's login page) so drivers meet what they would in
//! the field.

use crate::pages::escape;

/// AD FS's forms login page (`form#loginForm`, docs/protocols.md, *SAML and AD FS*), with `error`
/// in `#errorText`.
pub(crate) fn adfs_login(action: &str, error: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en-US"><head><meta http-equiv="content-type" content="text/html;charset=UTF-8" /><title>Sign In</title></head>
<body dir="ltr"><div id="fullPage"><div id="contentWrapper"><div id="content">
<div id="header"><img class="logoImage" id="companyLogo" src="/adfs/portal/logo/logo.png" alt="ACME" /></div>
<main><div id="workArea"><div id="authArea" class="groupMargin">
<div id="loginArea"><div id="loginMessage" class="groupMargin">Sign in with your organizational account</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();" action="{action}">
<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">{error}</span></div>
<div id="formsAuthenticationArea">
<div id="userNameArea"><label id="userNameInputLabel" for="userNameInput" class="hidden">User Account</label>
<input id="userNameInput" name="UserName" type="email" value="" tabindex="1" class="text fullWidth" spellcheck="false" placeholder="someone@example.com" autocomplete="off"/></div>
<div id="passwordArea"><label id="passwordInputLabel" for="passwordInput" class="hidden">Password</label>
<input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth" placeholder="Password" autocomplete="off"/></div>
<div id="kmsiArea" style="display:none"><input type="checkbox" name="Kmsi" id="kmsiInput" value="true" tabindex="3" /><label for="kmsiInput">Keep me signed in</label></div>
<div id="submissionArea" class="submitMargin"><span id="submitButton" class="submit" tabindex="4" role="button" onclick="return Login.submitLoginRequest();">Sign in</span></div>
</div>
<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>
<div id="authOptions"><form id="options" method="post" action="{action}"><input id="optionSelection" type="hidden" name="AuthMethod" /></form></div>
</div></div></div></main></div></div></div></body></html>
"#,
        action = escape(action),
        error = escape(error),
    )
}

/// AD FS's additional-authentication page of a one-time-code adapter.
pub(crate) fn adfs_mfa(action: &str, context: &str, error: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en-US"><head><meta http-equiv="content-type" content="text/html;charset=UTF-8" /><title>Sign In</title></head>
<body dir="ltr"><div id="fullPage"><main><div id="workArea"><div id="authArea" class="groupMargin">
<div id="loginArea"><div id="loginMessage" class="groupMargin">For security reasons, we require additional information to verify your account</div>
<form method="post" id="loginForm" autocomplete="off" action="{action}">
<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">{error}</span></div>
<label for="verificationCodeInput">Verification code from your authenticator app</label>
<input id="verificationCodeInput" name="VerificationCode" type="text" value="" autocomplete="off" class="text fullWidth" />
<input id="authMethod" type="hidden" name="AuthMethod" value="TOTPAuthenticationProvider" />
<input id="context" type="hidden" name="Context" value="{context}" />
<input id="continueButton" type="submit" class="submit" name="Continue" value="Continue" />
</form>
</div></div></div></main></div></body></html>
"#,
        action = escape(action),
        context = escape(context),
        error = escape(error),
    )
}

/// An AD FS error page (an unknown relying party, a bad request).
pub(crate) fn adfs_error(message: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en-US"><head><title>Sign In</title></head><body><main><div id="errorArea">
<div id="openingMessage" class="groupMargin">An error occurred</div>
<div id="errorMessage" class="groupMargin">{}</div></div></main></body></html>
"#,
        escape(message)
    )
}

/// Keycloak's login page (`form#kc-form-login`), with `error` in `#input-error`.
pub(crate) fn keycloak_login(action: &str, error: &str) -> String {
    let error = if error.is_empty() {
        String::new()
    } else {
        format!(
            r#"<span id="input-error" class="pf-c-form__helper-text pf-m-error required kc-feedback-text" aria-live="polite">{}</span>"#,
            escape(error)
        )
    };
    format!(
        r#"<!DOCTYPE html>
<html class="login-pf"><head><meta charset="utf-8"><title>Sign in to acme</title></head>
<body><div class="login-pf-page"><div id="kc-header"><div id="kc-header-wrapper">ACME</div></div>
<div class="card-pf"><h1 id="kc-page-title">Sign in to your account</h1>
<div id="kc-form"><div id="kc-form-wrapper">
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="{action}" method="post">
<div class="form-group"><label for="username" class="pf-c-form__label pf-c-form__label-text">Username or email</label>
<input tabindex="1" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="off" aria-invalid="" />{error}</div>
<div class="form-group"><label for="password" class="pf-c-form__label pf-c-form__label-text">Password</label>
<input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off" aria-invalid="" /></div>
<div class="form-group login-pf-settings"><div id="kc-form-options"><div class="checkbox"><label><input tabindex="3" id="rememberMe" name="rememberMe" type="checkbox"> Remember me</label></div></div></div>
<div id="kc-form-buttons" class="form-group"><input type="hidden" id="id-hidden-input" name="credentialId" />
<input tabindex="4" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/></div>
</form></div></div></div></div></body></html>
"#,
        action = escape(action),
    )
}

/// Keycloak's SAML POST-binding page.
pub(crate) fn keycloak_post(saml_response: &str) -> String {
    format!(
        r#"<HTML><HEAD><TITLE>Authentication Redirect</TITLE></HEAD><BODY Onload="document.forms[0].submit()"><FORM METHOD="POST" ACTION="https://signin.aws.amazon.com/saml"><INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="{}"/><NOSCRIPT><P>JavaScript is disabled. We strongly recommend to enable it. Click the button below to continue.</P><INPUT TYPE="SUBMIT" VALUE="CONTINUE" /></NOSCRIPT></FORM></BODY></HTML>"#,
        escape(saml_response)
    )
}

/// A page with no form at all (a maintenance notice).
pub(crate) fn no_form() -> String {
    r#"<!DOCTYPE html>
<html><head><title>Service unavailable</title></head><body><h1>Sign-in is closed for maintenance</h1>
<p>Please try again later.</p></body></html>
"#
    .to_owned()
}
