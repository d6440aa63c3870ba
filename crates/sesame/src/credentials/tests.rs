//! The credentials module end to end against the emulator, and profile resolution against
//! botocore's rules and messages.

use std::sync::Arc;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use jiff::SignedDuration;

use super::*;
use crate::config::AwsConfig;
use crate::env::Env;
use crate::sso::{LoginFlow, LoginOptions, LoginPrompt, SessionSelector, Sso};

struct Silent;

impl LoginPrompt for Silent {
    fn device_code(&self, _: &str, _: Option<&str>, _: &str) {}
    fn authorize(&self, _: &str) {}
}

fn config(text: &str) -> AwsConfig {
    AwsConfig::from_str("/h/.aws/config", text).unwrap()
}

fn env() -> Env {
    Env::from_vars([("HOME", "/h")])
}

fn resolve(text: &str, profile: &str) -> Result<RoleTarget, CredentialsError> {
    RoleSpec::Profile(profile.into()).resolve(&env(), &config(text))
}

const SESSION: &str =
    "[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n";

#[test]
fn profiles_resolve_as_botocore_reads_them() {
    let t = resolve(
        &format!("[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = us-west-2\n{SESSION}"),
        "dev",
    )
    .unwrap();
    assert_eq!(t.session.name.as_deref(), Some("corp"));
    assert_eq!(t.session.region, "eu-west-1");
    assert_eq!(t.account, AccountRef::Id("111122223333".into()));
    assert_eq!(t.region.as_deref(), Some("us-west-2"));
    assert_eq!(
        t.cache_key("111122223333").cache_args(),
        r#"{"accountId":"111122223333","roleName":"Admin","sessionName":"corp"}"#
    );
    assert_eq!(
        t.session.portal_endpoint.as_str(),
        "https://portal.sso.eu-west-1.amazonaws.com/"
    );

    // Legacy: start URL and region in the profile, keyed by start URL.
    let t = resolve(
        "[profile old]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Admin\n",
        "old",
    )
    .unwrap();
    assert_eq!(t.session.name, None);
    assert!(
        t.cache_key("111122223333")
            .cache_args()
            .contains("startUrl")
    );

    // The same value in both places is fine.
    resolve(
        &format!("[profile dev]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = A\n{SESSION}"),
        "dev",
    )
    .unwrap();
}

#[test]
fn bad_profiles_fail_with_botocores_words() {
    let message = |text: &str, profile: &str| resolve(text, profile).unwrap_err().to_string();
    assert!(
        message("[profile a]\nregion = x\n", "b").contains("profile `b` is not in /h/.aws/config")
    );
    assert!(message("[profile a]\nregion = x\n", "a").contains("is not an SSO profile"));
    assert!(
        message(
            "[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
            "a"
        )
        .contains(r#"The specified sso-session does not exist: "nope""#)
    );
    assert!(
        message(
            &format!("[profile a]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n{SESSION}"),
            "a"
        )
        .contains("The value for sso_region is inconsistent between profile (us-east-1) and sso-session (eu-west-1).")
    );
    assert!(message("[profile a]\nsso_account_id = 1\n", "a").contains(
        r#"The profile "a" is configured to use SSO but is missing required configuration: sso_role_name, sso_start_url, sso_region"#
    ));
}

#[test]
fn account_refs() {
    assert_eq!(
        AccountRef::parse("111122223333"),
        AccountRef::Id("111122223333".into())
    );
    assert_eq!(AccountRef::parse("prod"), AccountRef::Name("prod".into()));
    assert_eq!(
        AccountRef::parse("11112222333"),
        AccountRef::Name("11112222333".into())
    );
}

/// A logged-in HOME against a fresh emulator.
async fn world() -> (
    sesame_emulator::RunningEmulator,
    tempfile::TempDir,
    Env,
    RoleTarget,
) {
    let emulator = sesame_emulator::start(sesame_emulator::EmulatorConfig::auto_approving())
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = emulator.url();
    let env = Env::from_vars([
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_ENDPOINT_URL_SSO", url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url.as_str()),
    ]);
    let account = emulator.account_ids()[1].clone();
    let role = emulator.roles_of(&account)[0].clone();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        env.config_file(),
        format!(
            "[sso-session acme]\nsso_start_url = {url}/start\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n\n[profile dev]\nsso_session = acme\n\
             sso_account_id = {account}\nsso_role_name = {role}\n"
        ),
    )
    .unwrap();
    let config = AwsConfig::from_env(&env).unwrap();
    let session = SessionSelector {
        sso_session: Some("acme".into()),
        ..Default::default()
    }
    .resolve(&env, &config)
    .unwrap();
    let options = LoginOptions {
        flow: LoginFlow::DeviceCode,
        ..Default::default()
    };
    Sso::new(&env)
        .unwrap()
        .login(&session, &options, &Silent)
        .await
        .unwrap();
    let target = RoleTarget::new(session, &account, &role);
    (emulator, home, env, target)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_provider_gets_the_roles_credentials_once() {
    let (emulator, _home, env, target) = world().await;
    let provider = SsoCredentialsProvider::from_profile(&env, "dev").unwrap();
    let shared = SharedCredentialsProvider::new(provider.clone());
    // Twenty concurrent requests of one client: one GetRoleCredentials.
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let p = shared.clone();
            tokio::spawn(async move { p.provide_credentials().await })
        })
        .collect();
    let mut keys = Vec::new();
    for c in calls {
        keys.push(c.await.unwrap().unwrap());
    }
    assert_eq!(emulator.stats().role_credentials_issued, 1);
    let first = &keys[0];
    assert!(
        keys.iter()
            .all(|k| k.access_key_id() == first.access_key_id())
    );
    assert_eq!(
        emulator.whoami(first.access_key_id()),
        Some((
            target.account.id().unwrap().to_owned(),
            target.role_name.clone()
        ))
    );
    assert!(first.session_token().is_some_and(|t| !t.is_empty()));
    assert!(first.expiry().is_some());
    assert_eq!(first.account_id().map(|a| a.as_str()), target.account.id());

    // The warm path sees what the provider cached, without the network.
    let warm = warm::lookup(
        &env,
        &RoleSpec::Profile("dev".into()),
        SignedDuration::from_mins(15),
        crate::time::now(),
    )
    .unwrap();
    assert!(matches!(warm, Some((_, c)) if c.access_key_id == first.access_key_id()));

    // A resolver with a margin longer than the credentials' life fetches again.
    let eager = CredentialResolver::new(&env)
        .unwrap()
        .with_margin(SignedDuration::from_hours(2));
    let again = eager.credentials(&target).await.unwrap();
    assert_ne!(again.access_key_id, first.access_key_id());
    assert_eq!(emulator.stats().role_credentials_issued, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_errors_are_typed_and_secret_free() {
    let (emulator, _home, env, target) = world().await;
    let resolver = Arc::new(CredentialResolver::new(&env).unwrap());
    let mut wrong = target.clone();
    wrong.role_name = "NoSuchRole".into();
    let e = resolver.credentials(&wrong).await.unwrap_err();
    assert!(matches!(e, CredentialsError::NoAccess { .. }), "{e}");
    let mut by_name = target.clone();
    let name = emulator
        .directory()
        .account(target.account.id().unwrap())
        .unwrap()
        .account_name
        .clone();
    by_name.account = AccountRef::Name(name.to_uppercase());
    assert_eq!(
        resolver.account_id(&by_name).await.unwrap(),
        target.account.id().unwrap()
    );
    by_name.account = AccountRef::Name("No Such Account".into());
    assert!(matches!(
        resolver.account_id(&by_name).await,
        Err(CredentialsError::UnknownAccount { .. })
    ));

    Sso::new(&env)
        .unwrap()
        .logout(&target.session)
        .await
        .unwrap();
    let provider = SsoCredentialsProvider::new(&env, target).unwrap();
    let e = provider.role_credentials().await.unwrap_err();
    assert!(e.is_login_required(), "{e}");
    let sdk = provider.provide_credentials().await.unwrap_err();
    let cause = std::error::Error::source(&sdk)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        cause.contains("no valid login for sso-session `acme`"),
        "{sdk:?}"
    );
}
