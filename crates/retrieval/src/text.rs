//! Text normalisation: case and accent folding, tokenisation and light
//! English stemming. Shared by documents and messages, so both sides of a
//! comparison are always reduced the same way.

/// Splits `text` into lower-case, accent-free word tokens.
///
/// Letters and digits form words; everything else separates them.
/// Apostrophes are dropped inside a word ("don't" → "dont"), and a hyphen
/// joins its two sides when one of them is a single character ("m-pesa" →
/// "mpesa", "e-mail" → "email"); other hyphens separate ("second-hand" →
/// "second", "hand").
pub(crate) fn tokens(text: &str) -> Vec<String> {
    // Words, each with whether a hyphen directly follows it.
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if let Some(folded) = fold(c) {
            word.push(folded);
            continue;
        }
        let apostrophe = matches!(c, '\'' | '\u{2019}' | '`');
        let combining_accent = ('\u{300}'..='\u{36f}').contains(&c);
        if combining_accent || (apostrophe && !word.is_empty()) {
            continue;
        }
        if !word.is_empty() {
            words.push((std::mem::take(&mut word), c == '-'));
        }
    }
    if !word.is_empty() {
        words.push((word, false));
    }
    join_hyphenated(words)
}

/// Joins "m" + "pesa" written "m-pesa": two words separated by a hyphen are
/// one when either of them is a single character.
fn join_hyphenated(words: Vec<(String, bool)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut glue_next = false;
    for (w, hyphen_after) in words {
        match out.last_mut() {
            Some(prev) if glue_next && (prev.chars().count() == 1 || w.chars().count() == 1) => {
                prev.push_str(&w);
            }
            _ => out.push(w),
        }
        glue_next = hyphen_after;
    }
    out
}

/// Lower-cases a character and strips Latin diacritics; `None` for anything
/// that is not a letter or digit.
fn fold(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_ascii_lowercase());
    }
    if !c.is_alphanumeric() {
        return None;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    })
}

/// Light English stemming: plural and verb endings, and a final silent "e",
/// so that "guitars" → "guitar", "prices" → "pric", "opening" → "open",
/// "closed"/"closing"/"close" → "clos". Words of three letters or fewer are
/// left alone. This is deliberately conservative: it only has to map a word
/// and its inflections to the same key, not produce a dictionary form.
pub(crate) fn stem(word: &str) -> String {
    let w = word;
    if w.len() <= 3 || !w.is_ascii() {
        return w.to_string();
    }
    let mut s: &str = w;
    let mut owned: Option<String> = None;
    if let Some(base) = s.strip_suffix("ies").filter(|b| b.len() >= 2) {
        owned = Some(format!("{base}y"));
    } else if s.ends_with("sses") || ["xes", "ches", "shes", "zes"].iter().any(|x| s.ends_with(x)) {
        s = &s[..s.len() - 2];
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s = &s[..s.len() - 1];
    } else if let Some(base) = s.strip_suffix("ing").filter(|b| b.len() >= 4) {
        s = undouble(base);
    } else if let Some(base) = s.strip_suffix("ed").filter(|b| b.len() >= 4) {
        s = undouble(base);
    }
    let mut out = owned.unwrap_or_else(|| s.to_string());
    if out.len() > 4 && out.ends_with('e') {
        out.pop();
    }
    out
}

/// "shipp" → "ship", "sett" → "set"; keeps "ll", "ss" and "zz" ("spell").
fn undouble(s: &str) -> &str {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 2
        && b[n - 1] == b[n - 2]
        && !matches!(b[n - 1], b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u')
    {
        &s[..n - 1]
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_accents_and_punctuation() {
        assert_eq!(tokens("Niaje, MKO na drums?!"), ["niaje", "mko", "na", "drums"]);
        assert_eq!(tokens("Café – crème brûlée"), ["cafe", "creme", "brulee"]);
        assert_eq!(tokens("don't  I'm"), ["dont", "im"]);
        assert_eq!(tokens("bre\u{301}sil Bre\u{301}sil"), ["bresil", "bresil"], "decomposed accents");
        assert_eq!(tokens("M-Pesa e-mail second-hand"), ["mpesa", "email", "second", "hand"]);
        assert_eq!(tokens("0702 245 555, 9am-6pm"), ["0702", "245", "555", "9am", "6pm"]);
        assert_eq!(tokens("😀 hi 🎸guitar"), ["hi", "guitar"]);
        assert!(tokens("?!... ").is_empty());
    }

    #[test]
    fn stem_maps_inflections_to_one_key() {
        for (a, b) in [
            ("guitars", "guitar"),
            ("prices", "price"),
            ("opening", "open"),
            ("closed", "close"),
            ("closing", "close"),
            ("batteries", "battery"),
            ("boxes", "box"),
            ("watches", "watch"),
            ("shipping", "ship"),
            ("cables", "cable"),
            ("lessons", "lesson"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("string"), "string");
        assert_eq!(stem("bass"), "bass");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("spelling"), "spell");
    }
}
