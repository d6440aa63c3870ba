//! JSON text exactly as Python's `json.dumps` writes it.
//!
//! botocore writes every cache file with `json.dumps(obj)` and derives cache keys from
//! `json.dumps(args, sort_keys=True[, separators=(',', ':')])`; sesame must produce the same
//! bytes, or the AWS CLI and sesame would not find each other's files. Python's defaults differ
//! from serde_json's in three ways: separators are `", "` and `": "`, every non-ASCII character is
//! escaped as `\uXXXX` (`ensure_ascii=True`, with surrogate pairs beyond the BMP), and floats are
//! written as Python's `repr` writes them (`1e+16`, `1e-05`, `1.0`).

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// How to lay out the JSON text: the arguments of `json.dumps` that sesame needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `sort_keys=True`: object keys in code-point order instead of insertion order.
    pub sort_keys: bool,
    /// The first of `separators`: between items (Python's default `", "`).
    pub item_separator: &'static str,
    /// The second of `separators`: between a key and its value (Python's default `": "`).
    pub key_separator: &'static str,
}

impl Options {
    /// `json.dumps(obj)`.
    pub const DEFAULT: Options = Options {
        sort_keys: false,
        item_separator: ", ",
        key_separator: ": ",
    };

    /// `json.dumps(obj, sort_keys=True)`.
    pub const SORTED: Options = Options {
        sort_keys: true,
        ..Options::DEFAULT
    };

    /// `json.dumps(obj, sort_keys=True, separators=(',', ':'))`.
    pub const SORTED_COMPACT: Options = Options {
        sort_keys: true,
        item_separator: ",",
        key_separator: ":",
    };
}

impl Default for Options {
    fn default() -> Self {
        Options::DEFAULT
    }
}

/// `json.dumps(value)`: Python's default layout.
pub fn dumps(value: &Value) -> String {
    dumps_with(value, Options::DEFAULT)
}

/// `json.dumps(value, ...)` with the given options.
pub fn dumps_with(value: &Value, options: Options) -> String {
    let mut out = String::new();
    write_value(&mut out, value, options);
    out
}

fn write_value(out: &mut String, value: &Value, options: Options) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                write_float(out, f);
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(options.item_separator);
                }
                write_value(out, item, options);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map, options),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>, options: Options) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    if options.sort_keys {
        // Rust orders strings by UTF-8 bytes, which is code-point order, as Python sorts `str`.
        entries.sort_by(|a, b| a.0.cmp(b.0));
    }
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(options.item_separator);
        }
        write_str(out, key);
        out.push_str(options.key_separator);
        write_value(out, value, options);
    }
    out.push('}');
}

/// A string as `json.dumps` writes it with `ensure_ascii=True` (`py_encode_basestring_ascii`).
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            // Python escapes everything outside printable ASCII, DEL (0x7f) included.
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// A float as Python's `float.__repr__` writes it: the shortest digits that round-trip, in fixed
/// notation when the decimal exponent is in `-4..16`, else `d.ddde+XX` with at least two
/// exponent digits. JSON has no NaN or infinity, so `serde_json::Value` never holds one.
fn write_float(out: &mut String, f: f64) {
    // Rust's `{:e}` also prints the shortest round-trip digits: "1.2345e3", "-5e-7", "0e0".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    prefer_even_on_tie(f, &mut digits, exp);
    out.push_str(sign);
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(point as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let exp_sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{exp_sign}{:02}", exp.unsigned_abs());
    }
}

/// When `f` lies exactly halfway between two shortest candidates, Rust picks the upper one and
/// Python (David Gay's `dtoa`, round-half-even) the even one: `1059438285926254.25` is
/// `...254.2` in Python, `...254.3` in Rust. Switch to Python's choice when it also reads back as
/// `f`.
fn prefer_even_on_tie(f: f64, digits: &mut String, exp: i32) {
    let n = digits.len();
    // An f64's exact decimal expansion has fewer than 800 significant digits.
    let exact = format!("{:.800e}", f.abs());
    let exact_digits: String = exact
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let Some(tail) = exact_digits.get(n..) else {
        return;
    };
    let halfway = tail.starts_with('5') && tail[1..].bytes().all(|b| b == b'0');
    let last = digits.as_bytes()[n - 1];
    if !halfway || last.is_multiple_of(2) {
        return;
    }
    // The two candidates are the truncation and the one above it; move to the other one.
    // An odd last digit above the truncation is at least 1, so going down never borrows.
    let even_last = if exact_digits[..n] == *digits {
        if last == b'9' {
            return; // going up would carry into a shorter form, which is not a tie
        }
        last + 1
    } else {
        last - 1
    };
    let mut even = digits.clone();
    even.pop();
    even.push(char::from(even_last));
    let candidate = format!("{}.{}e{exp}", &even[..1], &even[1..]);
    if candidate.parse::<f64>().ok() == Some(f.abs()) {
        *digits = even;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Every expected string below is what CPython 3.11's json.dumps printed for the same value.

    #[test]
    fn default_layout_keeps_insertion_order() {
        let v = json!({"b": 1, "a": [true, false, null], "c": {}, "d": []});
        assert_eq!(
            dumps(&v),
            r#"{"b": 1, "a": [true, false, null], "c": {}, "d": []}"#
        );
        assert_eq!(
            dumps_with(&v, Options::SORTED),
            r#"{"a": [true, false, null], "b": 1, "c": {}, "d": []}"#
        );
        assert_eq!(
            dumps_with(&v, Options::SORTED_COMPACT),
            r#"{"a":[true,false,null],"b":1,"c":{},"d":[]}"#
        );
    }

    #[test]
    fn escapes_like_ensure_ascii() {
        let v = json!("q\" b\\ s/ n\n r\r t\t b\u{8} f\u{c} nul\u{0} us\u{1f} del\u{7f} é € 😀");
        assert_eq!(
            dumps(&v),
            r#""q\" b\\ s/ n\n r\r t\t b\b f\f nul\u0000 us\u001f del\u007f \u00e9 \u20ac \ud83d\ude00""#
        );
    }

    #[test]
    fn sorts_keys_by_code_point() {
        let v = json!({"é": 1, "z": 2, "A": 3, "_": 4, "a": 5, "😀": 6, "\u{ffff}": 7});
        assert_eq!(
            dumps_with(&v, Options::SORTED),
            r#"{"A": 3, "_": 4, "a": 5, "z": 2, "\u00e9": 1, "\uffff": 7, "\ud83d\ude00": 6}"#
        );
    }

    #[test]
    // The tie cases are exact binary values, written out in full on purpose.
    #[allow(clippy::excessive_precision)]
    fn numbers_like_python() {
        let cases: &[(Value, &str)] = &[
            (json!(0), "0"),
            (json!(-7), "-7"),
            (json!(u64::MAX), "18446744073709551615"),
            (json!(i64::MIN), "-9223372036854775808"),
            (json!(1.0), "1.0"),
            (json!(-0.0), "-0.0"),
            (json!(0.0), "0.0"),
            (json!(1.5), "1.5"),
            (json!(0.1), "0.1"),
            (json!(123.456), "123.456"),
            (json!(0.0001), "0.0001"),
            (json!(0.00001), "1e-05"),
            (json!(0.000123), "0.000123"),
            (json!(1.5e-7), "1.5e-07"),
            (json!(1e15), "1000000000000000.0"),
            (json!(1e16), "1e+16"),
            (json!(1.2345e16), "1.2345e+16"),
            (json!(1e100), "1e+100"),
            (json!(1.7976931348623157e308), "1.7976931348623157e+308"),
            (json!(5e-324), "5e-324"),
            (json!(1665736069.5), "1665736069.5"),
            // Exactly halfway between two shortest candidates: Python takes the even one.
            (json!(1059438285926254.25), "1059438285926254.2"),
            (json!(29277796404443.8125), "29277796404443.812"),
            (json!(-912320487884940.25), "-912320487884940.2"),
        ];
        for (v, want) in cases {
            assert_eq!(dumps(v), *want, "{v:?}");
        }
    }

    #[test]
    fn the_registration_cache_key_input() {
        let v = json!({
            "tool": "botocore",
            "startUrl": "https://d-1234567890.awsapps.com/start",
            "region": "us-east-1",
            "scopes": null,
            "session_name": "my-sso",
        });
        assert_eq!(
            dumps_with(&v, Options::SORTED),
            r#"{"region": "us-east-1", "scopes": null, "session_name": "my-sso", "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#
        );
    }

    proptest::proptest! {
        /// Whatever the strings, the text is ASCII and reads back as the same value.
        #[test]
        fn strings_come_out_ascii_and_round_trip(s in "\\PC*", k in "\\PC{0,8}") {
            let v = json!({ k.clone(): [s.clone(), 1, null], "n": {"s": s} });
            for options in [Options::DEFAULT, Options::SORTED, Options::SORTED_COMPACT] {
                let text = dumps_with(&v, options);
                proptest::prop_assert!(text.is_ascii());
                let back: Value = serde_json::from_str(&text).unwrap();
                proptest::prop_assert_eq!(&back, &v);
            }
        }

        /// Every finite float is written so that it reads back as the same float. (Compared with
        /// Rust's correctly rounded parser: serde_json's default one is off by an ulp at times.)
        #[test]
        fn floats_round_trip(f in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let text = dumps(&json!(f));
            let back: f64 = text.parse().unwrap();
            proptest::prop_assert_eq!(back.to_bits(), f.to_bits(), "{}", text);
            proptest::prop_assert!(text.contains('.') || text.contains('e'), "{}", text);
        }
    }
}
