//! `sesame admin` against a multi-Region IAM Identity Center instance in moto
//! (tests/support/moto_admin.py `--multi-region`): from an added Region, the permission-set and
//! assignment reads go to the primary Region, the Identity Store stays where the session is.
//! (The single-Region fallback, moto without ListRegions, is in `admin`.)

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::common::{Moto, assert_success, clean_command, py_script, sesame_bin, stderr, stdout};

/// moto_admin.py's record of the requests since the last call: `[X-Amz-Target, signing
/// region]` each (moto serves a loopback request from the backend of its signing region).
fn calls_since_last(url: &str) -> Vec<(String, String)> {
    use std::io::{Read as _, Write as _};
    let addr = url.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    write!(
        sock,
        "DELETE /_calls HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").expect("an HTTP answer").1;
    serde_json::from_str(body).expect("the calls as JSON")
}

/// The operations of `service` (a target prefix) in `calls`, with their regions.
fn regions_of<'a>(calls: &'a [(String, String)], service: &str) -> BTreeSet<(&'a str, &'a str)> {
    calls
        .iter()
        .filter_map(|(target, region)| {
            let op = target.strip_prefix(service)?.strip_prefix('.')?;
            Some((op, region.as_str()))
        })
        .collect()
}

#[test]
fn a_multi_region_instance_is_read_in_its_primary_region_from_an_added_one() {
    // The instance lives in us-east-1 (primary) and is enabled in eu-west-1, where its
    // identity store answers and its permission-set and assignment operations are refused.
    let moto = Moto::admin_with(&["--multi-region", "us-east-1", "eu-west-1"]);
    let out = Command::new("python3")
        .arg(py_script("moto_admin.py"))
        .args(["small-world", &moto.url])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let home = tempfile::tempdir().unwrap();
    let admin = |args: &[&str]| {
        let out = clean_command(sesame_bin(), home.path())
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .arg("admin")
            .args(args)
            .output()
            .unwrap();
        assert_success(&out);
        out
    };
    calls_since_last(&moto.url);
    let added = admin(&[
        "assignments",
        "--region",
        "eu-west-1",
        "--names",
        "-o",
        "json",
        "-v",
    ]);
    let calls = calls_since_last(&moto.url);
    let primary = admin(&[
        "assignments",
        "--region",
        "us-east-1",
        "--names",
        "-o",
        "json",
    ]);
    assert_eq!(stdout(&added), stdout(&primary));
    let rows: Value = serde_json::from_slice(&added.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len() as u64, seed["assignments"].as_u64().unwrap());
    assert!(
        rows.iter()
            .all(|r| r["permission_set_name"].is_string() && r["principal_name"].is_string())
    );
    assert!(
        stderr(&added).contains("primary Region us-east-1"),
        "-v names the region used: {}",
        stderr(&added)
    );
    // Where each call went: instance reads and the identity store in the session's region,
    // the permission-set and assignment reads in the primary.
    let sso = regions_of(&calls, "SWBExternalService");
    let expected: BTreeSet<(&str, &str)> = [
        ("ListInstances", "eu-west-1"),
        ("ListRegions", "eu-west-1"),
        ("ListPermissionSetsProvisionedToAccount", "us-east-1"),
        ("ListAccountAssignments", "us-east-1"),
        ("DescribePermissionSet", "us-east-1"),
    ]
    .into();
    assert_eq!(sso, expected, "{calls:?}");
    let store = regions_of(&calls, "AWSIdentityStore");
    assert!(!store.is_empty(), "{calls:?}");
    assert!(store.iter().all(|(_, r)| *r == "eu-west-1"), "{calls:?}");

    // The instance, its primary Region and its Regions, seen from the added Region.
    let out = admin(&["lookup", "instance", "--region", "eu-west-1", "-o", "json"]);
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0]["id"], seed["instance_arn"]);
    assert_eq!(found[0]["primary_region"], "us-east-1");
    let regions: Vec<(&str, bool)> = found[0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["primary"].as_bool().unwrap()))
        .collect();
    assert_eq!(regions, [("us-east-1", true), ("eu-west-1", false)]);
    let table = stdout(&admin(&["lookup", "instance", "--region", "eu-west-1"]));
    assert!(table.contains("PRIMARY REGION"), "{table}");
    assert!(table.contains("us-east-1 eu-west-1"), "{table}");
}
