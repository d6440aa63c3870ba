//! The flags every command takes, under a heading of their own so that a command's `--help`
//! lists its own options first.

use clap::Args;

/// Flags every command takes.
#[derive(Debug, Args, Default)]
pub(crate) struct GlobalArgs {
    /// More detail on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true,
          help_heading = "Global options")]
    pub(crate) verbose: u8,
    /// No progress lines or bars on stderr (they are drawn only on a terminal anyway).
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub(crate) quiet: bool,
}
