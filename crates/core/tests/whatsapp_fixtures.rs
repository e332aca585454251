//! Every WhatsApp sample payload in shared/protocols parses into the events it carries.

use alphadome_core::whatsapp::{DeliveryStatus, Event, MessageKind, parse};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/protocols/fixtures/whatsapp")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn one_message(name: &str) -> alphadome_core::whatsapp::InboundMessage {
    let events = parse(&fixture(name)).unwrap();
    assert_eq!(events.len(), 1, "{name}");
    match events.into_iter().next().unwrap() {
        Event::Message(m) => m,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_inbound_type_parses() {
    let text = one_message("inbound_text.json");
    assert_eq!(text.kind.text(), Some("Does it come in another color?"));
    assert_eq!(
        (text.phone_number_id.as_str(), text.waba_id.as_str()),
        ("106540352242922", "419561257915477")
    );
    assert_eq!((text.from.as_str(), text.profile_name.as_deref()), ("16505551234", Some("Sheena Nelson")));
    assert_eq!(text.timestamp, 1_749_416_383);
    assert!(text.wamid.starts_with("wamid."));

    type Check = fn(&MessageKind) -> bool;
    let cases: &[(&str, Check)] = &[
        (
            "inbound_image.json",
            |k| matches!(k, MessageKind::Media { media_type, .. } if media_type == "image"),
        ),
        ("inbound_image_with_url.json", |k| matches!(k, MessageKind::Media { .. })),
        ("inbound_audio_voice_note.json", |k| matches!(k, MessageKind::Media { voice: true, .. })),
        (
            "inbound_video.json",
            |k| matches!(k, MessageKind::Media { media_type, .. } if media_type == "video"),
        ),
        (
            "inbound_document.json",
            |k| matches!(k, MessageKind::Media { media_type, .. } if media_type == "document"),
        ),
        (
            "inbound_sticker.json",
            |k| matches!(k, MessageKind::Media { media_type, .. } if media_type == "sticker"),
        ),
        ("inbound_location.json", |k| matches!(k, MessageKind::Location { .. })),
        ("inbound_contacts.json", |k| matches!(k, MessageKind::Contacts { count } if *count >= 1)),
        ("inbound_interactive_button_reply.json", |k| matches!(k, MessageKind::Interactive { .. })),
        ("inbound_interactive_list_reply.json", |k| k.text() == Some("Priority Mail Express")),
        ("inbound_button_template_quick_reply.json", |k| {
            matches!(k, MessageKind::Button { .. }) && k.text().is_some()
        }),
        ("inbound_reaction.json", |k| matches!(k, MessageKind::Reaction { emoji: Some(_), .. })),
        ("inbound_reaction_removed_empty_emoji.json", |k| {
            matches!(k, MessageKind::Reaction { emoji: None, .. })
        }),
        (
            "inbound_system_customer_identity_changed.json",
            |k| matches!(k, MessageKind::System { system_type, .. } if system_type == "customer_identity_changed"),
        ),
        (
            "inbound_unsupported.json",
            |k| matches!(k, MessageKind::Unsupported { message_type } if message_type == "unsupported"),
        ),
        ("inbound_text_forwarded.json", |k| matches!(k, MessageKind::Text { .. })),
        ("inbound_text_product_inquiry_context.json", |k| matches!(k, MessageKind::Text { .. })),
        ("inbound_text_referral_placeholders.json", |k| matches!(k, MessageKind::Text { .. })),
    ];
    for (name, check) in cases {
        let m = one_message(name);
        assert!(check(&m.kind), "{name}: {:?}", m.kind);
        assert!(!m.kind.describe().trim().is_empty(), "{name}");
    }
    assert!(one_message("inbound_text_reply_context.json").context_id.is_some());
}

#[test]
fn a_batch_yields_every_message() {
    let events = parse(&fixture("batch_two_messages_one_change.json")).unwrap();
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.wamid.as_str()),
            _ => None,
        })
        .collect();
    // Both are returned, even though this public sample reuses one id: deduplication is
    // storage's job, per tenant and wamid.
    assert_eq!(ids, ["external_id", "external_id"]);
}

#[test]
fn statuses_parse_with_their_errors() {
    let status = |name: &str| match parse(&fixture(name)).unwrap().into_iter().next() {
        Some(Event::Status(s)) => s,
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(status("status_sent.json").status, DeliveryStatus::Sent);
    assert_eq!(status("status_delivered.json").status, DeliveryStatus::Delivered);
    assert_eq!(status("status_read.json").status, DeliveryStatus::Read);
    let pmp = status("status_delivered_pmp_username_user.json");
    assert_eq!(pmp.status, DeliveryStatus::Delivered);
    let failed = status("status_failed_131014_cbp.json");
    assert_eq!((failed.status, failed.error_code), (DeliveryStatus::Failed, Some(131_014)));
    assert_eq!(status("status_failed_131053_title_only.json").error_code, Some(131_053));
    assert_eq!(status("status_failed_130472.json").error_code, Some(130_472));
    let tracked = status("status_sent_with_biz_opaque_callback_data.json");
    assert_eq!(tracked.callback_data.as_deref(), Some("some data"));
    assert_eq!(status("status_sent.json").callback_data, None);
}
