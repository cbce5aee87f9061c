//! The stock chart: candlesticks with volume, overlays on the price (moving averages,
//! Bollinger Bands) and indicator panes (RSI, MACD) below, for one of five ranges.
//!
//! The server builds the ECharts option with charming (`option`, server only) from the cached
//! history; the page puts it on an element and `public/charts.js` draws it with ECharts, which
//! loads only on pages with a chart. Colours in the option are tokens (`"@up"`) that charts.js
//! resolves against the page's CSS custom properties, so one option serves light and dark.

use serde::{Deserialize, Serialize};

/// How far back the chart goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ChartRange {
    /// The last session, in 5-minute candles.
    #[serde(rename = "1d")]
    D1,
    /// The last five sessions, in 30-minute candles.
    #[serde(rename = "5d")]
    D5,
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "3m")]
    M3,
    #[default]
    #[serde(rename = "6m")]
    M6,
    #[serde(rename = "1y")]
    Y1,
    #[serde(rename = "5y")]
    Y5,
    /// The real daily prices the app ships (the offline sample), all of them.
    #[serde(rename = "real")]
    Real,
}

impl ChartRange {
    pub const ALL: [ChartRange; 7] = [
        ChartRange::D1,
        ChartRange::D5,
        ChartRange::M1,
        ChartRange::M3,
        ChartRange::M6,
        ChartRange::Y1,
        ChartRange::Y5,
    ];

    /// Drawn from intraday bars rather than daily ones.
    pub fn intraday(self) -> bool {
        matches!(self, ChartRange::D1 | ChartRange::D5)
    }

    /// Minutes per candle of an intraday range.
    pub fn candle_minutes(self) -> u32 {
        match self {
            ChartRange::D5 => 30,
            _ => 5,
        }
    }

    /// Trading days shown (the intraday ranges: sessions).
    pub fn bars(self) -> usize {
        match self {
            ChartRange::D1 => 1,
            ChartRange::D5 => 5,
            ChartRange::M1 => 21,
            ChartRange::M3 => 63,
            ChartRange::M6 => 126,
            ChartRange::Y1 => 252,
            ChartRange::Y5 => 1260,
            ChartRange::Real => usize::MAX,
        }
    }

    /// The button's label, the same in every language ("1M").
    pub fn label(self) -> &'static str {
        match self {
            ChartRange::D1 => "1D",
            ChartRange::D5 => "5D",
            ChartRange::M1 => "1M",
            ChartRange::M3 => "3M",
            ChartRange::M6 => "6M",
            ChartRange::Y1 => "1Y",
            ChartRange::Y5 => "5Y",
            ChartRange::Real => "Real",
        }
    }

    /// The form in URLs ("1m").
    pub fn code(self) -> &'static str {
        match self {
            ChartRange::D1 => "1d",
            ChartRange::D5 => "5d",
            ChartRange::M1 => "1m",
            ChartRange::M3 => "3m",
            ChartRange::M6 => "6m",
            ChartRange::Y1 => "1y",
            ChartRange::Y5 => "5y",
            ChartRange::Real => "real",
        }
    }

    pub fn parse(code: &str) -> Option<ChartRange> {
        ChartRange::ALL
            .into_iter()
            .chain([ChartRange::Real])
            .find(|r| r.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// Intraday bars ("2026-11-24 09:35", oldest first) as candles of `minutes`: each opens with
/// the first bar in its time slot and closes with the last.
pub fn candles_of(bars: &[crate::market::Bar], minutes: u32) -> Vec<crate::market::Bar> {
    let slot = |date: &str| -> Option<(String, u32)> {
        let (day, clock) = date.split_once(' ')?;
        let (h, m) = clock.split_once(':')?;
        let at = h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?;
        Some((day.to_string(), at - at % minutes.max(1)))
    };
    let mut out: Vec<crate::market::Bar> = Vec::new();
    let mut current: Option<(String, u32)> = None;
    for bar in bars {
        let here = slot(&bar.date);
        match out.last_mut() {
            Some(last) if here.is_some() && here == current => {
                last.high = last.high.max(bar.high);
                last.low = last.low.min(bar.low);
                last.close = bar.close;
                last.volume += bar.volume;
                last.simulated |= bar.simulated;
            }
            _ => {
                let date = match &here {
                    Some((day, at)) => format!("{day} {:02}:{:02}", at / 60, at % 60),
                    None => bar.date.clone(),
                };
                out.push(crate::market::Bar {
                    date,
                    ..bar.clone()
                });
                current = here;
            }
        }
    }
    out
}

/// The longest period an indicator may be given: a year and a half of trading days.
pub const MAX_PERIOD: u16 = 400;

/// `20:2.5` → [20.0, 2.5]; nothing after the kind → no numbers.
fn numbers(rest: Option<&str>) -> Option<Vec<f64>> {
    match rest {
        None => Some(Vec::new()),
        Some(rest) => rest
            .split(':')
            .map(|n| n.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
            .collect(),
    }
}

/// A period: a whole number from 1 to [`MAX_PERIOD`].
fn period(n: f64) -> Option<u16> {
    (n.fract() == 0.0 && (1.0..=MAX_PERIOD as f64).contains(&n)).then_some(n as u16)
}

/// The parameters as given, or the usual ones when none are.
fn params<const N: usize>(given: &[f64], usual: [f64; N]) -> Option<[f64; N]> {
    match given.len() {
        0 => Some(usual),
        n if n == N => given.try_into().ok(),
        _ => None,
    }
}

/// Splits a code into its kind and what follows the first `:`, lower-cased.
fn kind_of(code: &str) -> (String, Option<String>) {
    let code = code.trim().to_ascii_lowercase();
    match code.split_once(':') {
        Some((kind, rest)) => (kind.to_string(), Some(rest.to_string())),
        None => (code, None),
    }
}

/// What overlays and panes share: a kind's name and its numbers, and the label and code made
/// of them.
pub trait Study: Copy + Sized {
    /// The kind's name, the same in every language ("SMA").
    fn name(self) -> &'static str;
    /// The parameters, in the order the code and the form give them.
    fn params(self) -> Vec<f64>;
    /// A code as [`Study::code`] writes it (and the shorter forms the first charts used);
    /// `None` for anything else or a parameter out of range.
    fn parse(code: &str) -> Option<Self>;

    /// "SMA 50", "Bollinger 20, 2", "OBV".
    fn label(self) -> String {
        label(self.name(), &self.params())
    }

    /// "sma:50", "bollinger:20:2", "obv".
    fn code(self) -> String {
        code(self.name(), &self.params())
    }

    /// The same kind with other parameters; `None` when they are out of range.
    fn with(self, given: &[f64]) -> Option<Self> {
        Self::parse(&code(self.name(), given))
    }
}

/// A line drawn over the candles, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Overlay {
    Sma(u16),
    Ema(u16),
    Wma(u16),
    /// The period, and the bands' width in tenths of a standard deviation (20 is 2σ).
    Bollinger(u16, u16),
    /// The volume-weighted average of the typical price over a rolling window.
    Vwap(u16),
}

impl Overlay {
    /// Drawn at once at most: each has a colour of its own.
    pub const MAX: usize = 5;

    /// Each kind with its usual parameters: what the page offers to add.
    pub const KINDS: [Overlay; 5] = [
        Overlay::Sma(50),
        Overlay::Ema(20),
        Overlay::Wma(20),
        Overlay::Bollinger(20, 20),
        Overlay::Vwap(20),
    ];

    /// What the chart shows without a choice of one's own.
    pub const DEFAULT: [Overlay; 2] = [Overlay::Sma(20), Overlay::Sma(50)];
}

impl Study for Overlay {
    fn name(self) -> &'static str {
        match self {
            Overlay::Sma(_) => "SMA",
            Overlay::Ema(_) => "EMA",
            Overlay::Wma(_) => "WMA",
            Overlay::Bollinger(..) => "Bollinger",
            Overlay::Vwap(_) => "VWAP",
        }
    }

    fn params(self) -> Vec<f64> {
        match self {
            Overlay::Sma(n) | Overlay::Ema(n) | Overlay::Wma(n) | Overlay::Vwap(n) => {
                vec![n as f64]
            }
            Overlay::Bollinger(n, width) => vec![n as f64, width as f64 / 10.0],
        }
    }

    /// A code as `code` writes it, or the shorter forms of the first charts (`sma20`,
    /// `bollinger`); `None` for anything else or a parameter out of range.
    fn parse(code: &str) -> Option<Self> {
        let (kind, rest) = kind_of(code);
        let given = numbers(rest.as_deref())?;
        // The first charts' codes: the period glued to the kind.
        for (old, make) in [
            ("sma", Overlay::Sma as fn(u16) -> Overlay),
            ("ema", Overlay::Ema),
        ] {
            if let Some(n) = kind.strip_prefix(old).filter(|n| !n.is_empty()) {
                return given
                    .is_empty()
                    .then(|| n.parse::<f64>().ok().and_then(period).map(make))?;
            }
        }
        match kind.as_str() {
            "sma" => Some(Overlay::Sma(period(params(&given, [50.0])?[0])?)),
            "ema" => Some(Overlay::Ema(period(params(&given, [20.0])?[0])?)),
            "wma" => Some(Overlay::Wma(period(params(&given, [20.0])?[0])?)),
            "vwap" => Some(Overlay::Vwap(period(params(&given, [20.0])?[0])?)),
            "bollinger" => {
                let [n, width] = params(&given, [20.0, 2.0])?;
                let tenths = (width * 10.0).round();
                ((5.0..=50.0).contains(&tenths) && (width * 10.0 - tenths).abs() < 1e-9)
                    .then_some(())?;
                Some(Overlay::Bollinger(period(n)?, tenths as u16))
            }
            _ => None,
        }
    }
}

/// An indicator drawn in its own pane under the volume, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pane {
    Rsi(u16),
    /// Fast, slow and signal periods (fast below slow).
    Macd(u16, u16, u16),
    Atr(u16),
    /// %K's period, its smoothing, and %D's period.
    Stochastic(u16, u16, u16),
    Obv,
}

impl Pane {
    /// Drawn at once at most: the chart grows a pane each.
    pub const MAX: usize = 3;

    /// Each kind with its usual parameters: what the page offers to add.
    pub const KINDS: [Pane; 5] = [
        Pane::Rsi(14),
        Pane::Macd(12, 26, 9),
        Pane::Atr(14),
        Pane::Stochastic(14, 3, 3),
        Pane::Obv,
    ];

    /// What the chart shows without a choice of one's own.
    pub const DEFAULT: [Pane; 1] = [Pane::Rsi(14)];
}

impl Study for Pane {
    fn name(self) -> &'static str {
        match self {
            Pane::Rsi(_) => "RSI",
            Pane::Macd(..) => "MACD",
            Pane::Atr(_) => "ATR",
            Pane::Stochastic(..) => "Stochastic",
            Pane::Obv => "OBV",
        }
    }

    fn params(self) -> Vec<f64> {
        match self {
            Pane::Rsi(n) | Pane::Atr(n) => vec![n as f64],
            Pane::Macd(a, b, c) | Pane::Stochastic(a, b, c) => {
                vec![a as f64, b as f64, c as f64]
            }
            Pane::Obv => Vec::new(),
        }
    }

    /// A code as `code` writes it, or a kind alone for its usual parameters (`rsi`, `macd`).
    fn parse(code: &str) -> Option<Self> {
        let (kind, rest) = kind_of(code);
        let given = numbers(rest.as_deref())?;
        match kind.as_str() {
            "rsi" => Some(Pane::Rsi(period(params(&given, [14.0])?[0])?)),
            "atr" => Some(Pane::Atr(period(params(&given, [14.0])?[0])?)),
            "macd" => {
                let [fast, slow, signal] = params(&given, [12.0, 26.0, 9.0])?;
                let (fast, slow, signal) = (period(fast)?, period(slow)?, period(signal)?);
                (fast < slow).then_some(Pane::Macd(fast, slow, signal))
            }
            "stochastic" | "stoch" => {
                let [k, smooth, d] = params(&given, [14.0, 3.0, 3.0])?;
                Some(Pane::Stochastic(period(k)?, period(smooth)?, period(d)?))
            }
            "obv" => given.is_empty().then_some(Pane::Obv),
            _ => None,
        }
    }
}

/// A number as a label shows it: whole numbers without decimals.
fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

fn label(name: &str, params: &[f64]) -> String {
    let params: Vec<String> = params.iter().map(|n| number(*n)).collect();
    if params.is_empty() {
        name.to_string()
    } else {
        format!("{name} {}", params.join(", "))
    }
}

fn code(name: &str, params: &[f64]) -> String {
    let mut code = name.to_ascii_lowercase();
    for n in params {
        code.push(':');
        code.push_str(&number(*n));
    }
    code
}

/// What to draw, in the query-string form the API takes: `overlays=sma:20,bollinger:20:2`.
pub fn codes<T: Copy>(items: &[T], code: impl Fn(T) -> String) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(",")
}

/// Reads a comma list of codes, each once; what is not one is refused by name.
pub fn parse_codes<T: Copy + PartialEq>(
    list: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let item = parse(part).ok_or_else(|| part.to_string())?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// The indicators drawn on every chart, as a person chose them (the usual ones until they do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartChoice {
    pub overlays: Vec<Overlay>,
    pub panes: Vec<Pane>,
}

impl Default for ChartChoice {
    fn default() -> ChartChoice {
        ChartChoice {
            overlays: Overlay::DEFAULT.to_vec(),
            panes: Pane::DEFAULT.to_vec(),
        }
    }
}

impl ChartChoice {
    /// The codes the chart API takes: (`sma:20,sma:50`, `rsi:14`).
    pub fn codes(&self) -> (String, String) {
        (
            codes(&self.overlays, Overlay::code),
            codes(&self.panes, Pane::code),
        )
    }
}

/// A chart ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockChart {
    /// The ECharts option (JSON), with colour tokens.
    pub option: String,
    /// Candles drawn.
    pub bars: usize,
    /// The first simulated day in the range, when some of it is simulated.
    pub simulated_from: Option<String>,
    /// The source of the bars and when it answered (RFC 3339).
    pub source: String,
    pub fetched_at: String,
    /// Height the chart needs in pixels (more panes, taller chart).
    pub height: u32,
    /// The years of real prices the app ships for the symbol ("2000–2013"), when it has some:
    /// the `real` range draws them.
    #[serde(default)]
    pub sample: Option<String>,
}

/// Pixel layout: the price grid, then volume, then each pane, then the zoom slider.
const TOP: u32 = 40;
const PRICE: u32 = 230;
const GAP: u32 = 16;
const VOLUME: u32 = 60;
const PANE: u32 = 96;
const SLIDER: u32 = 72;

pub fn chart_height(panes: usize) -> u32 {
    TOP + PRICE + GAP + VOLUME + panes as u32 * (GAP + PANE) + SLIDER
}

#[cfg(feature = "ssr")]
pub use build::option;

#[cfg(feature = "ssr")]
mod build {
    use charming::{
        component::{Axis, DataZoom, DataZoomType, Grid, Legend},
        datatype::{CompositeValue, DataPoint, DataPointItem},
        element::{
            AxisLabel, AxisPointer, AxisPointerLink, AxisPointerType, AxisType, ItemStyle,
            LineStyle, LineStyleType, SplitLine, TextStyle, Tooltip, Trigger,
        },
        series::{Bar as BarSeries, Candlestick, Line},
        Chart,
    };
    use serde_json::{json, Value};

    use super::{
        chart_height, ChartRange, Overlay, Pane, StockChart, Study, GAP, PANE, PRICE, TOP, VOLUME,
    };
    use crate::market::{indicators, History};

    /// Colours for the overlay lines, as tokens charts.js resolves (`--chart-line-1`…).
    const LINE_COLOURS: [&str; 5] = ["@line-1", "@line-2", "@line-3", "@line-4", "@line-5"];

    fn values(series: &[Option<f64>]) -> Vec<DataPoint> {
        series
            .iter()
            .map(|v| DataPoint::from(CompositeValue::OptionalNumber(v.map(Into::into))))
            .collect()
    }

    fn line(name: &str, data: Vec<DataPoint>, colour: &str, axis: usize) -> Line {
        Line::new()
            .name(name)
            .data(data)
            .show_symbol(false)
            .x_axis_index(axis as f64)
            .y_axis_index(axis as f64)
            .line_style(LineStyle::new().width(1.4).color(colour))
            .item_style(ItemStyle::new().color(colour))
    }

    fn axis_style(axis: Axis, labels: bool) -> Axis {
        axis.axis_label(AxisLabel::new().show(labels).color("@muted"))
            .split_line(SplitLine::new().line_style(LineStyle::new().color("@grid")))
    }

    /// The option for `range` of `history` (oldest first), with the chosen overlays and panes.
    /// Indicators are computed over the whole history, so a short range starts with its
    /// moving averages already defined.
    pub fn option(
        history: &History,
        range: ChartRange,
        overlays: &[Overlay],
        panes: &[Pane],
    ) -> StockChart {
        let bars = &history.bars;
        let close: Vec<f64> = bars.iter().map(|b| b.close).collect();
        let shown = if range.intraday() {
            // The last sessions; the bars before them only warm the indicators up.
            let day = |b: &crate::market::Bar| b.date.get(..10).unwrap_or_default().to_string();
            let mut days: Vec<String> = bars.iter().map(day).collect();
            days.dedup();
            let first = days
                .len()
                .checked_sub(range.bars().min(days.len()))
                .and_then(|i| days.get(i).cloned())
                .unwrap_or_default();
            bars.iter().filter(|b| day(b) >= first).count()
        } else {
            range.bars().min(bars.len())
        };
        let from = bars.len() - shown;
        let window = &bars[from..];
        let tail = |series: Vec<Option<f64>>| series[from..].to_vec();
        // A session's candles by their time, five sessions' by day and time.
        let dates: Vec<String> = window
            .iter()
            .map(|b| match range {
                ChartRange::D1 => b.date.get(11..).unwrap_or(&b.date).to_string(),
                ChartRange::D5 => b.date.get(5..).unwrap_or(&b.date).to_string(),
                _ => b.date.clone(),
            })
            .collect();
        let grids = 2 + panes.len();
        let all_axes: Vec<CompositeValue> =
            (0..grids).map(|i| CompositeValue::from(i as i64)).collect();

        let mut chart = Chart::new()
            .animation(false)
            .background_color("transparent")
            .legend(
                Legend::new()
                    .top(4)
                    .left(8)
                    .text_style(TextStyle::new().color("@muted")),
            )
            .tooltip(
                Tooltip::new()
                    .trigger(Trigger::Axis)
                    .axis_pointer(AxisPointer::new().type_(AxisPointerType::Cross))
                    .background_color("@surface")
                    .border_color("@grid"),
            )
            .axis_pointer(AxisPointer::new().link(vec![AxisPointerLink::new().x_axis_index("all")]))
            .data_zoom(
                DataZoom::new()
                    .type_(DataZoomType::Inside)
                    .x_axis_index(CompositeValue::Array(all_axes.clone())),
            )
            .data_zoom(
                DataZoom::new()
                    .type_(DataZoomType::Slider)
                    .x_axis_index(CompositeValue::Array(all_axes))
                    .bottom(8)
                    .text_style(TextStyle::new().color("@muted")),
            );

        // Grids and their axes, top to bottom; only the last shows dates.
        let mut top = TOP;
        let mut heights = vec![PRICE, VOLUME];
        heights.extend(panes.iter().map(|_| PANE));
        for (i, height) in heights.iter().enumerate() {
            chart = chart
                .grid(
                    Grid::new()
                        .left(56)
                        .right(16)
                        .top(top as f64)
                        .height(*height as f64),
                )
                .x_axis(axis_style(
                    Axis::new()
                        .type_(AxisType::Category)
                        .grid_index(i as f64)
                        .data(dates.clone()),
                    i == grids - 1,
                ))
                .y_axis(axis_style(
                    Axis::new()
                        .scale(true)
                        .grid_index(i as f64)
                        .split_number(if i == 0 { 4 } else { 2 }),
                    true,
                ));
            top += height + GAP;
        }

        // Price: candles, then the overlays.
        let candles: Vec<DataPoint> = window
            .iter()
            .map(|b| {
                DataPoint::from(CompositeValue::Array(vec![
                    b.open.into(),
                    b.close.into(),
                    b.low.into(),
                    b.high.into(),
                ]))
            })
            .collect();
        chart = chart.series(Candlestick::new().name("OHLC").data(candles));
        let high: Vec<f64> = bars.iter().map(|b| b.high).collect();
        let low: Vec<f64> = bars.iter().map(|b| b.low).collect();
        let volume_of: Vec<f64> = bars.iter().map(|b| b.volume).collect();
        for (overlay, colour) in overlays.iter().zip(LINE_COLOURS) {
            let label = overlay.label();
            let simple = |series: Vec<Option<f64>>| line(&label, values(&tail(series)), colour, 0);
            chart = match *overlay {
                Overlay::Sma(n) => chart.series(simple(indicators::sma(&close, n.into()))),
                Overlay::Ema(n) => chart.series(simple(indicators::ema(&close, n.into()))),
                Overlay::Wma(n) => chart.series(simple(indicators::wma(&close, n.into()))),
                Overlay::Vwap(n) => chart.series(simple(indicators::vwap(
                    &high,
                    &low,
                    &close,
                    &volume_of,
                    n.into(),
                ))),
                Overlay::Bollinger(n, width) => {
                    let bands = indicators::bollinger(&close, n.into(), width as f64 / 10.0);
                    let dashed = |l: Line| {
                        l.line_style(
                            LineStyle::new()
                                .width(1.0)
                                .color(colour)
                                .type_(LineStyleType::Dashed),
                        )
                    };
                    chart
                        .series(dashed(line(
                            &format!("{label} ↑"),
                            values(&tail(bands.upper)),
                            colour,
                            0,
                        )))
                        .series(line(&label, values(&tail(bands.middle)), colour, 0))
                        .series(dashed(line(
                            &format!("{label} ↓"),
                            values(&tail(bands.lower)),
                            colour,
                            0,
                        )))
                }
            };
        }

        // Volume, coloured by the day's direction.
        let up_or_down = |rising: bool| if rising { "@up" } else { "@down" };
        let volume: Vec<DataPoint> = window
            .iter()
            .map(|b| {
                DataPointItem::new(b.volume)
                    .item_style(ItemStyle::new().color(up_or_down(b.close >= b.open)))
                    .into()
            })
            .collect();
        // The series colour is the legend's swatch; each bar has its day's own.
        chart = chart.series(
            BarSeries::new()
                .name("Volume")
                .data(volume)
                .x_axis_index(1)
                .y_axis_index(1)
                .item_style(ItemStyle::new().color("@line-5")),
        );

        for (i, pane) in panes.iter().enumerate() {
            let axis = 2 + i;
            let label = pane.label();
            chart = match *pane {
                Pane::Rsi(n) => chart.series(line(
                    &label,
                    values(&tail(indicators::rsi(&close, n.into()))),
                    "@line-4",
                    axis,
                )),
                Pane::Atr(n) => chart.series(line(
                    &label,
                    values(&tail(indicators::atr(&high, &low, &close, n.into()))),
                    "@line-2",
                    axis,
                )),
                Pane::Obv => chart.series(line(
                    &label,
                    values(&tail(indicators::obv(&close, &volume_of))),
                    "@line-3",
                    axis,
                )),
                Pane::Stochastic(k, smooth, d) => {
                    let stochastic = indicators::stochastic(
                        &high,
                        &low,
                        &close,
                        k.into(),
                        smooth.into(),
                        d.into(),
                    );
                    chart
                        .series(line(
                            &format!("{label} %K"),
                            values(&tail(stochastic.k)),
                            "@line-1",
                            axis,
                        ))
                        .series(line(
                            &format!("{label} %D"),
                            values(&tail(stochastic.d)),
                            "@line-3",
                            axis,
                        ))
                }
                Pane::Macd(fast, slow, signal) => {
                    let macd = indicators::macd(&close, fast.into(), slow.into(), signal.into());
                    let histogram: Vec<DataPoint> = tail(macd.histogram)
                        .into_iter()
                        .map(|h| match h {
                            Some(h) => DataPointItem::new(h)
                                .item_style(ItemStyle::new().color(up_or_down(h >= 0.0)))
                                .into(),
                            None => DataPoint::from(CompositeValue::OptionalNumber(None)),
                        })
                        .collect();
                    chart
                        .series(
                            BarSeries::new()
                                .name(format!("{label} histogram"))
                                .data(histogram)
                                .x_axis_index(axis as f64)
                                .y_axis_index(axis as f64)
                                .item_style(ItemStyle::new().color("@line-5")),
                        )
                        .series(line(&label, values(&tail(macd.line)), "@line-1", axis))
                        .series(line(
                            &format!("{label} signal"),
                            values(&tail(macd.signal)),
                            "@line-3",
                            axis,
                        ))
                }
            };
        }

        let simulated_from = window
            .iter()
            .position(|b| b.simulated)
            .map(|i| dates[i].clone());
        let mut option = serde_json::to_value(&chart).expect("a chart serialises");
        finish(
            &mut option,
            panes,
            simulated_from.as_deref(),
            dates.last().map(String::as_str),
        );
        StockChart {
            option: option.to_string(),
            bars: shown,
            simulated_from,
            source: history.source.clone(),
            fetched_at: history.fetched_at.clone(),
            height: chart_height(panes.len()),
            sample: None,
        }
    }

    /// What charming 0.6 does not model: the candles' colours and axes, the RSI pane's fixed
    /// 0–100 scale with its 30/70 lines, the shading of simulated days, the tooltip's text
    /// and axis lines' colours, a scrolling legend, and the volume axis.
    fn finish(
        option: &mut Value,
        panes: &[Pane],
        simulated_from: Option<&str>,
        last: Option<&str>,
    ) {
        option["tooltip"]["textStyle"] = json!({"color": "@text"});
        // One line of legend, paged on a phone, so it never runs into the price grid.
        option["legend"]["type"] = json!("scroll");
        option["legend"]["right"] = json!(8);
        option["legend"]["pageTextStyle"] = json!({"color": "@muted"});
        for key in ["xAxis", "yAxis"] {
            for axis in option[key].as_array_mut().into_iter().flatten() {
                axis["axisLine"] = json!({"lineStyle": {"color": "@grid"}});
            }
        }
        let Some(series) = option["series"].as_array_mut() else {
            return;
        };
        for s in series.iter_mut() {
            if s["type"] == "candlestick" {
                s["xAxisIndex"] = json!(0);
                s["yAxisIndex"] = json!(0);
                s["itemStyle"] = json!({"color": "@up", "color0": "@down", "borderColor": "@up", "borderColor0": "@down"});
                if let (Some(from), Some(to)) = (simulated_from, last) {
                    s["markArea"] = json!({
                        "silent": true,
                        "itemStyle": {"color": "@simulated"},
                        "data": [[{"xAxis": from}, {"xAxis": to}]],
                    });
                }
            }
            // The oscillators' usual levels: overbought and oversold.
            let name = s["name"].as_str().unwrap_or_default();
            let levels = if name.starts_with("RSI") {
                Some([70, 30])
            } else if name.starts_with("Stochastic") && name.ends_with("%K") {
                Some([80, 20])
            } else {
                None
            };
            if let Some([over, under]) = levels {
                s["markLine"] = json!({
                    "silent": true,
                    "symbol": "none",
                    "lineStyle": {"color": "@muted", "type": "dashed", "width": 1},
                    "label": {"color": "@muted", "position": "insideStartTop", "fontSize": 10},
                    "data": [{"yAxis": over}, {"yAxis": under}],
                });
            }
        }
        // The oscillators run from 0 to 100 whatever the data.
        for (i, pane) in panes.iter().enumerate() {
            if matches!(pane, Pane::Rsi(_) | Pane::Stochastic(..)) {
                if let Some(axis) = option["yAxis"].get_mut(2 + i) {
                    axis["min"] = json!(0);
                    axis["max"] = json!(100);
                    axis["scale"] = json!(false);
                }
            }
        }
        // Volume is read from the bars' heights and the tooltip; raw share counts as axis
        // labels would only crowd the left edge.
        if let Some(axis) = option["yAxis"].get_mut(1) {
            axis["axisLabel"]["show"] = json!(false);
            axis["splitNumber"] = json!(1);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::market::Bar;

        fn history(days: usize, simulated_after: usize) -> History {
            let bars = (0..days)
                .map(|i| {
                    let close = 100.0 + (i as f64 / 7.0).sin() * 10.0 + i as f64 * 0.05;
                    Bar {
                        date: format!("day-{i:04}"),
                        open: close - 0.5,
                        high: close + 1.0,
                        low: close - 1.5,
                        close,
                        volume: 1_000_000.0 + i as f64,
                        simulated: i >= simulated_after,
                    }
                })
                .collect();
            History {
                symbol: "TEST".into(),
                bars,
                source: "offline".into(),
                fetched_at: "2026-11-22T00:00:00Z".into(),
            }
        }

        #[test]
        fn a_day_s_chart_is_the_last_session_by_time_with_indicators_warmed_before_it() {
            let mut history = history(156, 0);
            for (i, bar) in history.bars.iter_mut().enumerate() {
                let (day, slot) = (23 + i / 78, i % 78);
                let at = 9 * 60 + 30 + slot * 5;
                bar.date = format!("2026-11-{day:02} {:02}:{:02}", at / 60, at % 60);
            }
            let chart = option(&history, ChartRange::D1, &[Overlay::Sma(50)], &[]);
            let option: Value = serde_json::from_str(&chart.option).unwrap();
            assert_eq!(chart.bars, 78, "one session");
            assert_eq!(option["xAxis"][0]["data"][0], "09:30");
            assert_eq!(option["xAxis"][0]["data"][77], "15:55");
            let sma = option["series"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == "SMA 50")
                .unwrap()
                .clone();
            assert!(sma["data"][0].is_number(), "warmed by the day before");
            // Five days: every session, by day and time.
            let five = option_of(&history, ChartRange::D5);
            assert_eq!(five["xAxis"][0]["data"][0], "11-23 09:30");
        }

        #[test]
        fn every_indicator_draws_with_its_own_parameters() {
            let chart = option(
                &history(400, 400),
                ChartRange::Y1,
                &[
                    Overlay::Wma(10),
                    Overlay::Vwap(30),
                    Overlay::Ema(7),
                    Overlay::Bollinger(10, 25),
                ],
                &[Pane::Atr(10), Pane::Stochastic(9, 3, 3), Pane::Obv],
            );
            let option: Value = serde_json::from_str(&chart.option).unwrap();
            let series = option["series"].as_array().unwrap();
            let axis_of = |name: &str| {
                series
                    .iter()
                    .find(|s| s["name"] == name)
                    .unwrap_or_else(|| panic!("{name}: {series:?}"))["yAxisIndex"]
                    .as_f64()
            };
            for name in [
                "WMA 10",
                "VWAP 30",
                "EMA 7",
                "Bollinger 10, 2.5",
                "Bollinger 10, 2.5 ↑",
            ] {
                assert_eq!(axis_of(name), Some(0.0), "{name} over the price");
            }
            assert_eq!(axis_of("ATR 10"), Some(2.0));
            assert_eq!(axis_of("Stochastic 9, 3, 3 %K"), Some(3.0));
            assert_eq!(axis_of("Stochastic 9, 3, 3 %D"), Some(3.0));
            assert_eq!(axis_of("OBV"), Some(4.0));
            // The stochastic's pane runs 0–100 with its 80/20 lines.
            assert_eq!(option["yAxis"][3]["max"], 100);
            let k = series
                .iter()
                .find(|s| s["name"] == "Stochastic 9, 3, 3 %K")
                .unwrap();
            assert_eq!(k["markLine"]["data"][0]["yAxis"], 80);
            assert_eq!(chart.height, chart_height(3));
            // A shorter period answers sooner: EMA 7 is defined on the first shown day.
            let ema = series.iter().find(|s| s["name"] == "EMA 7").unwrap();
            assert!(ema["data"][0].is_number());
        }

        fn option_of(history: &History, range: ChartRange) -> Value {
            serde_json::from_str(&option(history, range, &[], &[]).option).unwrap()
        }

        #[test]
        fn the_option_has_a_grid_per_pane_and_lines_defined_from_the_first_shown_day() {
            let chart = option(
                &history(600, 550),
                ChartRange::M3,
                &[Overlay::Sma(200), Overlay::Bollinger(20, 20)],
                &[Pane::Rsi(14), Pane::Macd(12, 26, 9)],
            );
            let option: Value = serde_json::from_str(&chart.option).unwrap();
            assert_eq!(chart.bars, 63);
            assert_eq!(
                option["grid"].as_array().unwrap().len(),
                4,
                "price, volume, RSI, MACD"
            );
            assert_eq!(option["xAxis"].as_array().unwrap().len(), 4);
            let series = option["series"].as_array().unwrap();
            let named = |name: &str| {
                series
                    .iter()
                    .find(|s| s["name"] == name)
                    .unwrap_or_else(|| panic!("{name}: {series:?}"))
            };
            let candles = named("OHLC");
            assert_eq!(candles["type"], "candlestick");
            assert_eq!(candles["data"].as_array().unwrap().len(), 63);
            // [open, close, low, high] as ECharts wants them.
            let first = &candles["data"][0];
            assert!(first[3].as_f64().unwrap() > first[2].as_f64().unwrap());
            // SMA 200 was warm long before the range began: no gap at its start.
            assert!(
                named("SMA 200")["data"][0].is_number(),
                "{}",
                named("SMA 200")["data"][0]
            );
            assert_eq!(named("RSI 14")["yAxisIndex"].as_f64(), Some(2.0));
            assert_eq!(named("MACD 12, 26, 9")["yAxisIndex"].as_f64(), Some(3.0));
            assert_eq!(option["yAxis"][2]["max"], 100);
            // The last 50 days are simulated, and shaded so.
            assert_eq!(chart.simulated_from.as_deref(), Some("day-0550"));
            assert_eq!(candles["markArea"]["data"][0][0]["xAxis"], "day-0550");
            assert_eq!(chart.height, chart_height(2));
        }

        #[test]
        fn a_short_history_draws_what_there_is_with_gaps_during_warm_up() {
            let chart = option(&history(30, 30), ChartRange::Y1, &[Overlay::Sma(50)], &[]);
            let option: Value = serde_json::from_str(&chart.option).unwrap();
            assert_eq!(chart.bars, 30);
            assert_eq!(chart.simulated_from, None);
            let sma = option["series"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == "SMA 50")
                .unwrap()
                .clone();
            assert!(
                sma["data"].as_array().unwrap().iter().all(Value::is_null),
                "50 days are needed: {sma}"
            );
            assert_eq!(option["grid"].as_array().unwrap().len(), 2);
        }
    }
}

#[cfg(test)]
mod intraday_tests {
    use super::*;
    use crate::market::{Bar, History, Quote};

    fn bar(date: &str, open: f64, close: f64) -> Bar {
        Bar {
            date: date.into(),
            open,
            high: open.max(close) + 1.0,
            low: open.min(close) - 1.0,
            close,
            volume: 10.0,
            simulated: true,
        }
    }

    #[test]
    fn five_minute_bars_make_half_hour_candles_within_each_day() {
        let bars = vec![
            bar("2026-11-23 15:50", 1.0, 2.0),
            bar("2026-11-23 15:55", 2.0, 3.0),
            bar("2026-11-24 09:30", 5.0, 6.0),
            bar("2026-11-24 09:35", 6.0, 4.0),
            bar("2026-11-24 09:55", 4.0, 7.0),
            bar("2026-11-24 10:00", 7.0, 8.0),
        ];
        let candles = candles_of(&bars, 30);
        let dates: Vec<&str> = candles.iter().map(|b| b.date.as_str()).collect();
        assert_eq!(
            dates,
            ["2026-11-23 15:30", "2026-11-24 09:30", "2026-11-24 10:00"]
        );
        let first_of_day = &candles[1];
        assert_eq!((first_of_day.open, first_of_day.close), (5.0, 7.0));
        assert_eq!((first_of_day.high, first_of_day.low), (8.0, 3.0));
        assert_eq!(first_of_day.volume, 30.0);
        // Five minutes a candle: the bars as they are.
        assert_eq!(candles_of(&bars, 5), bars);
    }

    #[test]
    fn a_newer_quote_moves_the_last_candle_or_adds_the_day() {
        let quote = |as_of: &str, price: f64| Quote {
            symbol: "X".into(),
            price,
            open: Some(10.0),
            high: Some(12.0),
            low: Some(9.0),
            previous_close: Some(10.0),
            volume: Some(500.0),
            as_of: as_of.into(),
            source: "offline".into(),
            simulated: true,
            delayed: false,
        };
        let mut history = History {
            symbol: "X".into(),
            bars: vec![bar("2026-11-23", 9.0, 10.0), bar("2026-11-24", 10.0, 11.0)],
            source: "offline".into(),
            fetched_at: String::new(),
        };
        // The same day, later: the last candle is the quote's.
        history.with_quote(&quote("2026-11-24T16:00:05Z", 12.5));
        assert_eq!(history.bars.len(), 2);
        let last = &history.bars[1];
        assert_eq!((last.close, last.high, last.low), (12.5, 12.5, 9.0));
        // The next day: a new candle.
        history.with_quote(&quote("2026-11-25", 13.0));
        assert_eq!(history.bars.len(), 3);
        assert_eq!(history.bars[2].date, "2026-11-25");
        // An older quote changes nothing.
        let before = history.clone();
        history.with_quote(&quote("2026-11-20", 1.0));
        assert_eq!(history, before);
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn codes_carry_the_parameters_and_the_first_charts_codes_still_read() {
        for overlay in Overlay::KINDS
            .into_iter()
            .chain([Overlay::Sma(200), Overlay::Bollinger(14, 25)])
        {
            assert_eq!(
                Overlay::parse(&overlay.code()),
                Some(overlay),
                "{}",
                overlay.code()
            );
        }
        for pane in Pane::KINDS.into_iter().chain([Pane::Macd(5, 35, 5)]) {
            assert_eq!(Pane::parse(&pane.code()), Some(pane), "{}", pane.code());
        }
        assert_eq!(Overlay::Bollinger(20, 25).code(), "bollinger:20:2.5");
        assert_eq!(Overlay::Bollinger(20, 20).label(), "Bollinger 20, 2");
        assert_eq!(Pane::Stochastic(14, 3, 3).label(), "Stochastic 14, 3, 3");
        // The codes of the first charts, and a kind alone for its usual parameters.
        assert_eq!(Overlay::parse("SMA200"), Some(Overlay::Sma(200)));
        assert_eq!(Overlay::parse("ema20"), Some(Overlay::Ema(20)));
        assert_eq!(
            Overlay::parse("bollinger"),
            Some(Overlay::Bollinger(20, 20))
        );
        assert_eq!(Pane::parse("rsi"), Some(Pane::Rsi(14)));
        assert_eq!(Pane::parse(" MACD "), Some(Pane::Macd(12, 26, 9)));
        // Out of range or malformed: refused, never clamped.
        for bad in [
            "sma:0",
            "sma:401",
            "sma:2.5",
            "sma:",
            "sma:x",
            "sma:20:3",
            "smash",
            "ema20:5",
            "bollinger:20:0.4",
            "bollinger:20:2.55",
            "vwap:-3",
            "rsi",
        ] {
            assert_eq!(Overlay::parse(bad), None, "{bad}");
        }
        for bad in [
            "macd:26:12:9",
            "macd:12:26",
            "obv:3",
            "stoch:0:3:3",
            "rsi:1e9",
            "sma:50",
        ] {
            assert_eq!(Pane::parse(bad), None, "{bad}");
        }
        // A new kind with other parameters, through the same rules.
        assert_eq!(Overlay::Sma(50).with(&[100.0]), Some(Overlay::Sma(100)));
        assert_eq!(Overlay::Sma(50).with(&[1000.0]), None);
        assert_eq!(
            Pane::Macd(12, 26, 9).with(&[8.0, 21.0, 5.0]),
            Some(Pane::Macd(8, 21, 5))
        );
    }

    #[test]
    fn a_list_reads_each_code_once_and_refuses_an_unknown_one_by_name() {
        let read = |list: &str| parse_codes(list, Overlay::parse);
        assert_eq!(
            read("sma:20, sma20 ,ema:9"),
            Ok(vec![Overlay::Sma(20), Overlay::Ema(9)])
        );
        assert_eq!(read("sma:20,nope"), Err("nope".to_string()));
        assert_eq!(read(""), Ok(vec![]));
    }
}
