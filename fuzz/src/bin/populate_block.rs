//! `sesame::fuzzing::populate_block` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::populate_block(data));
}
