//! Bulk import and export of training data as CSV or JSON.
//!
//! Both formats carry the same six fields, in this order:
//! `data_type,question,answer,category,priority,is_active`. An import is parsed and
//! validated whole before anything is stored, so one bad row rejects the file and says
//! where it is.

use crate::ValidationError;
use crate::training::{DataType, TrainingEntryIn, TrainingFields};
use serde::{Deserialize, Serialize};

/// The CSV header, exactly.
pub const CSV_HEADER: [&str; 6] = ["data_type", "question", "answer", "category", "priority", "is_active"];

/// A file format for training data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with [`CSV_HEADER`].
    Csv,
    /// A JSON array of objects with the same fields.
    Json,
}

impl Format {
    /// Guesses the format from a file name, defaulting to CSV.
    pub fn from_file_name(name: &str) -> Self {
        if name.to_ascii_lowercase().ends_with(".json") { Self::Json } else { Self::Csv }
    }
}

impl std::str::FromStr for Format {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            _ => Err(ValidationError::new("format", "must be csv or json")),
        }
    }
}

/// Why an import was refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct ImportError {
    /// `line N` for CSV (counting the header as line 1), `entry N` for JSON.
    pub location: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ImportError {
    fn at(location: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { location: location.into(), problem: problem.into() }
    }
}

/// One row of the exchange format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    data_type: String,
    question: String,
    answer: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    priority: Option<i32>,
    #[serde(default)]
    is_active: Option<bool>,
}

impl Row {
    fn validate(self) -> Result<TrainingEntryIn, ValidationError> {
        TrainingFields {
            data_type: Some(self.data_type),
            question: Some(self.question),
            answer: Some(self.answer),
            category: self.category,
            priority: self.priority,
            confidence_score: None,
            is_active: self.is_active,
        }
        .validate()
    }

    fn from_entry(e: &TrainingEntryIn) -> Self {
        Self {
            data_type: e.data_type.as_str().to_owned(),
            question: e.question.clone(),
            answer: e.answer.clone(),
            category: e.category.clone(),
            priority: Some(e.priority),
            is_active: Some(e.is_active),
        }
    }
}

/// Parses and validates a whole file. Nothing is returned unless every row is good.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Vec<TrainingEntryIn>, ImportError> {
    match format {
        Format::Csv => parse_csv(bytes),
        Format::Json => parse_json(bytes),
    }
}

fn parse_csv(bytes: &[u8]) -> Result<Vec<TrainingEntryIn>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // spreadsheets add a BOM
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(e, 1))?.clone();
    if header.iter().map(str::trim).ne(CSV_HEADER) {
        return Err(ImportError::at(
            "line 1",
            format!("the header must be exactly {}", CSV_HEADER.join(",")),
        ));
    }
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(e, 0))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |e: ValidationError| ImportError::at(format!("line {line}"), e.to_string());
        entries.push(csv_row(&record).map_err(at)?.validate().map_err(at)?);
    }
    Ok(entries)
}

fn csv_row(record: &csv::StringRecord) -> Result<Row, ValidationError> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let priority = match field(4).trim() {
        "" => None,
        p => Some(
            p.parse()
                .map_err(|_| ValidationError::new("priority", "must be a whole number from -1000 to 1000"))?,
        ),
    };
    Ok(Row {
        data_type: field(0).to_owned(),
        question: field(1).to_owned(),
        answer: field(2).to_owned(),
        category: Some(field(3).to_owned()),
        priority,
        is_active: parse_bool(field(5))?,
    })
}

fn parse_bool(s: &str) -> Result<Option<bool>, ValidationError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" => Ok(Some(true)),
        "false" | "0" | "no" => Ok(Some(false)),
        _ => Err(ValidationError::new("is_active", "must be true or false")),
    }
}

fn csv_error(e: csv::Error, fallback_line: u64) -> ImportError {
    let line = e.position().map_or(fallback_line, |p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_owned(),
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("has {len} fields, expected 6 (is a quote left open?)")
        }
        _ => "could not be read as CSV".to_owned(),
    };
    ImportError::at(format!("line {line}"), problem)
}

fn parse_json(bytes: &[u8]) -> Result<Vec<TrainingEntryIn>, ImportError> {
    let values: Vec<serde_json::Value> = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::at(format!("line {}", e.line()), "is not a JSON array of objects"))?;
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let at = |p: String| ImportError::at(format!("entry {}", i + 1), p);
            let row: Row = serde_json::from_value(value).map_err(|e| at(json_problem(&e)))?;
            row.validate().map_err(|e| at(e.to_string()))
        })
        .collect()
}

/// Explains a JSON shape error without echoing the data.
fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("unknown field") || text.starts_with("missing field") {
        text.split(", expected").next().unwrap_or(&text).to_owned()
    } else {
        format!("must be an object with the fields {}", CSV_HEADER.join(", "))
    }
}

/// Writes entries in the given format; [`parse`] reads the result back to the same entries.
pub fn write(format: Format, entries: &[TrainingEntryIn]) -> Vec<u8> {
    match format {
        Format::Csv => write_csv(entries),
        Format::Json => {
            let rows: Vec<Row> = entries.iter().map(Row::from_entry).collect();
            let mut out = serde_json::to_vec_pretty(&rows).expect("rows always serialise");
            out.push(b'\n');
            out
        }
    }
}

fn write_csv(entries: &[TrainingEntryIn]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).expect("writing to memory cannot fail");
    for e in entries {
        let priority = e.priority.to_string();
        let record = [
            e.data_type.as_str(),
            &e.question,
            &e.answer,
            e.category.as_deref().unwrap_or(""),
            &priority,
            if e.is_active { "true" } else { "false" },
        ];
        writer.write_record(record).expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

/// The data type of each entry, for summaries (`12 faq, 4 canned_reply`).
pub fn summary(entries: &[TrainingEntryIn]) -> String {
    [DataType::Faq, DataType::CannedReply, DataType::Example]
        .iter()
        .map(|dt| (dt, entries.iter().filter(|e| e.data_type == *dt).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(dt, n)| format!("{n} {dt}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "data_type,question,answer,category,priority,is_active\n\
        faq,When are you open?,\"Mon–Sat 9am–6pm, closed Sunday.\",Hours,10,true\n\
        canned_reply,greeting,Karibu! How can we help?,,0,\n\
        example,\"Do you sell \"\"Yamaha\"\" keyboards?\",\"Yes, several models.\nAsk for prices.\",Products,-5,false\n";

    #[test]
    fn csv_parses_and_round_trips() {
        let entries = parse(Format::Csv, GOOD.as_bytes()).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].answer, "Mon–Sat 9am–6pm, closed Sunday.");
        assert_eq!(entries[1].category, None);
        assert_eq!(entries[2].question, "Do you sell \"Yamaha\" keyboards?");
        assert!(!entries[2].is_active);
        let written = write(Format::Csv, &entries);
        assert_eq!(parse(Format::Csv, &written).unwrap(), entries);
        assert_eq!(write(Format::Csv, &parse(Format::Csv, &written).unwrap()), written);
    }

    #[test]
    fn json_round_trips() {
        let entries = parse(Format::Csv, GOOD.as_bytes()).unwrap();
        let json = write(Format::Json, &entries);
        assert_eq!(parse(Format::Json, &json).unwrap(), entries);
    }

    fn csv_error_of(body: &str) -> ImportError {
        parse(Format::Csv, format!("{}\n{body}", CSV_HEADER.join(",")).as_bytes()).unwrap_err()
    }

    #[test]
    fn bad_csv_rows_are_located() {
        let ok = "faq,q,a,,0,true\n";
        assert_eq!(csv_error_of(&format!("{ok}faqq,q,a,,0,true\n")).location, "line 3");
        assert_eq!(csv_error_of(&format!("{ok}{ok}faq,q,,,0,true\n")).location, "line 4");
        let e = csv_error_of("faq,q,a,,high,true\n");
        assert_eq!(e.location, "line 2");
        assert!(e.problem.contains("priority"));
        assert!(csv_error_of("faq,\"q,a,,0,true\nfaq,q,a,,0,true\n").problem.contains("fields"));
        assert!(csv_error_of("faq,q,a,,0,maybe\n").problem.contains("is_active"));
    }

    #[test]
    fn invalid_utf8_and_wrong_header_are_refused() {
        let mut bytes = format!("{}\nfaq,q,", CSV_HEADER.join(",")).into_bytes();
        bytes.extend_from_slice(b"\xff\xfe,,0,true\n");
        let e = parse(Format::Csv, &bytes).unwrap_err();
        assert_eq!(e.location, "line 2");
        assert!(e.problem.contains("UTF-8"));
        assert_eq!(parse(Format::Csv, b"question,answer\nq,a\n").unwrap_err().location, "line 1");
    }

    #[test]
    fn bad_json_is_located() {
        let e = parse(
            Format::Json,
            br#"[{"data_type":"faq","question":"q","answer":"a"},{"data_type":"faq","question":"q"}]"#,
        )
        .unwrap_err();
        assert_eq!(e.location, "entry 2");
        assert!(e.problem.contains("answer"), "{e}");
        assert!(parse(Format::Json, b"{not json").is_err());
        assert!(parse(Format::Json, br#"[{"data_type":"faq","question":"q","answer":"a","x":1}]"#).is_err());
    }
}
