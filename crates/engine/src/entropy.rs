//! Shannon entropy of a byte string.

/// Shannon entropy of `bytes` in bits per byte, in `[0, 8]`; `0` for empty or constant input.
///
/// # Example
///
/// ```
/// use layerleak_engine::shannon_entropy;
///
/// assert_eq!(shannon_entropy(b"aaaa"), 0.0);
/// assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-6);
/// ```
pub fn shannon_entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    #[allow(clippy::cast_precision_loss, reason = "secrets are far shorter than 2^24 bytes")]
    let len = bytes.len() as f32;
    let h: f32 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            #[allow(clippy::cast_precision_loss, reason = "counts are at most the length")]
            let p = c as f32 / len;
            -p * p.log2()
        })
        .sum();
    h.clamp(0.0, 8.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"zzzzzzzz"), 0.0);
        assert!((shannon_entropy(b"0123456789abcdef") - 4.0).abs() < 1e-5);
        let all: Vec<u8> = (0..=255).collect();
        assert!((shannon_entropy(&all) - 8.0).abs() < 1e-4);
    }

    proptest! {
        #[test]
        fn entropy_is_within_bounds(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let h = shannon_entropy(&bytes);
            prop_assert!((0.0..=8.0).contains(&h));
        }

        #[test]
        fn constant_input_has_zero_entropy(b in any::<u8>(), n in 1usize..300) {
            prop_assert_eq!(shannon_entropy(&vec![b; n]), 0.0);
        }
    }
}
