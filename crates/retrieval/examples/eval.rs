//! Runs the bundled retrieval evaluation and prints the results per
//! business and overall, every failure, and a threshold sweep.
//!
//! `cargo run -p alphadome-retrieval --example eval --release`

use alphadome_retrieval::eval::{TARGET_TOP1, TARGET_WRONG, evaluate_csv};

const KASSANGAS: &str = include_str!("../eval/kassangas.csv");
const UZIMA: &str = include_str!("../eval/uzima.csv");
const QUESTIONS: &str = include_str!("../eval/questions.csv");
const HOLDOUT: &str = include_str!("../eval/holdout.csv");

fn main() {
    let report = match evaluate_csv(&[("kassangas", KASSANGAS), ("uzima", UZIMA)], QUESTIONS) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("eval: {e}");
            std::process::exit(2);
        }
    };
    print!("{report}");
    println!("threshold sweep (overall):");
    for step in 0..=14 {
        let t = 0.30 + 0.025 * f64::from(step);
        let s = report.tally(None, t);
        println!(
            "  {t:.3}: top-1 {:>5.1}%  wrong {:>4.1}%  abstain {:>5.1}%",
            100.0 * s.top1(),
            100.0 * s.wrong_rate(),
            100.0 * s.abstain_rate()
        );
    }
    match evaluate_csv(&[("kassangas", KASSANGAS), ("uzima", UZIMA)], HOLDOUT) {
        Ok(holdout) => {
            println!("\nheld-out set (eval/holdout.csv; see the `eval` module docs for how it was used):");
            print!("{holdout}");
        }
        Err(e) => eprintln!("eval: holdout: {e}"),
    }
    println!("calibrated threshold (wrong answer costs 3 misses): {:.3}", report.calibrate(3.0));
    let ok = report.meets_targets();
    println!(
        "targets (top-1 >= {:.0}%, wrong <= {:.0}%): {}",
        100.0 * TARGET_TOP1,
        100.0 * TARGET_WRONG,
        if ok { "met" } else { "NOT met" }
    );
    if !ok {
        std::process::exit(1);
    }
}
