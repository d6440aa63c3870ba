//! The accounts and roles the emulated user is assigned: deterministic and realistic.
//!
//! Names are built from word lists so that thousands of accounts have distinct names that look
//! like a real organisation's ("Acme Corp Data Lake Dev"), including the spaces, mixed case and
//! punctuation that profile-naming code must cope with.

use std::collections::HashMap;

use serde::Serialize;

/// The company prefix shared by every account name.
const COMPANY: &str = "Acme Corp";

/// Business units; the middle of an account name.
const UNITS: &[&str] = &[
    "Payments",
    "Data Lake",
    "Identity",
    "Web Platform",
    "Analytics",
    "Security",
    "Shared Services",
    "Networking",
    "Logging",
    "Marketing",
    "iOS App",
    "eCommerce",
    "ML-Platform",
    "Customer 360",
    "R&D",
    "Billing",
    "Search",
    "DevOps Tools",
    "Media Encoding",
    "Edge CDN",
    "Fraud Detection",
    "HR Systems",
    "Supply Chain",
    "Mobile Backend",
    "Data Science",
    "Audit",
    "Core Banking",
    "Messaging",
    "IoT Fleet",
    "Finance",
    "Legal Hold",
    "Partner API",
    "Observability",
    "Backup Vault",
    "Game Servers",
    "Recommendations",
    "Warehouse",
    "Support Portal",
    "Ad Platform",
    "Compliance",
];

/// Environments; the end of an account name.
const ENVIRONMENTS: &[&str] = &[
    "Production",
    "Staging",
    "Dev",
    "Test",
    "QA",
    "Sandbox",
    "DR",
    "Prod",
];

/// Qualifiers that keep names distinct once every unit/environment pair is used.
const QUALIFIERS: &[&str] = &[
    "EU", "APAC", "US East", "Legacy", "Team 2", "v2", "China", "GovCloud", "LATAM", "Canada",
];

/// Role (permission set) names; each account gets a different window of this list.
const ROLES: &[&str] = &[
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "ViewOnlyAccess",
    "SecurityAudit",
    "Billing",
    "DataScientist",
    "NetworkAdministrator",
    "DatabaseAdministrator",
    "SupportUser",
    "SystemAdministrator",
    "DeveloperAccess",
    "AWSServiceCatalogEndUserAccess",
    "Ops-OnCall",
];

/// One account the user is assigned, as ListAccounts returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// 12-digit account id.
    pub account_id: String,
    /// Human account name ("Acme Corp Data Lake Dev").
    pub account_name: String,
    /// Root e-mail address of the account.
    pub email_address: String,
}

/// Every account and role of the emulated user, in the order the portal lists them.
#[derive(Debug, Clone)]
pub struct Directory {
    accounts: Vec<Account>,
    roles: Vec<Vec<String>>,
    by_id: HashMap<String, usize>,
}

impl Directory {
    /// Builds `accounts` accounts with `roles_per_account` roles each. The same arguments always
    /// give the same directory.
    pub fn generate(accounts: usize, roles_per_account: usize) -> Self {
        let mut rows: Vec<(Account, Vec<String>)> = (0..accounts)
            .map(|i| (account(i), roles_for(i, roles_per_account)))
            .collect();
        // Sorted by name (then id) so pages are stable and look like the real portal's.
        rows.sort_by(|a, b| {
            (a.0.account_name.to_lowercase(), &a.0.account_id)
                .cmp(&(b.0.account_name.to_lowercase(), &b.0.account_id))
        });
        let by_id = rows
            .iter()
            .enumerate()
            .map(|(i, (a, _))| (a.account_id.clone(), i))
            .collect();
        let (accounts, roles) = rows.into_iter().unzip();
        Self {
            accounts,
            roles,
            by_id,
        }
    }

    /// The same directory with the first accounts (in generation order, that is by index, before
    /// sorting) renamed to `names`, then re-sorted. Extra names are ignored.
    pub fn with_names(self, names: &[String]) -> Self {
        if names.is_empty() {
            return self;
        }
        let renamed: HashMap<String, &String> =
            (0..names.len()).map(account_id).zip(names).collect();
        let mut rows: Vec<(Account, Vec<String>)> =
            self.accounts.into_iter().zip(self.roles).collect();
        for (a, _) in &mut rows {
            if let Some(name) = renamed.get(&a.account_id) {
                a.account_name = (*name).clone();
            }
        }
        rows.sort_by(|a, b| {
            (a.0.account_name.to_lowercase(), &a.0.account_id)
                .cmp(&(b.0.account_name.to_lowercase(), &b.0.account_id))
        });
        let by_id = rows
            .iter()
            .enumerate()
            .map(|(i, (a, _))| (a.account_id.clone(), i))
            .collect();
        let (accounts, roles) = rows.into_iter().unzip();
        Self {
            accounts,
            roles,
            by_id,
        }
    }

    /// All accounts, in listing order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The account with this id, if the user is assigned it.
    pub fn account(&self, account_id: &str) -> Option<&Account> {
        self.by_id.get(account_id).map(|&i| &self.accounts[i])
    }

    /// The role names the user has in this account (sorted), if the user is assigned it.
    pub fn roles(&self, account_id: &str) -> Option<&[String]> {
        self.by_id
            .get(account_id)
            .map(|&i| self.roles[i].as_slice())
    }

    /// Ids of all accounts, in listing order.
    pub fn account_ids(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.account_id.clone()).collect()
    }

    /// Role names in an account, sorted; empty if the user is not assigned the account.
    pub fn roles_of(&self, account_id: &str) -> Vec<String> {
        self.roles(account_id)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    /// Whether the user may assume `role_name` in `account_id`.
    pub fn has_role(&self, account_id: &str, role_name: &str) -> bool {
        self.roles(account_id)
            .is_some_and(|roles| roles.iter().any(|r| r == role_name))
    }
}

/// The `index`-th account (before sorting).
fn account(index: usize) -> Account {
    let name = account_name(index);
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    Account {
        account_id: account_id(index),
        account_name: name,
        email_address: format!("aws+{slug}@acme-corp.example.com"),
    }
}

/// Distinct for every index: unit × environment, then a qualifier, then a number. Units vary
/// fastest and environments shift with them, so even a handful of accounts look varied.
fn account_name(index: usize) -> String {
    let unit = index % UNITS.len();
    let block = index / UNITS.len();
    // For a fixed unit, block ↦ environment is a bijection within each cycle.
    let env = ENVIRONMENTS[(unit + block) % ENVIRONMENTS.len()];
    let unit = UNITS[unit];
    let cycle = index / (UNITS.len() * ENVIRONMENTS.len());
    match cycle {
        0 => format!("{COMPANY} {unit} {env}"),
        c if c <= QUALIFIERS.len() => format!("{COMPANY} {unit} {} {env}", QUALIFIERS[c - 1]),
        c => format!("{COMPANY} {unit} {env} {}", c - QUALIFIERS.len() + 1),
    }
}

/// A 12-digit id, distinct per index: an affine bijection of 0..9e11 shifted past 1e11.
fn account_id(index: usize) -> String {
    const SPAN: u128 = 900_000_000_000;
    // Odd, not a multiple of 3 or 5, so coprime with SPAN = 2^11 · 3^2 · 5^11.
    const MUL: u128 = 123_456_789_011;
    const ADD: u128 = 314_159_265_358;
    let n = (MUL * index as u128 + ADD) % SPAN;
    format!("{}", 100_000_000_000 + n)
}

/// A window of `count` roles starting at a position that moves with the account, sorted.
fn roles_for(index: usize, count: usize) -> Vec<String> {
    let start = (index * 3 + index / ROLES.len()) % ROLES.len();
    let mut roles: Vec<String> = (0..count)
        .map(|k| {
            if k < ROLES.len() {
                ROLES[(start + k) % ROLES.len()].to_string()
            } else {
                format!("CustomRole{:02}", k - ROLES.len() + 1)
            }
        })
        .collect();
    roles.sort();
    roles
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn two_thousand_accounts_have_distinct_names_and_ids() {
        let dir = Directory::generate(2000, 3);
        let names: HashSet<_> = dir.accounts().iter().map(|a| &a.account_name).collect();
        let ids: HashSet<_> = dir.accounts().iter().map(|a| &a.account_id).collect();
        assert_eq!(names.len(), 2000);
        assert_eq!(ids.len(), 2000);
        for a in dir.accounts() {
            assert_eq!(a.account_id.len(), 12, "{}", a.account_id);
            assert!(a.account_id.bytes().all(|b| b.is_ascii_digit()));
            assert!(a.account_name.starts_with("Acme Corp "));
        }
    }

    #[test]
    fn names_past_every_qualifier_stay_distinct() {
        let n = ENVIRONMENTS.len() * UNITS.len() * (QUALIFIERS.len() + 3);
        let names: HashSet<_> = (0..n).map(account_name).collect();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn generation_is_deterministic_and_sorted() {
        let a = Directory::generate(50, 4);
        let b = Directory::generate(50, 4);
        assert_eq!(a.accounts(), b.accounts());
        let names: Vec<_> = a
            .accounts()
            .iter()
            .map(|a| a.account_name.to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn roles_vary_by_account_and_are_distinct_within_one() {
        let dir = Directory::generate(20, 3);
        let sets: HashSet<_> = dir
            .accounts()
            .iter()
            .map(|a| dir.roles(&a.account_id).unwrap().to_vec())
            .collect();
        assert!(sets.len() > 5, "roles should differ between accounts");
        let many = roles_for(7, 20);
        let distinct: HashSet<_> = many.iter().collect();
        assert_eq!(distinct.len(), 20);
        let first = &dir.accounts()[0].account_id;
        let role = &dir.roles(first).unwrap()[0];
        assert!(dir.has_role(first, role));
        assert!(!dir.has_role(first, "NoSuchRole"));
        assert!(!dir.has_role("000000000000", role));
    }
}
