//! Behaviour of retrieval on small, hand-written tenants.

use crate::{DocKind, Document, Index, THRESHOLD};

fn music_shop() -> Index<&'static str> {
    Index::build(vec![
        Document::faq(
            "hours",
            "What time do you open?",
            "We open at 9am and close at 6pm, Monday to Saturday.",
        ),
        Document::faq("sunday", "Are you open on Sunday?", "Sorry, we are closed on Sundays."),
        Document::faq("where", "Where is your shop located?", "We are on Moi Avenue, Nairobi."),
        Document::faq("guitars", "Do you sell guitars?", "Yes, acoustic, electric and bass guitars."),
        Document::faq("drums", "Do you sell drums?", "Yes, acoustic and electronic drum kits."),
        Document::faq(
            "guitar-price",
            "How much does a guitar cost?",
            "From KSh 8,000 depending on the model.",
        ),
        Document::faq("mpesa", "Can I pay with M-Pesa?", "Yes, we accept M-Pesa."),
        Document::faq("delivery", "Do you deliver within Nairobi?", "Yes, for a small fee."),
        Document::faq("repair", "Do you repair instruments?", "Yes, bring the instrument to the shop."),
        Document::faq("lessons", "Do you offer music lessons?", "Ask in the shop about lessons."),
    ])
}

fn chemist() -> Index<&'static str> {
    Index::build(vec![
        Document::faq("c-hours", "What time do you open?", "8am to 9pm every day."),
        Document::faq("c-malaria", "Do you have malaria medicine?", "Yes, we stock antimalarials."),
        Document::faq("c-bp", "Do you check blood pressure?", "Yes, free of charge."),
        Document::faq("c-delivery", "Do you deliver medicine?", "Yes, within two hours in Nairobi."),
    ])
}

fn best_id<Id: Copy>(index: &Index<Id>, message: &str) -> Option<Id> {
    index.best(message).map(|h| h.doc.id)
}

#[test]
fn word_order_plurals_and_filler_do_not_matter() {
    let shop = music_shop();
    assert_eq!(best_id(&shop, "guitars, do you sell them?"), Some("guitars"));
    assert_eq!(best_id(&shop, "niaje boss, mko na drums?"), Some("drums"));
    assert_eq!(
        best_id(&shop, "Hello good morning, please tell me: where is the shop located? Thanks"),
        Some("where")
    );
}

#[test]
fn typos_and_sms_abbreviations_match() {
    let shop = music_shop();
    assert_eq!(best_id(&shop, "hw much is a gutiar"), Some("guitar-price"));
    assert_eq!(best_id(&shop, "do u sell guiters"), Some("guitars"));
    assert_eq!(best_id(&shop, "wat tym do u open"), Some("hours"));
    assert_eq!(best_id(&shop, "wer is ur shop"), Some("where"));
    assert_eq!(best_id(&shop, "delivary within nairobi?"), Some("delivery"));
}

#[test]
fn swahili_and_sheng_match_english_entries() {
    let shop = music_shop();
    assert_eq!(best_id(&shop, "mnafungua saa ngapi?"), Some("hours"));
    assert_eq!(best_id(&shop, "mko open jumapili?"), Some("sunday"));
    assert_eq!(best_id(&shop, "bei ya gitaa ni ngapi"), Some("guitar-price"));
    assert_eq!(best_id(&shop, "naweza kulipa na mpesa?"), Some("mpesa"));
    assert_eq!(best_id(&shop, "duka yenu iko wapi"), Some("where"));
    assert_eq!(best_id(&shop, "mnatengeneza gitaa?"), Some("repair"));
    assert_eq!(best_id(&shop, "ngoma mnauza?"), Some("drums"));
}

#[test]
fn out_of_scope_messages_abstain() {
    let shop = music_shop();
    for message in [
        "do you sell laptops?",
        "what is the weather today?",
        "can you fix my car?",
        "who won the match last night",
        "niaje",
        "asante sana",
        "",
        "????",
    ] {
        assert!(shop.best(message).is_none(), "{message:?} got {:?}", shop.best(message).map(|h| h.doc.id));
    }
}

#[test]
fn questions_for_another_business_abstain() {
    let (shop, chemist) = (music_shop(), chemist());
    for message in ["do you have malaria medicine", "mnapima blood pressure?", "dawa ya malaria"] {
        assert!(shop.best(message).is_none(), "music shop answered {message:?}");
    }
    for message in ["do you sell guitars", "mnatengeneza gitaa?", "bei ya ngoma"] {
        assert!(chemist.best(message).is_none(), "chemist answered {message:?}");
    }
}

#[test]
fn an_index_only_ever_returns_its_own_tenants_documents() {
    let (shop, chemist) = (music_shop(), chemist());
    for message in ["what time do you open?", "do you deliver", "hw much", "malaria guitar drums"] {
        for hit in chemist.top(message, 10) {
            assert!(hit.doc.id.starts_with("c-"), "{message:?} → {}", hit.doc.id);
        }
        for hit in shop.top(message, 10) {
            assert!(!hit.doc.id.starts_with("c-"), "{message:?} → {}", hit.doc.id);
        }
    }
}

#[test]
fn scores_are_calibrated_and_top_is_ordered() {
    let shop = music_shop();
    let exact = shop.best("Do you sell guitars?").expect("exact question");
    assert!(exact.score > 0.9 && exact.score <= 1.0, "{}", exact.score);
    let top = shop.top("guitar price and delivery", 3);
    assert!(!top.is_empty() && top.len() <= 3);
    assert!(top.windows(2).all(|w| w[0].score + 0.05 >= w[1].score));
    assert!(shop.top("do you sell laptops", 5).iter().all(|h| h.score < THRESHOLD));
    assert!(shop.top("guitar", 0).is_empty());
}

#[test]
fn priority_breaks_ties_but_never_beats_a_better_match() {
    let docs = vec![
        Document { priority: 1, ..Document::faq(1, "What time do you open?", "9am.") },
        Document { priority: 99, ..Document::faq(2, "What time do you open on weekdays?", "9am.") },
        Document { priority: 99, ..Document::faq(3, "Do you sell drums?", "Yes.") },
    ];
    let index = Index::build(docs);
    assert_eq!(best_id(&index, "when do you open?"), Some(1), "the shorter, fully covered question wins");
    let tie = vec![
        Document { priority: 1, ..Document::faq(1, "Do you sell guitars?", "Yes.") },
        Document {
            priority: 5,
            kind: DocKind::Example,
            ..Document::faq(2, "Do you sell guitars?", "Ndiyo.")
        },
    ];
    assert_eq!(best_id(&Index::build(tie), "guitars?"), Some(2), "an exact tie goes to priority");
}

#[test]
fn empty_index_and_sizes() {
    let empty: Index<u32> = Index::build(Vec::new());
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    assert!(empty.best("hello").is_none() && empty.top("guitar", 3).is_empty());
    let shop = music_shop();
    assert_eq!(shop.len(), 10);
    let raw: usize = shop.documents().iter().map(|d| d.question.len() + d.answer.len()).sum();
    assert!(shop.heap_bytes() > raw);
}

#[test]
fn index_is_shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Index<u64>>();
    assert_send_sync::<Index<String>>();
}

#[test]
fn very_long_messages_are_bounded_and_do_not_panic() {
    let shop = music_shop();
    let long = "niaje boss mko na gitaa bei gani xyzzy qwertyuiop ".repeat(100);
    assert!(long.len() > 4_000);
    let _ = shop.best(&long);
    let _ = shop.top(&"é".repeat(5_000), 3);
    let _ = shop.best(&"a".repeat(10_000));
}
