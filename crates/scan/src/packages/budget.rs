//! [`OutputBudget`]: a bound on the memory a package database's parse may allocate.
//!
//! Each listed file repeats its package's name and version and its directory, so a lying
//! database (a long name, a long directory shared by many short entries) could make a small
//! input list gigabytes of strings. Real databases list fewer bytes of names than they hold
//! (apk: about twice, with short basenames under long directories; RPM: less than once), so
//! a parse stops with an error once it passes a generous multiple of its input's size.

/// The bytes of paths, names and versions a parse may still list.
#[derive(Debug)]
pub(super) struct OutputBudget {
    left: usize,
}

/// Bytes of output allowed per byte of input.
const PER_INPUT_BYTE: usize = 32;
/// Output allowed whatever the input's size.
const BASE: usize = 1 << 20;

impl OutputBudget {
    /// The budget for a database of `input_len` bytes.
    pub(super) fn for_input(input_len: usize) -> Self {
        OutputBudget { left: input_len.saturating_mul(PER_INPUT_BYTE).saturating_add(BASE) }
    }

    /// Spends `n` bytes; `false` (and nothing spent) if fewer are left.
    pub(super) fn take(&mut self, n: usize) -> bool {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }

    /// The reason a parse that ran out gives.
    pub(super) const EXHAUSTED: &'static str =
        "the database lists far more bytes of file names than it holds (a lying database)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spends_until_the_multiple_of_the_input_is_reached() {
        let mut budget = OutputBudget::for_input(10);
        assert!(budget.take(BASE + 10 * PER_INPUT_BYTE - 1));
        assert!(budget.take(1));
        assert!(!budget.take(1));
        assert!(budget.take(0));
    }
}
