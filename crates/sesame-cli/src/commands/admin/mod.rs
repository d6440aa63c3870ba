//! `sesame admin`: IAM Identity Center administration with AWS credentials (not a login):
//! `assignments` and `lookup` (their flags are in `crate::cli::admin`).

mod assignments;
mod lookup;

use std::process::ExitCode;

use sesame::admin::{self, AdminClient, AdminOptions, AdminPacing, Directory};

use crate::cli::admin::{AdminArgs, AdminCommand, Connection};
use crate::context::Context;
use crate::error::CliError;

pub(crate) async fn run(ctx: &Context, args: &AdminArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        AdminCommand::Assignments(a) => assignments::run(ctx, a).await,
        AdminCommand::Lookup(a) => lookup::run(ctx, a).await,
    }
}

impl Connection {
    pub(super) async fn client(&self, ctx: &Context) -> Result<AdminClient, CliError> {
        let options = AdminOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            pacing: AdminPacing {
                retry: ctx.retry()?,
                ..AdminPacing::new(self.concurrency, self.rate)
            },
        };
        let mfa = crate::commands::api::mfa_prompt(ctx);
        Ok(admin::client_from_env_with(&ctx.env, &options, mfa.as_deref()).await?)
    }

    pub(super) async fn directory(&self, ctx: &Context) -> Result<Directory, CliError> {
        let client = self.client(ctx).await?;
        Ok(Directory::open(
            client,
            self.instance_arn.as_deref(),
            self.identity_store_id.as_deref(),
        )
        .await?)
    }
}
