//! The bundled evaluation set meets the retrieval targets.

use alphadome_retrieval::eval::{TARGET_TOP1, TARGET_WRONG, evaluate_csv};

const KASSANGAS: &str = include_str!("../eval/kassangas.csv");
const UZIMA: &str = include_str!("../eval/uzima.csv");
const QUESTIONS: &str = include_str!("../eval/questions.csv");

#[test]
fn bundled_eval_meets_targets() {
    let report =
        evaluate_csv(&[("kassangas", KASSANGAS), ("uzima", UZIMA)], QUESTIONS).expect("eval files parse");
    let overall = report.tally(None, report.threshold);
    assert!(overall.total >= 120, "the eval set has {} messages", overall.total);
    assert!(
        overall.top1() >= TARGET_TOP1 && overall.wrong_rate() <= TARGET_WRONG,
        "targets not met:\n{report}"
    );
}

#[test]
fn csv_parsing_handles_quotes_and_reports_bad_lines() {
    use alphadome_retrieval::eval::{cases, documents, parse_csv};
    let records = parse_csv("a,b\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n").unwrap();
    assert_eq!(records, [vec!["a", "b"], vec!["x, \"y\"", "two\nlines"]]);
    assert!(parse_csv("a,\"b\n").is_err());

    let training = "data_type,question,answer,category,priority,is_active\n\
        faq,Q1?,A1,c,3,true\n\
        canned_reply,greeting,Hi,c,1,true\n\
        faq,Q2?,A2,c,2,false\n\
        example,Q3?,A3,c,1,true\n";
    let docs = documents(training).unwrap();
    assert_eq!(docs.iter().map(|d| d.question.as_str()).collect::<Vec<_>>(), ["Q1?", "Q3?"]);
    assert_eq!(docs[0].priority, 3);
    let bad = "data_type,question,answer,category,priority,is_active\nfaq,Q,A,c,high,true\n";
    assert_eq!(documents(bad).unwrap_err().line, 2);

    let parsed = cases("business,message,expected\nshop,hi,\nshop,price?,A?|B?\n").unwrap();
    assert!(parsed[0].expected.is_empty());
    assert_eq!(parsed[1].expected, ["A?", "B?"]);
}
