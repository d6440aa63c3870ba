//! Links `sesame` as a position-dependent executable on Linux with glibc.
//!
//! A warm `sesame credential-process` is a process start, one file read and a print, so the
//! start is most of its time. As a position-independent executable, the dynamic loader applies
//! about 30,000 relocations to the binary at every start and copies each page they touch (about
//! 170 page faults); linked at a fixed address there are none, which cuts a warm call's CPU time
//! by about a third (BENCHMARKS.md). ASLR still places the stack, the heap and the shared
//! libraries; only the binary's own code sits at a fixed address, as Go programs (granted,
//! aws-sso-cli) do by default. `SESAME_BUILD_PIE=1` at build time keeps a PIE.

fn main() {
    println!("cargo:rerun-if-env-changed=SESAME_BUILD_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("SESAME_BUILD_PIE").is_none() {
        println!("cargo:rustc-link-arg-bin=sesame=-no-pie");
    }
}
