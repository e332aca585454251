//! From text to meaning units: abbreviations are expanded, phrases and words
//! looked up in the [lexicon](crate::lexicon), Swahili verbs reduced to their
//! root, English words stemmed; stop words and filler disappear.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::fuzzy::letter_mask;
use crate::lexicon;
use crate::text::{stem, tokens};

/// What the lexicon says about a word or phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Carries no content: dropped.
    Stop,
    /// Canonical term(s), space-separated alternatives.
    Concept(&'static str),
}

/// One content unit of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A lexicon concept: one or more canonical terms (alternatives).
    Concept(&'static str),
    /// A word the lexicon does not know, stemmed; `raw` is kept so that a
    /// misspelt lexicon word can still be recognised.
    Word {
        /// The stemmed form, the term used for matching.
        stem: String,
        /// The word as written (folded to lower case).
        raw: String,
    },
}

impl Unit {
    /// The canonical terms this unit stands for (one for a plain word).
    pub(crate) fn terms(&self) -> impl Iterator<Item = &str> {
        let (concept, word) = match self {
            Unit::Concept(c) => (Some(*c), None),
            Unit::Word { stem, .. } => (None, Some(stem.as_str())),
        };
        concept.into_iter().flat_map(str::split_whitespace).chain(word)
    }
}

/// Longest phrase, in words, that the lexicon holds.
const MAX_PHRASE: usize = 4;

/// The lexicon, parsed once into lookup tables. It is immutable language
/// data shared by all tenants; no document text is ever stored here.
pub(crate) struct Lexicon {
    abbreviations: HashMap<&'static str, &'static str>,
    words: HashMap<String, Meaning>,
    phrases: HashMap<String, Meaning>,
    /// Swahili verb bodies (root + ending) → meaning.
    verbs: HashMap<String, Meaning>,
    prefixes: Vec<&'static str>,
    /// specific canonical term → general canonical terms.
    hypernyms: HashMap<&'static str, Vec<&'static str>>,
    /// Single-word surfaces of four letters or more, with their letter
    /// masks, for typo matching.
    pub(crate) fuzzy_words: Vec<(&'static str, u32)>,
}

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::parse);

impl Lexicon {
    fn parse() -> Self {
        let mut lex = Lexicon {
            abbreviations: HashMap::new(),
            words: HashMap::new(),
            phrases: HashMap::new(),
            verbs: HashMap::new(),
            prefixes: lexicon::VERB_PREFIXES.split_whitespace().collect(),
            hypernyms: HashMap::new(),
            fuzzy_words: Vec::new(),
        };
        for pair in entries(lexicon::ABBREVIATIONS) {
            if let Some((short, long)) = pair.split_once('=') {
                lex.abbreviations.insert(short.trim(), long.trim());
            }
        }
        for surface in entries(lexicon::STOP_WORDS) {
            lex.add_surface(surface, Meaning::Stop);
        }
        for (canonical, surfaces) in lines(lexicon::CONCEPTS) {
            for surface in entries(surfaces) {
                lex.add_surface(surface, Meaning::Concept(canonical));
            }
        }
        lex.add_verbs();
        for (general, specifics) in lines(lexicon::HYPERNYMS) {
            for specific in specifics.split_whitespace() {
                lex.hypernyms.entry(specific).or_default().push(general);
            }
        }
        lex.add_stems();
        lex
    }

    /// Later entries do not override earlier ones, except that a concept
    /// overrides a stop word (a content meaning is the more specific claim).
    fn add_surface(&mut self, surface: &'static str, meaning: Meaning) {
        let key = surface.split_whitespace().collect::<Vec<_>>().join(" ");
        let map = if key.contains(' ') { &mut self.phrases } else { &mut self.words };
        match map.get(&key) {
            Some(Meaning::Concept(_)) => {}
            _ => {
                map.insert(key.clone(), meaning);
                if !key.contains(' ') && key.len() >= 4 {
                    self.fuzzy_words.push((surface.trim(), letter_mask(surface.trim())));
                }
            }
        }
    }

    fn add_verbs(&mut self) {
        let endings: Vec<&str> = lexicon::VERB_ENDINGS.split_whitespace().collect();
        for (meaning, roots) in lines(lexicon::VERB_ROOTS) {
            let meaning = if meaning == "-" { Meaning::Stop } else { Meaning::Concept(meaning) };
            for root in roots.split_whitespace() {
                for ending in &endings {
                    self.verbs.entry(format!("{root}{ending}")).or_insert(meaning);
                }
            }
        }
    }

    /// Also recognise the stem of every single-word surface, so that
    /// inflections the lexicon does not list still map ("bookings").
    fn add_stems(&mut self) {
        let stems: Vec<(String, Meaning)> = self.words.iter().map(|(w, m)| (stem(w), *m)).collect();
        for (s, m) in stems {
            self.words.entry(s).or_insert(m);
        }
    }

    /// The general classes of a canonical term that the lexicon knows.
    pub(crate) fn hypernyms(&self, term: &str) -> &[&'static str] {
        self.hypernyms.get(term).map_or(&[], Vec::as_slice)
    }

    /// Meaning of one word (no phrase context); `None` if it is unknown.
    fn word(&self, w: &str) -> Option<Meaning> {
        if let Some(m) = self.words.get(w) {
            return Some(*m);
        }
        if let Some(m) = self.verb(w) {
            return Some(m);
        }
        self.words.get(&stem(w)).copied()
    }

    /// A Swahili verb: prefixes + root + ending, e.g. "mnafungua".
    fn verb(&self, w: &str) -> Option<Meaning> {
        if !w.is_ascii() {
            return None;
        }
        (0..=w.len().saturating_sub(2).min(8)).find_map(|p| {
            let m = self.verbs.get(&w[p..])?;
            self.is_prefix_chain(&w[..p], 4).then_some(*m)
        })
    }

    fn is_prefix_chain(&self, s: &str, depth: usize) -> bool {
        if s.is_empty() {
            return true;
        }
        depth > 0
            && self
                .prefixes
                .iter()
                .any(|p| s.strip_prefix(p).is_some_and(|rest| self.is_prefix_chain(rest, depth - 1)))
    }
}

/// Splits a comma-separated lexicon list into trimmed, non-empty entries.
fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Splits `key: rest` lines, where `rest` may continue on indented lines.
fn lines(table: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut start: Option<(&'static str, usize)> = None;
    let mut offset = 0;
    for line in table.split_inclusive('\n') {
        let is_head = !line.starts_with(' ') && line.contains(':');
        if is_head {
            if let Some((key, from)) = start.take() {
                out.push((key, &table[from..offset]));
            }
            let colon = line.find(':').unwrap_or(0);
            start = Some((line[..colon].trim(), offset + colon + 1));
        }
        offset += line.len();
    }
    if let Some((key, from)) = start {
        out.push((key, &table[from..]));
    }
    out
}

/// Analyses a text into its content units, in order, without duplicates.
pub(crate) fn analyze(text: &str) -> Vec<Unit> {
    let lex = &*LEXICON;
    let words = expand_abbreviations(tokens(text));
    let mut units: Vec<Unit> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if let Some((n, meaning)) = phrase_at(lex, &words[i..]) {
            push_meaning(&mut units, meaning);
            i += n;
            continue;
        }
        let w = &words[i];
        i += 1;
        match lex.word(w) {
            Some(meaning) => push_meaning(&mut units, meaning),
            None if w.len() < 2 || w.bytes().any(|b| b.is_ascii_digit()) => {}
            None => push_unit(&mut units, Unit::Word { stem: stem(w), raw: w.clone() }),
        }
    }
    units
}

/// Looks a word up as the lexicon would, without phrase context; used to
/// resolve a misspelt word once its intended spelling is known.
pub(crate) fn meaning_of(word: &str) -> Option<Meaning> {
    LEXICON.word(word)
}

/// Replaces SMS abbreviations by their long form ("hw" → "how").
pub(crate) fn expand_abbreviations(toks: Vec<String>) -> Vec<String> {
    let lex = &*LEXICON;
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        match lex.abbreviations.get(t.as_str()) {
            Some(long) => out.extend(long.split_whitespace().map(str::to_string)),
            None => out.push(t),
        }
    }
    out
}

fn phrase_at(lex: &Lexicon, words: &[String]) -> Option<(usize, Meaning)> {
    (2..=MAX_PHRASE.min(words.len())).rev().find_map(|n| {
        let key = words[..n].join(" ");
        lex.phrases.get(&key).map(|m| (n, *m))
    })
}

fn push_meaning(units: &mut Vec<Unit>, meaning: Meaning) {
    if let Meaning::Concept(c) = meaning {
        push_unit(units, Unit::Concept(c));
    }
}

fn push_unit(units: &mut Vec<Unit>, unit: Unit) {
    let duplicate = units.iter().any(|u| match (u, &unit) {
        (Unit::Concept(a), Unit::Concept(b)) => a == b,
        (Unit::Word { stem: a, .. }, Unit::Word { stem: b, .. }) => a == b,
        _ => false,
    });
    if !duplicate {
        units.push(unit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyze(text).iter().flat_map(|u| u.terms().map(str::to_string).collect::<Vec<_>>()).collect()
    }

    #[test]
    fn greetings_and_filler_disappear() {
        assert_eq!(terms("Niaje boss, mko na drums?"), ["drum"]);
        assert_eq!(terms("Hi there, good morning, please tell me"), Vec::<String>::new());
        assert_eq!(terms("habari yako tafadhali"), Vec::<String>::new());
    }

    #[test]
    fn swahili_and_english_meet_on_one_concept() {
        assert_eq!(terms("bei ya gitaa ni ngapi"), ["price", "guitar"]);
        assert_eq!(terms("how much does a guitar cost?"), ["price", "guitar"]);
        assert_eq!(terms("mnafungua saa ngapi?"), ["open", "hour"]);
        assert_eq!(terms("What time do you open?"), ["hour", "open"]);
        assert_eq!(terms("mko wapi"), ["where"]);
        assert_eq!(terms("mnauza kinanda"), ["sell", "keyboard", "piano"]);
        assert_eq!(terms("Naweza kulipa na M-Pesa?"), ["pay", "mpesa"]);
        assert_eq!(terms("tuletee jumapili"), ["delivery", "sunday"]);
    }

    #[test]
    fn sms_abbreviations_expand() {
        assert_eq!(terms("hw much is a guitar"), ["price", "guitar"]);
        assert_eq!(terms("wat tym do u open 2day"), ["hour", "open"]);
        assert_eq!(terms("wer r u"), ["where"]);
    }

    #[test]
    fn unknown_words_are_stemmed_and_numbers_dropped() {
        assert_eq!(terms("acoustic violins 10k 0702245555"), ["acoustic", "violin"]);
    }

    #[test]
    fn verb_prefixes_must_be_swahili() {
        assert_eq!(LEXICON.verb("mnatengeneza"), Some(Meaning::Concept("repair")));
        assert_eq!(LEXICON.verb("kuuza"), Some(Meaning::Concept("sell")));
        assert_eq!(LEXICON.verb("punguza"), None);
        assert_eq!(LEXICON.verb("delete"), None);
    }
}
