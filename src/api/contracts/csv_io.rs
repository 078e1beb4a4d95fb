//! CSV reading and writing: the returns import and the compliance export.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::validation::{FieldError, ValidationErrors};
use crate::error::{AppError, ErrorCode};
use crate::services::contracts::{ComplianceReport, ObservationInput, wire_name};

/// The CSV import format: a header row, then one return per row. Columns `term_id` and
/// `period_start` (YYYY-MM-DD) are required; `measure.<name>` columns carry values,
/// `dimension.<name>` columns dimensions; optional `supersedes`, `evidence_name`,
/// `evidence_uri`, `evidence_sha256`. Empty cells are absent values.
const COLUMNS: [&str; 6] = [
    "term_id",
    "period_start",
    "supersedes",
    "evidence_name",
    "evidence_uri",
    "evidence_sha256",
];

fn is_known_column(header: &str) -> bool {
    COLUMNS.contains(&header)
        || header
            .strip_prefix("measure.")
            .is_some_and(|n| !n.is_empty())
        || header
            .strip_prefix("dimension.")
            .is_some_and(|n| !n.is_empty())
}

pub(super) fn parse_csv(bytes: &[u8]) -> Result<Vec<ObservationInput>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let bad = |detail: String| AppError::client(ErrorCode::InvalidBody, detail);
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("the CSV header cannot be read: {e}")))?
        .clone();
    for required in ["term_id", "period_start"] {
        if !headers.iter().any(|h| h == required) {
            return Err(AppError::with_field(
                ErrorCode::InvalidBody,
                "the CSV header lacks a required column",
                FieldError::new("header", format!("needs a `{required}` column")),
            ));
        }
    }
    let mut errors = ValidationErrors::default();
    let mut rows = Vec::new();
    // An unknown column is reported once, by its header, not once per row.
    for h in headers.iter().filter(|h| !is_known_column(h)) {
        let shown: String = h.chars().take(100).collect();
        errors.push(format!("header.{shown}"), "unknown column");
    }
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("CSV row {} cannot be read: {e}", i + 1)))?;
        let at = format!("rows[{i}]");
        let mut input = ObservationInput {
            term_id: String::new(),
            period_start: None,
            measures: BTreeMap::new(),
            dimensions: BTreeMap::new(),
            evidence: Vec::new(),
            supersedes: None,
        };
        let mut evidence = crate::domain::contract::Evidence {
            name: String::new(),
            uri: None,
            sha256: None,
        };
        for (header, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            match header {
                "term_id" => input.term_id = cell.to_string(),
                "period_start" => {
                    input.period_start = errors.check(
                        format!("{at}.period_start"),
                        cell.parse::<NaiveDate>()
                            .map_err(|e| format!("must be a date YYYY-MM-DD ({e})")),
                    )
                }
                "supersedes" => input.supersedes = Some(cell.to_string()),
                "evidence_name" => evidence.name = cell.to_string(),
                "evidence_uri" => evidence.uri = Some(cell.to_string()),
                "evidence_sha256" => evidence.sha256 = Some(cell.to_string()),
                h => {
                    if let Some(name) = h.strip_prefix("measure.") {
                        if let Some(v) = errors.check(
                            format!("{at}.measures.{name}"),
                            crate::api::wire::decimal::parse_decimal(cell),
                        ) {
                            input.measures.insert(name.to_string(), v);
                        }
                    } else if let Some(name) = h.strip_prefix("dimension.") {
                        input.dimensions.insert(name.to_string(), cell.to_string());
                    }
                }
            }
        }
        if !evidence.name.is_empty() || evidence.uri.is_some() || evidence.sha256.is_some() {
            input.evidence.push(evidence);
        }
        rows.push(input);
    }
    // Cells that do not read as their column's type are a malformed body, as the same value
    // would be in JSON; the rules are checked afterwards, as for JSON.
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::rejected(
            ErrorCode::InvalidBody,
            "the CSV does not have the expected shape; see errors",
            errors,
        ))
    }
}

pub(super) fn compliance_csv(report: &ComplianceReport) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| AppError::internal(e);
    w.write_record([
        "term_id",
        "term_title",
        "kind",
        "period_start",
        "period_end",
        "status",
        "rating",
        "expected",
        "achieved",
        "attainment_percent",
        "money",
        "breach",
        "late",
        "evidence_missing",
        "observation_id",
        "explanation",
    ])
    .map_err(csv_err)?;
    for t in &report.terms {
        for p in &t.periods {
            let a = &p.assessment;
            let money: Vec<String> = a
                .money
                .iter()
                .map(|m| format!("{}={}", wire_name(&m.kind), m.amount))
                .collect();
            let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                t.term.id.to_string(),
                t.term.title.clone(),
                wire_name(&t.term.spec.kind),
                a.period.start.to_string(),
                a.period.end.to_string(),
                wire_name(&a.status),
                wire_name(&a.rating),
                opt(a.expected),
                opt(a.achieved),
                opt(a.attainment_percent),
                money.join(";"),
                a.breach.to_string(),
                p.late.to_string(),
                p.evidence_missing.to_string(),
                p.observation
                    .as_ref()
                    .map(|o| o.id.to_string())
                    .unwrap_or_default(),
                a.explanation.clone(),
            ])
            .map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}
