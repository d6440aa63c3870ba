//! `sesame saml login|assume|roles|forget`.

use clap::{Args, Subcommand, ValueEnum};

use super::OutputFormat;

#[derive(Debug, Args)]
pub(crate) struct SamlArgs {
    #[command(subcommand)]
    pub(crate) command: SamlCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SamlCommand {
    /// Sign in at the IdP, choose a role, and write its STS credentials into a profile.
    ///
    /// The password comes from SESAME_SAML_PASSWORD, else from the OS keyring if it was stored
    /// there with --remember-password, else from the terminal (no echo); it is never stored
    /// without --remember-password. A one-time code asked for by the IdP is read from the
    /// terminal, or from SESAME_SAML_OTP.
    Login(SamlLoginArgs),
    /// Assume a role with a SAMLResponse captured elsewhere (base64, as the IdP posts it).
    Assume(SamlAssumeArgs),
    /// List the roles a SAMLResponse grants: from a file, or by signing in at the IdP.
    Roles(SamlRolesArgs),
    /// Forget an IdP sign-in: remove the password stored with --remember-password from the OS
    /// keyring, and the IdP's session cookies kept in ~/.aws/sesame/saml/.
    Forget(SamlForgetArgs),
}

/// Where and how to sign in.
#[derive(Debug, Args, Clone)]
pub(crate) struct IdpArgs {
    /// The IdP-initiated sign-in URL, e.g.
    /// https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices
    #[arg(long, value_name = "URL", env = "SESAME_SAML_IDP_URL")]
    pub(crate) idp_url: Option<String>,
    /// How to sign in: AD FS forms, AD FS Windows authentication (Kerberos or NTLM), or any login
    /// form.
    #[arg(long, value_enum, default_value_t = SamlProvider::Adfs)]
    pub(crate) provider: SamlProvider,
    /// The user name (`alice@example.com`, `EXAMPLE\alice`); asked for on the terminal if absent.
    #[arg(long, value_name = "USER", env = "SESAME_SAML_USERNAME")]
    pub(crate) username: Option<String>,
    /// Forget the IdP's kept session cookies and sign in afresh. (Otherwise they are kept, 0600,
    /// in ~/.aws/sesame/saml/ per IdP and user name, so the next sign-in skips the password while
    /// the IdP session lasts.)
    #[arg(long)]
    pub(crate) fresh: bool,
    /// Once the sign-in has succeeded, store the password in the OS keyring, keyed by the IdP
    /// (scheme, host, port) and the user name, so later sign-ins of that user there take it
    /// without asking (SESAME_SAML_PASSWORD still comes first). Linux: the kernel keyring
    /// (keyutils: the user's persistent keyring; no D-Bus needed), kept until the machine
    /// restarts or 3 days unused; macOS: the Keychain; Windows: the Credential Manager. A stored
    /// password the IdP refuses is removed; `sesame saml forget` removes it too.
    #[arg(long)]
    pub(crate) remember_password: bool,
}

/// Which role, and where its credentials go.
#[derive(Debug, Args, Clone)]
pub(crate) struct SamlTargetArgs {
    /// The role: its ARN, its name, or a glob over either (`*Admin*`). Without it: a fuzzy picker
    /// on a terminal, or the only role.
    #[arg(long, value_name = "ARN|NAME|GLOB")]
    pub(crate) role: Option<String>,
    /// The credentials-file profile to write.
    #[arg(long, value_name = "NAME", default_value = "saml")]
    pub(crate) profile: String,
    /// Session length, 15m to 12h (`1h`, `8h`; a plain number is seconds); capped by the
    /// assertion's SessionDuration.
    #[arg(long, value_name = "DURATION", value_parser = super::duration::sts_session)]
    pub(crate) duration: Option<u32>,
    /// The STS region (default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1); also written into
    /// the profile when given.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Print the credentials as credential_process JSON on stdout instead of writing a profile.
    #[arg(long)]
    pub(crate) credential_process: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SamlLoginArgs {
    #[command(flatten)]
    pub(crate) idp: IdpArgs,
    #[command(flatten)]
    pub(crate) target: SamlTargetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SamlAssumeArgs {
    /// The file holding the SAMLResponse (base64, or the XML itself); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) assertion_file: String,
    #[command(flatten)]
    pub(crate) target: SamlTargetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SamlRolesArgs {
    /// The file holding the SAMLResponse; `-` reads stdin. Without it, sign in at --idp-url.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) assertion_file: Option<String>,
    #[command(flatten)]
    pub(crate) idp: IdpArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SamlForgetArgs {
    /// The IdP's sign-in URL (only its scheme, host and port matter).
    #[arg(long, value_name = "URL", env = "SESAME_SAML_IDP_URL")]
    pub(crate) idp_url: Option<String>,
    /// The user name whose stored password to remove, as given to `saml login`.
    #[arg(long, value_name = "USER", env = "SESAME_SAML_USERNAME")]
    pub(crate) username: Option<String>,
}

/// How `sesame saml login` signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SamlProvider {
    /// AD FS 3.0 and later, forms (UserName, Password, MFA code pages).
    Adfs,
    /// AD FS Windows integrated authentication: Kerberos with the `kinit` ticket (builds with the
    /// `kerberos` feature), else NTLM.
    AdfsWindows,
    /// Any IdP with a login form (Keycloak, Shibboleth-like pages).
    Form,
}
