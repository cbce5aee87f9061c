//! Numbers as a quote board prints them: money with grouped thousands, signed percentages,
//! compact volumes, and the CSS class of a move. Pure, for every page.

/// "93.42", "1,234.50".
pub fn money(value: f64) -> String {
    grouped(&format!("{:.2}", value.abs()), value < 0.0)
}

/// A number written without sign or grouping ("1234567.5") as a quote board prints it:
/// thousands grouped, "−" in front when `negative`.
pub fn grouped(digits: &str, negative: bool) -> String {
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::from(if negative { "−" } else { "" });
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// "+1.23 %" / "−0.40 %".
pub fn signed_percent(value: f64) -> String {
    let sign = if value > 0.0 {
        "+"
    } else if value < 0.0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{:.2} %", value.abs())
}

/// "12.3M", "845.1K": share volumes.
pub fn compact(value: f64) -> String {
    match value.abs() {
        v if v >= 1e9 => format!("{:.1}B", value / 1e9),
        v if v >= 1e6 => format!("{:.1}M", value / 1e6),
        v if v >= 1e3 => format!("{:.1}K", value / 1e3),
        _ => format!("{value:.0}"),
    }
}

/// The CSS class for a move: `up`, `down` or nothing.
pub fn direction(value: f64) -> &'static str {
    if value > 0.0 {
        "up"
    } else if value < 0.0 {
        "down"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_way_a_quote_board_prints_them() {
        assert_eq!(money(93.4199), "93.42");
        assert_eq!(money(1234567.5), "1,234,567.50");
        assert_eq!(money(-12.0), "−12.00");
        assert_eq!(signed_percent(1.234), "+1.23 %");
        assert_eq!(signed_percent(-0.4), "−0.40 %");
        assert_eq!(compact(12_345_678.0), "12.3M");
        assert_eq!(compact(999.0), "999");
        assert_eq!(
            (direction(0.1), direction(-0.1), direction(0.0)),
            ("up", "down", "")
        );
    }
}
