use std::path::Path;

use super::*;
use crate::config::Document;

fn t(id: &str, name: &str, role: &str) -> AccountRole {
    AccountRole {
        account_id: id.to_owned(),
        account_name: name.to_owned(),
        role_name: role.to_owned(),
    }
}

fn session() -> SessionSpec {
    SessionSpec {
        name: "acme".into(),
        start_url: "https://d-123.awsapps.com/start".into(),
        region: "us-east-1".into(),
        registration_scopes: None,
    }
}

fn targets() -> Vec<AccountRole> {
    vec![
        t(
            "111111111111",
            "Acme Corp Payments Dev",
            "AdministratorAccess",
        ),
        t("111111111111", "Acme Corp Payments Dev", "ReadOnlyAccess"),
        t(
            "222222222222",
            "Acme Corp Search EU Prod",
            "PowerUserAccess",
        ),
    ]
}

/// The default options with the prefix fixed, so that runs over subsets of `targets()` name
/// their profiles alike (an auto-detected prefix needs two account names).
fn fixed() -> PopulateOptions {
    let mut o = PopulateOptions::default();
    o.naming.prefix_strip = crate::naming::PrefixStrip::Fixed("Acme Corp".into());
    o
}

fn run(text: &str, targets: &[AccountRole], options: &PopulateOptions) -> Plan {
    let doc = Document::parse(text).unwrap();
    plan(Path::new("/tmp/config"), &doc, &session(), targets, options).unwrap()
}

const USER: &str = "# my settings\n[default]\nregion = eu-west-1 # not a comment\n\n\
; profile for the team\n[profile payments-dev]\nregion = us-east-2\n\n[sso-session acme]\n\
sso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n";

#[test]
fn first_run_appends_a_block_and_keeps_every_byte() {
    let p = run(USER, &targets(), &PopulateOptions::default());
    assert!(p.new_text.starts_with(USER), "{}", p.new_text);
    let block = &p.new_text[USER.len()..];
    assert_eq!(
        block,
        "\n# BEGIN sesame populate (sso-session acme): written by `sesame populate`; edits inside \
         this block are overwritten\n\
         # prefix_strip = acme-corp (detected on the first run and kept, so names stay stable; \
         set prefix_strip to change it)\n\
         [profile payments-dev-admin]\nsso_session = acme\nsso_account_id = 111111111111\n\
         sso_role_name = AdministratorAccess\n\n\
         [profile search-eu-prod-PowerUserAccess]\nsso_session = acme\n\
         sso_account_id = 222222222222\nsso_role_name = PowerUserAccess\n\n\
         # END sesame populate (sso-session acme)\n"
    );
    // The hand-written `payments-dev` wins over the generated one.
    assert_eq!(p.skipped.len(), 1);
    assert_eq!(p.skipped[0].name, "payments-dev");
    assert!(
        p.skipped[0].reason.contains("line 6"),
        "{}",
        p.skipped[0].reason
    );
    assert!(!p.writes_session);
    assert_eq!(p.count(Change::Added), 2);
    // A second run changes nothing.
    let again = run(&p.new_text, &targets(), &PopulateOptions::default());
    assert!(!again.changes_file());
    assert_eq!(again.count(Change::Unchanged), 2);
}

#[test]
fn block_in_the_middle_is_replaced_in_place() {
    let first = run("[profile a]\nregion = x\n", &targets()[..1], &fixed());
    let text = format!(
        "# top\n{}\n# after\n[profile z]\nregion = y\n",
        first.new_text
    );
    let p = run(&text, &targets(), &fixed());
    let (old_before, old_rest) = text.split_once("# BEGIN").unwrap();
    let (new_before, new_rest) = p.new_text.split_once("# BEGIN").unwrap();
    assert_eq!(old_before, new_before);
    let tail = |s: &str| {
        s.split_once("# END sesame populate (sso-session acme)\n")
            .unwrap()
            .1
            .to_owned()
    };
    assert_eq!(tail(old_rest), tail(new_rest));
    assert_eq!(p.count(Change::Added), 2);
    assert_eq!(p.count(Change::Unchanged), 1);
    // The session had no section: the block holds one.
    assert!(p.writes_session);
    assert!(p.new_text.contains("[sso-session acme]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"));
}

#[test]
fn vanished_targets_are_kept_unless_pruned() {
    let first = run(USER, &targets(), &fixed());
    let fewer = &targets()[..1];
    let kept = run(&first.new_text, fewer, &fixed());
    assert!(!kept.changes_file());
    assert_eq!(kept.count(Change::Kept), 1);
    let pruned = run(
        &first.new_text,
        fewer,
        &PopulateOptions {
            prune: true,
            ..fixed()
        },
    );
    assert_eq!(pruned.count(Change::Removed), 1);
    assert!(!pruned.new_text.contains("search-eu-prod"));
    assert!(pruned.new_text.starts_with(USER));
}

#[test]
fn renamed_profiles_replace_the_old_name() {
    let first = run("", &targets(), &fixed());
    let mut options = PopulateOptions::default();
    options
        .naming
        .role_suffixes
        .insert("PowerUserAccess".into(), "power".into());
    let p = run(&first.new_text, &targets(), &options);
    assert!(p.new_text.contains("[profile search-eu-prod-power]"));
    assert!(!p.new_text.contains("PowerUserAccess]"));
    assert_eq!(p.count(Change::Removed), 1);
    assert_eq!(p.count(Change::Added), 1);
}

#[test]
fn credential_process_style() {
    let options = PopulateOptions {
        style: ProfileStyle::CredentialProcess,
        credential_process_command: "/opt/my tools/sesame".into(),
        ..PopulateOptions::default()
    };
    let odd = [t("333333333333", "Team", "It's Role")];
    let p = run("", &odd, &options);
    assert!(
        p.new_text.contains(
            "credential_process = '/opt/my tools/sesame' credential-process --account \
             333333333333 --role 'It'\\''s Role' --sso-session acme\n"
        ),
        "{}",
        p.new_text
    );
    // Identity survives the round trip, so a second run is a no-op and pruning works.
    assert!(!run(&p.new_text, &odd, &options).changes_file());
    let pruned = run(
        &p.new_text,
        &[],
        &PopulateOptions {
            prune: true,
            ..options
        },
    );
    assert_eq!(pruned.count(Change::Removed), 1);
}

#[test]
fn line_endings_and_unterminated_files() {
    let crlf = "[profile a]\r\nregion = x\r\n";
    let p = run(crlf, &targets()[..1], &fixed());
    assert!(p.new_text.starts_with(crlf));
    assert!(!p.new_text.replace("\r\n", "").contains('\n'));
    assert!(!run(&p.new_text, &targets()[..1], &fixed()).changes_file());

    let bare = "[profile a]\nregion = x";
    let p = run(bare, &targets()[..1], &fixed());
    assert!(p.new_text.starts_with("[profile a]\nregion = x\n\n# BEGIN"));
    // A block whose END line ends the file without a newline stays that way.
    let cut = p.new_text.trim_end_matches('\n').to_owned();
    let again = run(&cut, &targets()[..1], &fixed());
    assert!(!again.changes_file());
    let more = run(&cut, &targets(), &fixed());
    assert!(more.new_text.ends_with("(sso-session acme)"));
}

#[test]
fn edits_inside_the_block_are_overwritten_and_other_blocks_respected() {
    let first = run("", &targets()[..1], &fixed());
    let edited = first
        .new_text
        .replace("sso_session = acme", "sso_session = mars");
    let p = run(&edited, &targets()[..1], &fixed());
    assert_eq!(p.new_text, first.new_text);
    assert_eq!(p.count(Change::Updated), 1);

    // Another session's block owns `payments-dev-admin`.
    let other = first
        .new_text
        .replace("sso-session acme)", "sso-session other)");
    let p = run(&other, &targets()[..1], &fixed());
    assert_eq!(p.skipped.len(), 1);
    assert!(p.skipped[0].reason.contains("sso-session `other`"));
}

#[test]
fn broken_markers_and_unreadable_results_are_refused() {
    let text = "# BEGIN sesame populate (sso-session acme): x\n[profile a]\nregion = x\n";
    let doc = Document::parse(text).unwrap();
    let e = plan(Path::new("/c"), &doc, &session(), &targets(), &fixed()).unwrap_err();
    assert!(e.to_string().contains("has no END line"), "{e}");
}

#[test]
fn settings_from_the_config_section() {
    let text = "[sesame-populate]\nstyle = credential-process\nregion_rules =\n  *-eu-* = eu-west-1\n\
                role_suffixes =\n  PowerUserAccess = power\nignore_roles = Billing, *Audit*\n\
                duration_seconds = 43200\n\n[sesame-populate acme]\nstyle = sso\n\
                prefix_strip = none\n\n[sesame-populate other]\nstyle = nonsense\n";
    let config = crate::config::AwsConfig::from_str("/c", text).unwrap();
    let s = Settings::from_config(&config, "acme").unwrap();
    assert_eq!(s.style, Some(ProfileStyle::Sso));
    assert_eq!(s.prefix_strip.as_deref(), Some("none"));
    assert_eq!(
        s.region_rules,
        [("*-eu-*".to_owned(), "eu-west-1".to_owned())]
    );
    assert_eq!(s.ignore_roles, ["Billing", "*Audit*"]);
    // The command line's region rules come first; its single values win.
    let cli = Settings {
        region_rules: vec![("search-*".into(), "ap-south-1".into())],
        style: Some(ProfileStyle::CredentialProcess),
        ..Settings::default()
    };
    let o = s.overlay(cli).resolve(false, Some("us-east-1")).unwrap();
    assert_eq!(o.style, ProfileStyle::CredentialProcess);
    assert_eq!(o.naming.region_rules[0].1, "ap-south-1");
    assert_eq!(o.naming.region_rules[1].1, "eu-west-1");
    assert_eq!(o.naming.default_region.as_deref(), Some("us-east-1"));
    assert_eq!(o.duration_seconds, Some(43200));
    assert_eq!(o.naming.role_suffixes["PowerUserAccess"], "power");

    let e = Settings::from_config(&config, "other").unwrap_err();
    assert!(
        e.to_string()
            .contains("[sesame-populate other] in /c: `style = nonsense`"),
        "{e}"
    );
    let typo =
        crate::config::AwsConfig::from_str("/c", "[sesame-populate]\nstyel = sso\n").unwrap();
    let e = Settings::from_config(&typo, "acme").unwrap_err();
    assert!(e.to_string().contains("unknown option `styel`"), "{e}");
    let bad = Settings {
        template: Some("{nope}".into()),
        ..Settings::default()
    };
    assert!(bad.resolve(false, None).is_err());
    let bad = Settings {
        default_region: Some("EU".into()),
        ..Settings::default()
    };
    assert!(bad.resolve(false, None).is_err());
}

#[test]
fn an_auto_detected_prefix_is_kept_when_accounts_come_and_go() {
    let first = run("", &targets(), &PopulateOptions::default());
    assert_eq!(first.prefix.as_deref(), Some("acme-corp"));
    let mut more = targets();
    more.push(t("999999999999", "Sandbox", "ReadOnlyAccess"));
    let p = run(&first.new_text, &more, &PopulateOptions::default());
    assert_eq!(p.count(Change::Unchanged), 3);
    assert_eq!(p.count(Change::Added), 1);
    assert!(p.new_text.contains("[profile sandbox]"));
    // Recorded `none` stays `none`; a configured prefix wins over the recorded one.
    let single = run("", &targets()[..1], &PopulateOptions::default());
    assert!(single.new_text.contains("# prefix_strip = none ("));
    let p = run(&single.new_text, &targets(), &PopulateOptions::default());
    assert!(
        p.new_text
            .contains("[profile acme-corp-search-eu-prod-PowerUserAccess]")
    );
    let p = run(&single.new_text, &targets(), &fixed());
    assert!(
        p.new_text
            .contains("[profile search-eu-prod-PowerUserAccess]")
    );
    assert!(!p.new_text.contains("# prefix_strip"));
}
