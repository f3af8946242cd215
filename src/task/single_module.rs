//! The nine training -> test range pairs of the single-module benchmark
//! (Mistry, Farrahi & Hare, "A Primer for Neural Arithmetic Logic Modules",
//! JMLR 2022), by name.

use super::Range;

/// The nine range pairs as `(name, training range, test range)`: the name
/// is the training (and validation) interval, which is how the benchmark's
/// tables label their columns.
pub const SINGLE_MODULE_RANGES: [(&str, &str); 9] = [
    ("[-20,-10]", "[-40,-20]"),
    ("[-2,-1]", "[-6,-2]"),
    ("[-1.2,-1.1]", "[-6.1,-1.2]"),
    ("[-0.2,-0.1]", "[-2,-0.2]"),
    ("[-2,2]", "[-6,-2]u[2,6]"),
    ("[0.1,0.2]", "[0.2,2]"),
    ("[1,2]", "[2,6]"),
    ("[1.1,1.2]", "[1.2,6]"),
    ("[10,20]", "[20,40]"),
];

/// The nine pairs parsed, in the benchmark's order.
///
/// ```
/// use arithgrad::task::single_module_ranges;
/// let pairs = single_module_ranges();
/// assert_eq!(pairs.len(), 9);
/// assert_eq!(pairs[4].0.to_string(), "[-2,2]");
/// assert!(pairs[4].1.is_union());
/// ```
pub fn single_module_ranges() -> Vec<(Range, Range)> {
    SINGLE_MODULE_RANGES
        .iter()
        .map(|&(train, test)| {
            // Constants that parse by construction (checked by the tests).
            let parse = |t: &str| Range::parse("range", t).unwrap_or_else(|e| unreachable!("{e}"));
            (parse(train), parse(test))
        })
        .collect()
}

/// The pair whose training range prints as `name` (e.g. `"[1,2]"`).
pub fn single_module_range(name: &str) -> Option<(Range, Range)> {
    single_module_ranges()
        .into_iter()
        .find(|(train, _)| train.to_string() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_printed_training_ranges() {
        for (name, test) in SINGLE_MODULE_RANGES {
            let (a, b) = single_module_range(name).unwrap();
            assert_eq!(a.to_string(), name);
            assert_eq!(b.to_string(), test);
        }
        assert!(single_module_range("[3,4]").is_none());
    }
}
