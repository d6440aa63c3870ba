//! `sesame::fuzzing::aws_error` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::aws_error(data));
}
