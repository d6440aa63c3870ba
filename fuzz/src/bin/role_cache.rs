//! `sesame::fuzzing::role_cache` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::role_cache(data));
}
