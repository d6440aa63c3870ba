//! Throttling, fault injection and latency; the pages and control API stay unaffected.

use std::time::{Duration, Instant};

use serde_json::json;
use sesame_emulator::EmulatorConfig;

use crate::support::World;

fn register_body() -> serde_json::Value {
    json!({"clientName": "x", "clientType": "public"})
}

#[tokio::test]
async fn the_throttle_answers_429_in_each_api_shape() {
    let w = World::new(EmulatorConfig {
        tps: Some(1.0),
        ..EmulatorConfig::default()
    })
    .await;
    let mut ok = 0;
    let mut throttled = 0;
    for _ in 0..30 {
        let a = w.post_json("/client/register", register_body()).await;
        match a.status.as_u16() {
            200 => ok += 1,
            429 => {
                a.assert_oidc_error(429, "TooManyRequestsException", "too_many_requests");
                throttled += 1;
            }
            other => panic!("unexpected {other}: {a:?}"),
        }
    }
    // One token of burst, one more per second: however slow the machine, most calls fail.
    assert!(ok >= 1 && throttled >= 15, "ok {ok}, throttled {throttled}");

    let portal = loop {
        let a = w.portal_get("/assignment/accounts", "x").await;
        if a.status == 429 {
            break a;
        }
    };
    portal.assert_portal_error(429, "TooManyRequestsException");

    // The control API and pages are never throttled.
    for _ in 0..20 {
        assert_eq!(w.get("/_emulator/stats").await.status, 200);
        assert_eq!(
            w.http.get(w.url("/device")).send().await.unwrap().status(),
            200
        );
    }
    let stats = w.emulator.stats();
    assert!(
        stats.throttled > throttled as u64,
        "the portal 429 counts too"
    );
    assert_eq!(stats.registrations, ok as u64);
    assert_eq!(
        stats.requests_for("RegisterClient"),
        30,
        "throttled calls count too"
    );

    // The bucket refills.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        w.post_json("/client/register", register_body())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn injected_500s_follow_the_rate_and_the_api_shape() {
    let w = World::new(EmulatorConfig {
        fault_500: 0.3,
        seed: 11,
        ..EmulatorConfig::default()
    })
    .await;
    let mut failures = 0u64;
    for _ in 0..400 {
        let a = w.post_json("/client/register", register_body()).await;
        if a.status == 500 {
            a.assert_oidc_error(500, "InternalServerException", "server_error");
            failures += 1;
        } else {
            assert_eq!(a.status, 200);
        }
    }
    assert!((90..=150).contains(&failures), "{failures} of 400");
    let stats = w.emulator.stats();
    assert_eq!(stats.faults_500, failures);
    assert_eq!(stats.registrations, 400 - failures);

    let portal = loop {
        let a = w.portal_get("/assignment/accounts", "x").await;
        if a.status == 500 {
            break a;
        }
        a.assert_portal_error(401, "UnauthorizedException");
    };
    portal.assert_portal_error(500, "InternalServerException");
}

#[tokio::test]
async fn injected_429s_spare_pages_and_control() {
    let w = World::new(EmulatorConfig {
        fault_429: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    w.post_json("/client/register", register_body())
        .await
        .assert_oidc_error(429, "TooManyRequestsException", "too_many_requests");
    w.portal_get("/assignment/accounts", "x")
        .await
        .assert_portal_error(429, "TooManyRequestsException");
    assert_eq!(
        w.http.get(w.url("/device")).send().await.unwrap().status(),
        200
    );
    assert_eq!(w.get("/_emulator/stats").await.status, 200);
    let approve = w.post_json("/_emulator/approve", json!({})).await;
    assert_eq!(approve.body, json!({"approved": []}));
    assert_eq!(w.emulator.stats().faults_429, 2);
}

#[tokio::test]
async fn dropped_connections_give_connection_errors_not_answers() {
    let w = World::new(EmulatorConfig {
        fault_drop: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    for _ in 0..5 {
        let err = w
            .http
            .post(w.url("/client/register"))
            .json(&register_body())
            .send()
            .await
            .expect_err("no HTTP answer");
        assert!(err.status().is_none(), "{err:?}");
        assert!(
            err.is_request() || err.is_connect() || err.is_body(),
            "{err:?}"
        );
    }
    let stats = w.emulator.stats();
    assert_eq!(stats.faults_dropped, 5);
    assert_eq!(stats.registrations, 0);
    assert_eq!(w.get("/_emulator/stats").await.status, 200);
}

#[tokio::test]
async fn half_the_connections_dropped_the_others_answered() {
    let w = World::new(EmulatorConfig {
        fault_drop: 0.5,
        seed: 3,
        ..EmulatorConfig::default()
    })
    .await;
    let mut dropped = 0;
    for _ in 0..100 {
        match w
            .http
            .post(w.url("/client/register"))
            .json(&register_body())
            .send()
            .await
        {
            Ok(r) => assert_eq!(r.status(), 200),
            Err(_) => dropped += 1,
        }
    }
    assert!((30..=70).contains(&dropped), "{dropped}");
    assert_eq!(w.emulator.stats().faults_dropped, dropped);
}

#[tokio::test]
async fn latency_is_added_to_api_calls_only() {
    let w = World::new(EmulatorConfig {
        latency: Duration::from_millis(300),
        ..EmulatorConfig::default()
    })
    .await;
    let started = Instant::now();
    w.post_json("/client/register", register_body()).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    w.get("/_emulator/stats").await;
    assert!(started.elapsed() < Duration::from_millis(250));
}
