//! sesame's integration tests: the real binaries against the emulator, botocore and the AWS CLI.

mod accounts;
mod admin;
mod api;
mod api_support;
mod assume;
mod bad_input;
mod botocore;
mod console;
mod credential_process;
mod creds;
mod creds_bad_input;
mod creds_support;
mod demo;
mod exec;
mod login;
mod populate;
mod populate_listing;
mod roles;
mod run;
mod run_api;
mod run_ask;
mod saml;
mod settings;
mod status_logout;
mod support;
mod sweep;
