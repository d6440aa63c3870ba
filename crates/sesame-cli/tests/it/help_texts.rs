//! Every command's `--help`, pinned by a snapshot (`tests/it/snapshots/help__*.snap`). The
//! commands are found by walking `sesame --help` down, so a new command is pinned by itself and
//! a removed one leaves a snapshot this test names.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::snapshot::{settings, snapshot_dir};
use crate::common::{assert_success, clean_command, sesame_bin, stdout};

/// `sesame PATH.. --help`, checked to succeed.
fn help(path: &[String], home: &Path) -> String {
    let out = clean_command(sesame_bin(), home)
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    assert_success(&out);
    stdout(&out)
}

/// The subcommands a help text lists under `Commands:` (clap's own `help` left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim_end() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line is indented two spaces; a wrapped description, more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_help_text_is_pinned() {
    let home = tempfile::tempdir().unwrap();
    let mut todo = vec![Vec::<String>::new()];
    let mut pinned = BTreeSet::new();
    while let Some(path) = todo.pop() {
        let text = help(&path, home.path());
        for sub in subcommands(&text) {
            let mut child = path.clone();
            child.push(sub);
            todo.push(child);
        }
        let name = format!(
            "help__sesame{}",
            path.iter().map(|p| format!("_{p}")).collect::<String>()
        );
        // The global flags come last, under their own heading, after every option of the
        // command (no `-v` between a command's own options).
        let global = text
            .find("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("{name}: no Global options heading"));
        assert!(
            !text[..global].contains("--verbose"),
            "{name}: -v among the command's own options"
        );
        assert!(
            !text[global + 1..]
                .lines()
                .skip(1)
                .any(|l| l.ends_with("ptions:") || l.starts_with("Options for")),
            "{name}: a heading of options after Global options"
        );
        settings().bind(|| insta::assert_snapshot!(name.clone(), text));
        pinned.insert(name);
    }
    assert!(pinned.len() > 20, "the walk found the commands: {pinned:?}");
    // A snapshot of a command that no longer exists is named, to be deleted.
    let stale: Vec<String> = std::fs::read_dir(snapshot_dir())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".snap").map(str::to_owned))
        .filter(|f| f.starts_with("help__") && !pinned.contains(f))
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots of commands that no longer exist (delete them): {stale:?}"
    );
}
