//! The reading rules of docs/protocols.md, *The config file* (each verified against botocore's
//! `load_config`), line views, and edits that leave every other byte alone.

use super::*;

fn doc(text: &str) -> Document {
    Document::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn err(text: &str) -> IniError {
    Document::parse(text).expect_err(text)
}

fn entries(d: &Document, section: &str) -> Vec<(String, String)> {
    d.section(section)
        .unwrap()
        .entries()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

const MESSY: &str = "# leading comment\r\n; another\r\n\r\n[default]\r\nregion = us-east-1 # not a comment\r\n\
    \tOutput:json\r\n  ; indented comment\r\n[profile \"my name\"]  ; trailing text ignored\r\n\
    s3 =\r\n    addressing_style = path\r\n\r\n    signature_version=s3v4\r\nlast=1\r\n  cont";

#[test]
fn round_trips_byte_for_byte() {
    for text in [
        MESSY,
        "",
        "\n",
        "[a]",
        "[a]\n",
        "[a]\r\nk=v\r\n",
        "[a]\rk=v\r",
        "  \n\t\n[a]\n\n\n",
        "[a]\nk=v\n\n\n   \n",
        "[a]\n\u{a0}k\u{3000}=\u{1c}v\u{85}\n",
    ] {
        let d = doc(text);
        assert_eq!(d.to_string(), text);
        let rebuilt: String = d
            .lines()
            .map(|l| format!("{}{}", l.raw(), l.ending().as_str()))
            .collect();
        assert_eq!(rebuilt, text);
    }
}

#[test]
fn reads_keys_and_values_as_configparser() {
    let d = doc(MESSY);
    // The tab-indented line is deeper than `region`, so it continues its value.
    assert_eq!(
        d.get("default", "region"),
        Some("us-east-1 # not a comment\nOutput:json")
    );
    assert_eq!(d.get("default", "OUTPUT"), None);
    assert_eq!(
        d.get("profile \"my name\"", "s3"),
        Some("\naddressing_style = path\n\nsignature_version=s3v4")
    );
    assert_eq!(d.get("profile \"my name\"", "last"), Some("1\ncont"));
    let names: Vec<_> = d.sections().map(|s| s.name()).collect();
    assert_eq!(names, ["default", "profile \"my name\""]);
}

#[test]
fn key_value_rules() {
    let d = doc(
        "[a]\nREGION = x\nSso_Start_Url: y\ny=a=b\nz:1=2\nq = 'x'\nw = \"x\"\nempty=\nsp  =  \t\n\
         semi=1;y\nhash = a # b\n",
    );
    assert_eq!(
        entries(&d, "a"),
        [
            ("region", "x"),
            ("sso_start_url", "y"),
            ("y", "a=b"),
            ("z", "1=2"),
            ("q", "'x'"),
            ("w", "\"x\""),
            ("empty", ""),
            ("sp", ""),
            ("semi", "1;y"),
            ("hash", "a # b"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[test]
fn comments_and_continuations() {
    // Full-line and indented comments never end a value; blank lines inside a value stay in it.
    let d = doc("[a]\nx=1\n# c\n  ; c\n  two\n\n\n  three\n\ny = 2\n");
    assert_eq!(d.get("a", "x"), Some("1\ntwo\n\n\nthree"));
    assert_eq!(d.get("a", "y"), Some("2"));
    // Continuation is indentation relative to the key line, in characters (a tab is one).
    let d = doc("[a]\n  x=1\n  y=2\n   z\n\tw=3\n");
    assert_eq!(d.get("a", "x"), Some("1"));
    assert_eq!(d.get("a", "y"), Some("2\nz"));
    assert_eq!(d.get("a", "w"), Some("3"));
    // A deeper-indented header after a key is a continuation, not a section.
    let d = doc("[a]\nx=1\n  [b]\n");
    assert_eq!(d.get("a", "x"), Some("1\n[b]"));
    assert!(d.section("b").is_none());
    // ... but right after a header nothing is open, so an indented header is a header.
    let d = doc("[a]\n  [b]\n  k = v\n");
    assert_eq!(d.get("b", "k"), Some("v"));
    // Trailing blank lines are not part of the value.
    let d = doc("[a]\nx=\n\n\n[b]\n");
    assert_eq!(d.get("a", "x"), Some(""));
}

#[test]
fn headers() {
    let d = doc("[profile a] ; c\nk=1\n[a]b]\n[]]\n[ spaced ]\n  [indented]\n");
    let names: Vec<_> = d.sections().map(|s| s.name()).collect();
    assert_eq!(names, ["profile a", "a]b", "]", " spaced ", "indented"]);
    assert_eq!(d.section("a]b").unwrap().line(), 3);
    // `[]` is no header: a key line without a delimiter.
    assert_eq!(err("[a]\n[]\n"), IniError::MissingDelimiter { line: 2 });
    // `[x=1` is a key line.
    assert_eq!(doc("[a]\n[x=1\n").get("a", "[x"), Some("1"));
    // A header without its `]` is named as such, first in the file or after a section.
    assert_eq!(
        err("[sso-session dev\nsso_region = us-east-1\n"),
        IniError::UnclosedHeader { line: 1 }
    );
    assert_eq!(
        err("[a]\nk = v\n\n[profile b\nregion = x\n"),
        IniError::UnclosedHeader { line: 4 }
    );
}

#[test]
fn default_section_may_repeat_but_its_keys_may_not() {
    let d = doc("[DEFAULT]\na=1\n[x]\n[DEFAULT]\nb=2\n");
    assert_eq!(d.get("DEFAULT", "b"), Some("2"));
    assert_eq!(d.sections().len(), 3);
    assert_eq!(
        err("[DEFAULT]\na=1\n[DEFAULT]\nA=2\n"),
        IniError::DuplicateKey {
            line: 4,
            section: "DEFAULT".into(),
            key: "a".into()
        }
    );
}

#[test]
fn errors_carry_line_numbers() {
    assert_eq!(
        err("[a]\n[b]\n\n[a]\n"),
        IniError::DuplicateSection {
            line: 4,
            name: "a".into()
        }
    );
    assert_eq!(
        err("[a]\nRegion = 1\nregion = 2\n"),
        IniError::DuplicateKey {
            line: 3,
            section: "a".into(),
            key: "region".into()
        }
    );
    assert_eq!(
        err("# c\n\nk = v\n[a]\n"),
        IniError::NoSectionHeader { line: 3 }
    );
    assert_eq!(
        err("[a]\nk = v\nnovalue\n"),
        IniError::MissingDelimiter { line: 3 }
    );
    assert_eq!(err("[a]\n = v\n"), IniError::EmptyKey { line: 2 });
    assert_eq!(err("\u{feff}[profile a]\n"), IniError::ByteOrderMark);
    assert_eq!(err("\u{feff}"), IniError::ByteOrderMark);
    assert_eq!(
        err("[a]\ns3 =\n  x = 1\n\n  nope\n"),
        IniError::NestedWithoutEquals {
            line: 5,
            section: "a".into(),
            key: "s3".into()
        }
    );
    // `:` does not split a nested line, only `=` does.
    assert!(matches!(
        err("[a]\ns3 =\n  x: 1\n"),
        IniError::NestedWithoutEquals { line: 3, .. }
    ));
    // Line numbers count a lone `\r` as a line break, as Python's universal newlines do.
    assert_eq!(
        err("[a]\rk=1\r\nk=2"),
        IniError::DuplicateKey {
            line: 3,
            section: "a".into(),
            key: "k".into()
        }
    );
    assert_eq!(
        err("[a]\n[a]\n").to_string(),
        "line 2: duplicate section [a]"
    );
    // A bad block in [DEFAULT] only matters if some section inherits it.
    assert!(Document::parse("[DEFAULT]\ns3 =\n  bad\n").is_ok());
    assert!(Document::parse("[DEFAULT]\ns3 =\n  bad\n[a]\ns3 = x\n").is_ok());
    assert!(Document::parse("[DEFAULT]\ns3 =\n  bad\n[a]\n").is_err());
}

#[test]
fn nested_blocks() {
    let v = "\na = 1\n\nb=x=y\n a = 2 ";
    assert_eq!(
        parse_nested(v).unwrap(),
        [
            ("a".to_owned(), "2".to_owned()),
            ("b".to_owned(), "x=y".to_owned())
        ]
    );
    assert_eq!(parse_nested("\nnope"), None);
}

#[test]
fn line_views() {
    let d = doc("# c\n[a]\n  Key = v1 \n    more\n\n");
    let kinds: Vec<_> = d.lines().map(|l| l.kind().clone()).collect();
    assert_eq!(kinds[0], LineKind::Comment);
    assert_eq!(kinds[4], LineKind::Blank);
    let lines: Vec<_> = d.lines().collect();
    assert_eq!(lines[1].header_name(), Some("a"));
    assert_eq!(lines[2].key(), Some("Key"));
    assert_eq!(lines[2].value(), Some("v1"));
    assert_eq!(lines[2].number(), 3);
    assert_eq!(lines[3].value(), Some("more"));
    assert!(matches!(lines[3].kind(), LineKind::Continuation { .. }));
    assert_eq!(lines[3].ending(), LineEnding::Lf);
}

#[test]
fn section_text_spans() {
    let text = "# top\n[a]\nx=1\n# about a\n\n# about b\n[b]\ny=2\n\n";
    let d = doc(text);
    assert_eq!(d.section_text("a"), Some("[a]\nx=1\n# about a\n"));
    assert_eq!(d.section_text("b"), Some("[b]\ny=2\n"));
    assert_eq!(doc("[a]").section_text("a"), Some("[a]"));
    assert_eq!(d.section_text("c"), None);
}

mod edits {
    use super::*;

    #[test]
    fn set_replaces_in_place() {
        let text = "# c\n[a]\n  Region   =   us-east-1   \n\tk:v\n[b]\nregion = x\n";
        let mut d = doc(text);
        d.set("a", "REGION", "eu-west-1").unwrap();
        assert_eq!(d.to_string(), text.replace("us-east-1", "eu-west-1"));
        d.set("a", "k", "w").unwrap();
        assert_eq!(d.get("a", "k"), Some("w"));
        assert!(d.to_string().contains("\tk:w\n"));
        // From empty and back.
        let mut d = doc("[a]\nk =\nz=\n");
        d.set("a", "k", "1").unwrap();
        d.set("a", "z", "2").unwrap();
        assert_eq!(d.to_string(), "[a]\nk = 1\nz=2\n");
        d.set("a", "k", "").unwrap();
        assert_eq!(d.to_string(), "[a]\nk =\nz=2\n");
    }

    #[test]
    fn set_replaces_every_line_of_a_multiline_value() {
        let text = "[a]\ns3 =\n    x = 1\n# note\n\n    y = 2\n# after\nk = v\n";
        let mut d = doc(text);
        d.set("a", "s3", "\nz = 3").unwrap();
        assert_eq!(d.to_string(), "[a]\ns3 =\n    z = 3\n# after\nk = v\n");
        d.set("a", "s3", "flat").unwrap();
        assert_eq!(d.to_string(), "[a]\ns3 = flat\n# after\nk = v\n");
        d.set("a", "s3", "one\n\ntwo").unwrap();
        assert_eq!(d.to_string(), "[a]\ns3 = one\n\n  two\n# after\nk = v\n");
        assert_eq!(d.get("a", "s3"), Some("one\n\ntwo"));
    }

    #[test]
    fn set_inserts_after_the_last_key_in_its_style() {
        let mut d = doc("[a]\nx=1\n  cont\n# trailing\n\n[b]\nk = v\n");
        d.set("a", "new", "2").unwrap();
        assert_eq!(
            d.to_string(),
            "[a]\nx=1\n  cont\nnew=2\n# trailing\n\n[b]\nk = v\n"
        );
        // A section without keys: right after its header, like the document's last key.
        let mut d = doc("[a]\n# c\n[b]\n  k : v\n");
        d.set("a", "n", "1").unwrap();
        assert_eq!(d.to_string(), "[a]\n  n : 1\n# c\n[b]\n  k : v\n");
        // The next header stays a header even when it is indented.
        let mut d = doc("[a]\n  [b]\n");
        d.set("a", "n", "1").unwrap();
        assert_eq!(d.to_string(), "[a]\n  n = 1\n  [b]\n");
        assert!(d.section("b").is_some());
        // A nested block.
        let mut d = doc("[services x]\n");
        d.set("services x", "sso_oidc", "\nendpoint_url = http://h:1")
            .unwrap();
        assert_eq!(
            d.to_string(),
            "[services x]\nsso_oidc =\n  endpoint_url = http://h:1\n"
        );
    }

    #[test]
    fn set_appends_a_missing_section() {
        let mut d = doc("[a]\nk = v");
        d.set("profile b", "region", "r").unwrap();
        assert_eq!(d.to_string(), "[a]\nk = v\n\n[profile b]\nregion = r");
    }

    #[test]
    fn set_keeps_an_unterminated_last_line_unterminated() {
        let mut d = doc("[a]\r\nk = v");
        d.set("a", "z", "1").unwrap();
        assert_eq!(d.to_string(), "[a]\r\nk = v\r\nz = 1");
        d.set("a", "z", "2\nmore").unwrap();
        assert_eq!(d.to_string(), "[a]\r\nk = v\r\nz = 2\r\n  more");
    }

    #[test]
    fn set_refuses_what_would_not_read_back() {
        let mut d = doc("[a]\nk = v\n");
        let before = d.to_string();
        for (key, value) in [
            ("k", " padded"),
            ("k", "trailing "),
            ("k", "x\n# comment"),
            ("k", "x\n"),
            ("k", "a\rb"),
            ("bad=key", "v"),
            ("", "v"),
            (" k", "v"),
            ("#k", "v"),
            ("[k", "v"),
            ("k\nj", "v"),
        ] {
            let e = d.set("a", key, value).unwrap_err();
            assert!(matches!(e, IniError::Edit { .. }), "{key:?} {value:?}: {e}");
            assert_eq!(d.to_string(), before);
        }
        let e = d.set("a", "k", " x").unwrap_err();
        assert!(e.to_string().starts_with("cannot set `k` in [a]: "), "{e}");
    }

    #[test]
    fn remove_takes_the_value_lines() {
        let mut d = doc("[a]\nx = 1\ns3 =\n  y = 2\n\n  z = 3\n# keep\nw = 4\n");
        assert!(d.remove("a", "S3").unwrap());
        assert_eq!(d.to_string(), "[a]\nx = 1\n# keep\nw = 4\n");
        assert!(!d.remove("a", "s3").unwrap());
        assert!(!d.remove("nope", "x").unwrap());
        let mut d = doc("[a]\nx = 1\ny = 2");
        d.remove("a", "y").unwrap();
        assert_eq!(d.to_string(), "[a]\nx = 1");
    }

    #[test]
    fn append_section_separates_with_one_blank_line() {
        let cases = [
            ("", "[n]\nk = v\n"),
            ("[a]\nx=1\n", "[a]\nx=1\n\n[n]\nk=v\n"),
            ("[a]\nx=1\n\n", "[a]\nx=1\n\n[n]\nk=v\n"),
            ("[a]\r\nx = 1", "[a]\r\nx = 1\r\n\r\n[n]\r\nk = v"),
            ("# only a comment\n", "# only a comment\n\n[n]\nk = v\n"),
        ];
        for (before, after) in cases {
            let mut d = doc(before);
            d.append_section("n", &[("k", "v")]).unwrap();
            assert_eq!(d.to_string(), after, "{before:?}");
        }
        let mut d = doc("[a]\n");
        assert!(d.append_section("a", &[]).is_err());
        assert!(d.append_section("b", &[("k", "1"), ("K", "2")]).is_err());
        assert!(d.append_section("b\nc", &[]).is_err());
        assert_eq!(d.to_string(), "[a]\n");
        d.append_section("profile \"x y\"", &[("s3", "\na = b\nc = d")])
            .unwrap();
        assert_eq!(
            d.to_string(),
            "[a]\n\n[profile \"x y\"]\ns3 =\n  a = b\n  c = d\n"
        );
    }

    #[test]
    fn remove_section_keeps_its_neighbours_apart() {
        let text = "# file\n\n[a]\nx=1\n\n# about b\n[b]\ny=2\n# b's end\n\n[c]\nz=3\n";
        let mut d = doc(text);
        assert!(d.remove_section("b").unwrap());
        assert_eq!(d.to_string(), "# file\n\n[a]\nx=1\n\n[c]\nz=3\n");
        let mut d = doc(text);
        d.remove_section("a").unwrap();
        assert_eq!(
            d.to_string(),
            "# file\n\n# about b\n[b]\ny=2\n# b's end\n\n[c]\nz=3\n"
        );
        let mut d = doc(text);
        d.remove_section("c").unwrap();
        assert_eq!(
            d.to_string(),
            "# file\n\n[a]\nx=1\n\n# about b\n[b]\ny=2\n# b's end\n"
        );
        let mut d = doc("[a]\nx=1\n\n[b]\ny=2");
        d.remove_section("b").unwrap();
        assert_eq!(d.to_string(), "[a]\nx=1");
        assert!(!d.remove_section("b").unwrap());
        d.remove_section("a").unwrap();
        assert_eq!(d.to_string(), "");
        // Every [DEFAULT] goes.
        let mut d = doc("[DEFAULT]\na=1\n[x]\n[DEFAULT]\nb=2\n");
        d.remove_section("DEFAULT").unwrap();
        assert_eq!(d.to_string(), "[x]\n");
    }

    #[test]
    fn remove_section_refuses_to_change_other_sections() {
        // Without [b], the indented [c] would read as a continuation of x.
        let text = "[a]\nx=1\n[b]\n  [c]\n";
        let mut d = doc(text);
        assert!(matches!(d.remove_section("b"), Err(IniError::Edit { .. })));
        assert_eq!(d.to_string(), text);
    }
}
