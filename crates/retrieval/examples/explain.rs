//! Shows how a message is understood and scored against a training file.
//!
//! `cargo run -p alphadome-retrieval --example explain -- eval/kassangas.csv "hw much is a guitar"`

use alphadome_retrieval::{Index, THRESHOLD, eval, intent};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, messages @ ..] = args.as_slice() else {
        eprintln!("usage: explain TRAINING.csv MESSAGE...");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("explain: {file}: {e}");
        std::process::exit(2);
    });
    let docs = eval::documents(&text).unwrap_or_else(|e| {
        eprintln!("explain: {file}: {e}");
        std::process::exit(2);
    });
    let index = Index::build(docs);
    for m in messages {
        println!("== {m:?}  intent {:?}  (threshold {THRESHOLD})", intent(m));
        print!("{}", index.explain(m, 3));
    }
}
