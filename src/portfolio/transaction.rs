//! A transaction as a person types it (a form, a CSV row) and the rules that turn it into a
//! typed one. Shared by the browser (messages as the person types) and the server (which never
//! trusts the browser); `Display` gives the English sentence of the JSON API and the import
//! report, the UI shows the same error in the reader's language.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ledger::{Entry, Kind};

use crate::kit::sentences::{says, Sentence};

pub const NOTE_MAX: usize = 500;
pub const NAME_MAX: usize = 100;
pub const SECTOR_MAX: usize = 60;
/// No single figure above a trillion: a typo, not a trade.
const FIGURE_MAX: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// A field that scripts may send as a JSON number or string (`10`, `"10"`, `93.42`).
pub fn lenient<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Text(String),
        Number(serde_json::Number),
        Nothing(()),
    }
    Ok(match Lenient::deserialize(deserializer)? {
        Lenient::Text(text) => text,
        Lenient::Number(number) => number.to_string(),
        Lenient::Nothing(()) => String::new(),
    })
}

/// What a person typed, field by field (empty = left blank).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransactionInput {
    /// "BUY", "sell", "Dividend"…
    #[serde(deserialize_with = "lenient")]
    pub kind: String,
    /// "2024-03-01" (also 2024/03/01).
    #[serde(deserialize_with = "lenient")]
    pub date: String,
    #[serde(deserialize_with = "lenient")]
    pub symbol: String,
    #[serde(deserialize_with = "lenient")]
    pub shares: String,
    #[serde(deserialize_with = "lenient")]
    pub price: String,
    #[serde(deserialize_with = "lenient")]
    pub fees: String,
    #[serde(deserialize_with = "lenient")]
    pub amount: String,
    #[serde(deserialize_with = "lenient")]
    pub ratio: String,
    /// Blank: the portfolio's currency.
    #[serde(deserialize_with = "lenient")]
    pub currency: String,
    #[serde(deserialize_with = "lenient")]
    pub note: String,
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    #[serde(deserialize_with = "lenient")]
    pub sector: String,
}

/// Which field an error is about (the form puts the message under it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Kind,
    Date,
    Symbol,
    Shares,
    Price,
    Fees,
    Amount,
    Ratio,
    Currency,
    Note,
    Name,
    Sector,
}

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "error")]
pub enum TxError {
    KindInvalid,
    DateMissing,
    DateInvalid,
    DateFuture,
    SymbolMissing,
    SymbolInvalid,
    SharesMissing,
    SharesInvalid,
    PriceMissing,
    PriceInvalid,
    FeesInvalid,
    AmountMissing,
    AmountInvalid,
    RatioMissing,
    RatioInvalid,
    CurrencyInvalid,
    CurrencyMismatch {
        portfolio: String,
        given: String,
    },
    NoteTooLong,
    NameTooLong,
    SectorTooLong,
    /// The transaction is well formed but the history refuses it (selling more than held).
    Ledger(super::ledger::LedgerError),
}

impl TxError {
    /// What to change, in any of the app's languages.
    pub fn sentence(&self) -> Sentence {
        match self {
            TxError::KindInvalid => says!("server.portfolio.tx.kind"),
            TxError::DateMissing => says!("server.portfolio.tx.date_missing"),
            TxError::DateInvalid => says!("server.portfolio.tx.date_invalid"),
            TxError::DateFuture => says!("server.portfolio.tx.date_future"),
            TxError::SymbolMissing => says!("server.portfolio.tx.symbol_missing"),
            TxError::SymbolInvalid => says!("server.portfolio.tx.symbol_invalid"),
            TxError::SharesMissing => says!("server.portfolio.tx.shares_missing"),
            TxError::SharesInvalid => says!("server.portfolio.tx.shares_invalid"),
            TxError::PriceMissing => says!("server.portfolio.tx.price_missing"),
            TxError::PriceInvalid => says!("server.portfolio.tx.price_invalid"),
            TxError::FeesInvalid => says!("server.portfolio.tx.fees_invalid"),
            TxError::AmountMissing => says!("server.portfolio.tx.amount_missing"),
            TxError::AmountInvalid => says!("server.portfolio.tx.amount_invalid"),
            TxError::RatioMissing => says!("server.portfolio.tx.ratio_missing"),
            TxError::RatioInvalid => says!("server.portfolio.tx.ratio_invalid"),
            TxError::CurrencyInvalid => says!("server.portfolio.tx.currency_invalid"),
            TxError::NoteTooLong => says!("server.portfolio.tx.note_long"),
            TxError::NameTooLong => says!("server.portfolio.tx.name_long"),
            TxError::SectorTooLong => says!("server.portfolio.tx.sector_long"),
            TxError::CurrencyMismatch { portfolio, given } => says!(
                "server.portfolio.tx.currency_mismatch",
                currency = portfolio,
                given = given
            ),
            TxError::Ledger(err) => err.sentence(),
        }
    }
}

crate::kit::sentences::english_display!(TxError);

impl TxError {
    pub fn field(&self) -> Option<Field> {
        Some(match self {
            TxError::KindInvalid => Field::Kind,
            TxError::DateMissing | TxError::DateInvalid | TxError::DateFuture => Field::Date,
            TxError::SymbolMissing | TxError::SymbolInvalid => Field::Symbol,
            TxError::SharesMissing | TxError::SharesInvalid | TxError::Ledger(_) => Field::Shares,
            TxError::PriceMissing | TxError::PriceInvalid => Field::Price,
            TxError::FeesInvalid => Field::Fees,
            TxError::AmountMissing | TxError::AmountInvalid => Field::Amount,
            TxError::RatioMissing | TxError::RatioInvalid => Field::Ratio,
            TxError::CurrencyInvalid | TxError::CurrencyMismatch { .. } => Field::Currency,
            TxError::NoteTooLong => Field::Note,
            TxError::NameTooLong => Field::Name,
            TxError::SectorTooLong => Field::Sector,
        })
    }
}

/// A valid transaction, not yet stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTransaction {
    pub kind: Kind,
    pub date: String,
    pub symbol: Option<String>,
    pub shares: Option<Decimal>,
    pub price: Option<Decimal>,
    pub fees: Decimal,
    pub amount: Option<Decimal>,
    pub ratio: Option<Decimal>,
    pub currency: String,
    pub note: String,
    pub name: Option<String>,
    pub sector: Option<String>,
}

/// A stored transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    #[serde(flatten)]
    pub data: NewTransaction,
}

impl Transaction {
    /// What the ledger needs of it.
    pub fn entry(&self) -> Entry {
        let t = &self.data;
        Entry {
            id: self.id.clone(),
            kind: t.kind,
            date: t.date.clone(),
            symbol: t.symbol.clone(),
            shares: t.shares,
            price: t.price,
            fees: t.fees,
            amount: t.amount,
            ratio: t.ratio,
        }
    }

    /// The form filled in with it (for editing).
    pub fn input(&self) -> TransactionInput {
        let t = &self.data;
        let text = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
        TransactionInput {
            kind: t.kind.code().to_string(),
            date: t.date.clone(),
            symbol: t.symbol.clone().unwrap_or_default(),
            shares: text(t.shares),
            price: text(t.price),
            fees: if t.fees.is_zero() {
                String::new()
            } else {
                t.fees.normalize().to_string()
            },
            amount: text(t.amount),
            ratio: text(t.ratio),
            currency: t.currency.clone(),
            note: t.note.clone(),
            name: t.name.clone().unwrap_or_default(),
            sector: t.sector.clone().unwrap_or_default(),
        }
    }
}

/// "2024-03-01" from "2024-03-01", "2024/3/1" or "2024.03.01"; `None` if it is not a real day.
pub fn parse_date(text: &str) -> Option<String> {
    let text = text.trim();
    // Timestamps from brokers' exports: the day is enough.
    let text = text.split(['T', ' ']).next().unwrap_or(text);
    let mut parts = text.split(['-', '/', '.']);
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    let (year, month, day): (u32, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2999).contains(&year) && (1..=days).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// A figure as people write it: "1234.5", "1,234.50", "$93.42", " 0.125 ". `None` if it is not
/// a number (or is absurdly large).
pub fn parse_figure(text: &str) -> Option<Decimal> {
    let text = text.trim().trim_start_matches(['$', '€', '£']).trim();
    // Thousands separators only in the 1,234,567.89 form; "1,5" is not a number here.
    let plain = if text.contains(',') {
        let whole = text.split('.').next()?;
        let groups: Vec<&str> = whole.trim_start_matches('-').split(',').collect();
        let grouped = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            return None;
        }
        text.replace(',', "")
    } else {
        text.to_string()
    };
    if plain.is_empty() || plain.contains(['e', 'E']) {
        return None;
    }
    Decimal::from_str(&plain)
        .ok()
        .filter(|d| d.abs() <= FIGURE_MAX)
        .map(|d| d.normalize())
}

fn optional(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

fn figure(
    text: &str,
    missing: TxError,
    invalid: TxError,
    allow_zero: bool,
) -> Result<Decimal, TxError> {
    let Some(text) = optional(text) else {
        return Err(missing);
    };
    match parse_figure(text) {
        Some(d) if d > Decimal::ZERO || (allow_zero && d.is_zero()) => Ok(d),
        _ => Err(invalid),
    }
}

impl TransactionInput {
    /// The transaction, or the first thing wrong with it. `currency` is the portfolio's;
    /// `today` ("2026-11-23") refuses later dates.
    pub fn validate(&self, currency: &str, today: &str) -> Result<NewTransaction, TxError> {
        self.validate_all(currency, today)
            .map_err(|mut errors| errors.remove(0))
    }

    /// The transaction, or everything wrong with it (the form marks every field at once).
    pub fn validate_all(
        &self,
        currency: &str,
        today: &str,
    ) -> Result<NewTransaction, Vec<TxError>> {
        let mut errors = Vec::new();
        let kind = match optional(&self.kind) {
            None => Some(Kind::Buy),
            Some(text) => Kind::parse(text),
        };
        if kind.is_none() {
            errors.push(TxError::KindInvalid);
        }
        let kind = kind.unwrap_or(Kind::Buy);
        let date = match optional(&self.date) {
            None => Err(TxError::DateMissing),
            Some(text) => match parse_date(text) {
                None => Err(TxError::DateInvalid),
                Some(date) if date.as_str() > today => Err(TxError::DateFuture),
                Some(date) => Ok(date),
            },
        };
        let symbol = match (optional(&self.symbol), kind.needs_symbol()) {
            (None, true) => Err(TxError::SymbolMissing),
            (None, false) => Ok(None),
            (Some(text), _) => crate::market::symbol::normalize(text)
                .map(Some)
                .ok_or(TxError::SymbolInvalid),
        };
        let trade = matches!(kind, Kind::Buy | Kind::Sell);
        let shares = trade
            .then(|| {
                figure(
                    &self.shares,
                    TxError::SharesMissing,
                    TxError::SharesInvalid,
                    false,
                )
            })
            .transpose();
        let price = trade
            .then(|| {
                figure(
                    &self.price,
                    TxError::PriceMissing,
                    TxError::PriceInvalid,
                    true,
                )
            })
            .transpose();
        let fees = match optional(&self.fees) {
            None => Ok(Decimal::ZERO),
            Some(text) => parse_figure(text)
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or(TxError::FeesInvalid),
        };
        let cash = matches!(
            kind,
            Kind::Dividend | Kind::Fee | Kind::Deposit | Kind::Withdraw
        );
        let amount = cash
            .then(|| {
                figure(
                    &self.amount,
                    TxError::AmountMissing,
                    TxError::AmountInvalid,
                    false,
                )
            })
            .transpose();
        let ratio = (kind == Kind::Split)
            .then(|| {
                figure(
                    &self.ratio,
                    TxError::RatioMissing,
                    TxError::RatioInvalid,
                    false,
                )
            })
            .transpose();
        let currency = match optional(&self.currency).map(str::to_ascii_uppercase) {
            None => Ok(currency.to_string()),
            Some(code) if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) => {
                Err(TxError::CurrencyInvalid)
            }
            Some(code) if code != currency => Err(TxError::CurrencyMismatch {
                portfolio: currency.to_string(),
                given: code,
            }),
            Some(code) => Ok(code),
        };
        let limited = |text: &str, max: usize, error: TxError| {
            if text.trim().chars().count() > max {
                Err(error)
            } else {
                Ok(optional(text).map(str::to_string))
            }
        };
        let note = limited(&self.note, NOTE_MAX, TxError::NoteTooLong);
        let name = limited(&self.name, NAME_MAX, TxError::NameTooLong);
        let sector = limited(&self.sector, SECTOR_MAX, TxError::SectorTooLong);
        macro_rules! take {
            ($result:expr) => {
                match $result {
                    Ok(value) => Some(value),
                    Err(error) => {
                        errors.push(error);
                        None
                    }
                }
            };
        }
        let (date, symbol, shares, price, fees) = (
            take!(date),
            take!(symbol),
            take!(shares),
            take!(price),
            take!(fees),
        );
        let (amount, ratio, currency) = (take!(amount), take!(ratio), take!(currency));
        let (note, name, sector) = (take!(note), take!(name), take!(sector));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewTransaction {
            kind,
            date: date.expect("checked"),
            symbol: symbol.expect("checked"),
            shares: shares.expect("checked"),
            price: price.expect("checked"),
            // Cash-only kinds carry their money in `amount`.
            fees: if trade {
                fees.expect("checked")
            } else {
                Decimal::ZERO
            },
            amount: amount.expect("checked"),
            ratio: ratio.expect("checked"),
            currency: currency.expect("checked"),
            note: note.expect("checked").unwrap_or_default(),
            name: name.expect("checked"),
            sector: sector.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-23";

    fn buy(shares: &str, price: &str) -> TransactionInput {
        TransactionInput {
            kind: "buy".into(),
            date: "2024-03-01".into(),
            symbol: "aapl.us".into(),
            shares: shares.into(),
            price: price.into(),
            ..TransactionInput::default()
        }
    }

    #[test]
    fn a_buy_is_read_into_exact_figures() {
        let t = buy("10", "$1,234.50").validate("USD", TODAY).unwrap();
        assert_eq!(t.kind, Kind::Buy);
        assert_eq!(t.symbol.as_deref(), Some("AAPL"));
        assert_eq!(t.price, Some(Decimal::from_str("1234.5").unwrap()));
        assert_eq!(t.fees, Decimal::ZERO);
        assert_eq!(t.currency, "USD");
    }

    #[test]
    fn every_wrong_field_is_named() {
        let input = TransactionInput {
            kind: "buy".into(),
            date: "2024-02-30".into(),
            shares: "-3".into(),
            price: "abc".into(),
            currency: "usd1".into(),
            ..Default::default()
        };
        let errors = input.validate_all("USD", TODAY).unwrap_err();
        assert_eq!(
            errors,
            vec![
                TxError::DateInvalid,
                TxError::SymbolMissing,
                TxError::SharesInvalid,
                TxError::PriceInvalid,
                TxError::CurrencyInvalid
            ]
        );
        assert_eq!(errors[2].to_string(), "Shares must be a number above 0.");
        assert_eq!(errors[2].field(), Some(Field::Shares));
    }

    #[test]
    fn the_kind_decides_which_fields_are_needed() {
        let dividend = TransactionInput {
            kind: "DIV".into(),
            date: "2024-03-14".into(),
            symbol: "MSFT".into(),
            amount: "7.50".into(),
            ..Default::default()
        };
        let t = dividend.validate("USD", TODAY).unwrap();
        assert_eq!(
            (t.kind, t.amount, t.shares),
            (
                Kind::Dividend,
                Some(Decimal::from_str("7.5").unwrap()),
                None
            )
        );
        let split = TransactionInput {
            kind: "split".into(),
            date: "2020-08-31".into(),
            symbol: "AAPL".into(),
            ..Default::default()
        };
        assert_eq!(split.validate("USD", TODAY), Err(TxError::RatioMissing));
        let deposit = TransactionInput {
            kind: "deposit".into(),
            date: "2024-01-01".into(),
            amount: "5000".into(),
            ..Default::default()
        };
        assert_eq!(deposit.validate("USD", TODAY).unwrap().symbol, None);
        // A blank type is a purchase: the quick "add holding" form and simple files.
        assert_eq!(
            TransactionInput {
                kind: String::new(),
                ..buy("1", "2")
            }
            .validate("USD", TODAY)
            .unwrap()
            .kind,
            Kind::Buy
        );
    }

    #[test]
    fn dates_and_currencies() {
        assert_eq!(parse_date("2024/3/1").as_deref(), Some("2024-03-01"));
        assert_eq!(
            parse_date("2024-03-01T15:30:00Z").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(parse_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("03/01/2024"), None);
        let future = TransactionInput {
            date: "2027-01-01".into(),
            ..buy("1", "1")
        };
        assert_eq!(future.validate("USD", TODAY), Err(TxError::DateFuture));
        let euros = TransactionInput {
            currency: "eur".into(),
            ..buy("1", "1")
        };
        let err = euros.validate("USD", TODAY).unwrap_err();
        assert_eq!(err.to_string(), "This portfolio is in USD: record its transactions in USD, or use another portfolio for EUR.");
    }

    #[test]
    fn figures_people_write() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(parse_figure("1,234,567.891"), Some(d("1234567.891")));
        assert_eq!(parse_figure(" 0.125 "), Some(d("0.125")));
        assert_eq!(parse_figure("€12"), Some(d("12")));
        assert_eq!(parse_figure("1,5"), None);
        assert_eq!(parse_figure("12,34.5"), None);
        assert_eq!(parse_figure("1e5"), None);
        assert_eq!(parse_figure("2000000000000"), None);
        assert_eq!(parse_figure("1000000000000"), Some(d("1000000000000")));
    }

    #[test]
    fn a_stored_transaction_fills_the_form_it_came_from() {
        let input = TransactionInput {
            fees: "1.5".into(),
            note: "first buy".into(),
            sector: "Technology".into(),
            ..buy("10", "93.42")
        };
        let stored = Transaction {
            id: "t1".into(),
            data: input.validate("USD", TODAY).unwrap(),
        };
        let again = stored.input();
        assert_eq!(again.validate("USD", TODAY).unwrap(), stored.data);
        assert_eq!(
            (
                again.kind.as_str(),
                again.symbol.as_str(),
                again.price.as_str()
            ),
            ("BUY", "AAPL", "93.42")
        );
    }
}
