//! The environment of a program run with role credentials (`sesame exec`, `sesame run -- CMD`,
//! `sesame creds` exports): the one place that says which variables are set and which are
//! removed, so that every SDK in the child signs with these keys and nothing else.

use crate::cache::RoleCredentials;
use crate::keys::AwsCredentials;

/// Variables a child must not inherit, as botocore's `EnvProvider` and config loader read them:
/// `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` would send SDKs to a profile again (the keys in the
/// environment are the whole answer); a stale `AWS_SECURITY_TOKEN` is read *before*
/// `AWS_SESSION_TOKEN` (`EnvProvider.TOKENS`) and would pair an old token with the new keys;
/// `AWS_SESSION_TOKEN` and `AWS_CREDENTIAL_EXPIRATION` are set anew when the keys have them,
/// and must not stay next to long-term keys that have none.
pub const CLEARED: [&str; 5] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Every variable a [`ChildEnv`] of keys may set: the keys, their expiry, the region. With
/// [`CLEARED`], what `sesame assume --unset` removes from a shell.
pub const SET_BY_KEYS: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// Variables a child of a credential server (`sesame exec --server`) must not inherit: besides
/// [`CLEARED`], keys (the container or IMDS endpoint is the whole answer, and botocore reads
/// environment keys first) and another container or IMDS endpoint's settings.
pub const CLEARED_FOR_SERVER: [&str; 13] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
];

/// What a child's environment gets: the credentials, their expiry, the region when known, and
/// whatever the caller adds ([`ChildEnv::with`]); [`CLEARED`] is removed first.
pub struct ChildEnv {
    cleared: &'static [&'static str],
    set: Vec<(&'static str, String)>,
}

impl ChildEnv {
    /// The environment of a child signing with `creds` (any kind: role, assumed, static), in
    /// `region` when one is known (else the parent's `AWS_REGION` / `AWS_DEFAULT_REGION` stay).
    pub fn new(creds: &AwsCredentials, region: Option<&str>) -> Self {
        let mut set = vec![
            ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                creds.secret_access_key.expose().to_owned(),
            ),
        ];
        if let Some(token) = &creds.session_token {
            set.push(("AWS_SESSION_TOKEN", token.expose().to_owned()));
        }
        if let Some(expiration) = creds.expiration {
            set.push((
                "AWS_CREDENTIAL_EXPIRATION",
                crate::time::format_aws(expiration),
            ));
        }
        Self::in_region(set, region)
    }

    /// The environment of a child signing with an Identity Center role's `creds`.
    pub fn of_role(creds: &RoleCredentials, region: Option<&str>) -> Self {
        let set = vec![
            ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                creds.secret_access_key.expose().to_owned(),
            ),
            ("AWS_SESSION_TOKEN", creds.session_token.expose().to_owned()),
            (
                "AWS_CREDENTIAL_EXPIRATION",
                crate::time::format_aws(creds.expiration),
            ),
        ];
        Self::in_region(set, region)
    }

    /// The environment of a child that reads its credentials from a local credential server:
    /// `endpoint` are the server's variables (its URL, its token or token file); no keys.
    pub fn of_server(endpoint: Vec<(&'static str, String)>, region: Option<&str>) -> Self {
        let mut env = Self::in_region(endpoint, region);
        env.cleared = &CLEARED_FOR_SERVER;
        env
    }

    fn in_region(mut set: Vec<(&'static str, String)>, region: Option<&str>) -> Self {
        if let Some(region) = region {
            set.push(("AWS_REGION", region.to_owned()));
            set.push(("AWS_DEFAULT_REGION", region.to_owned()));
        }
        Self {
            cleared: &CLEARED,
            set,
        }
    }

    /// The same environment with one more variable.
    pub fn with(mut self, name: &'static str, value: String) -> Self {
        self.set.push((name, value));
        self
    }

    /// The variables set, in order (secrets among them: for the child or an explicit export).
    pub fn variables(&self) -> &[(&'static str, String)] {
        &self.set
    }

    /// Removes [`CLEARED`] (or [`CLEARED_FOR_SERVER`]) from `cmd`'s environment, then sets the
    /// variables.
    pub fn apply(&self, cmd: &mut std::process::Command) {
        for name in self.cleared {
            cmd.env_remove(name);
        }
        cmd.envs(self.set.iter().map(|(k, v)| (k, v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn creds() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("sekret"),
            session_token: Secret::new("tok"),
            expiration: crate::time::parse_lenient("2026-11-22T09:34:53Z").unwrap(),
            account_id: None,
        }
    }

    fn env_of(cmd: &std::process::Command) -> Vec<(String, Option<String>)> {
        let mut v: Vec<_> = cmd
            .get_envs()
            .map(|(k, v)| {
                let s = |x: &std::ffi::OsStr| x.to_string_lossy().into_owned();
                (s(k), v.map(s))
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn stale_identity_variables_are_removed_and_the_keys_set() {
        let mut cmd = std::process::Command::new("true");
        ChildEnv::of_role(&creds(), Some("eu-west-1"))
            .with("SESAME_ROLE_NAME", "Admin".into())
            .apply(&mut cmd);
        let got = env_of(&cmd);
        let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        for name in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] {
            assert_eq!(get(name), Some(None), "{name} is removed");
        }
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some(Some("ASIAEXAMPLE".into())));
        assert_eq!(get("AWS_SECRET_ACCESS_KEY"), Some(Some("sekret".into())));
        assert_eq!(get("AWS_SESSION_TOKEN"), Some(Some("tok".into())));
        assert_eq!(
            get("AWS_CREDENTIAL_EXPIRATION"),
            Some(Some("2026-11-22T09:34:53Z".into()))
        );
        assert_eq!(get("AWS_REGION"), Some(Some("eu-west-1".into())));
        assert_eq!(get("AWS_DEFAULT_REGION"), Some(Some("eu-west-1".into())));
        assert_eq!(get("SESAME_ROLE_NAME"), Some(Some("Admin".into())));
    }

    #[test]
    fn without_a_region_the_parents_stays() {
        let env = ChildEnv::of_role(&creds(), None);
        assert!(env.variables().iter().all(|(k, _)| !k.contains("REGION")));
    }
}
