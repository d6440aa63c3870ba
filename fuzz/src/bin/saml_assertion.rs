//! `sesame::fuzzing::saml_assertion` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::saml_assertion(data));
}
