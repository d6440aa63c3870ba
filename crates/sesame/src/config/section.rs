//! Section names as botocore reads them (`build_profile_map` in `botocore/configloader.py`), and
//! the headers to write for new sections so they read back the same.

use super::ini::DEFAULT_SECTION;
use super::pystr;

/// What a section header means to botocore.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SectionName {
    /// `[DEFAULT]` (exactly that case): configparser's defaults section, whose keys every other
    /// section of the file inherits unless it sets them itself.
    Defaults,
    /// A profile: `[default]`, `[profile NAME]` in the config file; `[NAME]` in the credentials
    /// file.
    Profile(String),
    /// `[sso-session NAME]`.
    SsoSession(String),
    /// `[services NAME]`.
    Services(String),
    /// Any other section; botocore keeps it as a top-level key under its own name.
    Other(String),
    /// A header starting with `profile`, `sso-session` or `services` that does not split into
    /// exactly two words (`[profile]`, `[profile a b]`, an unclosed quote): botocore drops it.
    Ignored,
}

impl SectionName {
    /// Reads a config file header (the text between the brackets).
    ///
    /// As botocore: `startswith("profile")` (then `sso-session`, then `services`) and then
    /// `shlex.split` must give exactly two words, the second being the name. So
    /// `[profile "my name"]` is `my name`, `[profile  x  ]` is `x`, `[profiles x]` is `x` too,
    /// while `[profile a b]` and `[profile]` are ignored. Matching is case-sensitive and the
    /// header is not trimmed: `[Profile A]` and `[ profile a ]` are other sections. `[default]`
    /// is the profile `default`.
    pub fn of_config(header: &str) -> Self {
        if header == DEFAULT_SECTION {
            return SectionName::Defaults;
        }
        type Make = fn(String) -> SectionName;
        let kinds: [(&str, Make); 3] = [
            ("profile", SectionName::Profile),
            ("sso-session", SectionName::SsoSession),
            ("services", SectionName::Services),
        ];
        for (prefix, make) in kinds {
            if header.starts_with(prefix) {
                return match pystr::shlex_split(header) {
                    Some(words) if words.len() == 2 => {
                        make(words.into_iter().nth(1).unwrap_or_default())
                    }
                    _ => SectionName::Ignored,
                };
            }
        }
        if header == "default" {
            SectionName::Profile("default".to_owned())
        } else {
            SectionName::Other(header.to_owned())
        }
    }

    /// Reads a credentials file header: every section but `[DEFAULT]` is a profile of that exact
    /// name (`[profile x]` there is the profile `profile x`).
    pub fn of_credentials(header: &str) -> Self {
        if header == DEFAULT_SECTION {
            SectionName::Defaults
        } else {
            SectionName::Profile(header.to_owned())
        }
    }
}

/// Quotes `name` so `shlex.split` gives it back as one word: bare if it is a plain word, else in
/// double quotes with `"` and `\` escaped.
fn shlex_quote(name: &str) -> String {
    let plain = !name.is_empty() && !name.contains([' ', '\t', '\r', '\n', '"', '\'', '\\']);
    if plain {
        return name.to_owned();
    }
    let mut out = String::from("\"");
    for c in name.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The config file header (between the brackets) for profile `name`: `default` for the default
/// profile (as `aws configure` writes it), else `profile NAME`, quoted if need be.
pub fn profile_header(name: &str) -> String {
    if name == "default" {
        "default".to_owned()
    } else {
        format!("profile {}", shlex_quote(name))
    }
}

/// The config file header for `[sso-session NAME]`.
pub fn sso_session_header(name: &str) -> String {
    format!("sso-session {}", shlex_quote(name))
}

/// The config file header for `[services NAME]`.
pub fn services_header(name: &str) -> String {
    format!("services {}", shlex_quote(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> SectionName {
        SectionName::Profile(name.to_owned())
    }

    #[test]
    fn config_headers_read_as_botocore() {
        // docs/protocols.md, *The config file*, each verified against botocore's load_config.
        assert_eq!(SectionName::of_config("default"), profile("default"));
        assert_eq!(SectionName::of_config("profile dev"), profile("dev"));
        assert_eq!(
            SectionName::of_config("profile default"),
            profile("default")
        );
        assert_eq!(
            SectionName::of_config("profile \"my name\""),
            profile("my name")
        );
        assert_eq!(SectionName::of_config("profile  x  "), profile("x"));
        assert_eq!(SectionName::of_config("profile a b"), SectionName::Ignored);
        assert_eq!(SectionName::of_config("profile"), SectionName::Ignored);
        assert_eq!(SectionName::of_config("profile \"a"), SectionName::Ignored);
        assert_eq!(SectionName::of_config("profiles x"), profile("x"));
        assert_eq!(SectionName::of_config("profilex"), SectionName::Ignored);
        assert_eq!(
            SectionName::of_config("Profile A"),
            SectionName::Other("Profile A".into())
        );
        assert_eq!(
            SectionName::of_config(" profile a "),
            SectionName::Other(" profile a ".into())
        );
        assert_eq!(
            SectionName::of_config("sso-session corp"),
            SectionName::SsoSession("corp".into())
        );
        assert_eq!(
            SectionName::of_config("services local"),
            SectionName::Services("local".into())
        );
        assert_eq!(SectionName::of_config("services"), SectionName::Ignored);
        assert_eq!(SectionName::of_config("DEFAULT"), SectionName::Defaults);
        assert_eq!(
            SectionName::of_config("Default"),
            SectionName::Other("Default".into())
        );
        assert_eq!(
            SectionName::of_config("default "),
            SectionName::Other("default ".into())
        );
        assert_eq!(
            SectionName::of_config("preview"),
            SectionName::Other("preview".into())
        );
    }

    #[test]
    fn credentials_headers_are_plain_names() {
        assert_eq!(SectionName::of_credentials("dev"), profile("dev"));
        assert_eq!(
            SectionName::of_credentials("profile dev"),
            profile("profile dev")
        );
        assert_eq!(
            SectionName::of_credentials("DEFAULT"),
            SectionName::Defaults
        );
    }

    #[test]
    fn written_headers_read_back() {
        for name in [
            "dev",
            "my name",
            "a\"b",
            "back\\slash",
            "",
            " x ",
            "it's",
            "tab\there",
        ] {
            assert_eq!(
                SectionName::of_config(&profile_header(name)),
                profile(name),
                "{name:?}"
            );
            assert_eq!(
                SectionName::of_config(&sso_session_header(name)),
                SectionName::SsoSession(name.into())
            );
            assert_eq!(
                SectionName::of_config(&services_header(name)),
                SectionName::Services(name.into())
            );
        }
        assert_eq!(profile_header("default"), "default");
        assert_eq!(profile_header("my name"), "profile \"my name\"");
    }
}
