//! Answering a message: resolve its content units to the tenant's terms
//! (exactly, by an "is-a" relation, or by typo matching), score the
//! documents those terms' postings reach, and calibrate the score.

use crate::analyze::{LEXICON, Meaning, Unit, analyze, meaning_of};
use crate::fuzzy::{bounded_distance, letter_mask, masks_compatible, max_edits, plausible_typo};
use crate::index::{Index, MAX_BUCKET};
use crate::{Document, THRESHOLD};

/// Weight of a term matched with 0, 1 or 2 typos.
const TYPO_WEIGHT: [f32; 3] = [1.0, 0.8, 0.6];
/// Weight of a one-typo match on a word of five letters or fewer: one edit
/// away from a short word is often another real word ("shoes" → "shops").
const SHORT_TYPO_WEIGHT: f32 = 0.6;
/// Weight of a match through the general class ("guitar" → "instrument").
const HYPERNYM_WEIGHT: f32 = 0.6;
/// BM25 parameters for the answer field, and the weight of one occurrence.
const K1: f32 = 1.2;
const B_ANSWER: f32 = 0.75;
const ANSWER_WEIGHT: f32 = 0.35;
/// A term found only in the answer is worth at most this much of a match in
/// the question (the question is what the entry is *about*).
const ANSWER_CAP: f32 = 0.6;
/// Share of the confidence that depends on how much of the entry's question
/// the message covers (the rest is how much of the message the entry covers).
const QUESTION_COVERAGE_SHARE: f32 = 0.3;
/// At most this many vocabulary terms stand in for one misspelt word.
const MAX_TYPO_CANDIDATES: usize = 4;
/// Only the first this many content units of a message are scored, which
/// bounds the work a very long message can cause (WhatsApp allows 4,096
/// characters); real questions have far fewer.
const MAX_UNITS: usize = 40;

/// A document retrieved for a message, with its calibrated score.
#[derive(Debug)]
pub struct Hit<'a, Id> {
    /// The matching entry.
    pub doc: &'a Document<Id>,
    /// Calibrated confidence in `0.0..=1.0`, comparable across tenants:
    /// 1.0 means every content word of the message matched the entry's
    /// question exactly. Compare it with [`THRESHOLD`].
    pub score: f64,
}

impl<Id> Clone for Hit<'_, Id> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Id> Copy for Hit<'_, Id> {}

/// One content unit of the message, resolved against the vocabulary.
#[derive(Debug)]
struct Slot {
    /// What the unit is worth: its idf, or the idf of an unknown term.
    idf: f32,
    /// Terms that match it, with their weight; empty if none.
    alts: Vec<(u32, f32)>,
}

/// A scored document: ranking key, calibrated confidence and its parts.
struct Scored {
    rank: f32,
    conf: f32,
    message: f32,
    question: f32,
    doc: u32,
}

/// Per-document accumulator: weighted message coverage, question coverage.
#[derive(Clone, Copy, Default)]
struct Acc {
    message: f32,
    question: f32,
}

impl<Id> Index<Id> {
    /// The best entry for `message` if its score reaches [`THRESHOLD`];
    /// `None` means "not sure": the caller should not answer from the FAQ.
    pub fn best(&self, message: &str) -> Option<Hit<'_, Id>> {
        self.top(message, 1).into_iter().next().filter(|h| h.score >= THRESHOLD)
    }

    /// The `k` best entries for `message`, best first, whatever their score
    /// (for grounding an AI answer). Entries that share no term with the
    /// message are never returned.
    pub fn top(&self, message: &str, k: usize) -> Vec<Hit<'_, Id>> {
        self.ranked(&self.slots(message), k)
            .into_iter()
            .map(|s| Hit { doc: &self.docs[s.doc as usize], score: f64::from(s.conf) })
            .collect()
    }

    /// Why `message` scores as it does: how each of its words was resolved
    /// against this tenant's vocabulary, and the `k` best entries with the
    /// two parts of their score. For debugging and for showing the owner
    /// why the bot answered.
    pub fn explain(&self, message: &str, k: usize) -> String {
        use std::fmt::Write;
        let slots = self.slots(message);
        let mut out = String::new();
        for slot in &slots {
            let alts: Vec<String> =
                slot.alts.iter().map(|&(t, w)| format!("{}×{w:.2}", self.term(t))).collect();
            let what = if alts.is_empty() { "unknown".to_string() } else { alts.join(" | ") };
            let _ = writeln!(out, "unit idf {:.2}: {what}", slot.idf);
        }
        for s in self.ranked(&slots, k) {
            let d = &self.docs[s.doc as usize];
            let _ = writeln!(
                out,
                "{:.3} (message {:.2}, question {:.2}, bonus {:.3}) {:?}",
                s.conf,
                s.message,
                s.question,
                s.rank - s.conf,
                d.question
            );
        }
        out
    }

    /// The `k` best-ranked documents for resolved slots.
    fn ranked(&self, slots: &[Slot], k: usize) -> Vec<Scored> {
        let total: f32 = slots.iter().map(|s| s.idf).sum();
        if k == 0 || slots.iter().all(|s| s.alts.is_empty()) || total <= 0.0 {
            return Vec::new();
        }
        let (acc, touched) = self.accumulate(slots);
        let mut ranked: Vec<Scored> = touched
            .into_iter()
            .map(|d| {
                let a = acc[d as usize];
                let message = (a.message / total).min(1.0);
                let mass = self.question_mass[d as usize];
                let question = if mass > 0.0 { (a.question / mass).min(1.0) } else { 0.0 };
                let conf = message * (1.0 - QUESTION_COVERAGE_SHARE + QUESTION_COVERAGE_SHARE * question);
                Scored { rank: conf + self.bonus[d as usize], conf, message, question, doc: d }
            })
            .collect();
        let by_rank = |a: &Scored, b: &Scored| b.rank.total_cmp(&a.rank).then(a.doc.cmp(&b.doc));
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k - 1, by_rank);
            ranked.truncate(k);
        }
        ranked.sort_unstable_by(by_rank);
        ranked
    }

    /// Sums every slot's contribution into per-document accumulators; a
    /// slot with several alternatives counts its best one per document.
    fn accumulate(&self, slots: &[Slot]) -> (Vec<Acc>, Vec<u32>) {
        let n = self.len();
        let mut acc = vec![Acc::default(); n];
        let mut touched: Vec<u32> = Vec::new();
        let mut best =
            if slots.iter().any(|s| s.alts.len() > 1) { vec![Acc::default(); n] } else { Vec::new() };
        let mut best_touched: Vec<u32> = Vec::new();
        for slot in slots {
            if let [(t, w)] = slot.alts[..] {
                self.for_each_credit(t, w, |d, c| add(&mut acc, &mut touched, d, slot.idf, c));
                continue;
            }
            for &(t, w) in &slot.alts {
                self.for_each_credit(t, w, |d, c| {
                    let b = &mut best[d as usize];
                    if b.message == 0.0 {
                        best_touched.push(d);
                    }
                    b.message = b.message.max(c.message);
                    b.question = b.question.max(c.question);
                });
            }
            for d in best_touched.drain(..) {
                let c = std::mem::take(&mut best[d as usize]);
                add(&mut acc, &mut touched, d, slot.idf, c);
            }
        }
        (acc, touched)
    }

    /// Calls `f(doc, credit)` for every posting of term `t` at weight `w`:
    /// `credit.message` in 0..=1 (how well the document matches the term),
    /// `credit.question` the idf mass it adds to the question's coverage.
    fn for_each_credit(&self, t: u32, w: f32, mut f: impl FnMut(u32, Acc)) {
        let (docs, tfs) = self.postings(t);
        let idf = self.idf[t as usize];
        for (&d, &tf) in docs.iter().zip(tfs) {
            let (qtf, atf) = (tf >> 4, tf & 15);
            let credit = if qtf > 0 {
                Acc { message: w, question: w * idf }
            } else {
                let norm =
                    1.0 - B_ANSWER + B_ANSWER * f32::from(self.answer_len[d as usize]) / self.avg_answer_len;
                let x = ANSWER_WEIGHT * f32::from(atf) / norm;
                Acc { message: w * (x * (K1 + 1.0) / (x + K1)).min(ANSWER_CAP), question: 0.0 }
            };
            f(d, credit);
        }
    }

    /// The message's content units, resolved against this index.
    fn slots(&self, message: &str) -> Vec<Slot> {
        let mut slots: Vec<Slot> = Vec::new();
        for unit in analyze(message).into_iter().take(MAX_UNITS) {
            let Some(slot) = self.resolve(&unit) else { continue };
            let duplicate = !slot.alts.is_empty()
                && slots.iter().any(|s| s.alts.iter().map(|a| a.0).eq(slot.alts.iter().map(|a| a.0)));
            if !duplicate {
                slots.push(slot);
            }
        }
        slots
    }

    /// Resolves one unit; `None` if it turns out to be a misspelt stop word.
    fn resolve(&self, unit: &Unit) -> Option<Slot> {
        match unit {
            Unit::Concept(c) => Some(self.known_terms(c.split_whitespace(), 1.0)),
            Unit::Word { stem, raw } => {
                if self.lookup(stem).is_some() {
                    return Some(self.known_terms(std::iter::once(stem.as_str()), 1.0));
                }
                self.resolve_typo(stem, raw)
            }
        }
    }

    /// A slot for canonical terms: those in the vocabulary at weight `w`,
    /// plus their general classes at a reduced weight. An unknown slot (no
    /// alternatives, idf of an unseen term) if none is in the vocabulary.
    fn known_terms<'t>(&self, terms: impl Iterator<Item = &'t str>, w: f32) -> Slot {
        let mut slot = Slot { idf: 0.0, alts: Vec::new() };
        let mut generals: Vec<&str> = Vec::new();
        for term in terms {
            if let Some(t) = self.lookup(term) {
                slot.idf = slot.idf.max(self.idf[t as usize]);
                slot.alts.push((t, w));
                generals.extend_from_slice(LEXICON.hypernyms(term));
            }
        }
        for g in generals {
            if let Some(t) = self.lookup(g)
                && !slot.alts.iter().any(|a| a.0 == t)
            {
                slot.alts.push((t, w * HYPERNYM_WEIGHT));
            }
        }
        if slot.alts.is_empty() {
            slot.idf = self.idf_unknown;
        }
        slot
    }

    /// A word the vocabulary does not hold: a misspelt lexicon word (stop
    /// word or concept), a misspelt vocabulary term, or truly unknown.
    fn resolve_typo(&self, stem: &str, raw: &str) -> Option<Slot> {
        let unknown = Slot { idf: self.idf_unknown, alts: Vec::new() };
        let lexical = nearest_lexicon_word(raw);
        let (vocab_dist, candidates) = self.nearest_terms(stem);
        match lexical {
            Some((word, d)) if candidates.is_empty() || d < vocab_dist => match meaning_of(word) {
                Some(Meaning::Concept(c)) => {
                    Some(self.known_terms(c.split_whitespace(), typo_weight(raw, d)))
                }
                Some(Meaning::Stop) => None,
                None => Some(unknown),
            },
            _ if !candidates.is_empty() => {
                let w = typo_weight(stem, vocab_dist);
                let idf = candidates.iter().map(|&t| self.idf[t as usize]).fold(0.0, f32::max);
                Some(Slot { idf, alts: candidates.into_iter().map(|t| (t, w)).collect() })
            }
            _ => Some(unknown),
        }
    }

    /// The vocabulary terms closest to `word` within its typo budget, and
    /// their distance. Only buckets of compatible length are scanned, and a
    /// letter-set filter rejects most terms before any distance is computed.
    fn nearest_terms(&self, word: &str) -> (usize, Vec<u32>) {
        let max = max_edits(word.len());
        let mut best = (usize::MAX, Vec::new());
        if max == 0 {
            return best;
        }
        let mask = letter_mask(word);
        let lo = word.len().saturating_sub(max).min(MAX_BUCKET);
        let hi = (word.len() + max).min(MAX_BUCKET);
        let range = self.len_start[lo] as usize..self.len_start[hi + 1] as usize;
        for &t in &self.by_len[range] {
            if !masks_compatible(mask, self.term_mask[t as usize], max)
                || !plausible_typo(word.as_bytes(), self.term(t).as_bytes())
            {
                continue;
            }
            let limit = max.min(best.0);
            let Some(d) = bounded_distance(word.as_bytes(), self.term(t).as_bytes(), limit) else {
                continue;
            };
            if d < best.0 {
                best = (d, vec![t]);
            } else if best.1.len() < MAX_TYPO_CANDIDATES {
                best.1.push(t);
            }
        }
        best
    }
}

/// How much a match at `edits` typos from `word` is worth.
fn typo_weight(word: &str, edits: usize) -> f32 {
    if edits == 1 && word.len() <= 5 { SHORT_TYPO_WEIGHT } else { TYPO_WEIGHT[edits.min(2)] }
}

fn add(acc: &mut [Acc], touched: &mut Vec<u32>, d: u32, idf: f32, c: Acc) {
    let a = &mut acc[d as usize];
    if a.message == 0.0 && a.question == 0.0 {
        touched.push(d);
    }
    a.message += idf * c.message;
    a.question += c.question;
}

/// The lexicon word closest to `raw` within its typo budget.
fn nearest_lexicon_word(raw: &str) -> Option<(&'static str, usize)> {
    let max = max_edits(raw.len());
    if max == 0 {
        return None;
    }
    let mask = letter_mask(raw);
    let mut best: Option<(&'static str, usize)> = None;
    for &(word, word_mask) in &LEXICON.fuzzy_words {
        let limit = best.map_or(max, |b| b.1.saturating_sub(1));
        if word.len().abs_diff(raw.len()) > limit
            || !masks_compatible(mask, word_mask, limit)
            || !plausible_typo(raw.as_bytes(), word.as_bytes())
        {
            continue;
        }
        if let Some(d) = bounded_distance(raw.as_bytes(), word.as_bytes(), limit) {
            best = Some((word, d));
        }
    }
    best
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
