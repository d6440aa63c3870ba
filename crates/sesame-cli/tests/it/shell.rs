//! The user's own shell, run for real: `eval "$(sesame shell-init bash)"` (zsh, fish) then
//! `sesame assume` against the emulator, the variables read back in that same shell; the
//! completion scripts asked for candidates by bash and fish themselves; the man page rendered by
//! groff (with `-k`, preconv, as `man` runs it: the page is UTF-8). PowerShell is not packaged for this system: its script is pinned by snapshot.

use std::path::Path;

use crate::common::{TestEnv, assert_success, sesame_bin, stderr, stdout};

/// A directory with `sesame` in it, for PATH: the shell function calls `command sesame`.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(sesame_bin(), dir.path().join("sesame")).unwrap();
    dir
}

/// `shell -c script` in the test's world, with `sesame` first on PATH.
fn run_shell(env: &TestEnv, bin: &Path, shell: &str, script: &str) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = env.sso_command(shell);
    if shell == "fish" {
        cmd.arg("--no-config");
    }
    cmd.env("PATH", path)
        .env("XDG_CONFIG_HOME", env.home.path().join(".config"))
        .arg("-c")
        .arg(script)
        .output()
        .unwrap()
}

/// A logged-in world with populated profiles; the first profile's name.
fn world() -> (TestEnv, String) {
    let env = TestEnv::builder().accounts(2).logged_in().build();
    let out = env.sesame().arg("populate").output().unwrap();
    assert_success(&out);
    let name = profiles(&env)[0].clone();
    (env, name)
}

fn profiles(env: &TestEnv) -> Vec<String> {
    std::fs::read_to_string(env.config_path())
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("[profile ")?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

/// The key `sesame creds` gives for `profile`.
fn key_of(env: &TestEnv, profile: &str) -> String {
    let out = env
        .sesame()
        .args(["creds", profile, "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["AccessKeyId"].as_str().unwrap().to_owned()
}

const VARS: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
];

/// The script for a POSIX-like shell: init, assume, print, a failing assume, another command's
/// exit code, unset, print.
fn posix_script(shell: &str, profile: &str) -> String {
    let show = VARS
        .iter()
        .map(|v| format!("echo \"{v}=${{{v}-<unset>}}\""))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "eval \"$(sesame shell-init {shell})\"\n\
         export AWS_PROFILE=old AWS_SECURITY_TOKEN=stale\n\
         sesame assume {profile} || exit 90\n\
         echo '--- assumed'; {show}\n\
         sesame assume no-such-profile; echo \"failed=$?\"\n\
         echo \"key-after-failure=$AWS_ACCESS_KEY_ID\"\n\
         sesame no-such-command 2>/dev/null; echo \"other=$?\"\n\
         sesame assume --unset || exit 91\n\
         echo '--- unset'; {show}\n"
    )
}

fn fish_script(profile: &str) -> String {
    let show = VARS
        .iter()
        .map(|v| format!("if set -q {v}; echo \"{v}=${v}\"; else; echo \"{v}=<unset>\"; end"))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "sesame shell-init fish | source\n\
         set -gx AWS_PROFILE old; set -gx AWS_SECURITY_TOKEN stale\n\
         sesame assume {profile}; or exit 90\n\
         echo '--- assumed'; {show}\n\
         sesame assume no-such-profile; echo \"failed=$status\"\n\
         echo \"key-after-failure=$AWS_ACCESS_KEY_ID\"\n\
         sesame no-such-command 2>/dev/null; echo \"other=$status\"\n\
         sesame assume --unset; or exit 91\n\
         echo '--- unset'; {show}\n"
    )
}

/// `NAME=value` lines of one part of the output.
fn part<'a>(text: &'a str, heading: &str) -> std::collections::BTreeMap<&'a str, &'a str> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in {text}"))
        + heading.len();
    text[start..]
        .lines()
        .skip(1)
        .take(VARS.len())
        .filter_map(|l| l.split_once('='))
        .collect()
}

fn check_shell(shell: &str) {
    let (env, profile) = world();
    let bin = bin_dir();
    let script = if shell == "fish" {
        fish_script(&profile)
    } else {
        posix_script(shell, &profile)
    };
    let out = run_shell(&env, bin.path(), shell, &script);
    assert_success(&out);
    let text = stdout(&out);
    let assumed = part(&text, "--- assumed");
    assert_eq!(
        assumed["AWS_ACCESS_KEY_ID"],
        key_of(&env, &profile),
        "{text}"
    );
    assert!(assumed["AWS_SECRET_ACCESS_KEY"].len() > 20, "{text}");
    assert!(assumed["AWS_SESSION_TOKEN"].len() > 20, "{text}");
    assert!(
        assumed["AWS_CREDENTIAL_EXPIRATION"].ends_with('Z'),
        "{text}"
    );
    assert_eq!(assumed["AWS_REGION"], "us-east-1", "{text}");
    assert_eq!(assumed["AWS_DEFAULT_REGION"], "us-east-1", "{text}");
    for gone in ["AWS_PROFILE", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"] {
        assert_eq!(assumed[gone], "<unset>", "{gone}: {text}");
    }
    // A failing assume keeps its exit code and changes nothing; other commands are the binary's.
    assert!(text.contains("failed=1\n"), "{text}");
    assert!(
        text.contains(&format!(
            "key-after-failure={}\n",
            assumed["AWS_ACCESS_KEY_ID"]
        )),
        "{text}"
    );
    assert!(text.contains("other=2\n"), "{text}");
    assert!(stderr(&out).contains("no-such-profile"), "{}", stderr(&out));
    let unset = part(&text, "--- unset");
    for v in VARS {
        assert_eq!(unset[v], "<unset>", "{v}: {text}");
    }
}

#[test]
fn bash_assume_sets_and_unsets_the_variables_in_the_same_shell() {
    check_shell("bash");
}

#[test]
fn zsh_assume_sets_and_unsets_the_variables_in_the_same_shell() {
    check_shell("zsh");
}

#[test]
fn fish_assume_sets_and_unsets_the_variables_in_the_same_shell() {
    check_shell("fish");
}

#[test]
fn the_powershell_function_is_pinned() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["shell-init", "powershell"])
        .output()
        .unwrap();
    assert_success(&out);
    insta::assert_snapshot!("shell_init_powershell", stdout(&out));
    let out = env
        .sesame()
        .args(["assume", "--unset", "--shell", "powershell"])
        .output()
        .unwrap();
    assert_success(&out);
    insta::assert_snapshot!("assume_unset_powershell", stdout(&out));
}

#[test]
fn bash_completes_commands_and_the_configs_profiles() {
    let (env, _) = world();
    let bin = bin_dir();
    let script = "source <(sesame completions bash)\n\
        complete_line() { COMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< \"$1\"; \
          [[ \"$1\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); \
          _sesame_with_profiles sesame \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"; \
          printf '%s\\n' \"${COMPREPLY[@]}\"; }\n\
        echo '--- exec'; complete_line 'sesame exec '\n\
        echo '--- login'; complete_line 'sesame login --profile '\n\
        echo '--- commands'; complete_line 'sesame set'\n\
        echo '--- end'\n";
    let out = run_shell(&env, bin.path(), "bash", script);
    assert_success(&out);
    let text = stdout(&out);
    let section = |from: &str, to: &str| -> Vec<String> {
        let a = text.find(from).unwrap() + from.len();
        let b = text.find(to).unwrap();
        let mut v: Vec<String> = text[a..b].split_whitespace().map(str::to_owned).collect();
        v.sort();
        v
    };
    let mut want = profiles(&env);
    want.sort();
    assert_eq!(section("--- exec", "--- login"), want, "{text}");
    assert_eq!(section("--- login", "--- commands"), want, "{text}");
    assert_eq!(section("--- commands", "--- end"), ["setup"], "{text}");
}

#[test]
fn fish_completes_the_configs_profiles() {
    let (env, _) = world();
    let bin = bin_dir();
    let out = run_shell(
        &env,
        bin.path(),
        "fish",
        "sesame completions fish | source; complete -C 'sesame exec '",
    );
    assert_success(&out);
    let mut got: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want = profiles(&env);
    want.sort();
    assert_eq!(got, want);
}

/// zsh on a terminal, as a user has it: compinit, the script sourced, then TAB after a prefix of
/// a profile in a command's PROFILE argument and in a `--profile` value completes the name.
#[test]
fn zsh_completes_the_configs_profiles_on_a_terminal() {
    let env = TestEnv::new();
    env.write_config(
        "[profile dev]\nregion = us-east-1\n[profile prod-admin]\nregion = us-east-1\n\
         [profile sandbox]\nregion = us-east-1\n",
    );
    let bin = bin_dir();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ready = "READY> ";
    let script = serde_json::json!([
        [
            "",
            "PS1='READY> '; autoload -Uz compinit; compinit -u; source <(sesame completions zsh)\r"
        ],
        [ready, "sesame creds sa\t"],
        ["sesame creds sandbox", "\u{3}"],
        [ready, "sesame login --profile pr\t"],
        ["sesame login --profile prod-admin", "\u{3}"],
        [ready, "sesame console d\t"],
        ["sesame console dev", "\u{3}"],
        [ready, "exit 0\r"],
    ]);
    let out = env
        .on_terminal(&serde_json::json!(["zsh", "-f", "-i"]), &script)
        .env("PATH", path)
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn every_shell_gets_a_completion_script() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env.sesame().args(["completions", shell]).output().unwrap();
        assert_success(&out);
        assert!(stdout(&out).contains("shell-init"), "{shell}");
    }
    // zsh reads its script without an error.
    let out = env.sesame().args(["completions", "zsh"]).output().unwrap();
    let file = env.home.path().join("_sesame");
    std::fs::write(&file, &out.stdout).unwrap();
    let check = env.command("zsh").arg("-n").arg(&file).output().unwrap();
    assert_success(&check);
}

#[test]
fn the_man_page_renders() {
    let env = TestEnv::new();
    let out = env.sesame().arg("man").output().unwrap();
    assert_success(&out);
    let page = env.home.path().join("sesame.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let rendered = env
        .command("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .arg(&page)
        .output()
        .unwrap();
    assert_success(&rendered);
    assert_eq!(stderr(&rendered), "", "groff warnings");
    let text = env
        .command("groff")
        .args(["-k", "-man", "-Tascii", "-P-cbou"])
        .arg(&page)
        .output()
        .unwrap();
    assert_success(&text);
    let text = stdout(&text);
    for want in [
        "NAME",
        "SYNOPSIS",
        "sesame",
        "setup",
        "shell-init",
        "populate",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}
