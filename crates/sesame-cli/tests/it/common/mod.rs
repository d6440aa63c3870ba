//! The one test world every integration test builds on.
//!
//! - [`env`]: [`TestEnv`], an emulator on a free port, a throwaway HOME and a config
//!   ([`TestEnv::builder`] for the emulator's settings and a logged-in session), and
//!   every command the tests run, `sesame` or python or a pseudo-terminal, with a clean
//!   environment ([`bare_command`] is the only place one is cleared).
//! - [`roles`]: [`RoleWorld`], a logged-in world with an SSO profile, for the role-credential
//!   commands, and botocore reading it.
//! - [`servers`]: moto (the shared SigV4 server, and [`Moto`], a server of a test's own) and the
//!   botocore-verifying server.
//! - [`saml`]: the SAML tests' world (moto as STS, the emulator's IdPs, pysaml2).
//! - [`tools`]: the helper scripts, the fake browser, the real AWS CLI v2.
//! - [`assert`]: [`assert_success`], [`assert_clean_failure`].
//! - [`wait`]: [`wait_for`]/[`wait_until`], a bounded poll in place of a sleep.
//! - [`snapshot`]: `insta` snapshots of every `--help` and every clean failure, in
//!   `tests/it/snapshots/`.
//!
//! # Snapshots
//!
//! A changed help text or error message fails its test with a diff. When the change is meant,
//! rewrite the snapshots (no `cargo-insta` needed) and review the diff in git:
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p sesame-cli --test it
//! git diff crates/sesame-cli/tests/it/snapshots
//! ```
//!
//! (`INSTA_UPDATE=always cargo test -p sesame-cli --test it help` for the help texts only.) A
//! failure snapshot is named after its test and numbered in the order the test's
//! `assert_clean_failure` calls run; delete the files of a renamed test. With `cargo-insta`
//! installed, `cargo insta review` and `cargo insta test --unreferenced=delete` do the same.

pub(crate) mod assert;
pub(crate) mod env;
pub(crate) mod roles;
pub(crate) mod saml;
pub(crate) mod servers;
pub(crate) mod snapshot;
pub(crate) mod tools;
pub(crate) mod wait;

pub(crate) use assert::*;
pub(crate) use env::*;
pub(crate) use roles::*;
pub(crate) use servers::*;
pub(crate) use tools::*;
pub(crate) use wait::*;
