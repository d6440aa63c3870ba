//! Who may sign in at the emulated AD FS, and what the assertions say.

use std::time::Duration;

use super::signing::IdpSigningKey;

/// The emulated AD FS's directory and assertion settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AdfsConfig {
    /// The Windows domain of Windows integrated authentication (`ACME\alice`).
    pub domain: String,
    /// The users.
    pub users: Vec<AdfsUser>,
    /// The `SessionDuration` attribute put in assertions, if any.
    pub session_duration: Option<u32>,
    /// How long an assertion may be presented (`SubjectConfirmationData@NotOnOrAfter`).
    pub assertion_lifetime: Duration,
    /// The key every assertion is signed with, published in the federation metadata; by
    /// default the emulator's throwaway test key.
    pub signing_key: IdpSigningKey,
    /// What a Kerberos sign-in's answer carries (feature `kerberos`).
    pub kerberos_answer: KerberosAnswer,
}

/// The `WWW-Authenticate: Negotiate` token sent with a Kerberos sign-in's `SAMLResponse` page
/// (`--kerberos-answer`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KerberosAnswer {
    /// The acceptor's token (mutual authentication), as IIS sends it.
    #[default]
    Mutual,
    /// No token (some proxies strip it).
    None,
    /// The token with its last byte changed, as an impostor without the service key would
    /// fail to make it: a client that checks mutual authentication must refuse the page.
    Forged,
}

/// One user of the emulated AD FS.
#[derive(Debug, Clone, PartialEq)]
pub struct AdfsUser {
    /// The UPN (`alice@acme.test`); `alice` and `ACME\alice` are accepted too.
    pub upn: String,
    /// The password.
    pub password: String,
    /// Role ARNs the user may assume; each goes into the `Role` attribute with the account's
    /// `saml-provider/sesame-emulator` ARN (provider first, as AD FS guides write it).
    pub roles: Vec<String>,
    /// A one-time code asked for on an additional-authentication page after the password.
    pub mfa_code: Option<String>,
    /// A locked-out account: the password is refused with AD FS's lock-out message.
    pub locked: bool,
}

/// The password every default user has.
pub const DEFAULT_PASSWORD: &str = "Passw0rd!";
/// The one-time code of the default MFA user (`bob@acme.test`).
pub const DEFAULT_MFA_CODE: &str = "424242";

impl AdfsUser {
    fn new(upn: &str, roles: &[&str]) -> Self {
        Self {
            upn: upn.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            mfa_code: None,
            locked: false,
        }
    }

    /// The name before `@`.
    pub fn short_name(&self) -> &str {
        self.upn.split('@').next().unwrap_or(&self.upn)
    }
}

impl Default for AdfsConfig {
    /// Five users, all with the password [`DEFAULT_PASSWORD`]:
    /// - `alice@acme.test`: one role, `arn:aws:iam::123456789012:role/ADFS-Dev`;
    /// - `bob@acme.test`: one role (`ADFS-Ops`), and an MFA step wanting [`DEFAULT_MFA_CODE`];
    /// - `carol@acme.test`: locked out;
    /// - `dave@acme.test`: signs in, but has no AWS role;
    /// - `erin@acme.test`: three roles in two accounts (`ADFS-Dev`, `ADFS-Admin` in
    ///   123456789012, `ReadOnly` in 111122223333).
    ///
    /// Assertions are signed with the emulator's throwaway test key ([`IdpSigningKey::default`]).
    fn default() -> Self {
        let mut bob = AdfsUser::new(
            "bob@acme.test",
            &["arn:aws:iam::123456789012:role/ADFS-Ops"],
        );
        bob.mfa_code = Some(DEFAULT_MFA_CODE.to_owned());
        let mut carol = AdfsUser::new(
            "carol@acme.test",
            &["arn:aws:iam::123456789012:role/ADFS-Dev"],
        );
        carol.locked = true;
        Self {
            domain: "ACME".to_owned(),
            users: vec![
                AdfsUser::new(
                    "alice@acme.test",
                    &["arn:aws:iam::123456789012:role/ADFS-Dev"],
                ),
                bob,
                carol,
                AdfsUser::new("dave@acme.test", &[]),
                AdfsUser::new(
                    "erin@acme.test",
                    &[
                        "arn:aws:iam::123456789012:role/ADFS-Dev",
                        "arn:aws:iam::123456789012:role/ADFS-Admin",
                        "arn:aws:iam::111122223333:role/ReadOnly",
                    ],
                ),
            ],
            session_duration: Some(7200),
            assertion_lifetime: Duration::from_secs(300),
            signing_key: IdpSigningKey::default(),
            kerberos_answer: KerberosAnswer::Mutual,
        }
    }
}

impl AdfsConfig {
    /// The user a sign-in name means: the UPN, the short name, or `DOMAIN\short`, any case.
    pub fn user(&self, name: &str) -> Option<&AdfsUser> {
        let name = name.trim();
        let short = match name.split_once('\\') {
            Some((domain, user)) if domain.eq_ignore_ascii_case(&self.domain) => user,
            Some(_) => return None,
            None => name,
        };
        self.users.iter().find(|u| {
            u.upn.eq_ignore_ascii_case(short) || u.short_name().eq_ignore_ascii_case(short)
        })
    }
}
