//! A tenant's knowledge, ready to answer from: the retrieval index over its active FAQ and
//! example entries, and its canned replies by intent. Built once per configuration version
//! (see [`crate::runtime`]), so a training change applies to the next message.

use alphadome_core::training::DataType;
use alphadome_retrieval::{DocKind, Document, Index, Intent};
use alphadome_store::TrainingEntry;
use std::collections::HashMap;
use uuid::Uuid;

/// One tenant's answers, indexed.
#[derive(Debug)]
pub struct Knowledge {
    index: Index<Uuid>,
    canned: HashMap<String, Canned>,
}

/// A canned reply: the entry it comes from, and its text.
#[derive(Debug, Clone)]
pub struct Canned {
    /// The training entry.
    pub id: Uuid,
    /// What the customer is sent.
    pub text: String,
}

/// An FAQ or example that answers a message, with the retrieval score.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    /// The training entry.
    pub id: Uuid,
    /// The entry's question.
    pub question: &'a str,
    /// The entry's answer.
    pub answer: &'a str,
    /// Share of the message the entry explains, 0..1.
    pub score: f64,
}

impl Knowledge {
    /// Indexes the active entries (inactive ones are skipped).
    pub fn build(entries: &[TrainingEntry]) -> Self {
        let mut docs = Vec::new();
        let mut canned = HashMap::new();
        for e in entries.iter().filter(|e| e.entry.is_active) {
            let kind = match e.entry.data_type {
                DataType::Faq => DocKind::Faq,
                DataType::Example => DocKind::Example,
                DataType::CannedReply => {
                    let intent = e.entry.question.trim().to_lowercase();
                    canned.entry(intent).or_insert(Canned { id: e.id.0, text: e.entry.answer.clone() });
                    continue;
                }
            };
            docs.push(Document {
                id: e.id.0,
                kind,
                question: e.entry.question.clone(),
                answer: e.entry.answer.clone(),
                priority: e.entry.priority,
                confidence: e.entry.confidence_score,
            });
        }
        Self { index: Index::build(docs), canned }
    }

    /// The tenant's canned reply for an intent, if it wrote one.
    pub fn canned(&self, intent: Intent) -> Option<&Canned> {
        self.canned.get(intent.as_str())
    }

    /// The entry that answers `message`, if retrieval is confident enough.
    pub fn answer(&self, message: &str) -> Option<Match<'_>> {
        self.index.best(message).map(|hit| to_match(&hit))
    }

    /// The question of a training entry (FAQ, example or canned reply's intent).
    pub fn question_of(&self, id: Uuid) -> Option<&str> {
        if let Some(doc) = self.index.documents().iter().find(|d| d.id == id) {
            return Some(&doc.question);
        }
        self.canned.iter().find(|(_, c)| c.id == id).map(|(intent, _)| intent.as_str())
    }

    /// The `k` entries closest to `message`, however weak (grounding for the AI model).
    pub fn closest(&self, message: &str, k: usize) -> Vec<Match<'_>> {
        self.index.top(message, k).iter().map(to_match).collect()
    }
}

fn to_match<'a>(hit: &alphadome_retrieval::Hit<'a, Uuid>) -> Match<'a> {
    Match { id: hit.doc.id, question: &hit.doc.question, answer: &hit.doc.answer, score: hit.score }
}
