//! `sesame api` against loopback servers that verify every signature themselves (moto, and a
//! botocore-verifying server for raw S3 keys and presigned URLs), plus bad input.

use crate::common::{
    TOKEN, TOKEN_KEY, TOKEN_SECRET, VERIFIER_KEY, VERIFIER_SECRET, moto, token_verifier, verifier,
};
use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout};

/// `sesame api` with the moto user's keys in the environment.
fn with_moto_keys(env: &TestEnv) -> assert_cmd::Command {
    let m = moto();
    let mut cmd = env.sesame();
    cmd.env("AWS_ACCESS_KEY_ID", m.s(&["user", "key"]))
        .env("AWS_SECRET_ACCESS_KEY", m.s(&["user", "secret"]));
    cmd.arg("api");
    cmd
}

fn with_verifier_keys(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.sesame();
    cmd.env("AWS_ACCESS_KEY_ID", VERIFIER_KEY)
        .env("AWS_SECRET_ACCESS_KEY", VERIFIER_SECRET)
        .arg("api");
    cmd
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn query_protocol_sts_with_a_form_body_and_with_params() {
    let env = TestEnv::new();
    let url = format!("{}/", moto().url());
    let sts = ["--service", "sts", "--region", "us-east-1"];
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "-d",
            "Action=GetCallerIdentity&Version=2011-06-15",
        ])
        .args(sts)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("<Arn>arn:aws:iam::123456789012:user/tester</Arn>"),
        "{}",
        stdout(&out)
    );
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "--param",
            "Action=GetCallerIdentity",
            "--param",
            "Version=2011-06-15",
        ])
        .args(sts)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).contains("user/tester"));
    // IAM, a global query service, with the region from AWS_REGION.
    let out = with_moto_keys(&env)
        .env("AWS_REGION", "us-east-1")
        .args([
            url.as_str(),
            "--service",
            "iam",
            "--param",
            "Action=ListUsers",
            "--param",
            "Version=2010-05-08",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("<UserName>tester</UserName>"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn aws_json_targets_identitystore_and_organizations() {
    let env = TestEnv::new();
    let url = format!("{}/", moto().url());
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "--service",
            "identitystore",
            "--region",
            "eu-west-1",
            "--target",
            "AWSIdentityStore.ListUsers",
        ])
        .args(["-d", r#"{"IdentityStoreId":"d-1234567890"}"#])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(json(&out)["Users"], serde_json::json!([]));
    let org = ["--service", "organizations", "--region", "us-east-1"];
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "--target",
            "AWSOrganizationsV20161128.CreateOrganization",
            "-d",
            r#"{"FeatureSet":"ALL"}"#,
        ])
        .args(org)
        .output()
        .unwrap();
    assert!(
        out.status.success() || stderr(&out).contains("AlreadyInOrganizationException"),
        "{}",
        stderr(&out)
    );
    // No body: `{}` is sent.
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "--target",
            "AWSOrganizationsV20161128.DescribeOrganization",
        ])
        .args(org)
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(json(&out)["Organization"]["FeatureSet"], "ALL");
}

#[test]
fn s3_on_moto_bucket_file_upload_and_download() {
    let env = TestEnv::new();
    let base = format!("{}/sesame-files", moto().url());
    let s3 = ["--service", "s3", "--region", "us-east-1"];
    let out = with_moto_keys(&env)
        .args([base.as_str(), "-X", "PUT"])
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    let file = env.home.path().join("upload.bin");
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&file, &data).unwrap();
    let key = format!("{base}/dir/my file.bin");
    let out = with_moto_keys(&env)
        .args([key.as_str(), "-X", "PUT", "-d"])
        .arg(format!("@{}", file.display()))
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    let got = env.home.path().join("download.bin");
    let encoded = format!("{base}/dir/my%20file.bin");
    let out = with_moto_keys(&env)
        .args([encoded.as_str(), "--output-file"])
        .arg(&got)
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        std::fs::read(&got).unwrap() == data,
        "the 3 MB file came back byte for byte"
    );
}

#[test]
fn s3_keys_with_spaces_percent_and_plus_and_a_presigned_get() {
    let env = TestEnv::new();
    let v = verifier().url();
    let s3 = ["--service", "s3", "--region", "eu-west-1"];
    let body = env.home.path().join("note.txt");
    std::fs::write(&body, "hello, verified\n").unwrap();
    // Pre-encoded: `a b%c+d+e.txt`, `+` written both raw and as %2B.
    let put = format!("{v}/bkt/dir/a%20b%25c%2Bd+e.txt");
    let out = with_verifier_keys(&env)
        .args([put.as_str(), "-X", "PUT", "-d"])
        .arg(format!("@{}", body.display()))
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    for spelling in ["dir/a b%c%2Bd+e.txt", "dir/a%20b%25c%2Bd%2Be.txt"] {
        let out = with_verifier_keys(&env)
            .arg(format!("{v}/bkt/{spelling}"))
            .args(s3)
            .output()
            .unwrap();
        assert_success(&out);
        assert_eq!(stdout(&out), "hello, verified\n", "{spelling}");
    }
    // A query that arrives encoded is not encoded again (awscurl #216).
    let out = with_verifier_keys(&env)
        .arg(format!("{v}/?list-type=2&prefix=dir%2Fa+b&marker=%2F%2B"))
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(json(&out)["service"], "s3");
    // Presigned: fetched by Python's urllib, checked by botocore in the server.
    let out = with_verifier_keys(&env)
        .args([put.as_str(), "--presign", "--expires", "120"])
        .args(s3)
        .output()
        .unwrap();
    assert_success(&out);
    let url = stdout(&out).trim().to_owned();
    assert!(
        url.contains("X-Amz-Expires=120") && url.contains("X-Amz-Signature="),
        "{url}"
    );
    let fetched = std::process::Command::new("python3")
        .args(["-c", "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())", &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&fetched.stdout),
        "hello, verified\n",
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
}

/// `--presign --param`: the parameters are in the presigned URL's query (as botocore's
/// generate_presigned_url for a query API), signed for a GET; botocore checks it in the server.
#[test]
fn a_presigned_query_api_call_carries_its_params() {
    let env = TestEnv::new();
    let v = verifier().url();
    let out = with_verifier_keys(&env)
        .arg(format!("{v}/"))
        .args(["--service", "sts", "--region", "us-east-1", "--presign"])
        .args([
            "--param",
            "Action=GetCallerIdentity",
            "--param",
            "Version=2011-06-15",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let url = stdout(&out).trim().to_owned();
    assert!(
        url.contains("Action=GetCallerIdentity&Version=2011-06-15"),
        "{url}"
    );
    let fetched = std::process::Command::new("python3")
        .args(["-c", "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())", &url])
        .output()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&fetched.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&fetched.stderr)));
    assert_eq!(answer["presigned"], true);
    assert_eq!(answer["method"], "GET");
    assert_eq!(answer["query"]["Action"], "GetCallerIdentity");
    assert_eq!(answer["query"]["Version"], "2011-06-15");
}

#[test]
fn rest_json_unsigned_payload_and_a_session_token() {
    let env = TestEnv::new();
    let v = verifier().url();
    // REST JSON (a Lambda invoke shape): method and path from the URL, JSON body, double encoding.
    let out = with_verifier_keys(&env)
        .arg(format!(
            "{v}/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction%3Af/invocations"
        ))
        .args([
            "--service",
            "lambda",
            "--region",
            "eu-west-1",
            "-d",
            r#"{"hello":"world"}"#,
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let v_json = json(&out);
    assert_eq!(v_json["method"], "POST");
    assert!(
        v_json["signed_headers"]
            .as_array()
            .unwrap()
            .contains(&"content-type".into())
    );
    // An unsigned S3 payload streamed from a file.
    let file = env.home.path().join("big.bin");
    std::fs::write(&file, vec![7u8; 1_000_000]).unwrap();
    let out = with_verifier_keys(&env)
        .arg(format!("{v}/bkt/unsigned.bin"))
        .args([
            "--service",
            "s3",
            "--region",
            "eu-west-1",
            "-X",
            "PUT",
            "--unsigned-payload",
            "-d",
        ])
        .arg(format!("@{}", file.display()))
        .output()
        .unwrap();
    assert_success(&out);
    let out = with_verifier_keys(&env)
        .arg(format!("{v}/bkt/unsigned.bin"))
        .args(["--service", "s3", "--region", "eu-west-1"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(out.stdout.len(), 1_000_000);
    // Temporary keys in a profile, as a SAML login writes them: the token is sent and signed.
    std::fs::write(
        env.home.path().join(".aws/credentials"),
        format!("[saml]\naws_access_key_id = {TOKEN_KEY}\naws_secret_access_key = {TOKEN_SECRET}\naws_session_token = {TOKEN}\n"),
    )
    .unwrap();
    let out = env
        .sesame()
        .args([
            "api",
            &format!("{}/", token_verifier().url()),
            "--profile",
            "saml",
            "--service",
            "sts",
            "--region",
            "us-east-1",
        ])
        .args(["--param", "Action=GetCallerIdentity"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!stderr(&out).contains(TOKEN));
}

#[test]
fn credential_process_profiles_and_botocore_precedence() {
    let env = TestEnv::new();
    let m = moto();
    let script = env.home.path().join("creds.py");
    std::fs::write(
        &script,
        format!(
            "import json\nprint(json.dumps({{'Version': 1, 'AccessKeyId': '{}', 'SecretAccessKey': '{}'}}))\n",
            m.s(&["user", "key"]),
            m.s(&["user", "secret"])
        ),
    )
    .unwrap();
    env.append_config(&format!(
        "\n[profile proc]\ncredential_process = python3 '{}'\nregion = us-east-1\n[profile broken]\ncredential_process = python3 -c 'import sys; sys.exit(\"no creds today\")'\n",
        script.display()
    ));
    let url = format!("{}/", m.url());
    let call = [
        "--service",
        "sts",
        "--param",
        "Action=GetCallerIdentity",
        "--param",
        "Version=2011-06-15",
    ];
    // An explicit --profile wins over keys in the environment (botocore drops its EnvProvider).
    let out = env
        .sesame()
        .env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .args(["api", &url, "--profile", "proc"])
        .args(call)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).contains("user/tester"));
    // AWS_PROFILE does not: the environment's keys come first.
    let out = env
        .sesame()
        .env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .env("AWS_PROFILE", "proc")
        .args(["api", &url])
        .args(call)
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "InvalidClientTokenId");
    let out = env
        .sesame()
        .env("AWS_PROFILE", "proc")
        .args(["api", &url])
        .args(call)
        .output()
        .unwrap();
    assert_success(&out);
    let out = env
        .sesame()
        .args(["api", &url, "--profile", "broken", "--region", "us-east-1"])
        .args(call)
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no creds today");
}

#[test]
fn an_aws_error_is_one_line_with_its_code_and_the_body_goes_where_curl_puts_it() {
    let env = TestEnv::new();
    let url = format!("{}/", moto().url());
    let args = [
        "--service",
        "sts",
        "--region",
        "us-east-1",
        "--param",
        "Action=GetCallerIdentity",
        "--param",
        "Version=2011-06-15",
    ];
    let out = with_moto_keys(&env)
        .env("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        .arg(&url)
        .args(args)
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "SignatureDoesNotMatch: The request signature we calculated",
    );
    assert!(stderr(&out).contains("hint: sesame signed for service `sts` in region `us-east-1`"));
    assert!(
        stdout(&out).contains("<Code>SignatureDoesNotMatch</Code>"),
        "without --fail the body is written"
    );
    let out = with_moto_keys(&env)
        .env("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        .args([url.as_str(), "--fail"])
        .args(args)
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "SignatureDoesNotMatch");
    assert!(out.stdout.is_empty(), "--fail writes no body");
    // JSON errors too, and -i shows the status line and headers.
    let out = with_moto_keys(&env)
        .args([
            url.as_str(),
            "-i",
            "--service",
            "identitystore",
            "--region",
            "us-east-1",
            "--target",
            "AWSIdentityStore.DescribeUser",
        ])
        .args([
            "-d",
            r#"{"IdentityStoreId":"d-1234567890","UserId":"nobody"}"#,
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "ResourceNotFoundException");
    assert!(stdout(&out).starts_with("HTTP/1.1 400"), "{}", stdout(&out));
}

#[test]
fn dry_run_prints_the_canonical_request_and_sends_nothing() {
    let env = TestEnv::new();
    // Port 9 on loopback: nothing listens, so a request would fail.
    let out = env
        .sesame()
        .env("AWS_ACCESS_KEY_ID", TOKEN_KEY)
        .env("AWS_SECRET_ACCESS_KEY", TOKEN_SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .args([
            "api",
            "http://127.0.0.1:9/identitystore/",
            "--service",
            "identitystore",
            "--region",
            "eu-central-1",
        ])
        .args([
            "--target",
            "AWSIdentityStoreService.ListProvisioningTenants",
            "-d",
            r#"{"IdentityStoreId":"d-1"}"#,
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    for needle in [
        "--- canonical request\nPOST\n/identitystore/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:9\n",
        "x-amz-security-token:<redacted>\nx-amz-target:AWSIdentityStoreService.ListProvisioningTenants\n",
        "--- string to sign\nAWS4-HMAC-SHA256\n",
        "/eu-central-1/identitystore/aws4_request\n",
        "nothing was sent",
    ] {
        assert!(text.contains(needle), "`{needle}` not in:\n{text}");
    }
    assert!(!text.contains(TOKEN) && !text.contains(TOKEN_SECRET) && !stderr(&out).contains(TOKEN));
}

#[test]
fn the_seed_000_endpoint_needs_no_service_or_region() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .env("AWS_ACCESS_KEY_ID", VERIFIER_KEY)
        .env("AWS_SECRET_ACCESS_KEY", VERIFIER_SECRET)
        .args([
            "api",
            "https://up.sso.eu-central-1.amazonaws.com/identitystore/",
            "--dry-run",
        ])
        .args([
            "--target",
            "AWSIdentityStoreService.ListProvisioningTenants",
            "-d",
            r#"{"IdentityStoreId":"d-1"}"#,
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("/eu-central-1/identitystore/aws4_request"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn account_and_role_from_the_identity_center_login() {
    let env = TestEnv::builder().logged_in().build();
    let account = env.emulator.account_ids()[0].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    let out = env
        .sesame()
        .args([
            "api",
            "https://sts.us-east-1.amazonaws.com/",
            "--account",
            &account,
            "--role",
            &role,
            "--dry-run",
        ])
        .args(["--param", "Action=GetCallerIdentity"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    let key = text
        .split("Credential=")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        env.emulator.whoami(&key),
        Some((account.clone(), role.clone()))
    );
    // The AWS CLI v2 cache entry is written, and the next call (an SSO profile) reuses it.
    let cached = std::fs::read_dir(env.home.path().join(".aws/cli/cache"))
        .unwrap()
        .count();
    assert_eq!(cached, 1);
    env.append_config(&format!("\n[profile dev]\nsso_session = acme\nsso_account_id = {account}\nsso_role_name = {role}\nregion = eu-west-1\n"));
    let out = env
        .sesame()
        .args([
            "api",
            "https://sts.amazonaws.com/",
            "--profile",
            "dev",
            "--dry-run",
            "--param",
            "Action=GetCallerIdentity",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains(&format!("Credential={key}/")),
        "the cached credentials were reused"
    );
    // --account takes a name as `creds` does (looked up through ListAccounts, any case).
    let other = env.emulator.account_ids()[1].clone();
    let accounts = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    let accounts: serde_json::Value = serde_json::from_slice(&accounts.stdout).unwrap();
    let name = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["accountId"] == other.as_str())
        .map(|a| a["accountName"].as_str().unwrap().to_uppercase())
        .unwrap();
    let other_role = env.emulator.roles_of(&other)[0].clone();
    let out = env
        .sesame()
        .args(["api", "https://sts.us-east-1.amazonaws.com/", "--dry-run"])
        .args(["--account", &name, "--role", &other_role])
        .args(["--param", "Action=GetCallerIdentity"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    let key = text
        .split("Credential=")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap();
    assert_eq!(env.emulator.whoami(key), Some((other, other_role)));
}

#[test]
fn bad_input_is_one_line_with_a_hint_and_changes_nothing() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    let keys = |cmd: &mut assert_cmd::Command| {
        cmd.env("AWS_ACCESS_KEY_ID", VERIFIER_KEY)
            .env("AWS_SECRET_ACCESS_KEY", VERIFIER_SECRET);
    };
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd.args(["api", "sts.amazonaws.com"]).output().unwrap();
    assert_clean_failure(&out, 1, "bad URL `sts.amazonaws.com`");
    assert!(stderr(&out).contains("hint: give a full URL"));
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd.args(["api", "http://127.0.0.1:9/x"]).output().unwrap();
    assert_clean_failure(&out, 1, "cannot tell which service `127.0.0.1` is");
    assert!(stderr(&out).contains("--service NAME"));
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd
        .args(["api", "http://127.0.0.1:9/x", "--service", "sts"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot tell which region");
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd
        .args([
            "api",
            "https://sts.amazonaws.com/",
            "-d",
            "@/nonexistent/body.json",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot read the body from /nonexistent/body.json");
    let out = env
        .sesame()
        .args(["api", "https://sts.amazonaws.com/"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no AWS credentials");
    assert!(stderr(&out).contains("hint: set AWS_ACCESS_KEY_ID"));
    let out = env
        .sesame()
        .args(["api", "https://sts.amazonaws.com/", "--profile", "nope"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "profile `nope` is not in");
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd
        .args(["api", "https://sts.amazonaws.com/", "-H", "no colon here"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "bad header");
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd
        .args([
            "api",
            "https://s3.amazonaws.com/b/k",
            "--presign",
            "--expires",
            "9999999",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "7 days");
    // `-o` is the output format in sesame: `-o json` is refused, not a file named `json`.
    for args in [["-o", "json"], ["--output", "body.bin"]] {
        let mut cmd = env.sesame();
        keys(&mut cmd);
        let out = cmd
            .args(["api", "https://sts.amazonaws.com/"])
            .args(args)
            .current_dir(env.home.path())
            .output()
            .unwrap();
        assert_clean_failure(&out, 2, "`sesame api` has no output format");
        assert!(stderr(&out).contains(&format!("--output-file {}", args[1])));
    }
    let mut cmd = env.sesame();
    keys(&mut cmd);
    let out = cmd
        .args([
            "api",
            "https://sts.amazonaws.com/",
            "--presign",
            "-d",
            "x=1",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 2, "--presign sends nothing, so -d");
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn a_body_from_stdin_and_curl_style_headers() {
    let env = TestEnv::new();
    let body = r#"{"from":"stdin"}"#;
    let out = with_verifier_keys(&env)
        .arg(format!(
            "{}/2015-03-31/functions/f/invocations",
            verifier().url()
        ))
        .args(["--service", "lambda", "--region", "eu-west-1", "-d", "@-"])
        .args([
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Amz-Invocation-Type: Event",
        ])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_success(&out);
    let v = json(&out);
    use sha2::Digest as _;
    assert_eq!(
        v["body_sha256"],
        hex::encode(sha2::Sha256::digest(body.as_bytes()))
    );
    let signed: Vec<&str> = v["signed_headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert!(
        signed.contains(&"x-amz-invocation-type") && signed.contains(&"content-type"),
        "{signed:?}"
    );
}

#[test]
fn json_is_pretty_on_a_terminal_and_raw_when_piped() {
    let env = TestEnv::new();
    let url = format!("{}/", verifier().url());
    let args = [
        "--service",
        "sts",
        "--region",
        "us-east-1",
        "--param",
        "Action=GetCallerIdentity",
    ];
    let piped = with_verifier_keys(&env)
        .arg(&url)
        .args(args)
        .output()
        .unwrap();
    assert_success(&piped);
    assert!(
        stdout(&piped).starts_with(r#"{"service": "sts""#) && !stdout(&piped).contains('\n'),
        "{}",
        stdout(&piped)
    );
    // Under a pseudo-terminal (util-linux `script`, in every Debian base system).
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    let line = format!("{} api {url} {}", sesame.display(), args.join(" "));
    let tty = env
        .command("script")
        .args(["-qec", &line, "/dev/null"])
        .env("AWS_ACCESS_KEY_ID", VERIFIER_KEY)
        .env("AWS_SECRET_ACCESS_KEY", VERIFIER_SECRET)
        .output()
        .expect("`script` runs (util-linux)");
    let text = String::from_utf8_lossy(&tty.stdout).replace('\r', "");
    assert!(tty.status.success(), "{text}");
    assert!(text.starts_with("{\n  \"service\": \"sts\",\n"), "{text}");
}

/// The Content-Type `sesame api` sends for a body (the line of `--dry-run`'s request), or none.
fn content_type_sent(env: &TestEnv, url: &str, data: &str, stdin: &str) -> Option<String> {
    let out = with_verifier_keys(env)
        .args([url, "-X", "PUT", "-d", data, "--dry-run"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert_success(&out);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    text.lines()
        .find_map(|l| l.strip_prefix("> Content-Type: "))
        .map(str::to_owned)
}

#[test]
fn every_data_source_gets_the_same_content_type_and_s3_none() {
    let env = TestEnv::new();
    let form = env.home.path().join("form.txt");
    let doc = env.home.path().join("doc.json");
    std::fs::write(&form, "a=1&b=2").unwrap();
    std::fs::write(&doc, "\n  {\"a\": 1}").unwrap();
    let (form_file, doc_file) = (
        format!("@{}", form.display()),
        format!("@{}", doc.display()),
    );
    let sqs = "https://sqs.eu-west-1.amazonaws.com/";
    let s3 = "https://bucket.s3.eu-west-1.amazonaws.com/key";
    // curl's -d: a form, whatever the source (inline, @file, @-); JSON documents get JSON.
    for (data, stdin, want) in [
        ("a=1&b=2", "", "application/x-www-form-urlencoded"),
        (form_file.as_str(), "", "application/x-www-form-urlencoded"),
        ("@-", "a=1&b=2", "application/x-www-form-urlencoded"),
        ("{\"a\": 1}", "", "application/json"),
        (doc_file.as_str(), "", "application/json"),
        ("@-", " [1]", "application/json"),
    ] {
        assert_eq!(
            content_type_sent(&env, sqs, data, stdin).as_deref(),
            Some(want),
            "-d {data}"
        );
    }
    // S3 keeps the type as the object's metadata: none is made up, from any source.
    for (data, stdin) in [("hello", ""), (form_file.as_str(), ""), ("@-", "hello")] {
        assert_eq!(content_type_sent(&env, s3, data, stdin), None, "-d {data}");
    }
}

/// Unusual URL encodings (invalid or truncated escapes, NUL and non-UTF-8 bytes, non-ASCII,
/// empty and dot segments, repeated and blank query keys): each is sent signed so that
/// botocore, checking the raw request line the server received, computes the same signature,
/// for a service that double-encodes the path (execute-api) and for S3, which does not.
#[test]
fn unusual_url_encodings_are_signed_as_botocore_checks_them() {
    let env = TestEnv::new();
    let v = verifier().url();
    let mut sent = 0;
    for path in [
        "/a%ZZb",
        "/a%",
        "/a%00b",
        "/a%FFb",
        "/caf%C3%A9",
        "/café/naïve",
        "/%7Euser/%41%42",
        "//double//slash/",
        "/dir/./x/../y",
        "/?q=%ZZ",
        "/?a=1&a=0&b&c=",
        "/?sp=a b&plus=a+b&enc=a%20b%2Bc",
        "/?%E2%9C%93=%E2%9C%93&k=~._-",
    ] {
        for service in ["execute-api", "s3"] {
            let url = format!("{v}/bkt{path}");
            let out = with_verifier_keys(&env)
                .args([url.as_str(), "-X", "POST", "--service", service])
                .args(["--region", "eu-west-1"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{path} ({service}): {}{}",
                stderr(&out),
                stdout(&out)
            );
            assert_eq!(json(&out)["service"], service, "{path}");
            sent += 1;
        }
    }
    assert_eq!(sent, 26);
}
