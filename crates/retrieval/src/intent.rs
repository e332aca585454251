//! Canned intents (greeting, thanks, help, a human, goodbye), recognised
//! before retrieval, in English, Swahili and Sheng — but only when the
//! message is *just* that intent. "Niaje" is a greeting; "niaje, mko na
//! drums?" is a question with a greeting around it and goes to retrieval.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::analyze::expand_abbreviations;
use crate::text::tokens;

/// A canned intent the reply engine answers with the tenant's canned reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    /// "hi", "niaje", "habari yako", "good morning".
    Greeting,
    /// "thanks", "asante sana".
    Thanks,
    /// "help", "nisaidie", "what can you do".
    Help,
    /// A request for a person: "agent", "talk to a human", "nataka kuongea na mtu".
    Human,
    /// "bye", "kwaheri", "good night".
    Goodbye,
}

impl Intent {
    /// The name used for the matching canned reply (`greeting`, `thanks`,
    /// `help`, `human`, `goodbye`).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Help => "help",
            Intent::Human => "human",
            Intent::Goodbye => "goodbye",
        }
    }

    /// When a message holds several intents, the most actionable wins:
    /// a request for a person over help, over goodbye, thanks, greeting.
    fn rank(self) -> u8 {
        match self {
            Intent::Human => 5,
            Intent::Help => 4,
            Intent::Goodbye => 3,
            Intent::Thanks => 2,
            Intent::Greeting => 1,
        }
    }
}

/// Words and phrases of each intent, comma-separated.
const INTENTS: &[(Intent, &str)] = &[
    (
        Intent::Greeting,
        "hi, hii, hello, helo, hallo, hellow, hey, heey, heyy, hola, yo, sup, wassup, whatsup,
         greetings, niaje, niajeni, sasa, mambo, vipi, habari, jambo, hujambo, salaam, salam,
         salamu, shikamoo, morning, afternoon, evening, asubuhi, mchana, jioni, good morning,
         good afternoon, good evening, good day, how are you, how is it going, whats up, uko aje,
         mko aje, uko poa, mko poa, sema, rada, hi there, hey there, habari yako, habari zenu,
         habari gani, habari za asubuhi, habari za mchana, habari za jioni, hamjambo, hey boss",
    ),
    (
        Intent::Thanks,
        "thanks, thank, thankyou, thanx, asante, asanteni, shukran, shukrani, nashukuru,
         tunashukuru, appreciated, appreciate, thank you, much appreciated, god bless, ubarikiwe,
         mbarikiwe, barikiwa",
    ),
    (
        Intent::Help,
        "help, msaada, saidia, nisaidie, tusaidie, kusaidia, menu, options, what can you do,
         how does this work, usaidizi, how can you help",
    ),
    (
        Intent::Human,
        "human, agent, person, representative, rep, operator, staff, attendant, mtu, binadamu,
         real person, live agent, customer care, customer service, customer support, talk, speak,
         ongea, kuongea, niongee, tuongee, zungumza, kuzungumza, call me, nipigie, nipigie simu,
         manager, owner, someone, somebody, mtu halisi, live person",
    ),
    (
        Intent::Goodbye,
        "bye, byee, goodbye, kwaheri, kwa heri, see you, see ya, baadaye, tutaonana, usiku mwema,
         good night, goodnight, lala salama, ciao, bye bye, have a nice day, take care, siku njema,
         later, cheers",
    ),
];

/// Words that may surround an intent without changing it.
const FILLER: &str = "i, me, my, we, us, you, your, to, a, an, the, with, can, could, would,
    will, may, want, wanna, need, like, please, kindly, just, now, right, there, here, some,
    one, na, ni, kwa, ya, za, nataka, tunataka, ninataka, tafadhali, naomba, tunaomba, ningependa,
    boss, bro, sis, madam, sir, maam, mkuu, buda, msee, bana, ok, okay, sawa, poa, so, very,
    much, sana, all, guys, team, again, tena, too, pia, oh, ah, eh, hmm, lol, haha, good, great,
    nice, fine, yes, yeah, ndio, ndiyo, hapo, asap, and, for, am, is, are, it, this, that, dear,
    friend, how, do, does, get, lot, alot, nzuri, safi, fiti, fresh, freshi, shwari, also, wewe,
    nyinyi, mimi, yenu, yako, zenu, then, hapa, well, everything, real, quick, sasa, mzee, maze,
    manze, wasee, nyote, wote, bado, kidogo, please, someone, more, about, info, information";

/// Phrase or word → intent (`None` for filler).
static WORDS: LazyLock<HashMap<String, Option<Intent>>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for w in FILLER.split(',').map(str::trim) {
        map.insert(w.to_string(), None);
    }
    for (intent, list) in INTENTS {
        for w in list.split(',') {
            map.insert(w.split_whitespace().collect::<Vec<_>>().join(" "), Some(*intent));
        }
    }
    map
});

const MAX_PHRASE: usize = 4;

/// The canned intent of `message` if it is *only* that intent (plus filler
/// such as "boss", "please", "sana"); `None` if it carries anything else,
/// which then goes to retrieval.
pub fn intent(message: &str) -> Option<Intent> {
    let words = expand_abbreviations(tokens(message));
    let mut found: Option<Intent> = None;
    let mut i = 0;
    while i < words.len() {
        let (n, meaning) = (1..=MAX_PHRASE.min(words.len() - i))
            .rev()
            .find_map(|n| WORDS.get(&words[i..i + n].join(" ")).map(|m| (n, *m)))?;
        if let Some(m) = meaning
            && found.is_none_or(|f| m.rank() > f.rank())
        {
            found = Some(m);
        }
        i += n;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_intents_in_english_swahili_and_sheng() {
        for (msg, want) in [
            ("hi", Intent::Greeting),
            ("Niaje", Intent::Greeting),
            ("niaje boss", Intent::Greeting),
            ("Habari yako?", Intent::Greeting),
            ("sasa, mambo vipi", Intent::Greeting),
            ("Good morning!", Intent::Greeting),
            ("hw r u", Intent::Greeting),
            ("asante sana", Intent::Thanks),
            ("Thank you so much!", Intent::Thanks),
            ("ok thx", Intent::Thanks),
            ("help", Intent::Help),
            ("nisaidie tafadhali", Intent::Help),
            ("what can you do?", Intent::Help),
            ("nataka kuongea na mtu", Intent::Human),
            ("talk to a human", Intent::Human),
            ("agent", Intent::Human),
            ("Can I speak to someone please", Intent::Human),
            ("customer care", Intent::Human),
            ("kwaheri", Intent::Goodbye),
            ("ok bye", Intent::Goodbye),
            ("asante, kwaheri", Intent::Goodbye),
            ("hi, I need help", Intent::Help),
        ] {
            assert_eq!(intent(msg), Some(want), "{msg}");
        }
    }

    #[test]
    fn questions_with_greetings_around_them_are_not_intents() {
        for msg in [
            "niaje, mko na drums?",
            "hi do you have bass guitars? how much",
            "thanks, what time do you open?",
            "help me pay with mpesa",
            "can i speak to gideon",
            "good price?",
            "",
            "?!",
        ] {
            assert_eq!(intent(msg), None, "{msg}");
        }
    }
}
