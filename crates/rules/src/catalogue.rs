//! The embedded catalogue's data files, checked together for `rules check`.

use crate::Diagnostic;
use crate::builtin::{check_builtin_rules, embedded_builtin_text};
use crate::published::{check_published_examples, embedded_published_text};
use crate::words::{check_words, embedded_words_text};

/// Checks the embedded data files of the catalogue: the built-in rules
/// ([`check_builtin_rules`]), the words ([`check_words`]) and the
/// published examples ([`check_published_examples`]). Empty when all are valid, which the
/// test suite ensures; [`builtin_rules`](crate::builtin_rules) and [`words`](crate::words())
/// may be used only then.
pub fn check_embedded_catalogue() -> Vec<Diagnostic> {
    let mut diags = check_builtin_rules(&embedded_builtin_text()).1;
    diags.extend(check_words(&embedded_words_text()).1);
    diags.extend(check_published_examples(&embedded_published_text()).1);
    diags
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_catalogue_is_valid() {
        assert_eq!(super::check_embedded_catalogue(), []);
    }
}
