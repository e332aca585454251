//! WhatsApp Cloud API webhook payloads, parsed into the events Alphadome acts on.
//!
//! Parsing is tolerant by design: Meta adds fields and message types without notice, so
//! unknown fields are ignored, an unknown message type becomes [`MessageKind::Unsupported`],
//! and one odd message never rejects the rest of a batch. Every entry × change × message
//! and status is returned, not only the first.

use serde::Deserialize;
use serde_json::Value;

/// Why a webhook body could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or not the webhook envelope.
    #[error("the body is not a WhatsApp webhook envelope")]
    NotAnEnvelope,
}

/// One thing that happened, from one webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A customer's message to a business number.
    Message(InboundMessage),
    /// A delivery receipt for a message the business sent.
    Status(StatusUpdate),
    /// An out-of-band error Meta reports for a business number.
    Error {
        /// The business number concerned.
        phone_number_id: String,
        /// Meta's error objects.
        errors: Value,
    },
}

impl Event {
    /// The business number the event belongs to: the tenant routing key.
    pub fn phone_number_id(&self) -> &str {
        match self {
            Self::Message(m) => &m.phone_number_id,
            Self::Status(s) => &s.phone_number_id,
            Self::Error { phone_number_id, .. } => phone_number_id,
        }
    }
}

/// A customer's message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The business number that received it.
    pub phone_number_id: String,
    /// The WhatsApp Business Account (`entry.id`).
    pub waba_id: String,
    /// Meta's message id (`wamid.…`): the deduplication key.
    pub wamid: String,
    /// The customer's phone number (`wa_id`), possibly empty for username users.
    pub from: String,
    /// The customer's business-scoped user id, when Meta sends one.
    pub from_user_id: Option<String>,
    /// The customer's WhatsApp profile name.
    pub profile_name: Option<String>,
    /// When the customer sent it (Unix seconds).
    pub timestamp: i64,
    /// The message the customer replied to, if any.
    pub context_id: Option<String>,
    /// What was sent.
    pub kind: MessageKind,
    /// The message object as Meta sent it.
    pub raw: Value,
}

/// What a customer sent.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageKind {
    /// Plain text.
    Text {
        /// The text.
        body: String,
    },
    /// An image, audio, video, document or sticker.
    Media {
        /// `image`, `audio`, `video`, `document` or `sticker`.
        media_type: String,
        /// The caption, if any.
        caption: Option<String>,
        /// A voice note (audio recorded in the chat).
        voice: bool,
    },
    /// A shared location.
    Location {
        /// Latitude.
        latitude: f64,
        /// Longitude.
        longitude: f64,
        /// Place name, if any.
        name: Option<String>,
    },
    /// Shared contact cards.
    Contacts {
        /// How many cards.
        count: usize,
    },
    /// A tap on a reply button or a list row of an interactive message.
    Interactive {
        /// The option's id.
        id: String,
        /// The option's title, which counts as the customer's text.
        title: String,
    },
    /// A tap on a template's quick-reply button.
    Button {
        /// The button's payload.
        payload: String,
        /// The button's text, which counts as the customer's text.
        text: String,
    },
    /// A reaction to a message; `emoji` is `None` when a reaction is removed.
    Reaction {
        /// The message reacted to.
        message_id: String,
        /// The emoji.
        emoji: Option<String>,
    },
    /// An order from the catalogue.
    Order {
        /// Number of product lines.
        items: usize,
        /// The customer's note.
        text: Option<String>,
    },
    /// A system notice (number or identity changed).
    System {
        /// What changed (`user_changed_number`, `customer_identity_changed`, …).
        system_type: String,
        /// Meta's description.
        body: String,
    },
    /// A type Meta does not support, or one this version does not know.
    Unsupported {
        /// The `type` as sent.
        message_type: String,
    },
}

impl MessageKind {
    /// The text the bot should answer: typed text, or the chosen option of a button or list.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text { body } => Some(body),
            Self::Interactive { title, .. } => Some(title),
            Self::Button { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A one-line description for the message log.
    pub fn describe(&self) -> String {
        match self {
            Self::Text { body } => body.clone(),
            Self::Media { media_type, caption, voice } => {
                let what = if *voice { "voice note" } else { media_type.as_str() };
                caption.as_ref().map_or_else(|| format!("[{what}]"), |c| format!("[{what}] {c}"))
            }
            Self::Location { latitude, longitude, name } => {
                format!(
                    "[location] {}{latitude},{longitude}",
                    name.as_ref().map_or(String::new(), |n| format!("{n} "))
                )
            }
            Self::Contacts { count } => format!("[contacts] {count} card(s)"),
            Self::Interactive { title, .. } => title.clone(),
            Self::Button { text, .. } => text.clone(),
            Self::Reaction { emoji, .. } => format!("[reaction] {}", emoji.as_deref().unwrap_or("removed")),
            Self::Order { items, .. } => format!("[order] {items} item(s)"),
            Self::System { system_type, body } => format!("[system:{system_type}] {body}"),
            Self::Unsupported { message_type } => format!("[unsupported:{message_type}]"),
        }
    }
}

/// Delivery states of an outgoing message, in the order they can only move forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryStatus {
    /// Accepted by Meta.
    Sent,
    /// On the customer's phone.
    Delivered,
    /// Seen.
    Read,
    /// A voice message was played.
    Played,
    /// Will not be delivered; terminal.
    Failed,
}

impl DeliveryStatus {
    /// Parses Meta's status word.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sent" => Some(Self::Sent),
            "delivered" => Some(Self::Delivered),
            "read" => Some(Self::Read),
            "played" => Some(Self::Played),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Played => "played",
            Self::Failed => "failed",
        }
    }

    /// Whether moving from `self` to `next` is progress: statuses never go back (a late
    /// `delivered` after `read` is ignored) and `failed` is final.
    pub fn advances_to(self, next: Self) -> bool {
        self != Self::Failed && next > self
    }
}

/// A delivery receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// The business number that sent the message.
    pub phone_number_id: String,
    /// The sent message's id.
    pub wamid: String,
    /// The new state.
    pub status: DeliveryStatus,
    /// The customer's phone (may be empty).
    pub recipient_id: String,
    /// The customer's business-scoped user id, if sent.
    pub recipient_user_id: Option<String>,
    /// When (Unix seconds).
    pub timestamp: i64,
    /// Meta's first error code, on `failed`.
    pub error_code: Option<i64>,
    /// Its title.
    pub error_title: Option<String>,
    /// `biz_opaque_callback_data` echoed from the send (Alphadome puts the job id there, so
    /// a send whose outcome was lost in a crash can be matched to its receipts).
    pub callback_data: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: String,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    value: ChangeValue,
}

#[derive(Deserialize, Default)]
struct ChangeValue {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<Value>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
    #[serde(default)]
    errors: Vec<Value>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

/// Parses a webhook body into every event it carries. Messages and statuses without the
/// fields needed to act on them (no id, no business number) are skipped.
pub fn parse(body: &[u8]) -> Result<Vec<Event>, ParseError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| ParseError::NotAnEnvelope)?;
    if envelope.object != "whatsapp_business_account" {
        return Err(ParseError::NotAnEnvelope);
    }
    let mut events = Vec::new();
    for entry in envelope.entry {
        for change in entry.changes {
            let value = change.value;
            let Some(metadata) = value.metadata else { continue };
            let number = metadata.phone_number_id;
            for raw in value.messages {
                events.extend(message(&entry.id, &number, &value.contacts, raw).map(Event::Message));
            }
            for raw in value.statuses {
                events.extend(status(&number, &raw).map(Event::Status));
            }
            if !value.errors.is_empty() {
                events.push(Event::Error {
                    phone_number_id: number.clone(),
                    errors: Value::Array(value.errors),
                });
            }
        }
    }
    Ok(events)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, key| v.get(key))?.as_str()
}

fn owned(v: &Value, path: &[&str]) -> Option<String> {
    str_at(v, path).map(str::to_owned)
}

/// Meta sends Unix seconds as a string.
fn timestamp(v: &Value) -> i64 {
    match v.get("timestamp") {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

fn message(waba_id: &str, number: &str, contacts: &[Value], raw: Value) -> Option<InboundMessage> {
    let wamid = owned(&raw, &["id"]).filter(|id| !id.is_empty())?;
    let from = owned(&raw, &["from"]).unwrap_or_default();
    let from_user_id = owned(&raw, &["from_user_id"]).filter(|u| !u.is_empty());
    let contact = contacts
        .iter()
        .find(|c| {
            (!from.is_empty() && str_at(c, &["wa_id"]) == Some(from.as_str()))
                || (from_user_id.is_some() && str_at(c, &["user_id"]) == from_user_id.as_deref())
        })
        .or(if contacts.len() == 1 { contacts.first() } else { None });
    Some(InboundMessage {
        phone_number_id: number.to_owned(),
        waba_id: waba_id.to_owned(),
        wamid,
        from_user_id: from_user_id.or_else(|| contact.and_then(|c| owned(c, &["user_id"]))),
        from,
        profile_name: contact.and_then(|c| owned(c, &["profile", "name"])),
        timestamp: timestamp(&raw),
        context_id: owned(&raw, &["context", "id"]),
        kind: kind(&raw),
        raw,
    })
}

/// What a raw message object (one of `value.messages[]`) carries.
pub fn kind(raw: &Value) -> MessageKind {
    let message_type = str_at(raw, &["type"]).unwrap_or("unknown");
    let body = raw.get(message_type).unwrap_or(&Value::Null);
    let text = |path: &[&str]| owned(body, path);
    let parsed = match message_type {
        "text" => text(&["body"]).map(|body| MessageKind::Text { body }),
        "image" | "audio" | "video" | "document" | "sticker" => Some(MessageKind::Media {
            media_type: message_type.to_owned(),
            caption: text(&["caption"]),
            voice: body.get("voice").and_then(Value::as_bool).unwrap_or(false),
        }),
        "location" => match (
            body.get("latitude").and_then(Value::as_f64),
            body.get("longitude").and_then(Value::as_f64),
        ) {
            (Some(latitude), Some(longitude)) => {
                Some(MessageKind::Location { latitude, longitude, name: text(&["name"]) })
            }
            _ => None,
        },
        "contacts" => {
            raw.get("contacts").and_then(Value::as_array).map(|c| MessageKind::Contacts { count: c.len() })
        }
        "interactive" => {
            let reply = str_at(body, &["type"]).and_then(|t| body.get(t));
            reply.and_then(|r| {
                Some(MessageKind::Interactive { id: owned(r, &["id"])?, title: owned(r, &["title"])? })
            })
        }
        "button" => Some(MessageKind::Button {
            payload: text(&["payload"]).unwrap_or_default(),
            text: text(&["text"]).unwrap_or_default(),
        }),
        "reaction" => text(&["message_id"]).map(|message_id| MessageKind::Reaction {
            message_id,
            emoji: text(&["emoji"]).filter(|e| !e.is_empty()),
        }),
        "order" => Some(MessageKind::Order {
            items: body.get("product_items").and_then(Value::as_array).map_or(0, Vec::len),
            text: text(&["text"]),
        }),
        "system" => Some(MessageKind::System {
            system_type: text(&["type"]).unwrap_or_default(),
            body: text(&["body"]).unwrap_or_default(),
        }),
        _ => None,
    };
    parsed
        .unwrap_or_else(|| MessageKind::Unsupported { message_type: message_type.chars().take(40).collect() })
}

fn status(number: &str, raw: &Value) -> Option<StatusUpdate> {
    let first_error = raw.get("errors").and_then(Value::as_array).and_then(|e| e.first());
    Some(StatusUpdate {
        phone_number_id: number.to_owned(),
        wamid: owned(raw, &["id"]).filter(|id| !id.is_empty())?,
        status: DeliveryStatus::parse(str_at(raw, &["status"])?)?,
        recipient_id: owned(raw, &["recipient_id"]).unwrap_or_default(),
        recipient_user_id: owned(raw, &["recipient_user_id"]),
        timestamp: timestamp(raw),
        error_code: first_error.and_then(|e| e.get("code")).and_then(Value::as_i64),
        error_title: first_error.and_then(|e| owned(e, &["title"])),
        callback_data: owned(raw, &["biz_opaque_callback_data"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_only_move_forward_and_failed_is_final() {
        use DeliveryStatus::*;
        assert!(Sent.advances_to(Delivered) && Delivered.advances_to(Read) && Sent.advances_to(Read));
        assert!(!Read.advances_to(Delivered) && !Read.advances_to(Read));
        assert!(Read.advances_to(Failed) && !Failed.advances_to(Read));
    }

    #[test]
    fn garbage_is_not_an_envelope_but_odd_members_are_skipped() {
        assert_eq!(parse(b"not json"), Err(ParseError::NotAnEnvelope));
        assert_eq!(parse(b"[]"), Err(ParseError::NotAnEnvelope));
        let odd = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"metadata":{"phone_number_id":"9"},
            "messages":[{"type":"text"},{"id":"wamid.x","type":"hologram","hologram":{}}],
            "statuses":[{"id":"wamid.y","status":"teleported"}]}}]}]}"#;
        let events = parse(odd).unwrap();
        assert_eq!(events.len(), 1);
        let Event::Message(m) = &events[0] else { panic!() };
        assert_eq!(m.kind, MessageKind::Unsupported { message_type: "hologram".into() });
    }
}
