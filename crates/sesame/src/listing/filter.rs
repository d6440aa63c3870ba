//! Which accounts and roles a listing keeps: `--account ID|NAME-GLOB`, `--role GLOB`.
//!
//! Globs are shell-style (`*` any run of characters, `?` one character) and case-insensitive, as
//! account names are typed by people ("acme*prod" finds "Acme Corp Payments Prod").

use crate::glob::Glob;
use crate::sso::portal::AccountInfo;

/// One `--account` value: an exact account id, or a glob on the account name.
#[derive(Debug, Clone)]
pub struct AccountPattern {
    text: String,
    glob: Glob,
}

impl AccountPattern {
    /// A pattern from what the user typed.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            glob: Glob::new(text),
        }
    }

    /// What the user typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the account's id is exactly the pattern, or its name matches the glob.
    pub fn matches(&self, account: &AccountInfo) -> bool {
        account.account_id == self.text || self.glob.matches(&account.account_name)
    }
}

/// One `--role` value: a glob on the role name.
#[derive(Debug, Clone)]
pub struct RolePattern {
    text: String,
    glob: Glob,
}

impl RolePattern {
    /// A pattern from what the user typed.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            glob: Glob::new(text),
        }
    }

    /// What the user typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the role name matches.
    pub fn matches(&self, role_name: &str) -> bool {
        self.glob.matches(role_name)
    }
}

/// The accounts and roles to keep. Empty lists keep everything; several patterns of one kind
/// keep what any of them matches.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `--account` values.
    pub accounts: Vec<AccountPattern>,
    /// `--role` values.
    pub roles: Vec<RolePattern>,
}

impl Filter {
    /// Keeps everything.
    pub fn all() -> Self {
        Self::default()
    }

    /// A filter from the user's `--account` and `--role` values.
    pub fn new<A: AsRef<str>, R: AsRef<str>>(accounts: &[A], roles: &[R]) -> Self {
        Self {
            accounts: accounts
                .iter()
                .map(|a| AccountPattern::new(a.as_ref()))
                .collect(),
            roles: roles.iter().map(|r| RolePattern::new(r.as_ref())).collect(),
        }
    }

    /// The same filter keeping also accounts matching `pattern` (an id or a name glob).
    pub fn account(mut self, pattern: &str) -> Self {
        self.accounts.push(AccountPattern::new(pattern));
        self
    }

    /// The same filter keeping also roles matching `pattern` (a glob).
    pub fn role(mut self, pattern: &str) -> Self {
        self.roles.push(RolePattern::new(pattern));
        self
    }

    /// Whether the account is kept (before looking at its roles).
    pub fn keeps_account(&self, account: &AccountInfo) -> bool {
        self.accounts.is_empty() || self.accounts.iter().any(|p| p.matches(account))
    }

    /// Whether the role is kept.
    pub fn keeps_role(&self, role_name: &str) -> bool {
        self.roles.is_empty() || self.roles.iter().any(|p| p.matches(role_name))
    }

    /// Whether roles must be listed to apply the filter.
    pub fn needs_roles(&self) -> bool {
        !self.roles.is_empty()
    }

    /// The `--account` values that match none of `accounts`, and the `--role` values that match
    /// none of `roles`: what to tell the user they got wrong.
    pub fn unmatched<'a>(
        &self,
        accounts: impl IntoIterator<Item = &'a AccountInfo> + Clone,
        roles: impl IntoIterator<Item = &'a str> + Clone,
    ) -> (Vec<&str>, Vec<&str>) {
        let accounts_missed = self
            .accounts
            .iter()
            .filter(|p| !accounts.clone().into_iter().any(|a| p.matches(a)))
            .map(AccountPattern::as_str)
            .collect();
        let roles_missed = self
            .roles
            .iter()
            .filter(|p| !roles.clone().into_iter().any(|r| p.matches(r)))
            .map(RolePattern::as_str)
            .collect();
        (accounts_missed, roles_missed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str) -> AccountInfo {
        AccountInfo {
            account_id: id.into(),
            account_name: name.into(),
            email_address: String::new(),
        }
    }

    #[test]
    fn an_id_matches_exactly_and_a_glob_matches_names_in_any_case() {
        let a = account("111122223333", "Acme Corp Payments Prod");
        assert!(AccountPattern::new("111122223333").matches(&a));
        assert!(
            !AccountPattern::new("11112222333").matches(&a),
            "no prefix match on ids"
        );
        assert!(AccountPattern::new("acme*prod").matches(&a));
        assert!(AccountPattern::new("ACME CORP PAYMENTS PROD").matches(&a));
        assert!(AccountPattern::new("*Pay?ents*").matches(&a));
        assert!(!AccountPattern::new("acme*dev").matches(&a));
        assert!(
            !AccountPattern::new("Payments").matches(&a),
            "a glob matches the whole name"
        );
    }

    #[test]
    fn several_patterns_keep_what_any_matches_and_unmatched_ones_are_named() {
        let f = Filter::new(&["*prod", "999999999999"], &["Admin*", "nope"]);
        let accounts = [account("1", "Web Prod"), account("2", "Web Dev")];
        assert!(f.keeps_account(&accounts[0]));
        assert!(!f.keeps_account(&accounts[1]));
        assert!(f.keeps_role("AdministratorAccess") && !f.keeps_role("ReadOnlyAccess"));
        let (a, r) = f.unmatched(accounts.iter(), ["AdministratorAccess"]);
        assert_eq!((a, r), (vec!["999999999999"], vec!["nope"]));
        assert!(Filter::all().keeps_account(&accounts[1]) && Filter::all().keeps_role("x"));
        let built = Filter::all().account("*prod").role("Admin*");
        assert!(built.keeps_account(&accounts[0]) && !built.keeps_account(&accounts[1]));
        assert!(built.keeps_role("AdministratorAccess") && built.needs_roles());
    }
}
