//! CSV in and out. The browser splits the file into records (so it can show the columns and
//! send large files in parts with a progress bar), the person maps columns to fields, and the
//! server turns each mapped row into a transaction with the same rules as the form.
//!
//! The export writes the fields under their own names, so a file exported here re-imports with
//! the mapping guessed exactly and gives the same transactions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::transaction::{Field, Transaction, TransactionInput, TxError};

use crate::kit::sentences::{says, Sentence};

/// Rows sent to the server in one request.
pub const CHUNK_ROWS: usize = 1_000;
/// Rows one import takes at most.
pub const MAX_ROWS: usize = 100_000;

/// The columns of an exported file, in order; `Field::ALL` order.
pub const EXPORT_HEADER: [&str; 12] = [
    "date", "type", "symbol", "shares", "price", "fees", "amount", "ratio", "currency", "note",
    "name", "sector",
];

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Date,
        Field::Kind,
        Field::Symbol,
        Field::Shares,
        Field::Price,
        Field::Fees,
        Field::Amount,
        Field::Ratio,
        Field::Currency,
        Field::Note,
        Field::Name,
        Field::Sector,
    ];

    /// The column name in an exported file.
    pub fn column(self) -> &'static str {
        EXPORT_HEADER[Field::ALL
            .iter()
            .position(|f| *f == self)
            .expect("every field is in ALL")]
    }

    /// Header names other apps and brokers use for the field (lower case).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Date => &[
                "date",
                "trade date",
                "purchase date",
                "transaction date",
                "settlement date",
                "time",
                "datetime",
            ],
            Field::Kind => &[
                "type",
                "action",
                "side",
                "transaction",
                "transaction type",
                "activity",
            ],
            Field::Symbol => &["symbol", "ticker", "code", "instrument", "security"],
            Field::Shares => &[
                "shares",
                "quantity",
                "qty",
                "units",
                "amount of shares",
                "no. of shares",
            ],
            Field::Price => &[
                "price",
                "unit price",
                "average price",
                "avg price",
                "cost per share",
                "share price",
                "price per share",
            ],
            Field::Fees => &["fees", "fee", "commission", "commissions", "charges"],
            Field::Amount => &["amount", "total", "net amount", "value", "cash"],
            Field::Ratio => &["ratio", "split ratio"],
            Field::Currency => &["currency", "ccy"],
            Field::Note => &["note", "notes", "memo", "description", "comment"],
            Field::Name => &["name", "company", "company name", "security name"],
            Field::Sector => &["sector", "industry"],
        }
    }
}

/// Which column holds each field (0-based); a field with no column is left blank.
pub type Mapping = BTreeMap<Field, usize>;

/// The mapping a header row most likely means.
pub fn guess_mapping(header: &[String]) -> Mapping {
    let mut mapping = Mapping::new();
    for field in Field::ALL {
        let found = header.iter().position(|name| {
            let name = name.trim().to_lowercase();
            field.aliases().contains(&name.as_str())
        });
        if let Some(column) = found {
            if !mapping.values().any(|c| *c == column) {
                mapping.insert(field, column);
            }
        }
    }
    mapping
}

/// Whether a mapping can import anything: every row needs at least a date.
pub fn mapping_problem(mapping: &Mapping) -> Option<Sentence> {
    if !mapping.contains_key(&Field::Date) {
        return Some(says!("server.portfolio.import_date_column"));
    }
    let mut columns: Vec<usize> = mapping.values().copied().collect();
    columns.sort_unstable();
    columns.dedup();
    (columns.len() != mapping.len()).then(|| says!("server.portfolio.import_one_field"))
}

/// The row as the transaction form would have it.
pub fn input_from_row(row: &[String], mapping: &Mapping) -> TransactionInput {
    let get = |field: Field| {
        mapping
            .get(&field)
            .and_then(|c| row.get(*c))
            .cloned()
            .unwrap_or_default()
    };
    TransactionInput {
        kind: get(Field::Kind),
        date: get(Field::Date),
        symbol: get(Field::Symbol),
        shares: get(Field::Shares),
        price: get(Field::Price),
        fees: get(Field::Fees),
        amount: get(Field::Amount),
        ratio: get(Field::Ratio),
        currency: get(Field::Currency),
        note: get(Field::Note),
        name: get(Field::Name),
        sector: get(Field::Sector),
    }
}

/// A row that was not imported, and why. `row` counts lines of the file from 1, the header
/// included, as a spreadsheet numbers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub row: usize,
    pub error: TxError,
}

/// Splits CSV text into records: commas or semicolons (whichever the first line uses more),
/// double quotes around fields that hold them or line breaks, `""` for a quote, CRLF or LF, a
/// byte-order mark ignored, blank lines skipped.
pub fn records(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        ';'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            c if c == delimiter && !quoted => row.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f| !f.trim().is_empty()) {
                    rows.push(std::mem::take(&mut row));
                } else {
                    row.clear();
                }
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        if row.iter().any(|f| !f.trim().is_empty()) {
            rows.push(row);
        }
    }
    rows
}

fn escape(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The transactions as a CSV file (header first, in date order as given).
pub fn export(transactions: &[Transaction]) -> String {
    let mut out = EXPORT_HEADER.join(",");
    out.push('\n');
    for t in transactions {
        let input = t.input();
        let fields = [
            input.date,
            input.kind,
            input.symbol,
            input.shares,
            input.price,
            input.fees,
            input.amount,
            input.ratio,
            input.currency,
            input.note,
            input.name,
            input.sector,
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| escape(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(row: &[&str]) -> Vec<String> {
        row.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn records_with_quotes_line_breaks_and_semicolons() {
        let text = "\u{feff}Date,Symbol,Note\r\n2024-03-01,AAPL,\"first, \"\"big\"\" buy\nsecond line\"\r\n\r\n2024-03-02,MSFT,\n";
        let rows = records(text);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1],
            strings(&["2024-03-01", "AAPL", "first, \"big\" buy\nsecond line"])
        );
        assert_eq!(rows[2], strings(&["2024-03-02", "MSFT", ""]));
        let european = records("Datum;Symbol;Preis\n2024-03-01;SAP.DE;123,45");
        assert_eq!(european[1], strings(&["2024-03-01", "SAP.DE", "123,45"]));
        assert_eq!(records("a,b\n1,2").len(), 2, "no newline at the end");
    }

    #[test]
    fn mapping_is_guessed_from_common_headers() {
        let header = strings(&[
            "Trade Date",
            "Action",
            "Ticker",
            "Quantity",
            "Price",
            "Commission",
            "Description",
        ]);
        let mapping = guess_mapping(&header);
        assert_eq!(mapping[&Field::Date], 0);
        assert_eq!(mapping[&Field::Kind], 1);
        assert_eq!(mapping[&Field::Symbol], 2);
        assert_eq!(mapping[&Field::Shares], 3);
        assert_eq!(mapping[&Field::Fees], 5);
        assert_eq!(mapping[&Field::Note], 6);
        assert!(!mapping.contains_key(&Field::Amount));
        assert_eq!(mapping_problem(&mapping), None);
        assert_eq!(
            mapping_problem(&Mapping::new())
                .map(|s| s.to_string())
                .as_deref(),
            Some("Choose the column that holds the date.")
        );
        let twice = Mapping::from([(Field::Date, 0), (Field::Symbol, 0)]);
        assert_eq!(
            mapping_problem(&twice).map(|s| s.to_string()).as_deref(),
            Some("Each column can fill only one field.")
        );
    }

    #[test]
    fn export_reads_back_the_same() {
        let inputs = [
            TransactionInput {
                kind: "BUY".into(),
                date: "2024-03-01".into(),
                symbol: "AAPL".into(),
                shares: "10".into(),
                price: "93.42".into(),
                fees: "1".into(),
                note: "a \"note\", with a comma".into(),
                name: "Apple Inc.".into(),
                sector: "Technology".into(),
                ..Default::default()
            },
            TransactionInput {
                kind: "SPLIT".into(),
                date: "2024-06-10".into(),
                symbol: "AAPL".into(),
                ratio: "4".into(),
                ..Default::default()
            },
            TransactionInput {
                kind: "DEPOSIT".into(),
                date: "2024-01-01".into(),
                amount: "5000".into(),
                ..Default::default()
            },
        ];
        let stored: Vec<Transaction> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| Transaction {
                id: i.to_string(),
                data: input.validate("USD", "2026-11-23").unwrap(),
            })
            .collect();
        let file = export(&stored);
        let rows = records(&file);
        let mapping = guess_mapping(&rows[0]);
        assert_eq!(mapping.len(), 12);
        let back: Vec<_> = rows[1..]
            .iter()
            .map(|row| {
                input_from_row(row, &mapping)
                    .validate("USD", "2026-11-23")
                    .unwrap()
            })
            .collect();
        assert_eq!(back, stored.into_iter().map(|t| t.data).collect::<Vec<_>>());
    }
}
