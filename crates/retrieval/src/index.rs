//! The per-tenant index: a sorted vocabulary, an inverted index in
//! compressed-row form (term → postings), per-document statistics, and a
//! length-bucketed view of the vocabulary for typo matching.

use std::collections::HashMap;
use std::mem::size_of;

use crate::analyze::analyze;
use crate::fuzzy::letter_mask;
use crate::{DocKind, Document};

/// Longest term length with its own bucket; longer terms share the last one.
pub(crate) const MAX_BUCKET: usize = 31;

/// A tenant's FAQ and example entries, indexed for retrieval.
///
/// Built once from one tenant's documents ([`Index::build`]) and immutable
/// afterwards, so it can be shared between threads (`Index<Id>` is
/// `Send + Sync` when `Id` is). Rebuild it when the tenant's training data
/// changes; there is no global state to invalidate.
#[derive(Debug)]
pub struct Index<Id> {
    pub(crate) docs: Vec<Document<Id>>,
    /// All terms, concatenated in sorted order.
    pub(crate) term_text: String,
    /// Start of term `t` in `term_text`; `len = terms + 1`.
    pub(crate) term_start: Vec<u32>,
    /// Start of term `t`'s postings; `len = terms + 1`.
    pub(crate) post_start: Vec<u32>,
    /// Document of each posting, ascending within a term.
    pub(crate) post_doc: Vec<u32>,
    /// Term frequency of each posting: question (high nibble), answer (low).
    pub(crate) post_tf: Vec<u8>,
    /// Inverse document frequency of each term.
    pub(crate) idf: Vec<f32>,
    /// The idf a term that occurs nowhere would have.
    pub(crate) idf_unknown: f32,
    /// Letter mask of each term (see [`crate::fuzzy::letter_mask`]).
    pub(crate) term_mask: Vec<u32>,
    /// Term ids ordered by length; bucket `l` is `len_start[l]..len_start[l+1]`.
    pub(crate) by_len: Vec<u32>,
    pub(crate) len_start: [u32; MAX_BUCKET + 2],
    /// Number of content words in each answer.
    pub(crate) answer_len: Vec<u16>,
    pub(crate) avg_answer_len: f32,
    /// Sum of the idf of each document's distinct question terms.
    pub(crate) question_mass: Vec<f32>,
    /// Small ranking bonus from priority, confidence and kind.
    pub(crate) bonus: Vec<f32>,
}

/// Terms of one document while the index is being built.
struct DocTerms {
    /// (provisional term id, question tf, answer tf)
    terms: Vec<(u32, u8, u8)>,
    answer_len: u16,
}

impl<Id> Index<Id> {
    /// Builds the index of one tenant's documents. Inactive entries and
    /// canned replies should be filtered out by the caller.
    pub fn build(mut docs: Vec<Document<Id>>) -> Self {
        docs.shrink_to_fit();
        for d in &mut docs {
            d.question.shrink_to_fit();
            d.answer.shrink_to_fit();
        }
        let mut interner: HashMap<String, u32> = HashMap::new();
        let per_doc: Vec<DocTerms> = docs.iter().map(|d| doc_terms(d, &mut interner)).collect();
        let mut vocab: Vec<(String, u32)> = interner.into_iter().collect();
        vocab.sort_unstable();
        let mut remap = vec![0u32; vocab.len()];
        for (new, (_, old)) in vocab.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        let mut index = Index::empty(docs);
        index.fill_vocab(&vocab);
        index.fill_postings(&per_doc, &remap);
        index.fill_doc_stats(&per_doc, &remap);
        index
    }

    fn empty(docs: Vec<Document<Id>>) -> Self {
        Index {
            docs,
            term_text: String::new(),
            term_start: vec![0],
            post_start: vec![0],
            post_doc: Vec::new(),
            post_tf: Vec::new(),
            idf: Vec::new(),
            idf_unknown: 0.0,
            term_mask: Vec::new(),
            by_len: Vec::new(),
            len_start: [0; MAX_BUCKET + 2],
            answer_len: Vec::new(),
            avg_answer_len: 1.0,
            question_mass: Vec::new(),
            bonus: Vec::new(),
        }
    }

    fn fill_vocab(&mut self, vocab: &[(String, u32)]) {
        self.term_text.reserve_exact(vocab.iter().map(|(t, _)| t.len()).sum());
        self.term_start.reserve_exact(vocab.len());
        for (term, _) in vocab {
            self.term_text.push_str(term);
            self.term_start.push(self.term_text.len() as u32);
            self.term_mask.push(letter_mask(term));
        }
        let bucket = |t: &str| t.len().min(MAX_BUCKET);
        let mut ids: Vec<u32> = (0..vocab.len() as u32).collect();
        ids.sort_by_key(|&t| bucket(&vocab[t as usize].0));
        let mut counts = [0u32; MAX_BUCKET + 2];
        for (term, _) in vocab {
            counts[bucket(term) + 1] += 1;
        }
        for l in 1..counts.len() {
            counts[l] += counts[l - 1];
        }
        self.len_start = counts;
        self.by_len = ids;
    }

    fn fill_postings(&mut self, per_doc: &[DocTerms], remap: &[u32]) {
        let n_terms = remap.len();
        let mut df = vec![0u32; n_terms];
        for d in per_doc {
            for &(t, _, _) in &d.terms {
                df[remap[t as usize] as usize] += 1;
            }
        }
        let mut start = Vec::with_capacity(n_terms + 1);
        start.push(0u32);
        for &n in &df {
            start.push(start.last().copied().unwrap_or(0) + n);
        }
        let total = *start.last().unwrap_or(&0) as usize;
        let mut post_doc = vec![0u32; total];
        let mut post_tf = vec![0u8; total];
        let mut fill = start.clone();
        for (doc, d) in per_doc.iter().enumerate() {
            for &(t, qtf, atf) in &d.terms {
                let slot = &mut fill[remap[t as usize] as usize];
                post_doc[*slot as usize] = doc as u32;
                post_tf[*slot as usize] = (qtf.min(15) << 4) | atf.min(15);
                *slot += 1;
            }
        }
        let n = per_doc.len() as f32;
        self.idf = df.iter().map(|&f| idf(n, f as f32)).collect();
        self.idf_unknown = idf(n, 0.0);
        self.post_start = start;
        self.post_doc = post_doc;
        self.post_tf = post_tf;
    }

    fn fill_doc_stats(&mut self, per_doc: &[DocTerms], remap: &[u32]) {
        self.answer_len = per_doc.iter().map(|d| d.answer_len).collect();
        let total: f32 = self.answer_len.iter().map(|&l| f32::from(l)).sum();
        self.avg_answer_len = (total / per_doc.len().max(1) as f32).max(1.0);
        self.question_mass = per_doc
            .iter()
            .map(|d| {
                d.terms
                    .iter()
                    .filter(|&&(_, qtf, _)| qtf > 0)
                    .map(|&(t, _, _)| self.idf[remap[t as usize] as usize])
                    .sum()
            })
            .collect();
        self.bonus = ranking_bonus(&self.docs);
    }

    /// Number of documents in the index.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The documents, in the order they were given to [`Index::build`].
    pub fn documents(&self) -> &[Document<Id>] {
        &self.docs
    }

    /// Approximate heap memory held by the index, documents included: the
    /// capacity of every vector and string it owns. Heap memory owned by
    /// the `Id` values themselves is not counted.
    pub fn heap_bytes(&self) -> usize {
        let docs = self.docs.capacity() * size_of::<Document<Id>>()
            + self.docs.iter().map(|d| d.question.capacity() + d.answer.capacity()).sum::<usize>();
        docs + self.term_text.capacity()
            + vec_bytes(&self.term_start)
            + vec_bytes(&self.post_start)
            + vec_bytes(&self.post_doc)
            + vec_bytes(&self.post_tf)
            + vec_bytes(&self.idf)
            + vec_bytes(&self.term_mask)
            + vec_bytes(&self.by_len)
            + vec_bytes(&self.answer_len)
            + vec_bytes(&self.question_mass)
            + vec_bytes(&self.bonus)
    }

    /// Number of distinct terms.
    pub(crate) fn term_count(&self) -> usize {
        self.idf.len()
    }

    /// Text of term `t`.
    pub(crate) fn term(&self, t: u32) -> &str {
        let t = t as usize;
        &self.term_text[self.term_start[t] as usize..self.term_start[t + 1] as usize]
    }

    /// Id of a term, by binary search over the sorted vocabulary.
    pub(crate) fn lookup(&self, term: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.term_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.term(mid as u32).cmp(term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// Postings of term `t`: documents and packed term frequencies.
    pub(crate) fn postings(&self, t: u32) -> (&[u32], &[u8]) {
        let t = t as usize;
        let range = self.post_start[t] as usize..self.post_start[t + 1] as usize;
        (&self.post_doc[range.clone()], &self.post_tf[range])
    }
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// BM25's inverse document frequency (always positive).
fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn doc_terms<Id>(doc: &Document<Id>, interner: &mut HashMap<String, u32>) -> DocTerms {
    let mut terms: Vec<(u32, u8, u8)> = Vec::new();
    let mut add = |term: &str, question: bool| {
        let next = interner.len() as u32;
        let id = match interner.get(term) {
            Some(&id) => id,
            None => *interner.entry(term.to_string()).or_insert(next),
        };
        let entry = match terms.iter_mut().find(|(t, _, _)| *t == id) {
            Some(e) => e,
            None => {
                terms.push((id, 0, 0));
                terms.last_mut().expect("just pushed")
            }
        };
        if question {
            entry.1 = entry.1.saturating_add(1);
        } else {
            entry.2 = entry.2.saturating_add(1);
        }
    };
    for unit in analyze(&doc.question) {
        unit.terms().for_each(|t| add(t, true));
    }
    let mut answer_len = 0u16;
    for unit in analyze(&doc.answer) {
        answer_len = answer_len.saturating_add(1);
        unit.terms().for_each(|t| add(t, false));
    }
    terms.shrink_to_fit();
    DocTerms { terms, answer_len }
}

/// Priority (scaled to 0..1 within the tenant), confidence and kind, as a
/// bonus of at most 0.03: enough to order near-ties, far too small to beat a
/// clearly better textual match.
fn ranking_bonus<Id>(docs: &[Document<Id>]) -> Vec<f32> {
    let min = docs.iter().map(|d| d.priority).min().unwrap_or(0);
    let max = docs.iter().map(|d| d.priority).max().unwrap_or(0);
    docs.iter()
        .map(|d| {
            let p = if max > min { (d.priority - min) as f32 / (max - min) as f32 } else { 0.5 };
            let c = if d.confidence.is_finite() { d.confidence.clamp(0.0, 1.0) as f32 } else { 0.0 };
            let kind = if d.kind == DocKind::Faq { 0.005 } else { 0.0 };
            0.015 * p + 0.01 * c + kind
        })
        .collect()
}
