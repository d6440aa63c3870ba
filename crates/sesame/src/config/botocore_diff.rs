//! The differential check of the config reader and editor against the real botocore.
//!
//! Every hand-written case in `tests/data/config-cases/` (`*.credentials.ini` are read as
//! credentials files) and a few hundred seeded random files ([`random_config`]) are read by
//! sesame and then edited by sesame; `tests/botocore_configloader.py --batch` reads all of them,
//! originals and edited texts, in one python process, and the two views must agree case by case:
//! the same profiles, sso-sessions, services and other sections, with the same keys, values and
//! order, or an error from both. For an edited file the view sesame compares is the one it
//! intended (its in-memory document), so an edit that writes text botocore reads differently
//! fails here.
//!
//! `SESAME_CONFIG_DIFF_SEED=N` (a number) explores other random files; the default seed keeps
//! the test deterministic. On a failure the files are kept and their directory named.

mod random_config;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json, json};

use super::*;
use crate::botocore_py;

/// How many random files the test adds to the hand-written cases.
const RANDOM_FILES: usize = 400;
/// The seed of the random files unless `SESAME_CONFIG_DIFF_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x5e5a_3e00_c0f1_9d1f;

fn props_json(props: &Properties) -> Json {
    let mut map = Map::new();
    for (k, v) in props.iter() {
        let v = match v {
            Value::Text(s) => json!(s),
            Value::Nested(pairs) => {
                Json::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
            }
        };
        map.insert(k.to_owned(), v);
    }
    Json::Object(map)
}

/// sesame's view of `doc` in the format `tests/botocore_configloader.py` prints botocore's.
pub(super) fn botocore_json(doc: &Document, credentials: bool) -> Json {
    let read = if credentials {
        SectionName::of_credentials
    } else {
        SectionName::of_config
    };
    let mut out = json!({"profiles": {}, "sso_sessions": {}, "services": {}, "other": {}});
    for s in doc.sections() {
        let (kind, name) = match read(s.name()) {
            SectionName::Profile(n) => ("profiles", n),
            SectionName::SsoSession(n) => ("sso_sessions", n),
            SectionName::Services(n) => ("services", n),
            SectionName::Other(n) => ("other", n),
            SectionName::Defaults | SectionName::Ignored => continue,
        };
        out[kind][name] = props_json(&properties(doc, s));
    }
    out
}

/// A fixed series of edits, then a few random ones, each skipped if refused, so botocore can
/// check the edited text.
fn edit_for_diff(mut doc: Document, rng: &mut fastrand::Rng) -> Document {
    let names: Vec<String> = doc.sections().map(|s| s.name().to_owned()).collect();
    if let Some(first) = names.first() {
        let _ = doc.set(first, "region", "eu-central-1");
        let _ = doc.set(first, "s3", "\naddressing_style = path");
        let _ = doc.remove(first, "k");
    }
    if let Some(second) = names.get(1) {
        let _ = doc.remove_section(second);
    }
    let _ = doc.set(
        &services_header("edit"),
        "sso_oidc",
        "\nendpoint_url = http://127.0.0.1:1",
    );
    let _ = doc.append_section(
        &profile_header("new one"),
        &[("services", "edit"), ("x", "1\n\n2")],
    );
    random_config::random_edits(&mut doc, rng);
    doc
}

/// One file for python to read, and what sesame says it holds.
struct Case {
    name: String,
    path: PathBuf,
    credentials: bool,
    /// The input text, shown when the case fails.
    text: Vec<u8>,
    /// `{"ok": view}` or `{"error": message}`.
    sesame: Json,
}

impl Case {
    /// Reads `path` with sesame; when it reads, also edits it and adds the edited file (written
    /// into `out`) as a second case.
    fn read(
        name: String,
        path: PathBuf,
        credentials: bool,
        out: &Path,
        rng: &mut fastrand::Rng,
    ) -> Vec<Case> {
        let text = fs::read(&path).unwrap();
        let doc = load_document(&path);
        let sesame = match &doc {
            Ok(doc) => json!({"ok": botocore_json(doc, credentials)}),
            Err(e) => json!({"error": e.to_string()}),
        };
        let mut cases = vec![Case {
            name: name.clone(),
            path,
            credentials,
            text,
            sesame,
        }];
        if let Ok(doc) = doc {
            let edited = edit_for_diff(doc, rng);
            let path = out.join(format!("{name}.edited"));
            fs::write(&path, edited.as_str()).unwrap();
            cases.push(Case {
                name: format!("{name} (edited)"),
                path,
                credentials,
                text: edited.as_str().as_bytes().to_vec(),
                sesame: json!({"ok": botocore_json(&edited, credentials)}),
            });
        }
        cases
    }

    /// `None` if botocore agrees, else what differs.
    fn disagreement(&self, botocore: &Json) -> Option<String> {
        match (self.sesame.get("ok"), botocore.get("ok")) {
            (Some(ours), Some(theirs)) => {
                let ours = serde_json::to_string_pretty(ours).unwrap();
                let theirs = serde_json::to_string_pretty(theirs).unwrap();
                (ours != theirs).then(|| line_diff(&ours, &theirs))
            }
            (None, None) => None,
            _ => Some(format!("sesame: {}\nbotocore: {botocore}", self.sesame)),
        }
    }

    fn report(&self, diff: &str) -> String {
        let mut out = format!(
            "=== {} ({} file {})\n--- input, line by line:\n",
            self.name,
            if self.credentials {
                "credentials"
            } else {
                "config"
            },
            self.path.display()
        );
        for line in String::from_utf8_lossy(&self.text).split_inclusive('\n') {
            let _ = writeln!(out, "  {line:?}");
        }
        let _ = write!(out, "--- sesame (-) vs botocore (+):\n{diff}");
        out
    }
}

/// A line diff of `a` (`-`) against `b` (`+`), common lines indented: enough to spot which key
/// of which section differs in two pretty-printed JSON views.
fn line_diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "  {}", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        }
    }
    out
}

fn hand_written_cases() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/config-cases");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ini"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}

#[test]
fn sesame_reads_and_edits_config_files_as_botocore_reads_them() {
    let seed = match std::env::var("SESAME_CONFIG_DIFF_SEED") {
        Ok(s) if !s.is_empty() => s.parse().expect("SESAME_CONFIG_DIFF_SEED is a number"),
        _ => DEFAULT_SEED,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();

    // The hand-written cases' edits draw from their own generator, so that adding a case does
    // not change the random files of a seed.
    let mut rng = fastrand::Rng::with_seed(seed ^ 1);
    let hand_written = hand_written_cases();
    assert!(
        hand_written.len() >= 30,
        "the hand-written cases are missing"
    );
    for (name, path) in hand_written {
        let credentials = name.ends_with(".credentials.ini");
        cases.extend(Case::read(name, path, credentials, dir.path(), &mut rng));
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..RANDOM_FILES {
        let credentials = i % 8 == 7;
        let suffix = if credentials {
            "credentials.ini"
        } else {
            "ini"
        };
        let name = format!("random-{i:03}.{suffix}");
        let path = dir.path().join(&name);
        fs::write(&path, random_config::file(&mut rng, credentials)).unwrap();
        cases.extend(Case::read(name, path, credentials, dir.path(), &mut rng));
    }

    let batch: Vec<Json> = cases
        .iter()
        .map(|c| json!({"path": c.path, "credentials": c.credentials}))
        .collect();
    let out = botocore_py::run(
        "botocore_configloader.py",
        &["--batch"],
        serde_json::to_string(&batch).unwrap().as_bytes(),
    );
    let botocore: Vec<Json> = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    assert_eq!(botocore.len(), cases.len(), "one answer per file");

    let failures: Vec<String> = cases
        .iter()
        .zip(&botocore)
        .filter_map(|(case, theirs)| Some(case.report(&case.disagreement(theirs)?)))
        .collect();
    if !failures.is_empty() {
        let kept = dir.keep();
        panic!(
            "sesame and botocore disagree on {} of {} files (seed {seed}; files kept in {}):\n{}",
            failures.len(),
            cases.len(),
            kept.display(),
            failures.iter().take(5).cloned().collect::<String>()
        );
    }
    // The mix the generator aims at: mostly files that read, some that botocore refuses.
    let read = botocore.iter().filter(|b| b.get("ok").is_some()).count();
    println!("seed {seed}: {} files, botocore read {read}", cases.len());
    assert!(
        read * 10 >= cases.len() * 6 && read < cases.len(),
        "{read} of {} files read: the generator has drifted",
        cases.len()
    );
}
