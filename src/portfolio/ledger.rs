//! The portfolio's arithmetic: transactions in date order → positions with their lots, realized
//! gains per sale, dividends, fees and cash. Pure and exact (`rust_decimal`, never `f64`), so
//! it is tested on worked examples and runs the same in the browser and on the server.
//!
//! Cost basis: FIFO lots by default — a sale uses the oldest shares first — or the average
//! cost of all shares held. A lot's cost includes its purchase fees; a sale's fees reduce its
//! proceeds. Splits multiply every lot's shares and leave its cost alone.

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::kit::sentences::{says, Sentence};

/// What a transaction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Kind {
    /// Shares bought: `shares` at `price`, plus `fees`.
    Buy,
    /// Shares sold: `shares` at `price`, less `fees`.
    Sell,
    /// Cash paid by a holding: `amount`.
    Dividend,
    /// `ratio` new shares for each share held (4 for a 4-for-1 split, 0.1 for 1-for-10).
    Split,
    /// A charge not tied to a trade (an account fee): `amount`.
    Fee,
    /// Cash put in: `amount`.
    Deposit,
    /// Cash taken out: `amount`.
    Withdraw,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Buy,
        Kind::Sell,
        Kind::Dividend,
        Kind::Split,
        Kind::Fee,
        Kind::Deposit,
        Kind::Withdraw,
    ];

    /// The form in files and the API: "BUY".
    pub fn code(self) -> &'static str {
        match self {
            Kind::Buy => "BUY",
            Kind::Sell => "SELL",
            Kind::Dividend => "DIVIDEND",
            Kind::Split => "SPLIT",
            Kind::Fee => "FEE",
            Kind::Deposit => "DEPOSIT",
            Kind::Withdraw => "WITHDRAW",
        }
    }

    /// "buy", "Sell", "DIV", "withdrawal"… as brokers' exports write them.
    pub fn parse(text: &str) -> Option<Kind> {
        let text = text.trim().to_ascii_uppercase();
        let kind = match text.as_str() {
            "BUY" | "BOUGHT" | "PURCHASE" | "B" => Kind::Buy,
            "SELL" | "SOLD" | "SALE" | "S" => Kind::Sell,
            "DIVIDEND" | "DIV" | "DIVIDENDS" => Kind::Dividend,
            "SPLIT" | "STOCK SPLIT" => Kind::Split,
            "FEE" | "FEES" | "CHARGE" => Kind::Fee,
            "DEPOSIT" | "CASH IN" | "CASH DEPOSIT" => Kind::Deposit,
            "WITHDRAW" | "WITHDRAWAL" | "CASH OUT" | "CASH WITHDRAWAL" => Kind::Withdraw,
            _ => return None,
        };
        Some(kind)
    }

    /// Whether the transaction is about one symbol.
    pub fn needs_symbol(self) -> bool {
        matches!(self, Kind::Buy | Kind::Sell | Kind::Dividend | Kind::Split)
    }
}

/// How a sale's cost is worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CostMethod {
    /// The oldest shares are sold first.
    #[default]
    Fifo,
    /// Every share held costs the average.
    Average,
}

impl CostMethod {
    pub fn code(self) -> &'static str {
        match self {
            CostMethod::Fifo => "fifo",
            CostMethod::Average => "average",
        }
    }

    pub fn parse(code: &str) -> Option<CostMethod> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fifo" => Some(CostMethod::Fifo),
            "average" | "avg" => Some(CostMethod::Average),
            _ => None,
        }
    }
}

/// One transaction as the ledger reads it (already validated: the fields its kind needs are
/// there and positive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    /// "2024-03-01".
    pub date: String,
    pub symbol: Option<String>,
    pub shares: Option<Decimal>,
    pub price: Option<Decimal>,
    pub fees: Decimal,
    pub amount: Option<Decimal>,
    pub ratio: Option<Decimal>,
}

/// Shares bought together, with what they cost (fees included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Lot {
    /// The day the shares were bought (for an average-cost position: the first purchase).
    pub date: String,
    pub shares: Decimal,
    pub cost: Decimal,
}

impl Lot {
    pub fn cost_per_share(&self) -> Decimal {
        if self.shares.is_zero() {
            Decimal::ZERO
        } else {
            self.cost / self.shares
        }
    }
}

/// A sale and what it gained or lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sale {
    pub transaction_id: String,
    pub date: String,
    pub symbol: String,
    pub shares: Decimal,
    /// Shares × price, less the sale's fees.
    pub proceeds: Decimal,
    /// The cost of the lots (or the average) the shares came from.
    pub cost: Decimal,
    pub gain: Decimal,
}

/// What one symbol adds up to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Open lots, oldest first (one lot under average cost).
    pub lots: VecDeque<Lot>,
    /// Gains of every sale of this symbol.
    pub realized: Decimal,
    pub dividends: Decimal,
    /// What was paid for all shares ever bought (fees included).
    pub bought: Decimal,
}

impl Position {
    pub fn shares(&self) -> Decimal {
        self.lots.iter().map(|l| l.shares).sum()
    }

    pub fn cost(&self) -> Decimal {
        self.lots.iter().map(|l| l.cost).sum()
    }
}

/// Why a transaction cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum LedgerError {
    /// Selling more shares than were held on that day.
    Oversell {
        date: String,
        symbol: String,
        held: String,
        selling: String,
    },
}

impl LedgerError {
    /// Why, in any of the app's languages.
    pub fn sentence(&self) -> Sentence {
        match self {
            LedgerError::Oversell {
                date,
                symbol,
                held,
                selling,
            } if held == "0" => says!(
                "server.portfolio.oversell_none",
                date = date,
                symbol = symbol,
                selling = selling
            ),
            LedgerError::Oversell {
                date,
                symbol,
                held,
                selling,
            } => says!(
                "server.portfolio.oversell",
                date = date,
                held = held,
                symbol = symbol,
                selling = selling
            ),
        }
    }

    /// Why a change elsewhere in the history (`breaking`: deleting a transaction, importing
    /// rows) would leave this sale without the shares it sold.
    pub fn sentence_after(&self, breaking: Breaking) -> Sentence {
        let LedgerError::Oversell {
            date,
            symbol,
            held,
            selling,
        } = self;
        match breaking {
            Breaking::Delete => says!(
                "server.portfolio.delete_breaks_sale",
                date = date,
                held = held,
                symbol = symbol,
                selling = selling
            ),
            Breaking::Import => says!(
                "server.portfolio.import_breaks",
                date = date,
                held = held,
                symbol = symbol,
                selling = selling
            ),
        }
    }
}

/// What would break a later sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaking {
    Delete,
    Import,
}

crate::kit::sentences::english_display!(LedgerError);

/// Positions, sales and cash after a run of transactions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub method: CostMethod,
    /// By symbol; symbols sold out stay (their realized gains and dividends count).
    pub positions: BTreeMap<String, Position>,
    pub sales: Vec<Sale>,
    /// Deposits − withdrawals − purchases + sales + dividends − fees.
    pub cash: Decimal,
    /// Whether any deposit or withdrawal was recorded: only then is `cash` a balance worth
    /// showing (without them it is just minus what was spent).
    pub tracks_cash: bool,
    /// Fees not tied to a trade.
    pub fees: Decimal,
    pub deposits: Decimal,
    pub withdrawals: Decimal,
}

impl Ledger {
    pub fn new(method: CostMethod) -> Ledger {
        Ledger {
            method,
            ..Ledger::default()
        }
    }

    /// Applies every entry (in date order) or stops at the first that cannot be applied.
    pub fn replay<'a>(
        method: CostMethod,
        entries: impl IntoIterator<Item = &'a Entry>,
    ) -> Result<Ledger, (String, LedgerError)> {
        let mut ledger = Ledger::new(method);
        for entry in entries {
            ledger.apply(entry).map_err(|err| (entry.id.clone(), err))?;
        }
        Ok(ledger)
    }

    /// Applies one entry; on an error nothing changes.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), LedgerError> {
        let zero = Decimal::ZERO;
        let symbol = entry.symbol.clone().unwrap_or_default();
        match entry.kind {
            Kind::Buy => {
                let shares = entry.shares.unwrap_or(zero);
                let cost = shares * entry.price.unwrap_or(zero) + entry.fees;
                let average = self.method == CostMethod::Average;
                let position = self.positions.entry(symbol).or_default();
                position.bought += cost;
                match position.lots.back_mut() {
                    Some(pooled) if average => {
                        pooled.shares += shares;
                        pooled.cost += cost;
                    }
                    _ => position.lots.push_back(Lot {
                        date: entry.date.clone(),
                        shares,
                        cost,
                    }),
                }
                self.cash -= cost;
            }
            Kind::Sell => {
                let selling = entry.shares.unwrap_or(zero);
                let position = self.positions.entry(symbol.clone()).or_default();
                let held = position.shares();
                if selling > held {
                    return Err(LedgerError::Oversell {
                        date: entry.date.clone(),
                        symbol,
                        held: held.normalize().to_string(),
                        selling: selling.normalize().to_string(),
                    });
                }
                let mut left = selling;
                let mut cost = zero;
                while left > zero {
                    let lot = position
                        .lots
                        .front_mut()
                        .expect("shares held cover the sale");
                    if lot.shares <= left {
                        left -= lot.shares;
                        cost += lot.cost;
                        position.lots.pop_front();
                    } else {
                        // What stays in the lot is its cost minus what left, so the lot's
                        // total is conserved exactly however the division rounds.
                        let taken = lot.cost * left / lot.shares;
                        lot.cost -= taken;
                        lot.shares -= left;
                        cost += taken;
                        left = zero;
                    }
                }
                let proceeds = selling * entry.price.unwrap_or(zero) - entry.fees;
                let gain = proceeds - cost;
                position.realized += gain;
                self.cash += proceeds;
                self.sales.push(Sale {
                    transaction_id: entry.id.clone(),
                    date: entry.date.clone(),
                    symbol,
                    shares: selling,
                    proceeds,
                    cost,
                    gain,
                });
            }
            Kind::Dividend => {
                let amount = entry.amount.unwrap_or(zero);
                self.positions.entry(symbol).or_default().dividends += amount;
                self.cash += amount;
            }
            Kind::Split => {
                let ratio = entry.ratio.unwrap_or(Decimal::ONE);
                if let Some(position) = self.positions.get_mut(&symbol) {
                    for lot in &mut position.lots {
                        lot.shares *= ratio;
                    }
                }
            }
            Kind::Fee => {
                let amount = entry.amount.unwrap_or(zero);
                self.fees += amount;
                self.cash -= amount;
            }
            Kind::Deposit => {
                let amount = entry.amount.unwrap_or(zero);
                self.tracks_cash = true;
                self.deposits += amount;
                self.cash += amount;
            }
            Kind::Withdraw => {
                let amount = entry.amount.unwrap_or(zero);
                self.tracks_cash = true;
                self.withdrawals += amount;
                self.cash -= amount;
            }
        }
        Ok(())
    }

    /// Gains of every sale.
    pub fn realized(&self) -> Decimal {
        self.positions.values().map(|p| p.realized).sum()
    }

    pub fn dividends(&self) -> Decimal {
        self.positions.values().map(|p| p.dividends).sum()
    }

    /// What was paid for every share ever bought, fees included.
    pub fn invested(&self) -> Decimal {
        self.positions.values().map(|p| p.bought).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn trade(
        id: &str,
        kind: Kind,
        date: &str,
        symbol: &str,
        shares: &str,
        price: &str,
        fees: &str,
    ) -> Entry {
        Entry {
            id: id.into(),
            kind,
            date: date.into(),
            symbol: Some(symbol.into()),
            shares: Some(d(shares)),
            price: Some(d(price)),
            fees: d(fees),
            amount: None,
            ratio: None,
        }
    }

    fn cash(id: &str, kind: Kind, date: &str, symbol: Option<&str>, amount: &str) -> Entry {
        Entry {
            id: id.into(),
            kind,
            date: date.into(),
            symbol: symbol.map(Into::into),
            shares: None,
            price: None,
            fees: Decimal::ZERO,
            amount: Some(d(amount)),
            ratio: None,
        }
    }

    fn split(id: &str, date: &str, symbol: &str, ratio: &str) -> Entry {
        Entry {
            id: id.into(),
            kind: Kind::Split,
            date: date.into(),
            symbol: Some(symbol.into()),
            shares: None,
            price: None,
            fees: Decimal::ZERO,
            amount: None,
            ratio: Some(d(ratio)),
        }
    }

    /// Two lots, then a sale that empties the first and takes part of the second.
    fn two_buys_and_a_sale() -> Vec<Entry> {
        vec![
            // 10 × 100 + 5 fee = 1,005 → 100.50 a share
            trade("b1", Kind::Buy, "2024-01-02", "AAPL", "10", "100", "5"),
            // 10 × 120 + 5 fee = 1,205 → 120.50 a share
            trade("b2", Kind::Buy, "2024-02-01", "AAPL", "10", "120", "5"),
            // 15 × 130 − 5 fee = 1,945 proceeds
            trade("s1", Kind::Sell, "2024-03-01", "AAPL", "15", "130", "5"),
        ]
    }

    #[test]
    fn fifo_sells_the_oldest_lot_first_across_lots() {
        let ledger = Ledger::replay(CostMethod::Fifo, &two_buys_and_a_sale()).unwrap();
        // Cost: all of lot 1 (1,005) + 5 of lot 2 (5 × 120.50 = 602.50) = 1,607.50
        let sale = &ledger.sales[0];
        assert_eq!(sale.proceeds, d("1945"));
        assert_eq!(sale.cost, d("1607.50"));
        assert_eq!(sale.gain, d("337.50"));
        let aapl = &ledger.positions["AAPL"];
        assert_eq!(aapl.shares(), d("5"));
        assert_eq!(aapl.cost(), d("602.50"));
        assert_eq!(aapl.lots.len(), 1);
        assert_eq!(aapl.lots[0].date, "2024-02-01");
        assert_eq!(aapl.lots[0].cost_per_share(), d("120.50"));
        // −1,005 − 1,205 + 1,945
        assert_eq!(ledger.cash, d("-265"));
        assert_eq!(ledger.invested(), d("2210"));
    }

    #[test]
    fn average_cost_pools_every_share() {
        let ledger = Ledger::replay(CostMethod::Average, &two_buys_and_a_sale()).unwrap();
        // 20 shares cost 2,210 → 110.50 each; 15 sold cost 1,657.50
        let sale = &ledger.sales[0];
        assert_eq!(sale.cost, d("1657.50"));
        assert_eq!(sale.gain, d("287.50"));
        let aapl = &ledger.positions["AAPL"];
        assert_eq!(aapl.shares(), d("5"));
        assert_eq!(aapl.cost(), d("552.50"));
        assert_eq!(aapl.lots.len(), 1);
        // Realized + the cost still held = everything paid, under either method.
        assert_eq!(aapl.realized + aapl.cost(), d("840"));
    }

    #[test]
    fn a_split_multiplies_shares_and_keeps_the_cost() {
        let entries = vec![
            trade("b1", Kind::Buy, "2020-01-02", "AAPL", "10", "300", "0"),
            trade("b2", Kind::Buy, "2020-06-01", "AAPL", "5", "320", "0"),
            // 4-for-1: 40 shares costing 3,000 (75 each) and 20 costing 1,600 (80 each)
            split("x1", "2020-08-31", "AAPL", "4"),
            // 50 × 120 = 6,000; cost = 3,000 + 10 × 80 = 3,800
            trade("s1", Kind::Sell, "2021-01-04", "AAPL", "50", "120", "0"),
        ];
        let ledger = Ledger::replay(CostMethod::Fifo, &entries).unwrap();
        assert_eq!(ledger.sales[0].cost, d("3800"));
        assert_eq!(ledger.sales[0].gain, d("2200"));
        let aapl = &ledger.positions["AAPL"];
        assert_eq!(aapl.shares(), d("10"));
        assert_eq!(aapl.cost(), d("800"));
        assert_eq!(aapl.lots[0].cost_per_share(), d("80"));
    }

    #[test]
    fn a_reverse_split_can_leave_fractions() {
        let entries = vec![
            trade("b1", Kind::Buy, "2023-01-03", "GE", "25", "4", "0"),
            // 1-for-8: 25 → 3.125 shares, still costing 100
            split("x1", "2023-05-01", "GE", "0.125"),
        ];
        let ledger = Ledger::replay(CostMethod::Fifo, &entries).unwrap();
        assert_eq!(ledger.positions["GE"].shares(), d("3.125"));
        assert_eq!(ledger.positions["GE"].lots[0].cost_per_share(), d("32"));
    }

    #[test]
    fn dividends_fees_and_cash_add_up() {
        let entries = vec![
            cash("c1", Kind::Deposit, "2024-01-01", None, "5000"),
            trade(
                "b1",
                Kind::Buy,
                "2024-01-02",
                "MSFT",
                "10",
                "370.25",
                "1.50",
            ),
            cash("d1", Kind::Dividend, "2024-03-14", Some("MSFT"), "7.50"),
            cash("f1", Kind::Fee, "2024-03-31", None, "2.99"),
            cash("w1", Kind::Withdraw, "2024-04-01", None, "1000"),
        ];
        let ledger = Ledger::replay(CostMethod::Fifo, &entries).unwrap();
        assert!(ledger.tracks_cash);
        // 5,000 − 3,704.00 + 7.50 − 2.99 − 1,000
        assert_eq!(ledger.cash, d("300.51"));
        assert_eq!(ledger.dividends(), d("7.50"));
        assert_eq!(ledger.fees, d("2.99"));
        assert_eq!(ledger.positions["MSFT"].cost(), d("3704.00"));
    }

    #[test]
    fn selling_more_than_held_is_refused_and_changes_nothing() {
        let mut ledger = Ledger::new(CostMethod::Fifo);
        ledger
            .apply(&trade(
                "b1",
                Kind::Buy,
                "2024-01-02",
                "IBM",
                "3",
                "150",
                "0",
            ))
            .unwrap();
        let before = ledger.clone();
        let err = ledger
            .apply(&trade(
                "s1",
                Kind::Sell,
                "2024-01-03",
                "IBM",
                "3.5",
                "160",
                "0",
            ))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "On 2024-01-03 you held 3 IBM shares, so you cannot sell 3.5."
        );
        assert_eq!(ledger, before);
        let err = ledger
            .apply(&trade(
                "s2",
                Kind::Sell,
                "2024-01-03",
                "GOOG",
                "1",
                "160",
                "0",
            ))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "On 2024-01-03 you held no GOOG shares, so you cannot sell 1."
        );
        // Exactly everything is fine, and leaves no lot behind.
        ledger
            .apply(&trade(
                "s3",
                Kind::Sell,
                "2024-01-04",
                "IBM",
                "3",
                "160",
                "0",
            ))
            .unwrap();
        assert!(ledger.positions["IBM"].lots.is_empty());
        assert_eq!(ledger.realized(), d("30"));
    }

    #[test]
    fn thirds_do_not_lose_a_cent() {
        // 3 shares for 100 → 33.333… each; selling one at a time must add back to 100.
        let mut entries = vec![trade(
            "b1",
            Kind::Buy,
            "2024-01-02",
            "T",
            "3",
            "33.3333333333",
            "0.0000000001",
        )];
        for (i, day) in ["2024-02-01", "2024-03-01", "2024-04-01"]
            .iter()
            .enumerate()
        {
            entries.push(trade(
                &format!("s{i}"),
                Kind::Sell,
                day,
                "T",
                "1",
                "40",
                "0",
            ));
        }
        let ledger = Ledger::replay(CostMethod::Fifo, &entries).unwrap();
        let cost: Decimal = ledger.sales.iter().map(|s| s.cost).sum();
        assert_eq!(cost, d("100"));
        assert_eq!(ledger.realized(), d("20"));
        // Decimal, not binary: 0.1 + 0.2 is 0.3.
        assert_eq!(d("0.1") + d("0.2"), d("0.3"));
    }

    #[test]
    fn kinds_read_the_way_brokers_write_them() {
        assert_eq!(Kind::parse(" buy "), Some(Kind::Buy));
        assert_eq!(Kind::parse("Sold"), Some(Kind::Sell));
        assert_eq!(Kind::parse("div"), Some(Kind::Dividend));
        assert_eq!(Kind::parse("Withdrawal"), Some(Kind::Withdraw));
        assert_eq!(Kind::parse("transfer"), None);
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.code()), Some(kind));
        }
    }
}
