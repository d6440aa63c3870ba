//! The client's retry behaviour against a scripted local HTTP server: throttles and 5xx are
//! retried (and slow the pace), other errors are not.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_credential_types::Credentials;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::client::Service;
use super::{AdminClient, AdminError, Pacing};
use crate::config::AwsConfig;
use crate::env::Env;

/// Serves `answers` in turn (status, body), then `{"Instances":[]}`; counts the requests and
/// checks each is a signed JSON 1.1 call.
async fn scripted(answers: Vec<(u16, &'static str)>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then the body by Content-Length.
            let body_len = loop {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    assert!(
                        head.contains("x-amz-target: swbexternalservice.listinstances"),
                        "{head}"
                    );
                    assert!(head.contains("authorization: aws4-hmac-sha256"), "{head}");
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    break end + 4 + len;
                }
            };
            while buf.len() < body_len {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            let i = seen.fetch_add(1, Ordering::SeqCst);
            let (status, body) = answers
                .get(i)
                .copied()
                .unwrap_or((200, r#"{"Instances":[]}"#));
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(reply.as_bytes()).await.unwrap();
        }
    });
    (url, count)
}

fn client(url: &str, attempts: u32) -> AdminClient {
    let env = Env::from_vars([("AWS_ENDPOINT_URL", url)]);
    AdminClient::new(
        crate::http::api_client().unwrap(),
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
        "us-east-1",
        &env,
        &AwsConfig::from_str("/c", "").unwrap(),
        None,
        Pacing {
            attempts,
            base_backoff: Duration::from_millis(5),
            rate: 100.0,
            ..Pacing::default()
        },
    )
    .unwrap()
}

const THROTTLED: &str = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;

#[tokio::test]
async fn throttles_and_server_faults_are_retried_until_an_answer() {
    let (url, count) = scripted(vec![
        (400, THROTTLED),
        (429, "{}"),
        (500, r#"{"__type":"InternalServerException"}"#),
        (503, "<html>busy</html>"),
    ])
    .await;
    let c = client(&url, 8);
    assert_eq!(c.list_instances().await.unwrap(), vec![]);
    assert_eq!(count.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn retries_end_after_the_attempts_with_the_last_error() {
    let (url, count) = scripted(vec![(400, THROTTLED); 10]).await;
    let e = client(&url, 3).list_instances().await.unwrap_err();
    assert!(e.is_code("ThrottlingException"), "{e}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let (url, count) = scripted(vec![(
        400,
        r#"{"__type":"ValidationException","message":"bad"}"#,
    )])
    .await;
    let e = client(&url, 8)
        .call(Service::SsoAdmin, "ListInstances", &serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AdminError::Api(ref a) if a.code == "ValidationException"),
        "{e}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
