//! Plain decimal numbers ("51.541", "-0.003", "5.50") read without `str::parse::<f64>`.
//!
//! The standard library's float parser accepts exponents, `inf` and `NaN`, and brings about
//! 15 KB of code and tables into the app's wasm (`core::num::dec2flt`); the URL contract and
//! the filter inputs only ever need a sign, digits and one decimal point. For up to 15
//! significant digits the result is exactly the nearest `f64` (the digits as an integer are
//! exact in an `f64`, and so is the power of ten they are divided by: Clinger's fast path);
//! beyond that the extra digits are dropped, which moves a coordinate by less than a
//! micrometre.

/// Significant digits kept: 10^15 < 2^53, so the mantissa is exact in an `f64`.
const MAX_DIGITS: u32 = 15;

/// Reads `[+-]digits[.digits]` (either side of the point may be empty, not both), surrounding
/// ASCII spaces allowed. Anything else (an exponent, `inf`, `NaN`, a second point, a comma)
/// gives `None`.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim_matches(' ');
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    // Whole-number digits beyond the kept ones scale the value up instead.
    let mut mantissa: u64 = 0;
    let mut digits = 0u32;
    let mut scale: i32 = 0;
    for c in int.bytes() {
        if digits < MAX_DIGITS {
            mantissa = mantissa * 10 + u64::from(c - b'0');
            digits += 1;
        } else {
            scale += 1;
        }
    }
    for c in frac.bytes() {
        if digits == 0 && c == b'0' {
            scale -= 1;
            continue;
        }
        if digits >= MAX_DIGITS {
            break;
        }
        mantissa = mantissa * 10 + u64::from(c - b'0');
        digits += 1;
        scale -= 1;
    }
    let m = mantissa as f64;
    let v = match scale {
        0 => m,
        1..=22 => m * POW10[scale as usize],
        -22..=-1 => m / POW10[(-scale) as usize],
        _ if mantissa == 0 => 0.0,
        // Beyond the exact powers: no URL value or price comes near these.
        _ if scale > 0 => return None,
        _ => {
            let mut v = m;
            let mut k = -scale;
            while k > 22 {
                v /= 1e22;
                k -= 22;
            }
            v / POW10[k as usize]
        }
    };
    Some(if negative { -v } else { v })
}

/// 10^0 … 10^22, each exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_what_links_and_inputs_hold() {
        assert_eq!(parse("51.541"), Some(51.541));
        assert_eq!(parse("-0.003"), Some(-0.003));
        assert_eq!(parse("5.50"), Some(5.5));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse(" 2.5 "), Some(2.5));
        assert_eq!(parse(".5"), Some(0.5));
        assert_eq!(parse("5."), Some(5.0));
        assert_eq!(parse("+7"), Some(7.0));
        assert_eq!(parse("-0"), Some(-0.0));
        assert_eq!(parse("000123.4500"), Some(123.45));
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for s in [
            "", " ", ".", "-", "+", "1e3", "inf", "NaN", "1.2.3", "1,5", "£5", "--1", "0x10",
            "1 2", "١", "5 km",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    proptest::proptest! {
        /// Up to 15 significant digits: exactly what the standard parser gives.
        #[test]
        fn equals_the_standard_parser(int in 0u64..1_000_000, frac in "[0-9]{0,9}", neg: bool) {
            let s = format!("{}{int}.{frac}", if neg { "-" } else { "" });
            proptest::prop_assert_eq!(parse(&s), Some(s.parse::<f64>().unwrap()), "{}", s);
        }

        /// Longer inputs: within one part in 10^14 of the standard parser.
        #[test]
        fn long_inputs_are_close(s in "-?[0-9]{1,25}(\\.[0-9]{1,30})?") {
            let ours = parse(&s).unwrap();
            let std = s.parse::<f64>().unwrap();
            proptest::prop_assert!((ours - std).abs() <= std.abs() * 1e-14, "{} {} {}", s, ours, std);
        }
    }
}
