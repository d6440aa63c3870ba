//! The `From` impl of every library error the CLI meets: its kind (the exit code) and the hint a
//! command gets by default. A command whose flags say it better replaces the hint.

use sesame::admin::AdminError;
use sesame::api::{RequestError, SignError};
use sesame::config::ConfigError;
use sesame::credentials::{ChainError, CredentialsError};
use sesame::fanout::ShardError;
use sesame::fanout::results::ResultsError;
use sesame::listing::ListingError;
use sesame::populate::PopulateError;
use sesame::saml::idp::IdpError;
use sesame::saml::store::StoreError;
use sesame::saml::{AssertionError, RoleChoiceError, StsError};
use sesame::signin::SigninError;
use sesame::sso::SsoError;

use super::{CliError, Kind};

impl CliError {
    /// `error` of `kind`, with `hint` when there is one.
    fn of(kind: Kind, error: impl Into<anyhow::Error>, hint: Option<&str>) -> Self {
        Self {
            kind,
            error: error.into(),
            hint: hint.map(str::to_owned),
        }
    }
}

/// The config file's (a command reading the credentials file says so).
impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        Self::of(
            Kind::User,
            e,
            Some("fix the config file, then run the command again"),
        )
    }
}

/// What to do when a server's certificate is not trusted.
const CERTIFICATE_HINT: &str = "behind a TLS-inspecting proxy, point AWS_CA_BUNDLE \
     (or `ca_bundle` in the profile) at a PEM file of its CA certificates";

/// What to do when the CA bundle cannot be used.
const CA_BUNDLE_HINT: &str = "point AWS_CA_BUNDLE (or `ca_bundle` in the profile) at a PEM file of CA certificates, or unset it";

/// The hint of a command cut by its overall deadline.
const DEADLINE_HINT: &str = "the service is slow or failing; run it again later, or allow more time with \
     SESAME_DEADLINE (e.g. SESAME_DEADLINE=2h)";

impl From<SsoError> for CliError {
    fn from(e: SsoError) -> Self {
        let login = "run `sesame login` (add `--sso-session NAME` or `--profile NAME` as needed)";
        let (kind, hint) = match &e {
            _ if e.is_login_required() => (Kind::LoginRequired, Some(login.to_owned())),
            SsoError::Config(_) => (
                Kind::User,
                Some("fix the config file, then run the command again".to_owned()),
            ),
            SsoError::Cache(_) => (
                Kind::User,
                Some("delete the file, or run `sesame login --force`".to_owned()),
            ),
            SsoError::NoSession { hint, .. } => (Kind::User, hint.clone()),
            SsoError::Unreachable { .. } => (
                Kind::User,
                Some(
                    "check the network, the region, and any AWS_ENDPOINT_URL_* override".to_owned(),
                ),
            ),
            SsoError::Refused { .. } => (
                Kind::User,
                Some(
                    "nothing answers there: check the network and any proxy (HTTPS_PROXY), the \
                     session's sso_region, and any AWS_ENDPOINT_URL_* override"
                        .to_owned(),
                ),
            ),
            SsoError::StartUrl { .. } => (
                Kind::User,
                Some(
                    "set sso_start_url to the AWS access portal URL (https://d-xxxxxxxxxx.awsapps.com/start, \
                     or your organisation's https vanity URL that redirects there)"
                        .to_owned(),
                ),
            ),
            SsoError::Certificate { .. } => (Kind::User, Some(CERTIFICATE_HINT.to_owned())),
            SsoError::Deadline(_) => (Kind::User, Some(DEADLINE_HINT.to_owned())),
            SsoError::Http(_) => (Kind::User, Some(CA_BUNDLE_HINT.to_owned())),
            SsoError::Denied => (
                Kind::User,
                Some("run `sesame login` again and approve the request".to_owned()),
            ),
            SsoError::AuthorizationExpired => (
                Kind::User,
                Some("run `sesame login` again and approve within the time shown".to_owned()),
            ),
            SsoError::Api(a) if a.is_retryable() => (
                Kind::User,
                Some("the service is busy or failing; try again in a moment".to_owned()),
            ),
            SsoError::LockTimeout { .. } => (
                Kind::User,
                Some(
                    "another `sesame login` is still waiting for approval; finish or stop it"
                        .to_owned(),
                ),
            ),
            _ => (Kind::User, None),
        };
        Self {
            kind,
            error: e.into(),
            hint,
        }
    }
}

impl From<CredentialsError> for CliError {
    fn from(e: CredentialsError) -> Self {
        let hint = match &e {
            CredentialsError::Sso(_) => {
                return Self::from(match e {
                    CredentialsError::Sso(s) => s,
                    _ => unreachable!("matched above"),
                });
            }
            CredentialsError::UnknownProfile {
                profile, available, ..
            } => super::unknown_profile_hint(profile, available),
            CredentialsError::NotSsoProfile { .. } => {
                "give it sso_session, sso_account_id and sso_role_name, or use --account and --role"
                    .to_owned()
            }
            CredentialsError::InvalidSsoProfile { .. } | CredentialsError::Config(_) => {
                "fix the config file, then run the command again".to_owned()
            }
            CredentialsError::UnknownAccount { .. } | CredentialsError::AmbiguousAccount { .. } => {
                "list the accounts with `sesame accounts`".to_owned()
            }
            CredentialsError::NoAccess { .. } => {
                "check the account id and role name (`sesame accounts`, `sesame roles`)".to_owned()
            }
            CredentialsError::Cache(_) => "delete the file, then run the command again".to_owned(),
            _ => return Self::user(e),
        };
        Self::user(e).hint(hint)
    }
}

impl From<ChainError> for CliError {
    fn from(e: ChainError) -> Self {
        if let ChainError::NoSuchProfile {
            profile, available, ..
        } = &e
        {
            let hint = super::unknown_profile_hint(profile, available);
            return Self::user(e).hint(hint);
        }
        let hint = match e {
            ChainError::Sso(s) => return Self::from(s),
            ChainError::Login(l) => return Self::from(l),
            ChainError::Role(r) => return Self::from(r),
            ChainError::NotFound { .. } => {
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME"
            }
            ChainError::ProfileWithoutCredentials { .. } | ChainError::Partial { .. } => {
                "complete the profile, or choose another with --profile"
            }
            ChainError::Unsupported { .. } => {
                "get credentials for it with the AWS CLI (`aws configure export-credentials --format env`) and pass them in the environment"
            }
            ChainError::Process { .. } => "run the command by hand to see what it prints",
            ChainError::RoleConfig { .. } => {
                "fix the profile: role_arn needs source_profile or credential_source (botocore's rules)"
            }
            ChainError::SourceLoop { .. } => {
                "make the last source_profile in the chain one with credentials of its own"
            }
            ChainError::MfaNeedsTerminal { .. } => {
                "run the command on a terminal to type the code, pass it with --mfa-code or SESAME_MFA_CODE, or cache the role's credentials first with `aws sts get-caller-identity --profile NAME` (sesame reuses the AWS CLI's cache)"
            }
            ChainError::Assume { .. } => {
                "check role_arn, the role's trust policy and the source credentials"
            }
            ChainError::MixedKinds { .. } => {
                "botocore would use only one of them; remove the others from the profile (or split it in two)"
            }
            ChainError::Instance { .. } => {
                "credential_source = Ec2InstanceMetadata / EcsContainer works on an EC2 instance or in a container; elsewhere use source_profile"
            }
            ChainError::Cache(_) => "check the permissions of ~/.aws/cli/cache",
            ChainError::Config(_) => "fix the config file, then run the command again",
            _ => "check the credentials configuration",
        };
        Self::user(e).hint(hint)
    }
}

/// An `aws login` session: exit 3 when the user has to sign in again.
impl From<SigninError> for CliError {
    fn from(e: SigninError) -> Self {
        let (kind, hint) = match &e {
            e if e.is_login_required() => (
                Kind::LoginRequired,
                "sign in again with `aws login --profile NAME` or `sesame login --console --profile NAME`",
            ),
            SigninError::Corrupt { .. } => (
                Kind::User,
                "delete the file and sign in again (`aws login` or `sesame login --console`)",
            ),
            _ => (
                Kind::User,
                "check the network, or AWS_ENDPOINT_URL_SIGNIN if set",
            ),
        };
        Self::of(kind, e, Some(hint))
    }
}

impl From<ListingError> for CliError {
    fn from(e: ListingError) -> Self {
        match e {
            ListingError::Sso(s) => s.into(),
            e if e.is_throttled() => Self::user(e).hint(
                "Identity Center kept throttling beyond sesame's retries; wait a minute and run it \
                 again (SESAME_MAX_ATTEMPTS, if set, bounds them)",
            ),
            e => Self::user(e)
                .hint("Identity Center kept failing or could not be reached; check the network and try again"),
        }
    }
}

impl From<ShardError> for CliError {
    fn from(e: ShardError) -> Self {
        let hint = match &e {
            ShardError::NoEngine | ShardError::NoCount { .. } => {
                "outside a batch engine give --shard INDEX/COUNT, or set SESAME_SHARD_INDEX and \
                 SESAME_SHARD_COUNT (docs/sweeps.md)"
            }
            _ => "give --shard INDEX/COUNT with INDEX from 0 to COUNT-1, e.g. --shard 0/4",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<ResultsError> for CliError {
    fn from(e: ResultsError) -> Self {
        let hint = match &e {
            ResultsError::OtherSweep { .. } => {
                "resume with the same command and selection as the run that wrote it, or start \
                 a new file with --results"
            }
            ResultsError::NotResults { .. } => "give a file written by `sesame run --results`",
            ResultsError::Io { .. } => "check the path and its permissions",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<AdminError> for CliError {
    fn from(e: AdminError) -> Self {
        let e = match e {
            AdminError::Credentials(c) => return CliError::from(c),
            other => other,
        };
        let hint = match &e {
            AdminError::Config(_) => Some("fix the config file, then run the command again"),
            AdminError::Deadline(_) => Some(DEADLINE_HINT),
            AdminError::NoRegion => {
                Some("pass --region, set AWS_REGION, or set `region` in the profile")
            }
            AdminError::NoInstance { .. } => Some(
                "IAM Identity Center lives in one region: pass its --region (or --instance-arn)",
            ),
            AdminError::UnknownInstance { .. } => {
                Some("run `sesame admin lookup instance` to list the region's instances")
            }
            AdminError::UnknownPrincipal(_) => {
                Some("list users and groups with `sesame admin lookup principal '*'`")
            }
            AdminError::UnknownPermissionSet(_) => {
                Some("list permission sets with `sesame admin lookup permission-set '*'`")
            }
            AdminError::UnknownTarget(_) => Some(
                "list accounts with `sesame admin lookup account '*'`; OU ids look like ou-ab12-cd34ef56",
            ),
            AdminError::InvalidSpec { .. } => Some("see `sesame admin assignments --help`"),
            AdminError::Denied(_) => Some(
                "check the credentials, and that they may call sso:List*/Describe*, identitystore:List*/Describe*/Get* and organizations:List*/Describe*",
            ),
            AdminError::Unreachable { .. } => {
                Some("check the network, the region, and any AWS_ENDPOINT_URL_* override")
            }
            AdminError::Certificate { .. } => Some(CERTIFICATE_HINT),
            AdminError::Http(_) => Some(CA_BUNDLE_HINT),
            AdminError::Api(a) if a.is_retryable() => {
                Some("the service is busy or failing; try again in a moment, or lower --rate")
            }
            _ => None,
        };
        Self::of(Kind::User, e, hint)
    }
}

/// `sesame api`'s flags; `sesame run --api` replaces the hints that name `--region`.
impl From<RequestError> for CliError {
    fn from(e: RequestError) -> Self {
        let hint = match &e {
            RequestError::BadUrl { .. } => {
                Some("give a full URL, e.g. https://sts.us-east-1.amazonaws.com/")
            }
            RequestError::NoService { .. } => Some(
                "the host is not an AWS endpoint sesame recognises; pass --service NAME (the signing name, e.g. execute-api) and --region REGION",
            ),
            RequestError::NoRegion { .. } => {
                Some("pass --region REGION (or set AWS_REGION, or a `region` in the profile)")
            }
            RequestError::Body { .. } => Some("check the path after @ (use @- for standard input)"),
            RequestError::SignerHeader(_) => {
                Some("drop that -H; use --unsigned-payload for an unsigned S3 body")
            }
            RequestError::Unreachable { .. } => {
                Some("check the URL, the network, and any proxy settings")
            }
            RequestError::BadHeader(_) => Some("write each -H as `Name: value`"),
            RequestError::Sign(SignError::Expiry(_)) => Some("pass --expires between 1 and 604800"),
            _ => None,
        };
        Self::of(Kind::User, e, hint)
    }
}

impl From<PopulateError> for CliError {
    fn from(e: PopulateError) -> Self {
        let hint = match &e {
            PopulateError::Naming(_) => "fix the option (see `sesame populate --help`)",
            PopulateError::Setting { .. } => {
                "fix the [sesame-populate] section of the config file (see `sesame populate --help`)"
            }
            PopulateError::Block { .. } => {
                "repair the marker lines of sesame's block, or delete the whole block and run again"
            }
            PopulateError::Io { .. } => "check the file's permissions and free space",
            _ => "fix the config file, then run the command again",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<AssertionError> for CliError {
    fn from(e: AssertionError) -> Self {
        let hint = match &e {
            AssertionError::NoRoles => {
                "the IdP grants this user no AWS role: ask its administrators to add the https://aws.amazon.com/SAML/Attributes/Role claim"
            }
            AssertionError::BadRole(_) => {
                "the IdP's Role claim is misconfigured: each value must be `role-arn,saml-provider-arn`"
            }
            AssertionError::Status { .. } => {
                "sign in at the IdP again; if it keeps failing, ask its administrators"
            }
            AssertionError::Encrypted => {
                "ask the IdP's administrators to stop encrypting assertions for AWS, or use the AWS console"
            }
            AssertionError::Dtd => "this is not a SAMLResponse an IdP would send; do not use it",
            _ => {
                "pass the SAMLResponse value exactly as the IdP posts it (base64), or the SAML XML itself"
            }
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<IdpError> for CliError {
    fn from(e: IdpError) -> Self {
        let hint = match &e {
            IdpError::Unreachable { .. } | IdpError::Status { .. } => {
                "check --idp-url and the network"
            }
            IdpError::Rejected { .. } => {
                "check the user name and password (SESAME_SAML_PASSWORD); a locked account needs the IdP's administrators"
            }
            IdpError::MfaRejected { .. } => {
                "run the command again and enter the current code (SESAME_SAML_OTP)"
            }
            IdpError::NoLoginForm { .. } | IdpError::Unrecognized { .. } => {
                "check --idp-url (the IdP-initiated sign-in URL) and --provider (adfs, adfs-windows, form)"
            }
            IdpError::NoNtlm { .. } | IdpError::Ntlm { .. } | IdpError::NtlmRefused => {
                "check the user name (DOMAIN\\user or user@domain) and password, or try --provider adfs"
            }
            IdpError::Kerberos { .. } => {
                "run `kinit` (klist lists your tickets) and check that the IdP's service principal HTTP/<host> exists"
            }
            IdpError::MutualAuthentication { .. } => {
                "the answer may not come from your IdP: check --idp-url and any proxy in between"
            }
            IdpError::UnsupportedMfa { .. } => {
                "use an MFA method with a code, or sign in through the AWS console"
            }
            IdpError::Prompt(_) => "run on a terminal, or set the variable named above",
            _ => "check --idp-url and --provider",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<StsError> for CliError {
    fn from(e: StsError) -> Self {
        let hint = match &e {
            StsError::Unreachable { .. } => {
                "check the network, --region, and any AWS_ENDPOINT_URL_STS override"
            }
            StsError::Api(a) if a.is_retryable() => "STS is busy or failing; try again in a moment",
            StsError::Api(a) if a.code == "ExpiredTokenException" => {
                "sign in at the IdP again for a fresh assertion"
            }
            StsError::Api(_) => {
                "AWS refused the assertion: check the role's trust policy and the IdP's relying-party trust"
            }
            _ => "check --region and any AWS_ENDPOINT_URL_STS override",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<RoleChoiceError> for CliError {
    fn from(e: RoleChoiceError) -> Self {
        let hint = match &e {
            RoleChoiceError::NeedChoice { .. } => {
                "pass --role ARN|NAME|GLOB, or run on a terminal to pick one"
            }
            _ => "pass --role with one of the role ARNs or names listed",
        };
        Self::of(Kind::User, e, Some(hint))
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        Self::of(
            Kind::User,
            e,
            Some("fix the credentials file, then run the command again"),
        )
    }
}
