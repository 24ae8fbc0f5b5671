//! Hiding what a registry echoes of the credentials it was sent.
//!
//! A registry's error message is shown to the user (it often says why access was denied),
//! but a hostile or careless registry may echo the password or token it received: whole,
//! base64-encoded, or in part ("token …staple-42 is not valid"). Whole values are easy to
//! replace; a part is found as any run of at least [`MIN_ECHOED_RUN`] characters that the
//! message shares with a secret, wherever it starts in either.

/// The shortest run of characters shared with a secret that is hidden. Shorter runs are
/// left: they reveal little of a secret, and common words ("pass", "token") would be cut
/// out of every message otherwise.
pub(crate) const MIN_ECHOED_RUN: usize = 6;

/// `text` with every run of at least [`MIN_ECHOED_RUN`] characters (or a whole secret
/// shorter than that) that also occurs in one of `secrets` replaced by `<redacted>`.
///
/// Cost: length of `text` × total length of `secrets` character comparisons, so callers
/// pass a bounded excerpt.
pub(crate) fn hide_echoes(text: &str, secrets: &[&str]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut hidden = vec![false; chars.len()];
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let secret: Vec<char> = secret.chars().collect();
        let min_run = MIN_ECHOED_RUN.min(secret.len());
        // run[j]: length of the common run ending at text[i] and secret[j] (rolling row of
        // the longest-common-substring table).
        let mut run = vec![0usize; secret.len()];
        for (i, &c) in chars.iter().enumerate() {
            for j in (0..secret.len()).rev() {
                run[j] = if secret[j] == c { if j == 0 { 1 } else { run[j - 1] + 1 } } else { 0 };
                if run[j] >= min_run {
                    hidden[i + 1 - run[j]..=i].iter_mut().for_each(|h| *h = true);
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut in_hidden = false;
    for (c, h) in chars.into_iter().zip(hidden) {
        if h {
            if !in_hidden {
                out.push_str("<redacted>");
            }
        } else {
            out.push(c);
        }
        in_hidden = h;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "correct-horse-battery-staple-42";

    #[test]
    fn a_whole_echo_is_hidden() {
        assert_eq!(
            hide_echoes(&format!("denied for me:{PASSWORD}"), &[PASSWORD]),
            "denied for me:<redacted>"
        );
    }

    #[test]
    fn any_part_of_six_characters_or_more_is_hidden() {
        for part in ["orrect-horse-battery-staple-4", "staple-42", "horse-", "ery-st"] {
            let shown = hide_echoes(&format!("token …{part}… is not valid"), &[PASSWORD]);
            assert_eq!(shown, "token …<redacted>… is not valid", "{part}");
        }
    }

    #[test]
    fn shorter_runs_and_unrelated_text_stay() {
        let message = "access to repository app denied: horse is not valid";
        assert_eq!(hide_echoes(message, &[PASSWORD]), message);
    }

    #[test]
    fn a_short_secret_is_hidden_whole() {
        assert_eq!(
            hide_echoes("bad password pw42 given", &["pw42"]),
            "bad password <redacted> given"
        );
    }

    #[test]
    fn two_echoes_of_two_secrets_are_both_hidden() {
        let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0";
        let shown = hide_echoes(&format!("{token} and staple-42 and ok"), &[PASSWORD, token]);
        assert_eq!(shown, "<redacted> and <redacted> and ok");
    }
}
