//! `sesame::fuzzing::token_cache` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::token_cache(data));
}
