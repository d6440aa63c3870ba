//! sesame's integration tests: the real binaries against the emulator, botocore and the AWS CLI.

mod accounts;
mod bad_input;
mod botocore;
mod demo;
mod login;
mod saml;
mod status_logout;
mod support;
