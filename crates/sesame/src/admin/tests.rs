//! The client's retry behaviour: against a scripted local HTTP server, throttles and 5xx are
//! retried and other errors are not; in paused time, throttles slow the pace and back off.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::client::Service;
use super::{AdminClient, AdminError, AdminPacing};
use crate::aws_error::AwsError;
use crate::config::AwsConfig;
use crate::credentials::AwsCredentials;
use crate::env::Env;
use crate::pace::{PacerConfig, RetryPolicy};

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

/// A client of `url` paced by `pacing`.
fn client_with(url: &str, pacing: AdminPacing) -> AdminClient {
    let env = Env::from_vars([("AWS_ENDPOINT_URL", url)]);
    AdminClient::new(
        crate::http::api_client(None).unwrap(),
        AwsCredentials {
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: crate::secret::Secret::new("secret"),
            session_token: None,
            expiration: None,
            source: "test".to_owned(),
        },
        "us-east-1",
        &env,
        &AwsConfig::from_str("/c", "").unwrap(),
        None,
        pacing,
    )
    .unwrap()
}

/// A client of `url` at 100 requests a second whatever the throttles, with short backoffs: the
/// wire's classification, quickly.
fn client(url: &str, attempts: u32) -> AdminClient {
    client_with(
        url,
        AdminPacing {
            pacer: PacerConfig {
                min_rate: 100.0,
                ..AdminPacing::new(8, 100.0).pacer
            },
            retry: RetryPolicy {
                max_attempts: Some(attempts),
                min_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(50),
                ..RetryPolicy::default()
            },
            ..AdminPacing::default()
        },
    )
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

fn api(status: u16, code: &str) -> AdminError {
    AdminError::Api(AwsError {
        operation: "ListAccountAssignments",
        status,
        code: code.to_owned(),
        message: None,
        request_id: None,
    })
}

/// A service's throttle: a bucket of `rate` tokens a second holding one second's worth.
struct Throttle {
    rate: f64,
    tokens: f64,
    last: tokio::time::Instant,
    refused: usize,
}

impl Throttle {
    /// Whether a request now is let through; refusals alternate the two codes AWS uses.
    fn admit(&mut self) -> Result<(), AdminError> {
        let now = tokio::time::Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        self.refused += 1;
        Err(if self.refused.is_multiple_of(2) {
            api(400, "ThrottlingException")
        } else {
            api(429, "TooManyRequestsException")
        })
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_back_off_and_complete_near_the_service_limit() {
    // Virtual time: the pacer's and the backoff's sleeps are exact, the run deterministic.
    // Nothing is sent: each attempt is answered by a 10/s throttle after 50 ms, and the client
    // starts at its default 40/s, four times too fast.
    let c = client_with("http://127.0.0.1:9", AdminPacing::default());
    let throttle = Arc::new(std::sync::Mutex::new(Throttle {
        rate: 10.0,
        tokens: 10.0,
        last: tokio::time::Instant::now(),
        refused: 0,
    }));
    let start = tokio::time::Instant::now();
    let calls = (0..200).map(|i| {
        let (c, throttle) = (c.clone(), throttle.clone());
        async move {
            c.paced(Service::SsoAdmin, "ListAccountAssignments", || {
                let throttle = throttle.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    throttle.lock().unwrap().admit().map(|()| i)
                }
            })
            .await
        }
    });
    let mut done: Vec<usize> = futures_util::future::try_join_all(calls).await.unwrap();
    done.sort();
    assert_eq!(done, (0..200).collect::<Vec<_>>(), "every call completes");
    let secs = start.elapsed().as_secs_f64();
    let refused = throttle.lock().unwrap().refused;
    let stats = c.pacing_of(Service::SsoAdmin).stats();
    eprintln!("{secs:.2}s, {refused} refused, {stats:?}");
    assert!(refused >= 2, "both throttle codes were answered: {refused}");
    assert_eq!(stats.pacer.throttles, refused as u64, "{stats:?}");
    assert_eq!(stats.requests, 200 + refused as u64, "{stats:?}");
    assert!(stats.pacer.decreases >= 1, "{stats:?}");
    // Slowed down to the service's pace rather than hammering it: refusals a fraction of the
    // calls (the pacer cuts once their share rises past chance, pace/pacer.rs), and the run
    // takes about what 10/s allows (20 s), neither far less nor far more.
    assert!(refused <= 100, "{refused} refused");
    assert!(
        (19.0..=26.0).contains(&secs),
        "{secs:.2}s for 200 calls at 10/s"
    );
    // Other services' pacers saw nothing.
    assert_eq!(c.pacing_of(Service::Organizations).stats().requests, 0);
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_stay_within_the_concurrency() {
    let c = client_with("http://127.0.0.1:9", AdminPacing::new(3, 1000.0));
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let calls = (0..30).map(|i| {
        let (c, now, peak) = (c.clone(), now.clone(), peak.clone());
        // Spread over the three services: the bound is for all of them together.
        let service = [
            Service::SsoAdmin,
            Service::IdentityStore,
            Service::Organizations,
        ][i % 3];
        async move {
            c.paced(service, "X", || {
                let (now, peak) = (now.clone(), peak.clone());
                async move {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, AdminError>(())
                }
            })
            .await
        }
    });
    futures_util::future::try_join_all(calls).await.unwrap();
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}
