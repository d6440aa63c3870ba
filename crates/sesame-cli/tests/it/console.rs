//! `sesame console`: a federated sign-in URL from the emulator's federation endpoint that signs
//! in as the profile's role.

use std::process::Command;

use crate::common::RoleWorld;
use crate::common::{assert_clean_failure, assert_success, stderr, stdout, wait_for};

/// Opens `url` as a browser would, through Python's urllib; the page's text.
fn open(url: &str) -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())", url])
        .output()
        .unwrap();
    assert_success(&out);
    stdout(&out)
}

#[test]
fn the_sign_in_url_signs_in_as_the_role() {
    let w = RoleWorld::new();
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_SIGNIN", w.env.url())
        .args(["console", "dev", "--print"])
        .output()
        .unwrap();
    assert_success(&out);
    let url = stdout(&out).trim().to_owned();
    assert!(
        url.starts_with(&format!(
            "{}/federation?Action=login&Issuer=sesame&Destination=",
            w.env.url()
        )),
        "{url}"
    );
    assert!(url.contains("SigninToken="), "{url}");
    let v = w.process("dev");
    assert!(
        !url.contains(v["SecretAccessKey"].as_str().unwrap()),
        "no secret key in the URL"
    );
    let page = open(&url);
    assert!(
        page.contains(&format!("<b id=\"account\">{}</b>", w.account)),
        "{page}"
    );
    assert!(
        page.contains(&format!("<b id=\"role\">{}</b>", w.role)),
        "{page}"
    );
    assert!(
        page.contains("https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"),
        "{page}"
    );
    assert_eq!(w.env.emulator.stats().requests_for("GetSigninToken"), 1);
    assert_eq!(w.grc(), 1, "the cached role credentials were used");

    // Without --print: the URL goes to $BROWSER, not to stdout.
    let dir = tempfile::tempdir().unwrap();
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/opened\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_SIGNIN", w.env.url())
        .env("BROWSER", &browser)
        .args([
            "console",
            "--account",
            &w.account,
            "--role",
            &w.role,
            "--destination",
            "https://console.aws.amazon.com/s3/",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("Opened the console as role"),
        "{}",
        stderr(&out)
    );
    let opened = dir.path().join("opened");
    let url = wait_for(
        "the browser to be opened",
        std::time::Duration::from_secs(10),
        || {
            std::fs::read_to_string(&opened)
                .ok()
                .filter(|s| !s.is_empty())
        },
    );
    let page = open(&url);
    assert!(
        page.contains("https://console.aws.amazon.com/s3/"),
        "{page}"
    );
}

#[test]
fn a_federation_endpoint_that_fails() {
    let w = RoleWorld::new();
    let out = w
        .env
        .sesame()
        .env(
            "AWS_ENDPOINT_URL_SIGNIN",
            format!("{}/nowhere", w.env.url()),
        )
        .args(["console", "dev", "--print"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "console sign-in through");
    assert_eq!(stdout(&out), "");
    let v = w.process("dev");
    assert!(!stderr(&out).contains(v["SessionToken"].as_str().unwrap()));
}
