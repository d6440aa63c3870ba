//! `sesame saml`: the emulator's AD FS (forms, MFA, Windows/NTLM) and Keycloak-like IdPs, moto's
//! server as STS, botocore reading the profile written, pysaml2 issuing a real signed assertion,
//! the emulator's stricter STS, the emulator IdP's signatures checked by xmlsec1 and pysaml2, bad
//! input refused with nothing changed on disk, and the password remembered in the kernel keyring
//! only when asked. With the `kerberos` feature, Kerberos sign-ins against a real MIT KDC
//! ([`kerberos`]).

mod assertions;
mod idp;
#[cfg(feature = "kerberos")]
mod kerberos;
#[cfg(target_os = "linux")]
mod keyring;
mod signed;
