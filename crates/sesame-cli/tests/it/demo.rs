//! `sesame demo`, the README's first command.

use crate::support::{assert_success, stdout};

#[test]
fn demo_logs_in_and_lists_on_the_bundled_emulator() {
    for extra in [&[][..], &["--pkce"][..]] {
        let out = assert_cmd::Command::cargo_bin("sesame")
            .unwrap()
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("demo")
            .args(extra)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_success(&out);
        let s = stdout(&out);
        assert!(s.contains("ACCOUNT ID") && s.contains("ROLE"), "{s}");
    }
}
