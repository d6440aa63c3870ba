//! `sesame::fuzzing::sso_answer` under AFL++ (see `fuzz/run`).

fn main() {
    afl::fuzz!(|data: &[u8]| sesame::fuzzing::sso_answer(data));
}
