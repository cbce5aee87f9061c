//! From a ledger and today's prices to what the portfolio page shows: holdings with their value,
//! day change, unrealized gain and weight, the totals, and the value over time against a
//! benchmark. Pure and exact like the ledger; figures are rounded only on the way out.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ledger::{Entry, Kind, Ledger, Lot};

/// A symbol's latest price.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub price: Decimal,
    pub previous_close: Option<Decimal>,
    pub simulated: bool,
}

/// One row of the holdings table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Holding {
    pub symbol: String,
    pub name: Option<String>,
    pub sector: String,
    pub shares: Decimal,
    pub average_cost: Decimal,
    pub cost: Decimal,
    /// `None` (and so every figure below that needs it) when no source could price it.
    pub price: Option<Decimal>,
    pub value: Option<Decimal>,
    pub day_change: Option<Decimal>,
    pub day_change_percent: Option<Decimal>,
    pub unrealized: Option<Decimal>,
    pub unrealized_percent: Option<Decimal>,
    /// Share of the priced holdings' value, in percent.
    pub weight: Option<Decimal>,
    pub realized: Decimal,
    pub dividends: Decimal,
    pub simulated: bool,
    /// Open lots, oldest first.
    pub lots: Vec<Lot>,
}

/// The portfolio's totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Market value of the priced holdings.
    pub value: Decimal,
    /// Cost of the shares held.
    pub cost: Decimal,
    pub day_change: Decimal,
    pub day_change_percent: Option<Decimal>,
    pub unrealized: Decimal,
    pub unrealized_percent: Option<Decimal>,
    pub realized: Decimal,
    pub dividends: Decimal,
    /// Fees not tied to a trade.
    pub fees: Decimal,
    /// Unrealized + realized + dividends − fees.
    pub total_return: Decimal,
    /// Total return over everything ever paid for shares.
    pub total_return_percent: Option<Decimal>,
    /// The cash balance, when deposits or withdrawals are recorded.
    pub cash: Option<Decimal>,
    /// Holdings no source could price (left out of value and weights).
    pub unpriced: usize,
    /// Everything ever paid for shares: what the total return is a percentage of.
    #[serde(default)]
    pub invested: Decimal,
}

impl Holding {
    /// The holding at a newer price (and previous close): its value, day change and unrealized
    /// gain as [`holdings`] works them out; its weight is the last one worked out.
    pub fn repriced(&self, price: Decimal, previous_close: Option<Decimal>) -> Holding {
        let value = self.shares * price;
        let day_change = previous_close.map(|prev| self.shares * (price - prev));
        let unrealized = value - self.cost;
        Holding {
            price: Some(price),
            value: Some(money(value)),
            day_change: day_change.map(money),
            day_change_percent: day_change.and_then(|change| percent(change, value - change)),
            unrealized: Some(money(unrealized)),
            unrealized_percent: percent(unrealized, self.cost),
            ..self.clone()
        }
    }
}

impl Totals {
    /// The totals once holdings were repriced (`before` → `after`: the same holdings, each at
    /// its newer price, as [`Holding::repriced`] gives them): value, day change, unrealized
    /// gain and total return move by what the holdings moved; what was realized, received,
    /// paid and held in cash stays.
    pub fn repriced(&self, before: &[Holding], after: &[Holding]) -> Totals {
        let moved = |figure: fn(&Holding) -> Option<Decimal>| {
            after.iter().filter_map(figure).sum::<Decimal>()
                - before.iter().filter_map(figure).sum::<Decimal>()
        };
        let value = self.value + moved(|h| h.value);
        let day_change = self.day_change + moved(|h| h.day_change);
        let unrealized = self.unrealized + moved(|h| h.unrealized);
        let total_return = self.total_return + moved(|h| h.unrealized);
        Totals {
            value,
            day_change,
            day_change_percent: percent(day_change, value - day_change),
            unrealized,
            unrealized_percent: percent(unrealized, self.cost),
            total_return,
            total_return_percent: percent(total_return, self.invested),
            ..self.clone()
        }
    }
}

/// Gives each priced holding its share of `total` value, in percent.
pub fn weigh(holdings: &mut [Holding], total: Decimal) {
    for holding in holdings {
        holding.weight = holding.value.and_then(|v| percent(v, total));
    }
}

fn money(value: Decimal) -> Decimal {
    value.round_dp(2)
}

/// `part / whole` in percent, two decimals; `None` over nothing.
pub fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| (part / whole * Decimal::ONE_HUNDRED).round_dp(2))
}

/// Holdings (shares held > 0), largest value first, and the totals. `describe` gives a symbol's
/// name and sector.
pub fn holdings(
    ledger: &Ledger,
    prices: &BTreeMap<String, Price>,
    describe: impl Fn(&str) -> (Option<String>, String),
) -> (Vec<Holding>, Totals) {
    let mut totals = Totals::default();
    let mut rows = Vec::new();
    for (symbol, position) in &ledger.positions {
        totals.realized += position.realized;
        totals.dividends += position.dividends;
        let shares = position.shares();
        if shares.is_zero() {
            continue;
        }
        let cost = position.cost();
        let quote = prices.get(symbol);
        let value = quote.map(|q| shares * q.price);
        let day_change = quote.and_then(|q| q.previous_close.map(|prev| shares * (q.price - prev)));
        let unrealized = value.map(|v| v - cost);
        totals.cost += cost;
        match value {
            Some(value) => {
                totals.value += value;
                totals.unrealized += value - cost;
                totals.day_change += day_change.unwrap_or_default();
            }
            None => totals.unpriced += 1,
        }
        let (name, sector) = describe(symbol);
        rows.push(Holding {
            symbol: symbol.clone(),
            name,
            sector,
            shares: shares.normalize(),
            average_cost: (cost / shares).round_dp(4),
            cost: money(cost),
            price: quote.map(|q| q.price),
            value: value.map(money),
            day_change: day_change.map(money),
            day_change_percent: day_change
                .zip(value)
                .and_then(|(change, value)| percent(change, value - change)),
            unrealized: unrealized.map(money),
            unrealized_percent: unrealized.and_then(|u| percent(u, cost)),
            weight: None,
            realized: money(position.realized),
            dividends: money(position.dividends),
            simulated: quote.is_some_and(|q| q.simulated),
            lots: position
                .lots
                .iter()
                .map(|lot| Lot {
                    date: lot.date.clone(),
                    shares: lot.shares.normalize(),
                    cost: money(lot.cost),
                })
                .collect(),
        });
    }
    weigh(&mut rows, totals.value);
    rows.sort_by(|a, b| {
        b.value
            .unwrap_or_default()
            .cmp(&a.value.unwrap_or_default())
            .then(a.symbol.cmp(&b.symbol))
    });
    totals.fees = ledger.fees;
    totals.total_return = totals.unrealized + totals.realized + totals.dividends - totals.fees;
    totals.invested = ledger.invested();
    totals.total_return_percent = percent(totals.total_return, totals.invested);
    totals.day_change_percent = percent(totals.day_change, totals.value - totals.day_change);
    totals.unrealized_percent = percent(totals.unrealized, totals.cost);
    totals.cash = ledger.tracks_cash.then(|| money(ledger.cash));
    for figure in [
        &mut totals.value,
        &mut totals.cost,
        &mut totals.day_change,
        &mut totals.unrealized,
        &mut totals.realized,
    ] {
        *figure = money(*figure);
    }
    for figure in [
        &mut totals.dividends,
        &mut totals.fees,
        &mut totals.total_return,
    ] {
        *figure = money(*figure);
    }
    (rows, totals)
}

/// Value by sector (or any grouping), largest first.
pub fn allocation<'a>(
    rows: impl IntoIterator<Item = (&'a str, Decimal)>,
) -> Vec<(String, Decimal)> {
    let mut groups: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (key, value) in rows {
        *groups.entry(key).or_default() += value;
    }
    let mut groups: Vec<(String, Decimal)> = groups
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    groups
}

/// One day of the value-over-time chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    pub date: String,
    /// Market value of the shares held that day.
    pub value: Decimal,
    /// Money put into shares so far: purchases (with fees) less sale proceeds.
    pub invested: Decimal,
    /// What the same purchases and sales, made in the benchmark on the same days, would be
    /// worth: `None` before the benchmark has a price.
    pub benchmark: Option<Decimal>,
}

/// A price series, oldest first: ("2024-03-01", close).
pub type Closes = [(String, Decimal)];

/// The latest close on or before the calendar day the cursor has reached.
struct Cursor<'a> {
    closes: &'a Closes,
    next: usize,
}

impl<'a> Cursor<'a> {
    fn new(closes: &'a Closes) -> Cursor<'a> {
        Cursor { closes, next: 0 }
    }

    fn at(&mut self, date: &str) -> Option<Decimal> {
        while self.next < self.closes.len() && self.closes[self.next].0.as_str() <= date {
            self.next += 1;
        }
        self.next.checked_sub(1).map(|i| self.closes[i].1)
    }
}

/// The portfolio's value on every trading day from its first transaction, with the money
/// invested and the benchmark bought with the same money on the same days.
///
/// `entries` in date order; `closes` by symbol and `benchmark` oldest first, **split-adjusted**
/// (as Stooq, Polygon and the offline source give them): a holding's value on a day before a
/// recorded split is its shares then × the split ratios since × the adjusted close. A day
/// before a symbol's history starts values it at its last trade price.
pub fn performance(
    entries: &[Entry],
    closes: &BTreeMap<String, Vec<(String, Decimal)>>,
    benchmark: Option<&Closes>,
) -> Vec<Point> {
    let Some(first) = entries.first() else {
        return Vec::new();
    };
    let calendar: Vec<&str> = match benchmark {
        Some(bench) if !bench.is_empty() => bench.iter().map(|(d, _)| d.as_str()).collect(),
        _ => {
            let mut days: Vec<&str> = closes.values().flatten().map(|(d, _)| d.as_str()).collect();
            days.sort_unstable();
            days.dedup();
            days
        }
    };
    // Splits still ahead of the sweep, multiplied together per symbol.
    let mut split_factor: BTreeMap<&str, Decimal> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.kind == Kind::Split) {
        if let (Some(symbol), Some(ratio)) = (&entry.symbol, entry.ratio) {
            *split_factor.entry(symbol).or_insert(Decimal::ONE) *= ratio;
        }
    }
    let mut cursors: BTreeMap<&str, Cursor> = closes
        .iter()
        .map(|(s, c)| (s.as_str(), Cursor::new(c)))
        .collect();
    let mut bench = benchmark.map(Cursor::new);
    let mut shares: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut last_trade: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut invested = Decimal::ZERO;
    let mut bench_units = Decimal::ZERO;
    let mut pending_flow = Decimal::ZERO;
    let mut next = 0;
    let mut points = Vec::new();
    for day in calendar.into_iter().filter(|d| *d >= first.date.as_str()) {
        while next < entries.len() && entries[next].date.as_str() <= day {
            let entry = &entries[next];
            next += 1;
            let symbol = entry.symbol.as_deref().unwrap_or_default();
            let zero = Decimal::ZERO;
            match entry.kind {
                Kind::Buy | Kind::Sell => {
                    let traded = entry.shares.unwrap_or(zero);
                    let price = entry.price.unwrap_or(zero);
                    let held = shares.entry(symbol).or_default();
                    let flow = if entry.kind == Kind::Buy {
                        *held += traded;
                        traded * price + entry.fees
                    } else {
                        *held -= traded;
                        -(traded * price - entry.fees)
                    };
                    last_trade.insert(symbol, price);
                    invested += flow;
                    pending_flow += flow;
                }
                Kind::Split => {
                    let ratio = entry.ratio.unwrap_or(Decimal::ONE);
                    if let Some(held) = shares.get_mut(symbol) {
                        *held *= ratio;
                    }
                    if let Some(price) = last_trade.get_mut(symbol) {
                        *price /= ratio;
                    }
                    if let Some(factor) = split_factor.get_mut(symbol) {
                        *factor /= ratio;
                    }
                }
                _ => {}
            }
        }
        let mut value = Decimal::ZERO;
        for (symbol, held) in &shares {
            if held.is_zero() {
                continue;
            }
            let close = cursors.get_mut(symbol).and_then(|c| c.at(day));
            let factor = split_factor.get(symbol).copied().unwrap_or(Decimal::ONE);
            value += match close {
                Some(close) => *held * factor * close,
                None => *held * last_trade.get(symbol).copied().unwrap_or_default(),
            };
        }
        let bench_value = match bench.as_mut().and_then(|b| b.at(day)) {
            Some(close) if !close.is_zero() => {
                bench_units += pending_flow / close;
                pending_flow = Decimal::ZERO;
                Some((bench_units * close).round_dp(2))
            }
            _ => None,
        };
        points.push(Point {
            date: day.to_string(),
            value: money(value),
            invested: money(invested),
            benchmark: bench_value,
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::super::ledger::CostMethod;
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn entry(kind: Kind, date: &str, symbol: &str, shares: &str, price: &str) -> Entry {
        Entry {
            id: format!("{date}-{symbol}"),
            kind,
            date: date.into(),
            symbol: Some(symbol.into()),
            shares: Some(d(shares)),
            price: Some(d(price)),
            fees: Decimal::ZERO,
            amount: None,
            ratio: None,
        }
    }

    fn series(rows: &[(&str, &str)]) -> Vec<(String, Decimal)> {
        rows.iter()
            .map(|(day, close)| (day.to_string(), d(close)))
            .collect()
    }

    #[test]
    fn holdings_value_gain_weight_and_totals() {
        let entries = vec![
            entry(Kind::Buy, "2024-01-02", "AAPL", "10", "100"),
            entry(Kind::Buy, "2024-01-02", "MSFT", "5", "300"),
            entry(Kind::Sell, "2024-02-01", "MSFT", "2", "350"),
            Entry {
                kind: Kind::Dividend,
                shares: None,
                price: None,
                amount: Some(d("4.50")),
                ..entry(Kind::Dividend, "2024-03-01", "MSFT", "0", "0")
            },
        ];
        let ledger = Ledger::replay(CostMethod::Fifo, &entries).unwrap();
        let prices = BTreeMap::from([
            (
                "AAPL".to_string(),
                Price {
                    price: d("110"),
                    previous_close: Some(d("100")),
                    simulated: false,
                },
            ),
            (
                "MSFT".to_string(),
                Price {
                    price: d("400"),
                    previous_close: Some(d("410")),
                    simulated: true,
                },
            ),
        ]);
        let (rows, totals) = holdings(&ledger, &prices, |s| {
            (Some(format!("{s} Inc.")), "Technology".into())
        });
        // MSFT: 3 × 400 = 1,200 (cost 900); AAPL: 10 × 110 = 1,100 (cost 1,000)
        assert_eq!(
            rows.iter().map(|r| r.symbol.as_str()).collect::<Vec<_>>(),
            ["MSFT", "AAPL"]
        );
        let msft = &rows[0];
        assert_eq!(
            (msft.value, msft.unrealized, msft.unrealized_percent),
            (Some(d("1200")), Some(d("300")), Some(d("33.33")))
        );
        assert_eq!(msft.day_change, Some(d("-30")));
        assert_eq!(msft.weight, Some(d("52.17")));
        assert_eq!(rows[1].weight, Some(d("47.83")));
        assert_eq!(msft.realized, d("100"));
        assert_eq!(totals.value, d("2300"));
        assert_eq!(totals.cost, d("1900"));
        assert_eq!(totals.day_change, d("70"));
        // 70 over yesterday's 2,230
        assert_eq!(totals.day_change_percent, Some(d("3.14")));
        // 400 unrealized + 100 realized + 4.50 dividends, over 2,500 invested
        assert_eq!(totals.total_return, d("504.50"));
        assert_eq!(totals.total_return_percent, Some(d("20.18")));
        assert_eq!(totals.cash, None);
    }

    #[test]
    fn a_holding_repriced_at_its_own_price_is_the_same_holding() {
        let ledger = Ledger::replay(
            CostMethod::Fifo,
            &[
                entry(Kind::Buy, "2024-01-02", "AAPL", "10", "100"),
                entry(Kind::Buy, "2024-02-01", "AAPL", "5", "130"),
            ],
        )
        .unwrap();
        let price = |p: &str| Price {
            price: d(p),
            previous_close: Some(d("140")),
            simulated: false,
        };
        let at = |p: &str| {
            let prices = BTreeMap::from([("AAPL".to_string(), price(p))]);
            holdings(&ledger, &prices, |_| (None, String::new())).0
        };
        let (at_150, at_160) = (at("150"), at("160"));
        let moved = at_150[0].repriced(d("160"), Some(d("140")));
        assert_eq!(moved, at_160[0]);
        assert_eq!(at_150[0].repriced(d("150"), Some(d("140"))), at_150[0]);
    }

    #[test]
    fn totals_repriced_with_their_holdings_are_the_totals_at_the_new_prices() {
        let ledger = Ledger::replay(
            CostMethod::Fifo,
            &[
                entry(Kind::Buy, "2024-01-02", "AAPL", "10", "100"),
                entry(Kind::Buy, "2024-02-01", "AAPL", "5", "130"),
                entry(Kind::Buy, "2024-02-01", "MSFT", "4", "300"),
                entry(Kind::Sell, "2024-03-01", "MSFT", "1", "350"),
                entry(Kind::Buy, "2024-03-04", "IBM", "2", "180"),
            ],
        )
        .unwrap();
        let at = |aapl: &str, msft: &str| {
            let price = |p: &str, previous: &str| Price {
                price: d(p),
                previous_close: Some(d(previous)),
                simulated: false,
            };
            // IBM has no price: counted, never valued, whatever the others do.
            let prices = BTreeMap::from([
                ("AAPL".to_string(), price(aapl, "140")),
                ("MSFT".to_string(), price(msft, "410")),
            ]);
            holdings(&ledger, &prices, |_| (None, String::new()))
        };
        let (before, totals) = at("150.25", "401.10");
        let (expected, expected_totals) = at("161.37", "398.04");
        let mut after: Vec<Holding> = before
            .iter()
            .map(|h| match h.symbol.as_str() {
                "AAPL" => h.repriced(d("161.37"), Some(d("140"))),
                "MSFT" => h.repriced(d("398.04"), Some(d("410"))),
                _ => h.clone(),
            })
            .collect();
        let moved = totals.repriced(&before, &after);
        assert_eq!(moved, expected_totals);
        weigh(&mut after, moved.value);
        assert_eq!(after, expected);
        assert_ne!(
            moved.total_return, totals.total_return,
            "the move is in the total return"
        );
    }

    #[test]
    fn an_unpriced_holding_is_counted_but_not_valued() {
        let ledger = Ledger::replay(
            CostMethod::Fifo,
            &[entry(Kind::Buy, "2024-01-02", "XYZ", "1", "5")],
        )
        .unwrap();
        let (rows, totals) = holdings(&ledger, &BTreeMap::new(), |_| (None, "Other".into()));
        assert_eq!((rows[0].value, rows[0].weight), (None, None));
        assert_eq!(
            (totals.unpriced, totals.value, totals.cost),
            (1, d("0"), d("5"))
        );
    }

    #[test]
    fn allocation_groups_and_ranks() {
        let groups = allocation([("Tech", d("10")), ("Energy", d("30")), ("Tech", d("25"))]);
        assert_eq!(
            groups,
            vec![
                ("Tech".to_string(), d("35")),
                ("Energy".to_string(), d("30"))
            ]
        );
    }

    #[test]
    fn value_over_time_follows_trades_prices_and_splits() {
        let entries = vec![
            entry(Kind::Buy, "2024-01-03", "AAPL", "10", "100"),
            entry(Kind::Sell, "2024-01-05", "AAPL", "4", "120"),
            // 2-for-1 on the 8th: the history below is adjusted for it
            Entry {
                kind: Kind::Split,
                shares: None,
                price: None,
                ratio: Some(d("2")),
                ..entry(Kind::Split, "2024-01-08", "AAPL", "0", "0")
            },
        ];
        // Adjusted closes: before the split they are half the traded price.
        let closes = BTreeMap::from([(
            "AAPL".to_string(),
            series(&[
                ("2024-01-02", "49"),
                ("2024-01-03", "50"),
                ("2024-01-04", "55"),
                ("2024-01-05", "60"),
                ("2024-01-08", "61"),
            ]),
        )]);
        let bench = series(&[
            ("2024-01-02", "10"),
            ("2024-01-03", "10"),
            ("2024-01-04", "11"),
            ("2024-01-05", "12"),
            ("2024-01-08", "12"),
        ]);
        let points = performance(&entries, &closes, Some(&bench));
        let dates: Vec<&str> = points.iter().map(|p| p.date.as_str()).collect();
        assert_eq!(
            dates,
            ["2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"]
        );
        // 10 shares (20 after the split) × 50 adjusted = 1,000: what was paid.
        assert_eq!(points[0].value, d("1000"));
        assert_eq!(points[1].value, d("1100"));
        // 6 shares = 12 adjusted × 60
        assert_eq!(points[2].value, d("720"));
        assert_eq!(points[3].value, d("732"));
        // 1,000 in, 480 out
        assert_eq!(points[2].invested, d("520"));
        // Benchmark: 100 units on the 3rd; 40 sold on the 5th at 12 → 60 units
        assert_eq!(points[0].benchmark, Some(d("1000")));
        assert_eq!(points[1].benchmark, Some(d("1100")));
        assert_eq!(points[2].benchmark, Some(d("720")));
    }

    #[test]
    fn no_transactions_no_points() {
        assert!(performance(&[], &BTreeMap::new(), None).is_empty());
    }
}
