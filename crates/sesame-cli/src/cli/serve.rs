//! `serve`: a profile's credentials behind the SDKs' container endpoint or IMDSv2 (the body is
//! `commands/serve.rs`; `exec --server` has its flags with exec's).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// `sesame serve --help`, after the flags.
pub(crate) const SERVE_HELP: &str = "\
The server prints the environment to give a program (stdout), then serves until interrupted
(Ctrl-C, SIGTERM). Every SDK's default chain reads it: the container provider (botocore's
`container-role`) with AWS_CONTAINER_CREDENTIALS_FULL_URI and the token, or with --imds the
instance metadata provider (`iam-role`) with AWS_EC2_METADATA_SERVICE_ENDPOINT. A profile with
keys of its own in the program's ~/.aws ([default]) comes first in those chains.

  sesame serve dev          # one terminal: prints `export ...` lines, keeps serving
  export AWS_CONTAINER_...  # another: paste them, then run anything, for hours

In a script, with the token in a file and nothing secret on stdout:

  sesame serve dev --token-file \"$dir/token\" > \"$dir/env\" &
  # once $dir/env is written: . \"$dir/env\"

In a container (Linux; the host's loopback through --network host; variables passed by name,
so the token is never in argv):

  docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI \\
      -e AWS_CONTAINER_AUTHORIZATION_TOKEN amazon/aws-cli sts get-caller-identity

For a single command, `sesame exec --server PROFILE -- CMD` runs the server for as long as the
command runs.";

/// `sesame serve`'s flags.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The profile whose credentials to serve: any kind sesame resolves (SSO, assume-role, web
    /// identity, credential_process, keys with a session token). Default: AWS_PROFILE, else the
    /// environment's keys, else `default`.
    #[arg(value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// Serve IMDSv2 (for AWS_EC2_METADATA_SERVICE_ENDPOINT) instead of the container endpoint.
    /// IMDS has no token of its own: any local process can read it, as on an instance.
    #[arg(long)]
    pub(crate) imds: bool,
    /// Listen on this address instead of 127.0.0.1. Plain HTTP: the token and the credentials
    /// cross the network in clear text (sesame warns); SDKs accept http:// container endpoints
    /// only on loopback, 169.254.170.2 and 169.254.170.23.
    #[arg(long, value_name = "ADDR", conflicts_with = "imds")]
    pub(crate) bind: Option<IpAddr>,
    /// The port (default: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub(crate) port: u16,
    /// Write the token into this file (mode 0600, no newline) and print
    /// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE instead of the token; the file is removed when the
    /// server stops.
    #[arg(long, value_name = "PATH", conflicts_with = "imds")]
    pub(crate) token_file: Option<PathBuf>,
    /// How to print the environment (`-f`/`--format` is the older spelling).
    #[arg(short = 'o', long = "output", visible_alias = "format", short_alias = 'f', value_enum,
          default_value_t = ServeFormat::Env)]
    pub(crate) format: ServeFormat,
}

/// How `sesame serve` prints the environment to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ServeFormat {
    /// `export NAME=value` lines for sh, bash, zsh.
    Env,
    /// One JSON object of the variables, on one line.
    Json,
}
