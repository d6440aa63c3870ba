//! `sesame accounts` in each output form.

use sesame_emulator::EmulatorConfig;

use crate::common::{TestEnv, assert_clean_failure, assert_success, stdout};

#[test]
fn accounts_in_every_format_across_pages() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 230,
        ..EmulatorConfig::default()
    });
    env.login();
    let out = env
        .sesame()
        .args(["accounts", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 230, "all pages");
    let mut ids: Vec<&str> = list
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 230, "no duplicates");
    assert!(
        list.iter()
            .all(|a| a["accountId"].as_str().unwrap().len() == 12)
    );
    let names: Vec<String> = list
        .iter()
        .map(|a| a["accountName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");

    let out = env
        .sesame()
        .args(["accounts", "--output", "text"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 230);
    assert!(text.lines().all(|l| l.split('\t').count() == 3));

    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_success(&out);
    let table = stdout(&out);
    assert!(table.starts_with("ACCOUNT ID"));
    assert_eq!(table.lines().count(), 231);
}

#[test]
fn accounts_without_a_login_asks_for_one() {
    let env = TestEnv::new();
    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_clean_failure(&out, 3, "not logged in");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: run `sesame login`"));
}

/// Names as Identity Center allows them: wide (CJK) characters keep the table's columns aligned,
/// and a tab or a newline in a name stays inside its cell in `-o text` (escaped, as documented)
/// instead of adding a column or a line.
#[test]
fn wide_characters_align_and_control_characters_stay_in_their_cell() {
    let names = ["本番環境", "Données Société", "tab\there", "new\nline"];
    let env = TestEnv::builder()
        .emulator(EmulatorConfig {
            auto_approve: true,
            accounts: names.len(),
            account_names: names.iter().map(|n| (*n).to_owned()).collect(),
            ..EmulatorConfig::default()
        })
        .logged_in()
        .build();
    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_success(&out);
    let table = stdout(&out);
    // The EMAIL column starts at the same terminal column on every line, whatever came before.
    let email_column = |line: &str| -> usize {
        let at = line.find("EMAIL").or_else(|| {
            line.find('@')
                .map(|at| line[..at].rfind("  ").expect("two spaces before the email") + 2)
        });
        unicode_width::UnicodeWidthStr::width(&line[..at.unwrap()])
    };
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), names.len() + 1, "{table}");
    let first = email_column(lines[0]);
    for line in &lines {
        assert_eq!(email_column(line), first, "aligned:\n{table}");
    }
    assert!(
        table.contains("tab\\there") && table.contains("new\\nline"),
        "{table}"
    );

    let out = env
        .sesame()
        .args(["accounts", "-o", "text"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), names.len(), "{text}");
    for line in text.lines() {
        assert_eq!(line.split('\t').count(), 3, "three cells: {line:?}");
    }
    assert!(text.contains("\ttab\\there\t"), "{text}");
    // JSON keeps the names as they are.
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountName"].as_str().unwrap())
        .collect();
    for name in names {
        assert!(got.contains(&name), "{name:?} in {got:?}");
    }
}

/// JSON Lines is `-o jsonl` in every listing (and `--stream -o json` still works): one object a
/// line, the same objects as `-o json`'s array.
#[test]
fn json_lines_are_jsonl_everywhere() {
    let env = TestEnv::builder().accounts(5).logged_in().build();
    for cmd in ["accounts", "roles"] {
        let array = env.sesame().args([cmd, "-o", "json"]).output().unwrap();
        assert_success(&array);
        let array: Vec<serde_json::Value> = serde_json::from_slice(&array.stdout).unwrap();
        for args in [
            vec![cmd, "-o", "jsonl"],
            vec![cmd, "--stream", "-o", "jsonl"],
            vec![cmd, "--stream", "-o", "json"],
        ] {
            let out = env.sesame().args(&args).output().unwrap();
            assert_success(&out);
            let mut lines: Vec<serde_json::Value> = stdout(&out)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {l}: {e}")))
                .collect();
            let mut want = array.clone();
            let key = |v: &serde_json::Value| v.to_string();
            lines.sort_by_key(key);
            want.sort_by_key(key);
            assert_eq!(lines, want, "{args:?}");
        }
    }
    let out = env
        .sesame()
        .args(["status", "-o", "jsonl"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 1);
    serde_json::from_str::<serde_json::Value>(stdout(&out).trim()).unwrap();
}
