//! Compact number formats for the human-readable tables (Markdown and
//! LaTeX). The machine-readable formats (CSV, JSON) print full precision.

/// `v` rounded to `digits` significant digits (0 stays 0).
fn round_significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let exponent = v.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - exponent);
    let rounded = (v * factor).round() / factor;
    if rounded.is_finite() {
        rounded
    } else {
        v
    }
}

/// The decimal exponent of `v` (`v != 0`, finite), exact for powers of ten
/// that `log10` rounds the wrong way.
fn exponent(v: f64) -> i32 {
    let e = v.abs().log10().floor() as i32;
    if v.abs() < 10f64.powi(e) {
        e - 1
    } else if v.abs() >= 10f64.powi(e + 1) {
        e + 1
    } else {
        e
    }
}

/// `m` (with `1 <= |m| < 1000`) with 3 significant digits, trailing zeros
/// dropped when `trim`.
fn mantissa(m: f64, trim: bool) -> String {
    let decimals = (2 - exponent(m)).max(0) as usize;
    let text = format!("{m:.decimals$}");
    if trim && text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn non_finite(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".into())
    } else if v.is_infinite() {
        Some(if v > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        None
    }
}

/// An iteration count, compactly: `850`, `4k`, `45.5k`, `1.23M`, `1.5e9`
/// (three significant digits, trailing zeros dropped).
pub(crate) fn steps(v: f64) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let r = round_significant(v, 3);
    let a = r.abs();
    let sign = if r < 0.0 { "-" } else { "" };
    if a < 1e3 {
        format!("{sign}{}", a.round())
    } else if a < 1e6 {
        format!("{sign}{}k", mantissa(a / 1e3, true))
    } else if a < 1e9 {
        format!("{sign}{}M", mantissa(a / 1e6, true))
    } else {
        let e = exponent(a);
        format!("{sign}{}e{e}", mantissa(a / 10f64.powi(e), true))
    }
}

/// A real number with three significant digits: fixed point between 1e-3
/// and 1e4 (`0.0123`, `0.500`, `12.3`), scientific outside (`7.40e-5`).
pub(crate) fn real(v: f64) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let r = round_significant(v, 3);
    if r == 0.0 {
        return "0".into();
    }
    let a = r.abs();
    let sign = if r < 0.0 { "-" } else { "" };
    if (1e-3..1e4).contains(&a) {
        let decimals = (2 - exponent(a)).max(0) as usize;
        format!("{sign}{a:.decimals$}")
    } else {
        let e = exponent(a);
        format!("{sign}{}e{e}", mantissa(a / 10f64.powi(e), false))
    }
}

/// A rate in `[0, 1]` with 2 decimals, or 3 for more than 100 runs (whose
/// rates have finer steps than 0.01).
pub(crate) fn rate(v: f64, runs: usize) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let decimals = if runs > 100 { 3 } else { 2 };
    format!("{v:.decimals$}")
}

/// A full-precision number for CSV: the shortest text that reads back as
/// the same `f64` (`0.1`, `2.5e-10`), `NaN`, `Inf` or `-Inf` (as R and
/// pandas read them).
pub(crate) fn full(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Inf" } else { "-Inf" }.into()
    } else {
        // Debug gives the shortest round-tripping text and switches to
        // exponent notation for very large or small magnitudes.
        format!("{v:?}")
    }
}

/// A number printed by [`steps`] or [`real`] as LaTeX math:
/// `1.23\times10^{-5}`, `45.5\mathrm{k}`, `\mathrm{NaN}`, `\infty`.
pub(crate) fn latex_math(text: &str) -> String {
    match text {
        "NaN" => return r"\mathrm{NaN}".into(),
        "inf" => return r"\infty".into(),
        "-inf" => return r"-\infty".into(),
        _ => {}
    }
    if let Some((m, e)) = text.split_once('e') {
        return format!(r"{m}\times10^{{{e}}}");
    }
    for suffix in ['k', 'M'] {
        if let Some(m) = text.strip_suffix(suffix) {
            return format!(r"{m}\mathrm{{{suffix}}}");
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_use_suffixes() {
        assert_eq!(steps(0.0), "0");
        assert_eq!(steps(850.0), "850");
        assert_eq!(steps(999.4), "999");
        assert_eq!(steps(4000.0), "4k");
        assert_eq!(steps(45_500.0), "45.5k");
        assert_eq!(steps(28_750.0), "28.8k");
        assert_eq!(steps(123_456.0), "123k");
        // Rounding carries into the next suffix.
        assert_eq!(steps(999_999.0), "1M");
        assert_eq!(steps(1_234_567.0), "1.23M");
        assert_eq!(steps(5_000_000.0), "5M");
        assert_eq!(steps(1.5e9), "1.5e9");
        assert_eq!(steps(-1_200.0), "-1.2k");
        assert_eq!(steps(f64::NAN), "NaN");
    }

    #[test]
    fn reals_have_three_significant_digits() {
        assert_eq!(real(0.0), "0");
        assert_eq!(real(0.5), "0.500");
        assert_eq!(real(0.012_345), "0.0123");
        assert_eq!(real(0.001), "0.00100");
        assert_eq!(real(7.4e-5), "7.40e-5");
        assert_eq!(real(1e-10), "1.00e-10");
        assert_eq!(real(0.000_999_9), "0.00100");
        assert_eq!(real(0.000_999_4), "9.99e-4");
        assert_eq!(real(12.345), "12.3");
        assert_eq!(real(123_456.0), "1.23e5");
        assert_eq!(real(-0.25), "-0.250");
        assert_eq!(real(f64::INFINITY), "inf");
    }

    #[test]
    fn rates_and_full_precision() {
        assert_eq!(rate(0.7, 10), "0.70");
        assert_eq!(rate(0.123, 1000), "0.123");
        assert_eq!(full(0.1), "0.1");
        assert_eq!(full(2.5e-10), "2.5e-10");
        assert_eq!(full(4000.0), "4000.0");
        assert_eq!(full(f64::NAN), "NaN");
        assert_eq!(full(f64::NEG_INFINITY), "-Inf");
        let x = 0.396_778_123_456_789_1;
        assert_eq!(full(x).parse::<f64>().unwrap(), x);
    }

    #[test]
    fn latex_numbers() {
        assert_eq!(latex_math("7.40e-5"), r"7.40\times10^{-5}");
        assert_eq!(latex_math("45.5k"), r"45.5\mathrm{k}");
        assert_eq!(latex_math("1.23M"), r"1.23\mathrm{M}");
        assert_eq!(latex_math("0.98"), "0.98");
        assert_eq!(latex_math("NaN"), r"\mathrm{NaN}");
    }
}
