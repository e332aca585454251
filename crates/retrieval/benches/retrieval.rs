//! Retrieval benchmark: latency of `Index::best` on a 10,000-entry tenant,
//! build time and memory, and 1,000 tenants × 100 entries.
//!
//! `cargo bench -p alphadome-retrieval --bench retrieval`
//!
//! The entries are synthetic but shaped like real shop FAQs: product,
//! brand, model, place and day vocabularies combined through question and
//! answer templates in English and Swahili, so the vocabulary is large and
//! varied (not 10,000 copies). Queries mix paraphrases, typos, SMS
//! abbreviations, Swahili/Sheng, greetings and out-of-scope words.

use std::hint::black_box;
use std::time::{Duration, Instant};

use alphadome_retrieval::{DocKind, Document, Index};

/// A small deterministic generator (SplitMix64), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PRODUCTS: &[&str] = &[
    "guitar",
    "keyboard",
    "piano",
    "drum kit",
    "violin",
    "saxophone",
    "trumpet",
    "flute",
    "ukulele",
    "amplifier",
    "microphone",
    "speaker",
    "mixer",
    "cable",
    "guitar strings",
    "capo",
    "tuner",
    "stand",
    "cement",
    "paint",
    "roofing sheets",
    "nails",
    "padlock",
    "wheelbarrow",
    "water tank",
    "pipes",
    "shampoo",
    "hair dye",
    "braids",
    "wig",
    "lotion",
    "perfume",
    "sunscreen",
    "vitamins",
    "diapers",
    "baby formula",
    "pregnancy test",
    "painkillers",
    "cough syrup",
    "glucometer",
    "bp machine",
    "laptop bag",
    "phone charger",
    "earphones",
    "power bank",
    "solar panel",
    "battery",
    "bulb",
    "school shoes",
    "uniform",
    "exercise books",
    "textbooks",
    "backpack",
    "bicycle",
    "helmet",
    "gas cylinder",
    "cooker",
    "fridge",
    "blender",
    "kettle",
    "iron box",
    "mattress",
    "bed",
    "sofa",
    "curtains",
    "carpet",
    "maize flour",
    "rice",
    "cooking oil",
    "sugar",
    "milk",
    "bread",
    "eggs",
];
const SWAHILI_PRODUCTS: &[&str] = &[
    "gitaa", "kinanda", "ngoma", "rangi", "misumari", "tanki", "dawa", "unga", "mafuta", "sukari", "maziwa",
    "mkate", "mayai", "kitanda", "godoro", "viatu", "sare", "vitabu", "baiskeli", "jiko",
];
const ADJECTIVES: &[&str] = &[
    "acoustic",
    "electric",
    "digital",
    "second-hand",
    "new",
    "small",
    "large",
    "cheap",
    "premium",
    "kids",
    "adult",
    "portable",
    "waterproof",
    "wireless",
    "heavy duty",
    "original",
    "imported",
];
const PLACES: &[&str] = &[
    "Westlands",
    "Kilimani",
    "Rongai",
    "Kasarani",
    "Thika",
    "Mombasa",
    "Kisumu",
    "Nakuru",
    "Eldoret",
    "Ruaka",
    "Syokimau",
    "Embakasi",
    "Karen",
    "Kitengela",
    "Machakos",
    "Nyeri",
    "Meru",
    "Naivasha",
];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const SYLLABLES: &[&str] = &[
    "ka", "ro", "zen", "mi", "tek", "lo", "su", "van", "pro", "ma", "xi", "dor", "ne", "qua", "bel", "tor",
    "ri", "sa", "mon", "ty", "lux", "vi", "ga", "ster",
];

/// An invented brand or model name, for a realistically large vocabulary.
fn brand(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    let mut s: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if rng.below(3) == 0 {
        s.push_str(&format!(" {}{}", rng.pick(&["X", "Pro ", "S", "M"]), 10 + rng.below(990)));
    }
    s
}

fn entry(rng: &mut Rng, id: usize) -> Document<usize> {
    let p = rng.pick(PRODUCTS);
    let b = brand(rng);
    let a = rng.pick(ADJECTIVES);
    let place = rng.pick(PLACES);
    let day = rng.pick(DAYS);
    let price = 500 + rng.below(200) * 250;
    let (question, answer) = match rng.below(12) {
        0 => (
            format!("Do you sell {a} {p}?"),
            format!(
                "Yes, we stock {a} {p} from {b} and other brands. Prices start at KSh {price}; ask us which models are in the shop today."
            ),
        ),
        1 => (
            format!("How much is the {b} {p}?"),
            format!(
                "The {b} {p} costs KSh {price}. We also have cheaper {a} options; tell us your budget and we will advise."
            ),
        ),
        2 => (
            format!("Do you deliver {p} to {place}?"),
            format!(
                "Yes, we deliver {p} to {place} within one or two days. Delivery to {place} costs KSh {} and you pay on M-Pesa.",
                100 + rng.below(40) * 25
            ),
        ),
        3 => (
            format!("Is the {b} {p} available?"),
            format!(
                "The {b} {p} is usually in stock. Send us a message before you come and we will keep one for you until {day}."
            ),
        ),
        4 => (
            format!("Does the {b} {p} have a warranty?"),
            format!(
                "Yes, the {b} {p} has a {} month warranty against factory faults. Keep your receipt.",
                3 + rng.below(22)
            ),
        ),
        5 => (
            format!("Mnauza {} ya {b}?", rng.pick(SWAHILI_PRODUCTS)),
            format!(
                "Ndiyo, tuna {} za {b}. Bei inaanzia KSh {price}. Karibu dukani au tupigie.",
                rng.pick(SWAHILI_PRODUCTS)
            ),
        ),
        6 => (
            format!("Do you repair {b} {p}?"),
            format!(
                "Yes, our technician repairs {p}, including {b}. Bring it in any day except {day}; a check costs KSh {}.",
                200 + rng.below(10) * 50
            ),
        ),
        7 => (
            format!("Are you open on {day}?"),
            format!(
                "On {day} we open at {}am and close at {}pm. Our {place} branch keeps the same hours.",
                7 + rng.below(3),
                5 + rng.below(4)
            ),
        ),
        8 => (
            format!("Can I pay for the {p} in instalments?"),
            format!(
                "Yes, for {p} above KSh {price} you can pay a deposit and clear the balance within {} weeks, by M-Pesa or cash.",
                2 + rng.below(8)
            ),
        ),
        9 => (
            format!("Where is your {place} branch?"),
            format!(
                "Our {place} branch is next to the {} stage, opposite {b} House, ground floor.",
                rng.pick(&["matatu", "bus", "boda", "taxi"])
            ),
        ),
        10 => (
            format!("Do you have {b} {p} for {a} use?"),
            format!(
                "We have {b} {p} for {a} use in several sizes. Call or WhatsApp us to confirm availability before you come."
            ),
        ),
        _ => (
            format!("Bei ya {} ni ngapi?", rng.pick(SWAHILI_PRODUCTS)),
            format!(
                "Bei inategemea aina na ukubwa, kuanzia KSh {price}. Tutumie ujumbe tukueleze zaidi kuhusu {b}."
            ),
        ),
    };
    Document { id, kind: DocKind::Faq, question, answer, priority: rng.below(20) as i32, confidence: 1.0 }
}

/// Introduces one realistic typo (drop, double, swap or replace a letter).
fn typo(rng: &mut Rng, word: &str) -> String {
    let mut b: Vec<u8> = word.bytes().collect();
    if b.len() < 4 || !word.is_ascii() {
        return word.to_string();
    }
    let i = 1 + rng.below(b.len() - 2);
    match rng.below(4) {
        0 => {
            b.remove(i);
        }
        1 => b.insert(i, b[i]),
        2 => b.swap(i, i + 1),
        _ => b[i] = b"aeiou"[rng.below(5)],
    }
    String::from_utf8(b).unwrap_or_default()
}

fn query(rng: &mut Rng) -> String {
    let p = rng.pick(PRODUCTS);
    let sw = rng.pick(SWAHILI_PRODUCTS);
    let place = rng.pick(PLACES).to_lowercase();
    let b = brand(rng).to_lowercase();
    let body = match rng.below(14) {
        0 => format!("hw much is {p}"),
        1 => format!("mnauza {sw}?"),
        2 => format!("do u deliver to {place}"),
        3 => format!("bei ya {sw} ni ngapi"),
        4 => format!("{} {} available?", b, typo(rng, p)),
        5 => format!("r u open on {}", rng.pick(DAYS).to_lowercase()),
        6 => format!("mko na {p} ya {b}"),
        7 => format!("can you fix my {b} {}", typo(rng, p)),
        8 => format!("warranty ya {p} ni miezi ngapi"),
        9 => "do you sell laptops and smartphones".to_string(),
        10 => format!("nataka kulipa {p} kwa installments"),
        11 => format!("where is your {place} branch located"),
        12 => format!("wat tym do you close 2day, i want {}", typo(rng, p)),
        _ => format!("is the {b} {p} in stock"),
    };
    match rng.below(4) {
        0 => format!("niaje boss, {body}"),
        1 => format!("Hello, good morning. {body}? Thank you"),
        _ => body,
    }
}

fn raw_bytes(docs: &[Document<usize>]) -> usize {
    docs.iter().map(|d| d.question.len() + d.answer.len()).sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn big_tenant() {
    let mut rng = Rng(42);
    let docs: Vec<Document<usize>> = (0..10_000).map(|i| entry(&mut rng, i)).collect();
    let raw = raw_bytes(&docs);
    let started = Instant::now();
    let index = Index::build(docs);
    let build = started.elapsed();
    let heap = index.heap_bytes();
    let queries: Vec<String> = (0..5_000).map(|_| query(&mut rng)).collect();
    for q in queries.iter().take(500) {
        black_box(index.best(q));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut answered = 0;
    for q in &queries {
        let t = Instant::now();
        let hit = black_box(index.best(black_box(q)));
        times.push(t.elapsed());
        answered += usize::from(hit.is_some());
    }
    times.sort_unstable();
    let long: String = queries.iter().take(80).map(String::as_str).collect::<Vec<_>>().join(" ");
    let long = &long[..long.len().min(4096)];
    let started = Instant::now();
    black_box(index.best(black_box(long)));
    let long_time = started.elapsed();
    println!("10,000-entry tenant");
    println!("  build                {:>10.1} ms", build.as_secs_f64() * 1e3);
    println!("  raw text bytes       {raw:>10}");
    println!("  heap bytes           {heap:>10}");
    println!("  heap / raw           {:>10.2}", heap as f64 / raw as f64);
    println!("  queries              {:>10} ({answered} answered above threshold)", queries.len());
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)] {
        println!("  best {name:<6}          {:>10.1} µs", percentile(&times, p).as_secs_f64() * 1e6);
    }
    println!("  best, {}-byte message {:>7.1} µs", long.len(), long_time.as_secs_f64() * 1e6);
}

fn many_tenants() {
    let mut rng = Rng(7);
    let tenants: Vec<Vec<Document<usize>>> =
        (0..1_000).map(|_| (0..100).map(|i| entry(&mut rng, i)).collect()).collect();
    let raw: usize = tenants.iter().map(|t| raw_bytes(t)).sum();
    let started = Instant::now();
    let indexes: Vec<Index<usize>> = tenants.into_iter().map(Index::build).collect();
    let build = started.elapsed();
    let heap: usize = indexes.iter().map(Index::heap_bytes).sum();
    let queries: Vec<String> = (0..2_000).map(|_| query(&mut rng)).collect();
    let mut times: Vec<Duration> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let t = Instant::now();
            black_box(indexes[i % indexes.len()].best(black_box(q)));
            t.elapsed()
        })
        .collect();
    times.sort_unstable();
    println!("1,000 tenants × 100 entries");
    println!("  build (all)          {:>10.1} ms", build.as_secs_f64() * 1e3);
    println!("  raw text bytes       {raw:>10}");
    println!("  heap bytes (all)     {heap:>10}");
    println!("  heap / raw           {:>10.2}", heap as f64 / raw as f64);
    println!(
        "  best p50 / p99       {:>7.1} / {:.1} µs",
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this
    // without it, and then a quick smoke run is enough.
    if !std::env::args().any(|a| a == "--bench") {
        let mut rng = Rng(1);
        let index = Index::build((0..200).map(|i| entry(&mut rng, i)).collect());
        black_box(index.best(&query(&mut rng)));
        return;
    }
    big_tenant();
    many_tenants();
}
