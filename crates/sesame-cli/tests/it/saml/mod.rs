//! `sesame saml`: the emulator's AD FS (forms, MFA, Windows/NTLM) and Keycloak-like IdPs, moto's
//! server as STS, botocore reading the profile written, pysaml2 issuing a real signed assertion,
//! the emulator's stricter STS, the emulator IdP's signatures checked by xmlsec1 and pysaml2, and
//! bad input refused with nothing changed on disk.

mod assertions;
mod idp;
mod signed;
mod world;
