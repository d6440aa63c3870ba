//! ListAccounts, ListAccountRoles and GetRoleCredentials.

use std::{
    collections::HashSet,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::Value;
use sesame_emulator::EmulatorConfig;

use crate::support::World;

async fn logged_in(config: EmulatorConfig) -> (World, String) {
    let w = World::new(config).await;
    let (_, token) = w.login().await;
    let access = token["accessToken"].as_str().unwrap().to_string();
    (w, access)
}

/// Walks every page of a listing; returns the items and the page sizes.
async fn walk(w: &World, token: &str, path: &str, key: &str) -> (Vec<Value>, Vec<usize>) {
    let mut items = Vec::new();
    let mut sizes = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = url::Url::parse(&w.url(path)).unwrap();
        if let Some(n) = &next {
            url.query_pairs_mut().append_pair("next_token", n);
        }
        let a = w.portal_get(&url[url::Position::BeforePath..], token).await;
        assert_eq!(a.status, 200, "{a:?}");
        let page = a.body[key].as_array().unwrap();
        sizes.push(page.len());
        items.extend(page.iter().cloned());
        match a.body.get("nextToken").and_then(Value::as_str) {
            Some(n) => next = Some(n.to_string()),
            None => break,
        }
    }
    (items, sizes)
}

#[tokio::test]
async fn list_accounts_pages_over_250_accounts() {
    let (w, token) = logged_in(EmulatorConfig {
        accounts: 250,
        ..EmulatorConfig::default()
    })
    .await;
    let (accounts, sizes) = walk(
        &w,
        &token,
        "/assignment/accounts?max_result=100",
        "accountList",
    )
    .await;
    assert_eq!(sizes, vec![100, 100, 50]);
    assert_eq!(accounts.len(), 250);
    let ids: HashSet<&str> = accounts
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    let names: Vec<&str> = accounts
        .iter()
        .map(|a| a["accountName"].as_str().unwrap())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("Acme Corp ")));
    assert!(accounts[0]["emailAddress"].as_str().unwrap().contains('@'));
    assert_eq!(
        accounts
            .iter()
            .map(|a| a["accountId"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        w.emulator.account_ids(),
        "listing order is the directory's, every time"
    );

    let (again, sizes) = walk(&w, &token, "/assignment/accounts", "accountList").await;
    assert_eq!(sizes.len(), 13, "default page size 20");
    assert_eq!(again, accounts);
    assert_eq!(w.emulator.stats().requests_for("ListAccounts"), 16);
}

#[tokio::test]
async fn bad_page_parameters_are_invalid_requests() {
    let (w, token) = logged_in(EmulatorConfig::default()).await;
    for query in [
        "max_result=101",
        "max_result=0",
        "max_result=ten",
        "next_token=not-a-token",
    ] {
        w.portal_get(&format!("/assignment/accounts?{query}"), &token)
            .await
            .assert_portal_error(400, "InvalidRequestException");
    }
    let ok = w
        .portal_get("/assignment/accounts?max_result=100", &token)
        .await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.get("nextToken").is_none());
}

#[tokio::test]
async fn list_account_roles_and_no_access() {
    let (w, token) = logged_in(EmulatorConfig {
        roles_per_account: 4,
        ..EmulatorConfig::default()
    })
    .await;
    let account = w.emulator.account_ids()[2].clone();
    let (roles, sizes) = walk(
        &w,
        &token,
        &format!("/assignment/roles?account_id={account}&max_result=3"),
        "roleList",
    )
    .await;
    assert_eq!(sizes, vec![3, 1]);
    let names: Vec<String> = roles
        .iter()
        .map(|r| {
            assert_eq!(r["accountId"], account.as_str());
            r["roleName"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(names, w.emulator.roles_of(&account));

    let forbidden = w
        .portal_get("/assignment/roles?account_id=999999999999", &token)
        .await;
    forbidden.assert_portal_error(403, "ForbiddenException");
    assert_eq!(forbidden.body["message"], "No access");
    w.portal_get("/assignment/roles", &token)
        .await
        .assert_portal_error(400, "InvalidRequestException");
}

#[tokio::test]
async fn role_credentials_are_recorded_for_whoami() {
    let (w, token) = logged_in(EmulatorConfig::default()).await;
    let account = w.emulator.account_ids()[0].clone();
    let role = w.emulator.roles_of(&account)[1].clone();
    let a = w
        .portal_get(
            &format!("/federation/credentials?role_name={role}&account_id={account}"),
            &token,
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let creds = &a.body["roleCredentials"];
    let key = creds["accessKeyId"].as_str().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(creds["secretAccessKey"].as_str().unwrap().len(), 40);
    assert!(creds["sessionToken"].as_str().unwrap().len() > 100);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let expiration = creds["expiration"].as_u64().unwrap();
    assert!(
        expiration.abs_diff(now_ms + 3_600_000) < 10_000,
        "epoch millis, one hour ahead: {expiration}"
    );

    assert_eq!(
        w.emulator.whoami(key),
        Some((account.clone(), role.clone()))
    );
    let who = w
        .get(&format!("/_emulator/whoami?access_key_id={key}"))
        .await;
    assert_eq!(
        who.body,
        serde_json::json!({"accountId": account, "roleName": role})
    );
    assert_eq!(
        w.get("/_emulator/whoami?access_key_id=ASIANOPE")
            .await
            .status,
        404
    );
    assert_eq!(w.emulator.stats().role_credentials_issued, 1);

    w.portal_get(
        &format!("/federation/credentials?role_name=NoSuchRole&account_id={account}"),
        &token,
    )
    .await
    .assert_portal_error(403, "ForbiddenException");
    w.portal_get("/federation/credentials?role_name=x", &token)
        .await
        .assert_portal_error(400, "InvalidRequestException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_concurrent_calls_over_two_thousand_accounts() {
    let (w, token) = logged_in(EmulatorConfig {
        accounts: 2000,
        ..EmulatorConfig::default()
    })
    .await;
    let started = Instant::now();
    let calls = (0..300).map(|i| {
        let http = w.http.clone();
        let path = if i % 2 == 0 {
            "/assignment/accounts?max_result=100".to_string()
        } else {
            let account = w.emulator.account_ids()[i].clone();
            format!("/assignment/roles?account_id={account}")
        };
        let url = w.url(&path);
        let token = token.clone();
        tokio::spawn(async move {
            http.get(url)
                .header("x-amz-sso_bearer_token", token)
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let tasks: Vec<_> = calls.collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let (all, sizes) = walk(
        &w,
        &token,
        "/assignment/accounts?max_result=100",
        "accountList",
    )
    .await;
    assert_eq!(all.len(), 2000);
    assert_eq!(sizes.len(), 20);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
