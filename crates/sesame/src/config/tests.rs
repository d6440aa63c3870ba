//! The typed views and endpoint resolution, against docs/protocols.md, *The config file* and
//! *Endpoint overrides* (each rule there was verified against botocore 1.43; `botocore_diff` keeps
//! checking them against the real one).

use super::botocore_diff::botocore_json;
use super::*;
use serde_json::json;

fn config(text: &str) -> AwsConfig {
    AwsConfig::from_str("/home/u/.aws/config", text).unwrap()
}

fn env(vars: &[(&str, &str)]) -> Env {
    Env::from_vars(vars.iter().copied())
}

#[test]
fn protocols_example_reads_as_botocore() {
    let c = config(
        "[profile Dev]\nsso_session = my-sso\nsso_account_id = 111122223333\n\
         sso_role_name = ReadOnly\nservices = local\n[sso-session my-sso]\n\
         sso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n[services local]\nsso =\n  \
         endpoint_url = http://127.0.0.1:5000\nsso_oidc =\n  endpoint_url = http://127.0.0.1:5000\n\
         sts =\n  endpoint_url = http://127.0.0.1:5001\n",
    );
    assert_eq!(
        botocore_json(c.document(), false),
        json!({
            "profiles": {"Dev": {"sso_session": "my-sso", "sso_account_id": "111122223333",
                                 "sso_role_name": "ReadOnly", "services": "local"}},
            "sso_sessions": {"my-sso": {"sso_start_url": "https://d-1234567890.awsapps.com/start",
                                        "sso_region": "us-east-1",
                                        "sso_registration_scopes": "sso:account:access"}},
            "services": {"local": {"sso": {"endpoint_url": "http://127.0.0.1:5000"},
                                   "sso_oidc": {"endpoint_url": "http://127.0.0.1:5000"},
                                   "sts": {"endpoint_url": "http://127.0.0.1:5001"}}},
            "other": {}
        })
    );
    let p = c.profile("Dev").unwrap();
    assert_eq!(p.sso_session(), Some("my-sso"));
    assert_eq!(p.sso_account_id(), Some("111122223333"));
    assert_eq!(p.sso_role_name(), Some("ReadOnly"));
    assert_eq!(p.services(), Some("local"));
    assert_eq!(c.profile("dev"), None);
    let s = c.services("local").unwrap();
    assert_eq!(
        s.value("sts").unwrap().nested_get("endpoint_url"),
        Some("http://127.0.0.1:5001")
    );
}

#[test]
fn profile_names_follow_botocore() {
    let c = config(
        "[default]\nregion = a\n[profile \"my name\"]\nx = 1\n[profile  x  ]\n[profile a b]\n\
         [profile]\n[profiles q]\n[Profile A]\n[ profile b ]\n[preview]\n",
    );
    assert_eq!(c.profile_names(), ["default", "my name", "x", "q"]);
    assert_eq!(c.profile("my name").unwrap().get("x"), Some("1"));
    assert!(c.profile("x").unwrap().properties().is_empty());
    assert!(c.profile("A").is_none() && c.profile("b").is_none());
    let other: Vec<_> = botocore_json(c.document(), false)["other"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(other, ["Profile A", " profile b ", "preview"]);
}

#[test]
fn later_default_section_wins_whole() {
    let c = config("[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n");
    let p = c.profile("default").unwrap();
    assert_eq!(p.region(), Some("b"));
    assert_eq!(p.get("output"), None);
    assert_eq!(c.profile_header("default"), Some("profile default"));
    let c = config("[profile default]\nregion = b\n[default]\nregion = a\n");
    assert_eq!(c.profile("default").unwrap().region(), Some("a"));
    assert_eq!(c.profile_names(), ["default"]);
}

#[test]
fn default_section_keys_are_inherited() {
    let c =
        config("[DEFAULT]\nregion = eu-west-1\noutput = json\n[profile a]\nregion = us-east-1\n");
    let p = c.profile("a").unwrap();
    assert_eq!(p.region(), Some("us-east-1"));
    assert_eq!(p.get("output"), Some("json"));
    let keys: Vec<_> = p.properties().iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["region", "output"]);
    assert!(c.profile("DEFAULT").is_none());
    assert_eq!(c.profile_names(), ["a"]);
}

#[test]
fn values_are_kept_as_written() {
    let c = config(
        "[profile a]\nREGION = us-east-1 # c\nSso_Start_Url='x'\ny=a=b\nz:1;y\nempty=\n\
         multi = 1\n\n  cont\ns3 =\n  addressing_style = path\n  Signature_Version=s3v4\n",
    );
    let p = c.profile("a").unwrap();
    assert_eq!(p.region(), Some("us-east-1 # c"));
    assert_eq!(p.sso_start_url(), Some("'x'"));
    assert_eq!(p.get("y"), Some("a=b"));
    assert_eq!(p.get("z"), Some("1;y"));
    assert_eq!(p.get("empty"), Some(""));
    assert_eq!(p.get("multi"), Some("1\n\ncont"));
    assert_eq!(
        p.properties().nested("s3").unwrap(),
        [
            ("addressing_style".to_owned(), "path".to_owned()),
            ("Signature_Version".to_owned(), "s3v4".to_owned())
        ]
    );
    assert_eq!(p.get("s3"), None);
}

#[test]
fn sso_session_config_reads_scopes_and_requires_keys() {
    let c = config(
        "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_registration_scopes = sso:account:access , ,other\n\
         [sso-session bare]\nsso_start_url = u\nsso_region = r\n\
         [sso-session half]\nsso_start_url = u\n[sso-session blank]\nsso_start_url =\nsso_region = r\n",
    );
    let s = SsoSessionConfig::from_config(&c, "corp").unwrap();
    assert_eq!(
        s,
        SsoSessionConfig {
            name: "corp".into(),
            start_url: "https://x.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            registration_scopes: Some(vec!["sso:account:access".into(), "other".into()]),
            use_device_code: false,
        }
    );
    assert_eq!(
        SsoSessionConfig::from_config(&c, "bare")
            .unwrap()
            .registration_scopes,
        None
    );
    let e = SsoSessionConfig::from_config(&c, "half").unwrap_err();
    assert!(matches!(&e, ConfigError::MissingKey { section, key, .. }
            if section == "sso-session half" && key == "sso_region"));
    assert_eq!(
        e.to_string(),
        "[sso-session half] in /home/u/.aws/config has no `sso_region`"
    );
    let e = SsoSessionConfig::from_config(&c, "blank").unwrap_err();
    assert!(matches!(&e, ConfigError::MissingKey { key, .. } if key == "sso_start_url"));
    let e = SsoSessionConfig::from_config(&c, "nope").unwrap_err();
    assert!(matches!(&e, ConfigError::NoSuchSession { available, .. }
        if available == &["corp", "bare", "half", "blank"]));
    assert_eq!(
        e.to_string(),
        "no [sso-session nope] in /home/u/.aws/config (it has: corp, bare, half, blank)"
    );
    assert_eq!(parse_registration_scopes(""), Vec::<String>::new());
}

#[test]
fn credentials_file_sections_are_plain_profile_names() {
    let creds = AwsCredentialsFile::from_str(
        "/home/u/.aws/credentials",
        "[default]\naws_access_key_id = A\n[profile x]\naws_access_key_id = B\n[dev]\nregion = r\n",
    )
    .unwrap();
    assert_eq!(creds.profile_names(), ["default", "profile x", "dev"]);
    assert_eq!(
        creds.profile("profile x").unwrap().get("aws_access_key_id"),
        Some("B")
    );
    let c = config("[profile dev]\nregion = a\noutput = json\n");
    let merged = c.profile_with_credentials(&creds, "dev").unwrap();
    assert_eq!(merged.region(), Some("r"));
    assert_eq!(merged.get("output"), Some("json"));
    assert!(c.profile_with_credentials(&creds, "default").is_some());
}

#[test]
fn load_reports_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = AwsConfig::load(dir.path().join("nope")).unwrap();
    assert!(missing.profile_names().is_empty());
    // A directory is refused (botocore would silently read no config); a device is empty.
    let e = AwsConfig::load(dir.path()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot read {}: it is a directory, not a file",
            dir.path().display()
        )
    );
    #[cfg(unix)]
    assert!(
        AwsConfig::load("/dev/null")
            .unwrap()
            .document()
            .as_str()
            .is_empty()
    );
    let bad = dir.path().join("config");
    fs::write(&bad, "[a]\nx = 1\n[a]\n").unwrap();
    let e = AwsConfig::load(&bad).unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert_eq!(
        e.to_string(),
        format!(
            "cannot parse {}: line 3: duplicate section [a]",
            bad.display()
        )
    );
    fs::write(&bad, b"[a]\nx = 1\ny = \xff\n").unwrap();
    let e = AwsConfig::load(&bad).unwrap_err();
    assert!(matches!(e, ConfigError::NotUtf8 { line: 3, .. }), "{e}");
}

#[test]
fn save_writes_edits_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fs::write(&path, "# mine\n[default]\nregion = a\n").unwrap();
    let mut c = AwsConfig::load(&path).unwrap();
    let header = profile_header("dev x");
    c.document_mut()
        .append_section(&header, &[("region", "b")])
        .unwrap();
    c.save().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "# mine\n[default]\nregion = a\n\n[profile \"dev x\"]\nregion = b\n"
    );
    assert_eq!(
        AwsConfig::load(&path)
            .unwrap()
            .profile("dev x")
            .unwrap()
            .region(),
        Some("b")
    );
}

mod endpoints {
    use super::*;

    fn resolve(
        service: ServiceId,
        vars: &[(&str, &str)],
        text: &str,
    ) -> Result<String, ConfigError> {
        resolve_endpoint(service, "eu-west-1", &env(vars), &config(text), None).map(String::from)
    }

    /// What botocore 1.x's endpoint rules give (`create_client(..., config=Config(
    /// use_dualstack_endpoint=...)).meta.endpoint_url`), for the four partitions Identity
    /// Center is in.
    #[test]
    fn dual_stack_endpoints_are_botocores() {
        use ServiceId::*;
        let cases = [
            (SsoOidc, "eu-west-1", "https://oidc.eu-west-1.api.aws/"),
            (
                SsoOidc,
                "cn-north-1",
                "https://oidc.cn-north-1.api.amazonwebservices.com.cn/",
            ),
            (
                SsoOidc,
                "us-gov-west-1",
                "https://oidc.us-gov-west-1.api.aws/",
            ),
            (
                SsoOidc,
                "eusc-de-east-1",
                "https://oidc.eusc-de-east-1.api.amazonwebservices.eu/",
            ),
            (Sso, "eu-west-1", "https://portal.sso.eu-west-1.api.aws/"),
            (
                Sso,
                "cn-north-1",
                "https://portal.sso.cn-north-1.api.amazonwebservices.com.cn/",
            ),
            (
                Sso,
                "us-gov-west-1",
                "https://portal.sso.us-gov-west-1.api.aws/",
            ),
            (
                Sso,
                "eusc-de-east-1",
                "https://portal.sso.eusc-de-east-1.api.amazonwebservices.eu/",
            ),
            (Sts, "eu-west-1", "https://sts.eu-west-1.api.aws/"),
            (
                SsoAdmin,
                "cn-north-1",
                "https://sso.cn-north-1.api.amazonwebservices.com.cn/",
            ),
            (
                IdentityStore,
                "us-gov-west-1",
                "https://identitystore.us-gov-west-1.api.aws/",
            ),
            (
                Organizations,
                "eu-west-1",
                "https://organizations.aws-global.api.aws/",
            ),
            (
                Organizations,
                "cn-north-1",
                "https://organizations.aws-cn-global.api.amazonwebservices.com.cn/",
            ),
            (
                Organizations,
                "us-gov-west-1",
                "https://organizations.aws-us-gov-global.api.aws/",
            ),
            (
                Organizations,
                "eusc-de-east-1",
                "https://organizations.eusc-de-east-1.api.amazonwebservices.eu/",
            ),
        ];
        let by_env = env(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
        let by_profile = config("[default]\nuse_dualstack_endpoint = TRUE\n");
        for (service, region, want) in cases {
            let got = resolve_endpoint(service, region, &by_env, &config(""), None).unwrap();
            assert_eq!(got.as_str(), want);
            let got = resolve_endpoint(service, region, &Env::default(), &by_profile, None);
            assert_eq!(got.unwrap().as_str(), want);
        }
        // The variable wins over the profile, and only `true` turns it on.
        let off = env(&[("AWS_USE_DUALSTACK_ENDPOINT", "false")]);
        let got = resolve_endpoint(SsoOidc, "eu-west-1", &off, &by_profile, None).unwrap();
        assert_eq!(got.as_str(), "https://oidc.eu-west-1.amazonaws.com/");
        let one = env(&[("AWS_USE_DUALSTACK_ENDPOINT", "1")]);
        let got = resolve_endpoint(SsoOidc, "eu-west-1", &one, &config(""), None).unwrap();
        assert_eq!(got.as_str(), "https://oidc.eu-west-1.amazonaws.com/");
        // Sovereign Cloud, plain.
        let got = resolve_endpoint(Sso, "eusc-de-east-1", &Env::default(), &config(""), None);
        assert_eq!(
            got.unwrap().as_str(),
            "https://portal.sso.eusc-de-east-1.amazonaws.eu/"
        );
    }

    #[test]
    fn defaults_are_the_public_endpoints() {
        let e = Env::default();
        let c = config("");
        let url = |s, r| resolve_endpoint(s, r, &e, &c, None).unwrap().to_string();
        use ServiceId::*;
        assert_eq!(
            url(SsoOidc, "eu-west-1"),
            "https://oidc.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(Sso, "eu-west-1"),
            "https://portal.sso.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(Sts, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(SsoAdmin, "eu-west-1"),
            "https://sso.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(IdentityStore, "eu-west-1"),
            "https://identitystore.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(Organizations, "eu-west-1"),
            "https://organizations.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            url(Sts, "cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            url(Sso, "cn-north-1"),
            "https://portal.sso.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            url(Organizations, "cn-north-1"),
            "https://organizations.cn-northwest-1.amazonaws.com.cn/"
        );
        assert_eq!(
            url(Organizations, "us-gov-east-1"),
            "https://organizations.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(SsoOidc, "us-gov-east-1"),
            "https://oidc.us-gov-east-1.amazonaws.com/"
        );
        assert_eq!(
            url(Sts, "us-iso-east-1"),
            "https://sts.us-iso-east-1.c2s.ic.gov/"
        );
        assert!(matches!(
            resolve_endpoint(Sts, "us-east-1/x", &e, &c, None),
            Err(ConfigError::InvalidRegion { .. })
        ));
        assert!(resolve_endpoint(Sts, "", &e, &c, None).is_err());
        assert!(resolve_endpoint(Sts, "-a", &e, &c, None).is_err());
    }

    #[test]
    fn names_match_botocore() {
        let names: Vec<_> = ServiceId::ALL
            .iter()
            .map(|s| (s.client_name(), s.config_key(), s.env_var()))
            .collect();
        for (client, key, var) in names {
            assert_eq!(client.replace('-', "_"), key);
            assert_eq!(format!("AWS_ENDPOINT_URL_{}", key.to_uppercase()), var);
        }
    }

    const SERVICES: &str = "[default]\nservices = local\nendpoint_url = http://profile:1\n\
        [services local]\nsso_oidc =\n  endpoint_url = http://services:2/oidc\n";

    #[test]
    fn lookup_order() {
        let svc = ServiceId::SsoOidc;
        let both = [
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://service-env:3/oidc"),
            ("AWS_ENDPOINT_URL", "http://global-env:4"),
        ];
        assert_eq!(
            resolve(svc, &both, SERVICES).unwrap(),
            "http://service-env:3/oidc"
        );
        assert_eq!(
            resolve(svc, &both[1..], SERVICES).unwrap(),
            "http://global-env:4/"
        );
        assert_eq!(
            resolve(svc, &[], SERVICES).unwrap(),
            "http://services:2/oidc"
        );
        // No block for this service in [services local]: the profile's endpoint_url.
        assert_eq!(
            resolve(ServiceId::Sso, &[], SERVICES).unwrap(),
            "http://profile:1/"
        );
        // An empty variable counts as unset.
        let empty = [("AWS_ENDPOINT_URL_SSO_OIDC", "")];
        assert_eq!(
            resolve(svc, &empty, SERVICES).unwrap(),
            "http://services:2/oidc"
        );
        // A path prefix is kept as written.
        let portal = [("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:5/portal/")];
        assert_eq!(
            resolve(ServiceId::Sso, &portal, "").unwrap(),
            "http://127.0.0.1:5/portal/"
        );
    }

    #[test]
    fn profile_selection() {
        let text = "[profile a]\nendpoint_url = http://a:1\n[default]\nendpoint_url = http://d:1\n";
        let c = config(text);
        let sts = |vars: &[(&str, &str)], p| {
            resolve_endpoint(ServiceId::Sts, "us-east-1", &env(vars), &c, p)
                .unwrap()
                .to_string()
        };
        assert_eq!(sts(&[], None), "http://d:1/");
        assert_eq!(sts(&[("AWS_PROFILE", "a")], None), "http://a:1/");
        assert_eq!(
            sts(
                &[("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "default")],
                None
            ),
            "http://d:1/"
        );
        assert_eq!(sts(&[], Some("a")), "http://a:1/");
        assert_eq!(
            sts(&[], Some("missing")),
            "https://sts.us-east-1.amazonaws.com/"
        );
    }

    #[test]
    fn ignore_configured_endpoint_urls() {
        let svc = ServiceId::SsoOidc;
        let default = "https://oidc.eu-west-1.amazonaws.com/";
        let vars = [
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
            ("AWS_ENDPOINT_URL", "http://x"),
        ];
        assert_eq!(resolve(svc, &vars, SERVICES).unwrap(), default);
        let ignoring = format!("{SERVICES}\n[profile i]\nignore_configured_endpoint_urls = true\n");
        let c = config(&ignoring);
        let with = |vars: &[(&str, &str)]| {
            resolve_endpoint(svc, "eu-west-1", &env(vars), &c, Some("i"))
                .unwrap()
                .to_string()
        };
        assert_eq!(with(&[("AWS_ENDPOINT_URL", "http://x")]), default);
        // The variable, when set, decides over the profile; botocore's ensure_boolean: only "true".
        let not = [
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"),
            ("AWS_ENDPOINT_URL", "http://x"),
        ];
        assert_eq!(with(&not), "http://x/");
        let one = [
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "1"),
            ("AWS_ENDPOINT_URL", "http://x"),
        ];
        assert_eq!(resolve(svc, &one, "").unwrap(), "http://x/");
    }

    #[test]
    fn services_errors() {
        let e = resolve(ServiceId::Sso, &[], "[default]\nservices = nope\n").unwrap_err();
        assert!(matches!(&e, ConfigError::NoSuchServices { name, .. } if name == "nope"));
        assert_eq!(
            e.to_string(),
            "profile `default` in /home/u/.aws/config has `services = nope`, but there is no \
             [services nope] section with entries"
        );
        // An empty [services x] is as good as none, for botocore.
        let empty = "[default]\nservices = x\n[services x]\n";
        assert!(matches!(
            resolve(ServiceId::Sso, &[], empty),
            Err(ConfigError::NoSuchServices { .. })
        ));
        // ... but only looked at when no environment variable answers first.
        let env_first = [("AWS_ENDPOINT_URL", "http://e")];
        assert_eq!(
            resolve(ServiceId::Sso, &env_first, empty).unwrap(),
            "http://e/"
        );
        let plain = "[default]\nservices = x\n[services x]\nsso = http://a\n";
        let e = resolve(ServiceId::Sso, &[], plain).unwrap_err();
        assert!(matches!(&e, ConfigError::InvalidServicesEntry { key, .. } if key == "sso"));
        // Keys inside a block are not lowercased, as botocore.
        let upper = "[default]\nservices = x\n[services x]\nsso =\n  Endpoint_Url = http://a\n";
        assert_eq!(
            resolve(ServiceId::Sso, &[], upper).unwrap(),
            "https://portal.sso.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn bad_urls_name_their_origin() {
        let e = resolve(
            ServiceId::Sso,
            &[("AWS_ENDPOINT_URL_SSO", "localhost:5000")],
            "",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("environment variable AWS_ENDPOINT_URL_SSO"),
            "{e}"
        );
        let e = resolve(ServiceId::Sso, &[("AWS_ENDPOINT_URL", "ftp://h")], "").unwrap_err();
        assert!(e.to_string().contains("not http or https"), "{e}");
        let e = resolve(ServiceId::Sso, &[("AWS_ENDPOINT_URL", "http://a_b:1")], "").unwrap_err();
        assert!(e.to_string().contains("host name"), "{e}");
        let e = resolve(ServiceId::Sso, &[], "[default]\nendpoint_url = not a url\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("`endpoint_url` of profile `default` in /home/u/.aws/config"),
            "{e}"
        );
        let text = "[default]\nservices = x\n[services x]\nsso =\n  endpoint_url = :nope\n";
        let e = resolve(ServiceId::Sso, &[], text).unwrap_err();
        assert!(
            e.to_string().contains("`sso.endpoint_url` of [services x]"),
            "{e}"
        );
        assert!(
            resolve(
                ServiceId::Sso,
                &[("AWS_ENDPOINT_URL", "http://[::1]:5000")],
                ""
            )
            .is_ok()
        );
        assert!(
            resolve(
                ServiceId::Sso,
                &[("AWS_ENDPOINT_URL", "http://127.0.0.1")],
                ""
            )
            .is_ok()
        );
    }
}
