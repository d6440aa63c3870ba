//! Makes `sesame` start fast on Linux with glibc.
//!
//! A warm `sesame credential-process` is a process start, one file read and a print, so the
//! start is most of its time (BENCHMARKS.md has the figures). Two things dominate it:
//!
//! - **Relocations.** As a position-independent executable, the dynamic loader applies about
//!   30,000 relocations to the binary at every start and copies each page they touch (about 170
//!   page faults). Linked at a fixed address (`-no-pie`) there are none. ASLR still places the
//!   stack, the heap and the shared libraries; only the binary's own code sits at a fixed
//!   address, as Go programs (granted, aws-sso-cli) do by default.
//! - **libgcc_s.** Rust's standard library takes its unwinder from the shared `libgcc_s.so.1`,
//!   whose constructor probes the CPU with a dozen `cpuid` instructions: in a virtual machine each
//!   one traps to the hypervisor, about a fifth of a warm call. The same unwinder is in gcc's
//!   static `libgcc_eh.a` (what `gcc -static-libgcc` links); a one-line linker script named
//!   `libgcc_s.so`, found first on the library path, points the link there. Skipped when the
//!   compiler does not have `libgcc_eh.a`.
//!
//! `SESAME_BUILD_PIE=1` at build time keeps a PIE with the shared libgcc_s, as rustc makes it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SESAME_BUILD_PIE");
    println!("cargo:rerun-if-env-changed=CC");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" || std::env::var_os("SESAME_BUILD_PIE").is_some() {
        return;
    }
    println!("cargo:rustc-link-arg-bin=sesame=-no-pie");
    if let Some(eh) = static_unwinder() {
        let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        let script = dir.join("libgcc_s.so");
        std::fs::write(&script, format!("INPUT({})\n", eh.display())).expect("OUT_DIR is writable");
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
}

/// The C compiler's `libgcc_eh.a`, if it has one.
fn static_unwinder() -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let out = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (path.is_absolute() && Path::new(&path).is_file()).then_some(path)
}
