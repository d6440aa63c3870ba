//! The real botocore accepts the emulator (`tests/botocore_accepts.py`), when Python has boto3.

use std::{path::Path, process::Command};

use sesame_emulator::EmulatorConfig;

fn python_has_boto3() -> bool {
    Command::new("python3")
        .args(["-c", "import boto3, botocore"])
        .output()
        .is_ok_and(|out| out.status.success())
}

fn run_script(config: EmulatorConfig) {
    let emulator = sesame_emulator::spawn(config).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/botocore_accepts.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(emulator.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim_end().ends_with("OK"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = emulator.stats();
    assert!(stats.tokens_issued >= 3 && stats.logouts == 1, "{stats:?}");
}

#[test]
fn botocore_accepts_the_emulator() {
    assert!(
        python_has_boto3(),
        "python3 with boto3 is needed: python3 -m pip install -r requirements-test.txt"
    );
    run_script(EmulatorConfig {
        accounts: 23,
        ..EmulatorConfig::default()
    });
    run_script(EmulatorConfig::auto_approving());
}
