//! `sesame creds`: shell, JSON, fish and PowerShell forms, and the shared credentials file with
//! every other byte kept.

use std::process::Command;

use crate::common::RoleWorld;
use crate::common::{assert_clean_failure, assert_success, stderr, stdout};

#[test]
fn every_format_carries_the_same_credentials() {
    let w = RoleWorld::new();
    let v = w.process("dev");
    let key = v["AccessKeyId"].as_str().unwrap();

    let out = w.env.sesame().args(["creds", "dev"]).output().unwrap();
    assert_success(&out);
    let exports = stdout(&out);
    assert!(
        exports.lines().all(|l| l.starts_with("export AWS_")),
        "{exports}"
    );
    // What a shell makes of it.
    let sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{exports}\necho \"$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_CREDENTIAL_EXPIRATION $AWS_REGION $AWS_DEFAULT_REGION\""
        ))
        .output()
        .unwrap();
    let want = format!(
        "{key} {} {} {} eu-west-1 eu-west-1",
        v["SecretAccessKey"].as_str().unwrap(),
        v["SessionToken"].as_str().unwrap(),
        v["Expiration"].as_str().unwrap()
    );
    assert_eq!(stdout(&sh).trim(), want);

    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "--format", "json"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j, v);
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "-f", "fish"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(&format!("set -gx AWS_ACCESS_KEY_ID '{key}';\n")),
        "{}",
        stdout(&out)
    );
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "-f", "powershell"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(&format!("$Env:AWS_ACCESS_KEY_ID = '{key}'\n")),
        "{}",
        stdout(&out)
    );
    assert_eq!(w.grc(), 1);

    // AWS_PROFILE names the profile when no argument does; an account by name, ad hoc.
    let out = w
        .env
        .sesame()
        .env("AWS_PROFILE", "dev")
        .args(["creds"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains(key));
    let name = w
        .env
        .emulator
        .directory()
        .account(&w.account)
        .unwrap()
        .account_name
        .clone();
    let out = w
        .env
        .sesame()
        .args(["creds", "--account", &name, "--role", &w.role, "-f", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let adhoc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        adhoc["AccessKeyId"], v["AccessKeyId"],
        "same session, account and role: same cache entry"
    );
}

const EXISTING: &str = "# my credentials, hand-written\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = keep/me\n\n# the sesame one below\n[dev]\n; a comment inside\naws_access_key_id   =   OLD\nregion = us-east-2\n\n[other] # trailing\nx = 1\n";

#[test]
fn to_credentials_file_changes_only_that_sections_keys() {
    let w = RoleWorld::new();
    let path = w.env.home.path().join("creds.ini");
    std::fs::write(&path, EXISTING).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = w
        .env
        .sesame()
        .env("AWS_SHARED_CREDENTIALS_FILE", &path)
        .args(["creds", "dev", "--to-credentials-file"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "",
        "nothing printed: the keys went to the file"
    );
    let err = stderr(&out);
    assert!(
        err.contains("[dev]") && err.contains(path.to_str().unwrap()) && err.contains("expire"),
        "{err}"
    );
    #[cfg(unix)]
    assert!(
        err.contains("was readable by others (mode 0640); it holds secret keys, so it is 0600 now"),
        "{err}"
    );
    let v = w.process("dev");
    let after = std::fs::read_to_string(&path).unwrap();
    let want = EXISTING.replace(
        "aws_access_key_id   =   OLD\nregion = us-east-2\n",
        &format!(
            "aws_access_key_id   =   {}\nregion = us-east-2\naws_secret_access_key = {}\naws_session_token = {}\n",
            v["AccessKeyId"].as_str().unwrap(),
            v["SecretAccessKey"].as_str().unwrap(),
            v["SessionToken"].as_str().unwrap()
        ),
    );
    assert_eq!(after, want);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600,
            "made private: it holds secret keys now"
        );
    }

    // A new file, a section named by hand, read back by botocore as static keys.
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "--to-credentials-file", "static-dev"])
        .output()
        .unwrap();
    assert_success(&out);
    let new = w.env.home.path().join(".aws/credentials");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let b = crate::common::botocore(&w.env, "boto3-creds", "static-dev");
    assert_eq!(b["Method"], "shared-credentials-file");
    assert_eq!(b["AccessKeyId"], v["AccessKeyId"]);
    assert_eq!(b["HasToken"], true);

    // Ad hoc: the section is ACCOUNT_ROLE.
    let out = w
        .env
        .sesame()
        .args([
            "creds",
            "--account",
            &w.account,
            "--role",
            &w.role,
            "--to-credentials-file",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let text = std::fs::read_to_string(&new).unwrap();
    assert!(
        text.contains(&format!("[{}_{}]\n", w.account, w.role)),
        "{text}"
    );
}

#[test]
fn a_malformed_credentials_file_is_refused_and_kept() {
    let w = RoleWorld::new();
    let path = w.env.home.path().join(".aws/credentials");
    std::fs::write(&path, "aws_access_key_id = before-any-section\n[dev]\n").unwrap();
    let before = w.env.snapshot_files();
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "--to-credentials-file"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "credentials");
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not change it"),
        "{}",
        stderr(&out)
    );
    // The role cache entry is new (the credentials were fetched); the credentials file is not.
    let after = w.env.snapshot_files();
    let file = |s: &Vec<(std::path::PathBuf, Vec<u8>)>| s.iter().find(|(p, _)| p == &path).cloned();
    assert_eq!(file(&after), file(&before));
}
