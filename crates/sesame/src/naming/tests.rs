use super::*;

fn t(id: &str, name: &str, role: &str) -> AccountRole {
    AccountRole {
        account_id: id.to_owned(),
        account_name: name.to_owned(),
        role_name: role.to_owned(),
    }
}

fn names(namer: &ProfileNamer, targets: &[AccountRole]) -> Vec<String> {
    namer
        .name_all(targets)
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn acme() -> Vec<AccountRole> {
    vec![
        t(
            "111111111111",
            "Acme Corp Payments Dev",
            "AdministratorAccess",
        ),
        t("111111111111", "Acme Corp Payments Dev", "ReadOnlyAccess"),
        t("111111111111", "Acme Corp Payments Dev", "PowerUserAccess"),
        t(
            "222222222222",
            "Acme Corp Data Lake EU Prod",
            "ReadOnlyAccess",
        ),
        t("333333333333", "Acme Corp R&D", "Billing"),
    ]
}

#[test]
fn seed_defaults() {
    let targets = acme();
    let namer = ProfileNamer::new(NamingRules::default(), "acme", &targets);
    assert_eq!(namer.prefix(), Some("acme-corp"));
    assert_eq!(
        names(&namer, &targets),
        [
            "data-lake-eu-prod",
            "payments-dev",
            "payments-dev-PowerUserAccess",
            "payments-dev-admin",
            "r-d-Billing",
        ]
    );
}

#[test]
fn prefix_rules() {
    let targets = acme();
    let none = NamingRules {
        prefix_strip: PrefixStrip::None,
        ..NamingRules::default()
    };
    let namer = ProfileNamer::new(none, "acme", &targets);
    assert_eq!(
        namer.short_account_name(&targets[0]),
        "acme-corp-payments-dev"
    );
    // A configured prefix is normalised the same way as names.
    for p in ["Acme Corp", "acme-corp", " acme corp "] {
        let rules = NamingRules {
            prefix_strip: PrefixStrip::parse(p),
            ..NamingRules::default()
        };
        let namer = ProfileNamer::new(rules, "acme", &targets[..1]);
        assert_eq!(namer.short_account_name(&targets[0]), "payments-dev", "{p}");
    }
    // Only whole words are stripped, and a name equal to the prefix stays whole.
    let rules = NamingRules {
        prefix_strip: PrefixStrip::Fixed("Acme".into()),
        ..NamingRules::default()
    };
    let namer = ProfileNamer::new(rules, "acme", &[]);
    assert_eq!(
        namer.short_account_name(&t("1", "Acmecorp X", "R")),
        "acmecorp-x"
    );
    assert_eq!(namer.short_account_name(&t("1", "Acme", "R")), "acme");
    // Auto needs two distinct names and leaves each at least one word.
    let one = ProfileNamer::new(NamingRules::default(), "s", &targets[..1]);
    assert_eq!(one.prefix(), None);
    let two = [t("1", "Acme Dev", "R"), t("2", "Acme Dev Two", "R")];
    let namer = ProfileNamer::new(NamingRules::default(), "s", &two);
    assert_eq!(namer.prefix(), Some("acme"));
}

#[test]
fn unsafe_characters_never_reach_a_name() {
    let nasty = [
        "Acme \"Quoted\" Team",
        "[Brackets] & Co",
        "#hash start",
        ";semi",
        "  spaced   out  ",
        "Zürich Ops",
        "a'b\\c",
        "--dash--",
        "日本",
        "",
        "default",
        "Default",
        "x=y:z",
    ];
    let targets: Vec<AccountRole> = nasty
        .iter()
        .enumerate()
        .map(|(i, n)| t(&format!("{:012}", i + 1), n, "Weird Role [x]"))
        .collect();
    for lowercase in [true, false] {
        let rules = NamingRules {
            lowercase,
            prefix_strip: PrefixStrip::None,
            ..NamingRules::default()
        };
        let namer = ProfileNamer::new(rules, "s", &targets);
        let named = namer.name_all(&targets);
        assert_eq!(named.len(), targets.len());
        let mut seen = HashSet::new();
        for p in &named {
            assert!(is_safe_profile_name(&p.name), "{:?}", p.name);
            assert!(seen.insert(p.name.clone()), "duplicate {}", p.name);
        }
    }
    assert_eq!(sanitize("[Brackets] & Co", true), "brackets-co");
    // Accented and other alphabetic letters are transliterated, not dropped.
    assert_eq!(sanitize("Zürich Ops", true), "zurich-ops");
    assert_eq!(sanitize("Données Société", true), "donnees-societe");
    assert_eq!(
        sanitize("Straße Øresund Łódź", false),
        "Strasse-Oresund-Lodz"
    );
    assert_eq!(sanitize("Tiếng Việt", true), "tieng-viet");
    assert_eq!(sanitize("Продакшн Ωmega", true), "prodakshn-omega");
    // Other scripts are not romanised (a guess at the language): the id steps in when nothing
    // is left, as before.
    assert_eq!(sanitize("本番 prod", true), "prod");
    assert_eq!(sanitize("本番環境", true), "");
    assert!(!is_safe_profile_name("default"));
    assert!(!is_safe_profile_name("a b"));
    assert!(!is_safe_profile_name("-a"));
    assert!(is_safe_profile_name("a.b_c-D9"));
}

#[test]
fn collisions_resolve_by_account_id_whatever_the_order() {
    let targets = vec![
        t("222222222222", "Dev", "ReadOnlyAccess"),
        t("111111111111", "dev", "ReadOnlyAccess"),
        t("333333333333", "Default", "ReadOnlyAccess"),
        t("444444444444", "Prod", "ReadOnlyAccess"),
        t("444444444444", "Prod", "ViewOnly"),
    ];
    let mut rules = NamingRules {
        prefix_strip: PrefixStrip::None,
        ..NamingRules::default()
    };
    // Two roles of one account mapped to the same suffix.
    rules.role_suffixes.insert("ViewOnly".into(), String::new());
    let namer = ProfileNamer::new(rules.clone(), "s", &targets);
    let want = [
        "default-333333333333",
        "dev-111111111111",
        "dev-222222222222",
        "prod-444444444444-ReadOnlyAccess",
        "prod-444444444444-ViewOnly",
    ];
    assert_eq!(names(&namer, &targets), want);
    let mut reversed = targets.clone();
    reversed.reverse();
    let namer = ProfileNamer::new(rules, "s", &reversed);
    assert_eq!(names(&namer, &reversed), want);
}

#[test]
fn role_suffixes_and_ignored_roles() {
    let targets = acme();
    let mut rules = NamingRules::default();
    rules
        .role_suffixes
        .insert("PowerUserAccess".into(), "power".into());
    rules.ignore_roles.push(Glob::new("bill*"));
    let namer = ProfileNamer::new(rules, "acme", &targets);
    assert_eq!(
        names(&namer, &targets),
        [
            "data-lake-eu-prod",
            "payments-dev",
            "payments-dev-admin",
            "payments-dev-power"
        ]
    );
    assert_eq!(
        NamingRules::parse_role_suffix("PowerUserAccess = power").unwrap(),
        ("PowerUserAccess".to_owned(), "power".to_owned())
    );
    assert_eq!(
        NamingRules::parse_role_suffix("ReadOnlyAccess=").unwrap().1,
        ""
    );
    assert!(NamingRules::parse_role_suffix("PowerUserAccess").is_err());
    assert!(NamingRules::parse_role_suffix("X=a b").is_err());
    assert!(NamingRules::parse_role_suffix("=x").is_err());
}

#[test]
fn region_rules_first_match_then_default() {
    let targets = acme();
    let mut rules = NamingRules {
        default_region: Some("eu-north-1".into()),
        ..NamingRules::default()
    };
    for r in [
        "*-eu-*=eu-west-1",
        "*-dev = us-west-2",
        "payments-*=ap-south-1",
    ] {
        rules
            .region_rules
            .push(NamingRules::parse_region_rule(r).unwrap());
    }
    let namer = ProfileNamer::new(rules, "acme", &targets);
    assert_eq!(namer.region(&targets[0]).as_deref(), Some("us-west-2"));
    assert_eq!(namer.region(&targets[3]).as_deref(), Some("eu-west-1"));
    assert_eq!(namer.region(&targets[4]).as_deref(), Some("eu-north-1"));
    for bad in [
        "*-eu-*",
        "=eu-west-1",
        "*-eu-*=",
        "*=EU West",
        "*=eu-west-1 x",
    ] {
        let e = NamingRules::parse_region_rule(bad).unwrap_err();
        assert!(e.to_string().starts_with("bad region rule"), "{e}");
    }
}

#[test]
fn templates() {
    let targets = acme();
    let with = |tpl: &str| {
        let rules = NamingRules {
            template: Some(Template::parse(tpl).unwrap()),
            ..NamingRules::default()
        };
        names(&ProfileNamer::new(rules, "Acme SSO", &targets), &targets)
    };
    assert_eq!(
        with("{account_name}-{role_suffix}"),
        names(
            &ProfileNamer::new(NamingRules::default(), "acme", &targets),
            &targets
        )
    );
    assert_eq!(
        with("{session}/{account_id}/{role_name}")[0],
        "acme-sso-111111111111-AdministratorAccess"
    );
    assert_eq!(
        with("{{x}}{account_id}-{role_name}")[0],
        "x-111111111111-AdministratorAccess"
    );
    for bad in ["{account}", "{account_name", "x}", "static", "{a{b}}"] {
        let e = Template::parse(bad).unwrap_err();
        assert!(
            e.to_string().starts_with("bad profile-name template"),
            "{e}"
        );
    }
}
