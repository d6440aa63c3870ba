//! `sesame::fuzzing::idp_html` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::idp_html(data));
}
