//! FAQ retrieval and intent detection for the Alphadome reply engine.
//!
//! Customers in Kenya write short, lower-case, misspelt messages in English,
//! Swahili and Sheng, mixed, with greetings around the question ("hw much is
//! a guitar", "mnafungua saa ngapi?", "niaje, mko na drums?"). The bot must
//! answer from the tenant's own knowledge when it knows, and *abstain* when
//! it is not sure: a wrong answer is worse than "I don't know".
//!
//! # Pipeline
//!
//! 1. **Intent first.** [`intent`] recognises messages that are *only* a
//!    greeting, thanks, a request for help or for a person, or goodbye, in
//!    English, Swahili and Sheng. Anything with content beyond that goes on.
//! 2. **Normalise.** Lower case, accents and punctuation stripped, words
//!    split; SMS abbreviations expanded (`hw` → how, `2day` → today).
//! 3. **Expand to concepts.** Phrases and words are looked up in one
//!    language table (the `lexicon` module): stop words and filler of both
//!    languages disappear (niaje, boss, tafadhali, please, the …), and
//!    synonyms, Swahili and Sheng words become shared canonical terms ("bei",
//!    "how much", "cost" → `price`; "mnafungua", "opening" → `open`; "gitaa"
//!    → `guitar`). Swahili verbs are reduced to their root through their
//!    prefixes ("mna-tengenez-a" → `repair`); other English words are
//!    stemmed lightly ("guitars" → "guitar"). Documents and messages go
//!    through the same steps, so word order, inflection and language stop
//!    mattering.
//! 4. **Resolve against the tenant.** Each content unit of the message is
//!    looked up in the tenant's vocabulary; if absent, a typo is tried (edit
//!    distance 1 from four letters, 2 from eight, against both the lexicon
//!    and the vocabulary, scanning only terms of compatible length and letter
//!    set); a specific thing may also match its general class at reduced
//!    weight ("guitar" → entries about "instruments"). A word that still
//!    matches nothing stays in the message as *unknown*, at the weight of the
//!    rarest possible term.
//! 5. **Score.** An inverted index gives the entries each term occurs in.
//!    Per entry, each message unit earns its idf (computed per tenant) times
//!    a BM25-style credit: a full match in the question, a saturated,
//!    length-normalised and capped credit when only in the answer.
//! 6. **Calibrate.** The raw sum is divided by the idf of *all* the message's
//!    units, known or not, giving the share of the message's information the
//!    entry explains (0..1), and multiplied by 0.7 + 0.3 × the share of the
//!    entry's question the message covers (so a focused entry beats one
//!    that merely contains the words). Because it is a ratio of the tenant's own
//!    idfs, the score means the same thing for a 20-entry tenant and a
//!    10,000-entry one. Priority and confidence only add a bonus of at most
//!    0.03 to order near-ties.
//! 7. **Abstain.** [`Index::best`] answers only at or above [`THRESHOLD`].
//!    An out-of-scope message ("do you sell laptops?") keeps its unknown,
//!    high-idf word unexplained and falls below it; so does a question meant
//!    for another business.
//!
//! [`Index::explain`] shows how a message was understood and scored (the
//! `explain` example runs it on a training CSV). An [`Index`] is built from
//! one tenant's documents only and is immutable;
//! the only shared state is the language table, which holds no documents.
//! The crate does no I/O and starts no threads.
//!
//! # Example
//!
//! ```
//! use alphadome_retrieval::{DocKind, Document, Index, Intent, intent};
//!
//! let docs = vec![
//!     Document::faq(1, "What time do you open?", "9am to 6pm, Monday to Saturday."),
//!     Document::faq(2, "How much does a guitar cost?", "From KSh 8,000."),
//! ];
//! let index = Index::build(docs);
//! assert_eq!(index.best("mnafungua saa ngapi?").unwrap().doc.id, 1);
//! assert_eq!(index.best("hw much is a gitaa").unwrap().doc.id, 2);
//! assert!(index.best("do you sell laptops?").is_none());
//! assert_eq!(intent("asante sana"), Some(Intent::Thanks));
//! assert_eq!(intent("niaje, mko na drums?"), None);
//! # let _ = DocKind::Faq;
//! ```

mod analyze;
pub mod eval;
mod fuzzy;
mod index;
mod intent;
mod lexicon;
mod search;
mod text;

pub use index::Index;
pub use intent::{Intent, intent};
pub use search::Hit;

/// Calibrated abstain threshold for [`Index::best`], on the scale of
/// [`Hit::score`].
///
/// A score is "the share of the message's information (idf-weighted) that
/// the entry's question and answer explain", discounted by up to 30 % when
/// the message leaves much of the entry's question unmentioned. At 0.5,
/// more than half of the message must be explained. That is the structural
/// reason for the value: a word the tenant has never used (a product it
/// does not sell, a question meant for another business) weighs at least as
/// much as its rarest known word, so a message made of one known and one
/// unknown word scores below 0.5 and is not answered. For the same reason a
/// word found only in an entry's *answer* (at most 0.42) never suffices on
/// its own; such entries still reach [`Index::top`] for AI grounding.
///
/// On the bundled evaluation set, 0.5 gives 90 % top-1 in scope and 2.5 %
/// wrong answers. The threshold that maximises correct − 3 × wrong there
/// ([`eval::Report::calibrate`]) is lower (≈ 0.37), but it answers the
/// half-known messages described above, and on the held-out set wrong
/// answers rose from 4 % to 6.7 %; 0.5 is the deliberate, safer choice.
pub const THRESHOLD: f64 = 0.5;

/// What kind of training entry a document comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// A frequently asked question written by the business.
    Faq,
    /// An example exchange (often a real customer message and its reply).
    Example,
}

/// One training entry as retrieval sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Document<Id> {
    /// The caller's id of the entry (e.g. the training row's id).
    pub id: Id,
    /// FAQ or example.
    pub kind: DocKind,
    /// The question, matched with full weight.
    pub question: String,
    /// The answer, also searched, with lower weight.
    pub answer: String,
    /// Higher wins near-ties (the `priority` column).
    pub priority: i32,
    /// The entry's confidence score, 0..1; a tie-breaker only.
    pub confidence: f64,
}

impl<Id> Document<Id> {
    /// A FAQ entry with priority 0 and confidence 1.
    pub fn faq(id: Id, question: impl Into<String>, answer: impl Into<String>) -> Self {
        Document {
            id,
            kind: DocKind::Faq,
            question: question.into(),
            answer: answer.into(),
            priority: 0,
            confidence: 1.0,
        }
    }
}
