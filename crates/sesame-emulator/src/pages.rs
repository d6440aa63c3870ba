//! The HTML pages a user's browser sees: the device verification page (`/device`) and the
//! shared page frame used by the PKCE consent page.
//!
//! Buttons are plain forms, so a test can drive them with an HTTP client:
//! `POST /device` with `user_code=ABCD-EFGH&action=approve` (or `deny`).

use std::{collections::HashMap, sync::Arc, time::Instant};

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

use crate::state::{DeviceStatus, Shared, normalize_user_code};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body` (already HTML).
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} - sesame-emulator</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:4em auto}}\
         .code{{font:2em monospace;letter-spacing:.1em}}\
         form{{display:inline-block;margin-right:1em}}button{{font-size:1.1em}}</style>\
         </head><body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

/// A pair of Approve/Deny forms posting `fields` plus `action` to `action_path`.
pub(crate) fn decision_forms(action_path: &str, fields: &[(&str, &str)]) -> String {
    let hidden: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let form = |action: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"{path}\">{hidden}\
             <button type=\"submit\" name=\"action\" value=\"{action}\" id=\"{action}\">{label}\
             </button></form>",
            path = escape(action_path),
        )
    };
    format!("{}{}", form("approve", "Approve"), form("deny", "Deny"))
}

/// `GET /device[?user_code=ABCD-EFGH]`: the verification page.
pub(crate) async fn device_page(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(user_code) = query.get("user_code").filter(|c| !c.trim().is_empty()) else {
        return page(
            StatusCode::OK,
            "Authorize request",
            "<p>Enter the code shown by your application.</p>\
             <form method=\"get\" action=\"/device\">\
             <input name=\"user_code\" autofocus placeholder=\"ABCD-EFGH\">\
             <button type=\"submit\">Next</button></form>",
        );
    };
    let user_code = normalize_user_code(user_code);
    let status = {
        let store = shared.store();
        store
            .user_codes
            .get(&user_code)
            .and_then(|dc| store.device_codes.get(dc))
            .map(|d| (d.status, d.expires <= Instant::now()))
    };
    let shown = format!("<p class=\"code\">{}</p>", escape(&user_code));
    match status {
        None => page(
            StatusCode::NOT_FOUND,
            "Unknown code",
            &format!("{shown}<p>No authorization request has this code.</p>"),
        ),
        Some((_, true)) => page(
            StatusCode::BAD_REQUEST,
            "Code expired",
            &format!("{shown}<p>This code has expired. Start again from your application.</p>"),
        ),
        Some((DeviceStatus::Pending, false)) => page(
            StatusCode::OK,
            "Authorize request",
            &format!(
                "<p>Allow the application to access your AWS accounts? \
                 Check that it shows this code:</p>{shown}{}",
                decision_forms("/device", &[("user_code", &user_code)])
            ),
        ),
        Some((DeviceStatus::Denied, false)) => page(
            StatusCode::OK,
            "Request denied",
            &format!("{shown}<p>This request was denied.</p>"),
        ),
        Some(_) => page(
            StatusCode::OK,
            "Request approved",
            &format!("{shown}<p>This request was approved. You can close this window.</p>"),
        ),
    }
}

/// `POST /device` with `user_code` and `action=approve|deny`.
pub(crate) async fn device_decision(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let user_code = form.get("user_code").map(String::as_str).unwrap_or("");
    let approve = match form.get("action").map(String::as_str) {
        Some("approve") => true,
        Some("deny") => false,
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                "Bad request",
                "<p>action must be approve or deny.</p>",
            );
        }
    };
    let decided = if approve {
        shared.approve(user_code)
    } else {
        shared.deny(user_code)
    };
    let shown = format!(
        "<p class=\"code\">{}</p>",
        escape(&normalize_user_code(user_code))
    );
    match (decided, approve) {
        (false, _) => page(
            StatusCode::BAD_REQUEST,
            "Code not pending",
            &format!("{shown}<p>This code is unknown, expired or already decided.</p>"),
        ),
        (true, true) => page(
            StatusCode::OK,
            "Request approved",
            &format!("{shown}<p>You can close this window and return to your application.</p>"),
        ),
        (true, false) => page(
            StatusCode::OK,
            "Request denied",
            &format!("{shown}<p>The application will not get access.</p>"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn forms_post_the_fields_and_the_action() {
        let html = decision_forms("/device", &[("user_code", "ABCD-EFGH")]);
        assert!(html.contains("action=\"/device\""));
        assert!(html.contains("name=\"user_code\" value=\"ABCD-EFGH\""));
        assert!(html.contains("value=\"approve\""));
        assert!(html.contains("value=\"deny\""));
    }
}
