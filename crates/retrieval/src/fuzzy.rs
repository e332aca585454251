//! Typo tolerance: a bounded edit distance (with transpositions) and a cheap
//! letter-set filter that rejects most candidates before any distance is
//! computed.

/// How many edits a word of `len` bytes may be away from the word meant:
/// none below four letters (too many short words are one edit apart), one
/// from four, two from eight.
pub(crate) fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Whether `candidate` may be a misspelling of `word` at all: short words
/// (five letters or fewer) must keep their first letter, because Swahili
/// has many short words one edit apart ("kazi"/"wazi", "soma"/"homa") and
/// typos rarely hit the first letter.
pub(crate) fn plausible_typo(word: &[u8], candidate: &[u8]) -> bool {
    word.len() > 5 || word.first() == candidate.first()
}

/// The set of characters of a word as a bit mask: one bit per letter, one
/// shared bit for digits and one for anything else. One edit changes at most
/// two bits, so words whose masks differ in more than `2 × edits` bits cannot
/// be within `edits` of each other.
pub(crate) fn letter_mask(word: &str) -> u32 {
    word.bytes().fold(0, |m, b| {
        m | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << 26,
            _ => 1 << 27,
        }
    })
}

/// Whether the masks allow a distance of at most `edits`.
pub(crate) fn masks_compatible(a: u32, b: u32, edits: usize) -> bool {
    ((a ^ b).count_ones() as usize) <= 2 * edits
}

/// Optimal-string-alignment distance between `a` and `b` (insertions,
/// deletions, substitutions and adjacent transpositions), or `None` if it is
/// larger than `max`. Stops as soon as every path exceeds `max`.
pub(crate) fn bounded_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a == b {
        return Some(0);
    }
    let width = b.len() + 1;
    // Three rows: two back (for transpositions), one back, current.
    let mut rows = vec![0usize; 3 * width];
    for (j, cell) in rows[width..2 * width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (older, rest) = rows.split_at_mut(width);
        let (prev, cur) = rest.split_at_mut(width);
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(older[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        rows.rotate_left(width);
    }
    // After the last rotation the final row sits in the middle block.
    let d = rows[width + b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str) -> Option<usize> {
        bounded_distance(a.as_bytes(), b.as_bytes(), 2)
    }

    #[test]
    fn distances() {
        assert_eq!(dist("guitar", "guitar"), Some(0));
        assert_eq!(dist("gutiar", "guitar"), Some(1), "transposition");
        assert_eq!(dist("keybord", "keyboard"), Some(1));
        assert_eq!(dist("begginer", "beginner"), Some(2));
        assert_eq!(dist("delivary", "delivery"), Some(1));
        assert_eq!(dist("laptop", "guitar"), None);
        assert_eq!(dist("ab", "abcde"), None);
        assert_eq!(bounded_distance(b"abc", b"abd", 0), None);
        assert_eq!(dist("", "ab"), Some(2));
    }

    #[test]
    fn short_words_keep_their_first_letter() {
        assert!(plausible_typo(b"gitr", b"gita"));
        assert!(!plausible_typo(b"kazi", b"wazi"));
        assert!(plausible_typo(b"guiters", b"guitar"));
    }

    #[test]
    fn mask_filter_never_rejects_a_real_match() {
        for (a, b) in [("gutiar", "guitar"), ("keybord", "keyboard"), ("begginer", "beginner")] {
            let d = dist(a, b).unwrap();
            assert!(masks_compatible(letter_mask(a), letter_mask(b), d));
        }
        assert!(!masks_compatible(letter_mask("laptop"), letter_mask("guitar"), 1));
    }
}
