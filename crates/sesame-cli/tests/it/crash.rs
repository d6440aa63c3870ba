//! Crash consistency: `kill -9` at seeded moments of the commands that write ~/.aws, a full
//! disk and a read-only ~/.aws. Afterwards every file is whole (it parses) with its mode, temp
//! files are owner-only until the next run removes them, and the next run works.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::common::{
    RoleWorld, SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout,
};

/// Kills per command: enough to land before, inside and after the write, bounded for CI.
const KILLS: u64 = 24;

/// A file under ~/.aws: its bytes and permission bits.
type Files = BTreeMap<PathBuf, (Vec<u8>, u32)>;

/// Every file under `dir` but sesame's lock files, with bytes and mode.
fn files(dir: &Path) -> Files {
    fn walk(dir: &Path, out: &mut Files) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                if !p.ends_with("locks") {
                    walk(&p, out);
                }
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.insert(p, (bytes, meta.permissions().mode() & 0o7777));
            }
        }
    }
    let mut out = Files::new();
    walk(dir, &mut out);
    out
}

/// sesame's temp-file naming: `.<name>.<6 letters or digits>.tmp`.
fn is_temp(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(t, r)| !t.is_empty() && r.len() == 6)
}

/// A deterministic sequence of kill delays in `0..=max_ms` (an LCG: the same seeds each run).
fn delays(seed: u64, max_ms: u64) -> Vec<u64> {
    let mut x = seed;
    (0..KILLS)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % (max_ms + 1)
        })
        .collect()
}

/// What a kill left: each file whole, modes as required, temp files owner-only.
#[track_caller]
fn check_whole(aws: &Path, modes: &[(&str, u32)]) -> usize {
    let mut temps = 0;
    let all = files(aws);
    for (path, (bytes, mode)) in &all {
        let (path, mode) = (path.clone(), *mode);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if is_temp(&path) {
            // 0600 while written; the target's own mode only once its content is complete
            // (set just before the rename): never more readable than the file it replaces.
            let target = name[1..name.len() - ".XXXXXX.tmp".len()].to_owned();
            let target_mode = all.get(&path.with_file_name(&target)).map(|t| t.1);
            assert!(
                mode == 0o600 || Some(mode) == target_mode,
                "a temp file more readable than its target: {path:?} {mode:o}"
            );
            temps += 1;
            continue;
        }
        let bytes = bytes.clone();
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("not UTF-8: {path:?}"));
        if name.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("half a JSON file at {path:?}: {e}\n{text}"));
            assert!(v.is_object(), "{path:?}");
            assert_eq!(mode, 0o600, "{path:?}");
        } else if ["config", "config.bak", "credentials"].contains(&name.as_str()) {
            sesame::config::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{path:?} does not parse: {e}\n{text}"));
        }
        if let Some((_, want)) = modes.iter().find(|(n, _)| *n == name) {
            assert_eq!(mode, *want, "{path:?} lost its mode");
        }
    }
    temps
}

/// Makes every temp file look abandoned long ago (the next writer removes only stale ones).
fn age_temps(aws: &Path) {
    for path in files(aws).into_keys().filter(|p| is_temp(p)) {
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
    }
}

/// Runs `cmd` to the end and says how long it took.
fn timed(mut cmd: Command) -> (Output, Duration) {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    (out, start.elapsed())
}

/// Kills `make()` after each delay; `prepare` runs before each attempt. Returns what the kills
/// left: (runs killed, runs that had finished, temp files seen).
fn kill_at_moments(
    aws: &Path,
    seed: u64,
    max_ms: u64,
    modes: &[(&str, u32)],
    mut prepare: impl FnMut(),
    make: impl Fn() -> Command,
) -> (usize, usize, usize) {
    let (mut killed, mut finished, mut temps) = (0, 0, 0);
    for ms in delays(seed, max_ms) {
        prepare();
        let mut child = make()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        match child.try_wait().unwrap() {
            Some(_) => finished += 1,
            None => {
                child.kill().unwrap(); // SIGKILL
                killed += 1;
            }
        }
        child.wait().unwrap();
        temps += check_whole(aws, modes);
    }
    (killed, finished, temps)
}

/// After the kills: stale temps are removed by the next run, which works. Temps in `not_written`
/// (a directory the next run may only read) wait for its next writer.
#[track_caller]
fn next_run_cleans_up(
    aws: &Path,
    modes: &[(&str, u32)],
    mut cmd: Command,
    not_written: Option<&Path>,
) {
    age_temps(aws);
    let out = cmd.output().unwrap();
    assert_success(&out);
    let left: Vec<_> = files(aws)
        .into_keys()
        .filter(|p| is_temp(p) && not_written.is_none_or(|d| p.parent() != Some(d)))
        .collect();
    assert_eq!(
        left,
        Vec::<PathBuf>::new(),
        "temp files left after the next run"
    );
    check_whole(aws, modes);
}

#[test]
fn kill_nine_during_populate_login_creds_and_a_refresh_leaves_whole_files() {
    let w = RoleWorld::from_env(TestEnv::builder().accounts(40).build());
    let env = &w.env;
    let aws = env.home.path().join(".aws");
    // A config the user made group-readable keeps that mode through every rewrite.
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let modes = [("config", 0o640), ("credentials", 0o600)];
    let mut report = Vec::new();

    // populate: the config is the old one or the whole new one, never half.
    let before = std::fs::read(env.config_path()).unwrap();
    let populate = || {
        let mut c = env.sesame_std();
        c.args(["populate", "--sso-session", SESSION]);
        c
    };
    let (out, took) = timed(populate());
    assert_success(&out);
    let after = std::fs::read(env.config_path()).unwrap();
    assert_ne!(before, after);
    let restore = || std::fs::write(env.config_path(), &before).unwrap();
    let mut seen = (0, 0);
    let (k, f, t) = kill_at_moments(
        &aws,
        1,
        took.as_millis() as u64 * 5 / 4,
        &modes,
        || {
            let now = std::fs::read(env.config_path()).unwrap();
            if now == before {
                seen.0 += 1;
            } else {
                assert_eq!(now, after, "the config is neither the old nor the new one");
                seen.1 += 1;
            }
            restore();
        },
        populate,
    );
    report.push(format!(
        "populate: {k} killed, {f} finished, {t} temp files seen; config seen old {} times, new {} times",
        seen.0, seen.1
    ));
    next_run_cleans_up(&aws, &modes, populate(), None);
    assert_eq!(std::fs::read(env.config_path()).unwrap(), after);

    // creds --to-credentials-file into a 0600 file other profiles live in.
    std::fs::write(aws.join("credentials"), "[keep]\naws_access_key_id = K\n").unwrap();
    std::fs::set_permissions(
        aws.join("credentials"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let creds = || {
        let mut c = env.sesame_std();
        c.args(["creds", "dev", "--to-credentials-file"]);
        c
    };
    let role_cache = w.cache_file(&w.account, &w.role);
    let (out, took) = timed(creds());
    assert_success(&out);
    let (k, f, t) = kill_at_moments(
        &aws,
        2,
        took.as_millis() as u64 * 5 / 4,
        &modes,
        || {
            let text = std::fs::read_to_string(aws.join("credentials")).unwrap();
            assert!(
                text.starts_with("[keep]\naws_access_key_id = K\n"),
                "{text}"
            );
            // A fetch each time: drop the role cache entry.
            let _ = std::fs::remove_file(&role_cache);
        },
        creds,
    );
    report.push(format!(
        "creds --to-credentials-file: {k} killed, {f} finished, {t} temp files seen"
    ));
    // The next writer of the role cache (the warm path only reads, and leaves them).
    let _ = std::fs::remove_file(&role_cache);
    next_run_cleans_up(&aws, &modes, creds(), None);

    // A token refresh (credential-process with the token inside its refresh window).
    let token = env.token_path(SESSION);
    let age_token = || {
        let mut v = env.token_json(SESSION);
        let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5);
        v["expiresAt"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
        std::fs::write(&token, v.to_string()).unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        let _ = std::fs::remove_file(&role_cache);
    };
    let process = || {
        let mut c = env.sesame_std();
        c.args(["credential-process", "--profile", "dev"]);
        c
    };
    age_token();
    let (out, took) = timed(process());
    assert_success(&out);
    let (k, f, t) = kill_at_moments(
        &aws,
        3,
        took.as_millis() as u64 * 5 / 4,
        &modes,
        age_token,
        process,
    );
    report.push(format!(
        "token refresh: {k} killed, {f} finished, {t} temp files seen"
    ));
    age_token();
    // A run killed after the emulator rotated the refresh token but before the new one was
    // stored leaves a spent refresh token: the next run then uses the access token (valid 5 more
    // minutes) and writes no token, so the token cache's stale temps wait for the login below.
    next_run_cleans_up(&aws, &modes, process(), Some(token.parent().unwrap()));

    // login --force: the token and registration files.
    let login = || {
        let mut c = env.sesame_std();
        c.args(["login", "--device-code", "--force"]);
        c
    };
    let (out, took) = timed(login());
    assert_success(&out);
    let (k, f, t) = kill_at_moments(
        &aws,
        4,
        took.as_millis() as u64 * 5 / 4,
        &modes,
        || {},
        login,
    );
    report.push(format!(
        "login --force: {k} killed, {f} finished, {t} temp files seen"
    ));
    next_run_cleans_up(&aws, &modes, login(), None);
    assert!(env.token_json(SESSION)["accessToken"].is_string());
    println!("{}", report.join("\n"));
}

/// A file system mounted over ~/.aws for the length of a test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts `args` over `dir` (keeping its files), or says why it cannot and gives `None`.
    fn over(dir: &Path, args: &[&str], read_only: bool) -> Option<Mount> {
        let keep = tempfile::tempdir().unwrap();
        let copy = |from: &Path, to: &Path| {
            let ok = Command::new("cp")
                .arg("-a")
                .arg(format!("{}/.", from.display()))
                .arg(to)
                .status()
                .unwrap()
                .success();
            assert!(ok, "cp -a {from:?} {to:?}");
        };
        copy(dir, keep.path());
        let out = Command::new("mount").args(args).arg(dir).output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                println!("skipped: cannot mount over {dir:?}: {}", stderr(&o).trim());
                return None;
            }
            Err(e) => {
                println!("skipped: no mount(8): {e}");
                return None;
            }
        }
        let m = Mount(dir.to_owned());
        if args.contains(&"tmpfs") {
            copy(keep.path(), dir);
        }
        if read_only {
            let ok = Command::new("mount")
                .args(["-o", "remount,ro,bind"])
                .arg(dir)
                .status()
                .unwrap()
                .success();
            assert!(ok, "remount read-only");
        }
        Some(m)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_one_line_and_changes_nothing() {
    let w = RoleWorld::from_env(TestEnv::builder().accounts(40).build());
    let env = &w.env;
    let aws = env.home.path().join(".aws");
    let Some(_mount) = Mount::over(&aws, &["-t", "tmpfs", "-o", "size=64k", "tmpfs"], false) else {
        return;
    };
    // Fill what is left.
    let mut filler = std::fs::File::create(aws.join("filler")).unwrap();
    let chunk = vec![b'x'; 4096];
    while std::io::Write::write_all(&mut filler, &chunk).is_ok() {}
    drop(filler);
    let before = files(&aws);
    let out = env
        .sesame()
        .args(["populate", "--sso-session", SESSION])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "No space left on device");
    assert_eq!(files(&aws), before, "a failed write changed a file");
    let out = env
        .sesame()
        .args(["creds", "dev", "--to-credentials-file"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "No space left on device");
    assert_eq!(files(&aws), before);
    // Space again: the same command works.
    std::fs::remove_file(aws.join("filler")).unwrap();
    let out = env
        .sesame()
        .args(["populate", "--sso-session", SESSION])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(check_whole(&aws, &[]), 0);
}

#[test]
fn a_read_only_aws_dir_is_one_line_that_names_the_cause() {
    let w = RoleWorld::from_env(TestEnv::builder().accounts(3).build());
    let env = &w.env;
    let aws = env.home.path().join(".aws");
    std::fs::write(aws.join("credentials"), "[keep]\naws_access_key_id = K\n").unwrap();
    let aws_s = aws.display().to_string();
    let Some(_mount) = Mount::over(&aws, &["--bind", &aws_s], true) else {
        return;
    };
    let before = files(&aws);
    for args in [
        &["populate", "--sso-session", SESSION][..],
        &["creds", "dev", "--to-credentials-file"],
        &["login", "--device-code", "--force"],
        &["credential-process", "--profile", "dev"],
    ] {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 1, "Read-only file system");
        let err = stderr(&out);
        assert!(err.contains("hint: the file system holding that path is mounted read-only"));
        assert_eq!(stdout(&out), "");
        assert_eq!(files(&aws), before, "{args:?} changed a file");
    }
}

#[test]
fn a_directory_where_the_config_belongs_is_an_error() {
    let env = TestEnv::new();
    std::fs::remove_file(env.config_path()).unwrap();
    std::fs::create_dir(env.config_path()).unwrap();
    for args in [&["status"][..], &["creds", "dev"], &["populate"]] {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 1, "it is a directory, not a file");
    }
}

#[test]
fn a_credentials_file_readable_by_others_is_made_private() {
    let w = RoleWorld::new();
    let path = w.env.home.path().join(".aws/credentials");
    std::fs::write(&path, "[keep]\naws_access_key_id = K\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "--to-credentials-file"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [format!(
            "warning: {} was readable by others (mode 0644); it holds secret keys, so it is 0600 now",
            path.display()
        )]
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("[keep]\n")
    );
    // Already private: nothing to say.
    let out = w
        .env
        .sesame()
        .args(["creds", "dev", "--to-credentials-file"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!stderr(&out).contains("warning:"), "{}", stderr(&out));
}

/// A login killed while it waits for approval holds the login lock; the kernel frees it, and the
/// next login starts at once instead of waiting for a dead process.
#[test]
fn a_lock_held_by_a_killed_process_never_blocks_the_next_caller() {
    let env = TestEnv::with(sesame_emulator::EmulatorConfig {
        auto_approve: false,
        ..sesame_emulator::EmulatorConfig::default()
    });
    let mut first = env
        .sesame_std()
        .args(["login", "--device-code"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    crate::common::wait_until(
        "the first login to wait for approval",
        Duration::from_secs(30),
        || !env.emulator.pending_user_codes().is_empty(),
    );
    first.kill().unwrap(); // SIGKILL, with the lock held
    first.wait().unwrap();
    let stale = env.emulator.pending_user_codes();
    let second = env
        .sesame_std()
        .args(["login", "--device-code"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    crate::common::wait_until(
        "the second login to get past the lock",
        Duration::from_secs(30),
        || env.emulator.pending_user_codes().len() > stale.len(),
    );
    let code = env
        .emulator
        .pending_user_codes()
        .into_iter()
        .find(|c| !stale.contains(c))
        .unwrap();
    assert!(env.emulator.approve(&code));
    let out = second.wait_with_output().unwrap();
    assert_success(&out);
    let stats = env.emulator.stats();
    assert_eq!(stats.device_authorizations, 2);
    assert_eq!(stats.authorizations, 1);
    assert!(env.token_json(SESSION)["accessToken"].is_string());
}
