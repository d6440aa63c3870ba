//! The administration operations sesame uses, typed: each is one JSON 1.1 call (or all the pages
//! of one) through [`AdminClient::call`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::AdminError;
use super::client::{AdminClient, Service};

/// An IAM Identity Center instance (sso-admin ListInstances).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    /// `arn:aws:sso:::instance/ssoins-...`.
    pub instance_arn: String,
    /// The identity store of its users and groups (`d-...`).
    pub identity_store_id: String,
    /// The instance's name, if it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// The account that owns it.
    #[serde(default)]
    pub owner_account_id: Option<String>,
}

/// One enabled Region of an Identity Center instance (sso-admin ListRegions' `RegionMetadata`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub struct InstanceRegion {
    /// `us-east-1`, ...
    #[serde(rename(deserialize = "RegionName"))]
    pub name: String,
    /// `ACTIVE`, `ADDING` or `REMOVING`.
    #[serde(rename(deserialize = "Status"), default)]
    pub status: Option<String>,
    /// Whether it is the instance's primary Region (where its permission sets and assignments
    /// are served).
    #[serde(rename(deserialize = "IsPrimaryRegion"), default)]
    pub primary: bool,
}

/// An account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` (the deprecated `Status`; absent in some answers).
    #[serde(default)]
    pub status: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_ACTIVATION`, `CLOSED`, ... (`State`, which replaces
    /// `Status`).
    #[serde(default)]
    pub state: Option<String>,
}

impl Account {
    /// Whether the account is ACTIVE (an answer that says neither counts as active).
    pub fn is_active(&self) -> bool {
        self.state
            .as_deref()
            .or(self.status.as_deref())
            .is_none_or(|s| s == "ACTIVE")
    }
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationalUnit {
    /// `ou-...`.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// An identity store user (the fields sesame shows).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// The user id.
    pub user_id: String,
    /// The unique user name (what sesame calls the user's name).
    pub user_name: String,
    /// The display name, if set.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// An identity store group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// The group id.
    pub group_id: String,
    /// The unique display name (the group's name).
    #[serde(default)]
    pub display_name: String,
}

/// A permission set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionSet {
    /// Its ARN.
    pub permission_set_arn: String,
    /// Its name.
    pub name: String,
}

/// One row of ListAccountAssignments.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireAssignment {
    pub(crate) account_id: String,
    pub(crate) permission_set_arn: String,
    pub(crate) principal_type: String,
    pub(crate) principal_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Membership {
    member_id: MemberId,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MemberId {
    user_id: Option<String>,
}

fn decode<T: DeserializeOwned>(operation: &'static str, v: Value) -> Result<T, AdminError> {
    serde_json::from_value(v).map_err(|e| AdminError::BadResponse {
        operation,
        endpoint: String::new(),
        reason: format!("not the documented shape ({e})"),
    })
}

/// Whether ListRegions' error means the operation is not there for this caller, rather than a
/// failure: the service does not know it (`UnknownOperationException`, or a 404 without an AWS
/// error code, as an endpoint without the operation answers), refuses the request as invalid
/// for the instance (`ValidationException`), or the policy does not allow `sso:ListRegions`
/// (`AccessDeniedException` on this one action; refused keys, bad signatures and expired tokens
/// are not this, and neither are throttles, 5xx or unreachable endpoints: those stay errors).
fn regions_unavailable(e: &AdminError) -> bool {
    const CODES: [&str; 4] = [
        "UnknownOperationException",
        "ValidationException",
        "AccessDeniedException",
        "AccessDenied",
    ];
    match e {
        AdminError::Api(a) | AdminError::Denied(a) => {
            CODES.contains(&a.code.as_str()) || (a.status == 404 && a.code == "404")
        }
        _ => false,
    }
}

impl AdminClient {
    /// Every page of a listing: the `key` arrays concatenated.
    async fn all_pages<T: DeserializeOwned>(
        &self,
        service: Service,
        operation: &'static str,
        request: Value,
        key: &str,
    ) -> Result<Vec<T>, AdminError> {
        let mut body: Map<String, Value> = match request {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut out = Vec::new();
        loop {
            let mut page = self
                .call(service, operation, &Value::Object(body.clone()))
                .await?;
            let items = page.get_mut(key).map(Value::take).unwrap_or(Value::Null);
            if !items.is_null() {
                out.extend(decode::<Vec<T>>(operation, items)?);
            }
            match page.get("NextToken").and_then(Value::as_str) {
                Some(t) if !t.is_empty() => {
                    body.insert("NextToken".into(), Value::String(t.to_owned()));
                }
                _ => return Ok(out),
            }
        }
    }

    /// sso-admin ListInstances.
    pub async fn list_instances(&self) -> Result<Vec<Instance>, AdminError> {
        self.all_pages(Service::SsoAdmin, "ListInstances", json!({}), "Instances")
            .await
    }

    /// sso-admin ListRegions: the instance's enabled Regions (ACTIVE, ADDING or REMOVING), or
    /// `None` where the operation is not available: an instance, a partition or an endpoint
    /// without multi-Region support, or a policy without `sso:ListRegions` (see
    /// `regions_unavailable`). Such an instance is single-Region.
    pub async fn list_regions(
        &self,
        instance: &str,
    ) -> Result<Option<Vec<InstanceRegion>>, AdminError> {
        match self
            .all_pages(
                Service::SsoAdmin,
                "ListRegions",
                json!({"InstanceArn": instance}),
                "Regions",
            )
            .await
        {
            Ok(regions) => Ok(Some(regions)),
            Err(e) if regions_unavailable(&e) => {
                tracing::info!("ListRegions is not available ({e}): a single-Region instance");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// sso-admin ListPermissionSets: every permission set ARN of the instance.
    pub async fn list_permission_sets(&self, instance: &str) -> Result<Vec<String>, AdminError> {
        self.all_pages(
            Service::SsoAdmin,
            "ListPermissionSets",
            json!({"InstanceArn": instance}),
            "PermissionSets",
        )
        .await
    }

    /// sso-admin DescribePermissionSet.
    pub async fn describe_permission_set(
        &self,
        instance: &str,
        arn: &str,
    ) -> Result<PermissionSet, AdminError> {
        let mut v = self
            .call(
                Service::SsoAdmin,
                "DescribePermissionSet",
                &json!({"InstanceArn": instance, "PermissionSetArn": arn}),
            )
            .await?;
        decode("DescribePermissionSet", v["PermissionSet"].take())
    }

    /// sso-admin ListPermissionSetsProvisionedToAccount.
    pub async fn list_permission_sets_provisioned_to_account(
        &self,
        instance: &str,
        account: &str,
    ) -> Result<Vec<String>, AdminError> {
        self.all_pages(
            Service::SsoAdmin,
            "ListPermissionSetsProvisionedToAccount",
            json!({"InstanceArn": instance, "AccountId": account}),
            "PermissionSets",
        )
        .await
    }

    /// sso-admin ListAccountAssignments for one account and permission set.
    pub(crate) async fn list_account_assignments(
        &self,
        instance: &str,
        account: &str,
        permission_set: &str,
    ) -> Result<Vec<WireAssignment>, AdminError> {
        self.all_pages(
            Service::SsoAdmin,
            "ListAccountAssignments",
            json!({"InstanceArn": instance, "AccountId": account, "PermissionSetArn": permission_set}),
            "AccountAssignments",
        )
        .await
    }

    /// identitystore DescribeUser.
    pub async fn describe_user(&self, store: &str, id: &str) -> Result<User, AdminError> {
        let v = self
            .call(
                Service::IdentityStore,
                "DescribeUser",
                &json!({"IdentityStoreId": store, "UserId": id}),
            )
            .await?;
        decode("DescribeUser", v)
    }

    /// identitystore DescribeGroup.
    pub async fn describe_group(&self, store: &str, id: &str) -> Result<Group, AdminError> {
        let v = self
            .call(
                Service::IdentityStore,
                "DescribeGroup",
                &json!({"IdentityStoreId": store, "GroupId": id}),
            )
            .await?;
        decode("DescribeGroup", v)
    }

    /// identitystore GetUserId by user name; `None` if there is no such user.
    pub async fn get_user_id(
        &self,
        store: &str,
        user_name: &str,
    ) -> Result<Option<String>, AdminError> {
        self.get_id("GetUserId", "UserId", store, "userName", user_name)
            .await
    }

    /// identitystore GetGroupId by display name; `None` if there is no such group.
    pub async fn get_group_id(
        &self,
        store: &str,
        name: &str,
    ) -> Result<Option<String>, AdminError> {
        self.get_id("GetGroupId", "GroupId", store, "displayName", name)
            .await
    }

    async fn get_id(
        &self,
        operation: &'static str,
        key: &str,
        store: &str,
        path: &str,
        value: &str,
    ) -> Result<Option<String>, AdminError> {
        let body = json!({
            "IdentityStoreId": store,
            "AlternateIdentifier": {"UniqueAttribute": {"AttributePath": path, "AttributeValue": value}},
        });
        match self.call(Service::IdentityStore, operation, &body).await {
            Ok(v) => Ok(v.get(key).and_then(Value::as_str).map(str::to_owned)),
            Err(e) if e.is_code("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// identitystore ListUsers (all of them).
    pub async fn list_users(&self, store: &str) -> Result<Vec<User>, AdminError> {
        self.all_pages(
            Service::IdentityStore,
            "ListUsers",
            json!({"IdentityStoreId": store}),
            "Users",
        )
        .await
    }

    /// identitystore ListGroups (all of them).
    pub async fn list_groups(&self, store: &str) -> Result<Vec<Group>, AdminError> {
        self.all_pages(
            Service::IdentityStore,
            "ListGroups",
            json!({"IdentityStoreId": store}),
            "Groups",
        )
        .await
    }

    /// identitystore ListGroupMemberships: the user ids in a group.
    pub async fn list_group_members(
        &self,
        store: &str,
        group: &str,
    ) -> Result<Vec<String>, AdminError> {
        let members: Vec<Membership> = self
            .all_pages(
                Service::IdentityStore,
                "ListGroupMemberships",
                json!({"IdentityStoreId": store, "GroupId": group}),
                "GroupMemberships",
            )
            .await?;
        Ok(members
            .into_iter()
            .filter_map(|m| m.member_id.user_id)
            .collect())
    }

    /// organizations ListAccounts.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, AdminError> {
        self.all_pages(
            Service::Organizations,
            "ListAccounts",
            json!({}),
            "Accounts",
        )
        .await
    }

    /// organizations ListAccountsForParent (a root or an OU).
    pub async fn list_accounts_for_parent(&self, parent: &str) -> Result<Vec<Account>, AdminError> {
        self.all_pages(
            Service::Organizations,
            "ListAccountsForParent",
            json!({"ParentId": parent}),
            "Accounts",
        )
        .await
    }

    /// organizations ListOrganizationalUnitsForParent.
    pub async fn list_organizational_units_for_parent(
        &self,
        parent: &str,
    ) -> Result<Vec<OrganizationalUnit>, AdminError> {
        self.all_pages(
            Service::Organizations,
            "ListOrganizationalUnitsForParent",
            json!({"ParentId": parent}),
            "OrganizationalUnits",
        )
        .await
    }

    /// organizations DescribeAccount.
    pub async fn describe_account(&self, id: &str) -> Result<Account, AdminError> {
        let mut v = self
            .call(
                Service::Organizations,
                "DescribeAccount",
                &json!({"AccountId": id}),
            )
            .await?;
        decode("DescribeAccount", v["Account"].take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_error::AwsError;

    fn api(status: u16, code: &str) -> AwsError {
        AwsError {
            operation: "ListRegions",
            status,
            code: code.to_owned(),
            message: None,
            request_id: None,
        }
    }

    #[test]
    fn list_regions_is_unavailable_only_for_its_own_refusals() {
        for (status, code) in [
            (400, "UnknownOperationException"),
            (400, "ValidationException"),
            (404, "404"),
        ] {
            assert!(
                regions_unavailable(&AdminError::Api(api(status, code))),
                "{code}"
            );
        }
        assert!(regions_unavailable(&AdminError::Denied(api(
            400,
            "AccessDeniedException"
        ))));
        for (status, code) in [
            (400, "ThrottlingException"),
            (500, "InternalServerException"),
            (500, "500"),
            (404, "ResourceNotFoundException"),
            (400, "ResourceNotFoundException"),
        ] {
            assert!(
                !regions_unavailable(&AdminError::Api(api(status, code))),
                "{code}"
            );
        }
        for code in [
            "UnrecognizedClientException",
            "ExpiredTokenException",
            "SignatureDoesNotMatch",
        ] {
            assert!(
                !regions_unavailable(&AdminError::Denied(api(403, code))),
                "{code}"
            );
        }
        let unreachable = AdminError::Unreachable {
            endpoint: "https://sso.us-east-1.amazonaws.com/".into(),
            reason: "refused".into(),
        };
        assert!(!regions_unavailable(&unreachable));
    }

    #[test]
    fn region_metadata_decodes() {
        let v = serde_json::json!([
            {"RegionName": "us-east-1", "Status": "ACTIVE", "AddedDate": 1.7e9, "IsPrimaryRegion": true},
            {"RegionName": "eu-west-1", "Status": "ADDING"}
        ]);
        let r: Vec<InstanceRegion> = decode("ListRegions", v).unwrap();
        assert_eq!(
            (
                r[0].name.as_str(),
                r[0].primary,
                r[1].status.as_deref(),
                r[1].primary
            ),
            ("us-east-1", true, Some("ADDING"), false)
        );
    }
}
