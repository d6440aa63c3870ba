//! `sesame::fuzzing::ini` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::ini(data));
}
