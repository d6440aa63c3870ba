//! IAM Identity Center: OIDC, portal and login flows.
