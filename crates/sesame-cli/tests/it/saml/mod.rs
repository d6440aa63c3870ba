//! `sesame saml`: the emulator's AD FS (forms, MFA, Windows/NTLM) and Keycloak-like IdPs, moto's
//! server as STS, botocore reading the profile written, pysaml2 issuing a real signed assertion,
//! the emulator's stricter STS, and bad input refused with nothing changed on disk. With the
//! `kerberos` feature, Kerberos sign-ins against a real MIT KDC ([`kerberos`]).

mod assertions;
mod idp;
#[cfg(feature = "kerberos")]
mod kerberos;
mod world;
