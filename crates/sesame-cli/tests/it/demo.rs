//! `sesame demo`, the README's first command.

use crate::common::{assert_success, bare_command, sesame_bin, stdout};

#[test]
fn demo_logs_in_and_lists_on_the_bundled_emulator() {
    for extra in [&[][..], &["--pkce"][..]] {
        let out = assert_cmd::Command::from_std(bare_command(sesame_bin()))
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
