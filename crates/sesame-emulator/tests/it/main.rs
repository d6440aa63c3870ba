//! Integration tests of sesame-emulator over real HTTP (one test binary for the crate).

mod binary;
mod botocore;
mod device_flow;
mod faults;
mod pkce;
mod portal;
mod support;
mod tokens;
