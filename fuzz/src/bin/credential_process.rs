//! `sesame::fuzzing::credential_process` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::credential_process(data));
}
