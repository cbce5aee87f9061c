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
}

impl ChartRange {
    pub const ALL: [ChartRange; 5] = [
        ChartRange::M1,
        ChartRange::M3,
        ChartRange::M6,
        ChartRange::Y1,
        ChartRange::Y5,
    ];

    /// Trading days shown.
    pub fn bars(self) -> usize {
        match self {
            ChartRange::M1 => 21,
            ChartRange::M3 => 63,
            ChartRange::M6 => 126,
            ChartRange::Y1 => 252,
            ChartRange::Y5 => 1260,
        }
    }

    /// The button's label, the same in every language ("1M").
    pub fn label(self) -> &'static str {
        match self {
            ChartRange::M1 => "1M",
            ChartRange::M3 => "3M",
            ChartRange::M6 => "6M",
            ChartRange::Y1 => "1Y",
            ChartRange::Y5 => "5Y",
        }
    }

    /// The form in URLs ("1m").
    pub fn code(self) -> &'static str {
        match self {
            ChartRange::M1 => "1m",
            ChartRange::M3 => "3m",
            ChartRange::M6 => "6m",
            ChartRange::Y1 => "1y",
            ChartRange::Y5 => "5y",
        }
    }

    pub fn parse(code: &str) -> Option<ChartRange> {
        ChartRange::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// A line drawn over the candles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Overlay {
    Sma20,
    Sma50,
    Sma200,
    Ema20,
    Bollinger,
}

impl Overlay {
    pub const ALL: [Overlay; 5] = [
        Overlay::Sma20,
        Overlay::Sma50,
        Overlay::Sma200,
        Overlay::Ema20,
        Overlay::Bollinger,
    ];

    /// The indicator's usual name, the same in every language.
    pub fn label(self) -> &'static str {
        match self {
            Overlay::Sma20 => "SMA 20",
            Overlay::Sma50 => "SMA 50",
            Overlay::Sma200 => "SMA 200",
            Overlay::Ema20 => "EMA 20",
            Overlay::Bollinger => "Bollinger 20, 2",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Overlay::Sma20 => "sma20",
            Overlay::Sma50 => "sma50",
            Overlay::Sma200 => "sma200",
            Overlay::Ema20 => "ema20",
            Overlay::Bollinger => "bollinger",
        }
    }
}

/// An indicator drawn in its own pane under the volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pane {
    Rsi,
    Macd,
}

impl Pane {
    pub const ALL: [Pane; 2] = [Pane::Rsi, Pane::Macd];

    pub fn label(self) -> &'static str {
        match self {
            Pane::Rsi => "RSI 14",
            Pane::Macd => "MACD 12, 26, 9",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Pane::Rsi => "rsi",
            Pane::Macd => "macd",
        }
    }
}

/// What to draw, in the query-string form the API takes: `overlays=sma20,bollinger`.
pub fn codes<T: Copy>(items: &[T], code: impl Fn(T) -> &'static str) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(",")
}

/// Reads a comma list of codes; unknown ones are refused by name.
pub fn parse_codes<T: Copy>(
    list: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match all
            .iter()
            .find(|item| code(**item).eq_ignore_ascii_case(part))
        {
            Some(item) => out.push(*item),
            None => return Err(part.to_string()),
        }
    }
    Ok(out)
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
        chart_height, ChartRange, Overlay, Pane, StockChart, GAP, PANE, PRICE, TOP, VOLUME,
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
        let shown = range.bars().min(bars.len());
        let from = bars.len() - shown;
        let window = &bars[from..];
        let tail = |series: Vec<Option<f64>>| series[from..].to_vec();
        let dates: Vec<String> = window.iter().map(|b| b.date.clone()).collect();
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
        for (overlay, colour) in overlays.iter().zip(LINE_COLOURS) {
            chart = match overlay {
                Overlay::Sma20 => chart.series(line(
                    overlay.label(),
                    values(&tail(indicators::sma(&close, 20))),
                    colour,
                    0,
                )),
                Overlay::Sma50 => chart.series(line(
                    overlay.label(),
                    values(&tail(indicators::sma(&close, 50))),
                    colour,
                    0,
                )),
                Overlay::Sma200 => chart.series(line(
                    overlay.label(),
                    values(&tail(indicators::sma(&close, 200))),
                    colour,
                    0,
                )),
                Overlay::Ema20 => chart.series(line(
                    overlay.label(),
                    values(&tail(indicators::ema(&close, 20))),
                    colour,
                    0,
                )),
                Overlay::Bollinger => {
                    let bands = indicators::bollinger(&close, 20, 2.0);
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
                            "Bollinger ↑",
                            values(&tail(bands.upper)),
                            colour,
                            0,
                        )))
                        .series(line("Bollinger", values(&tail(bands.middle)), colour, 0))
                        .series(dashed(line(
                            "Bollinger ↓",
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
            chart = match pane {
                Pane::Rsi => chart.series(line(
                    "RSI 14",
                    values(&tail(indicators::rsi(&close, 14))),
                    "@line-4",
                    axis,
                )),
                Pane::Macd => {
                    let macd = indicators::macd(&close, 12, 26, 9);
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
                                .name("MACD histogram")
                                .data(histogram)
                                .x_axis_index(axis as f64)
                                .y_axis_index(axis as f64)
                                .item_style(ItemStyle::new().color("@line-5")),
                        )
                        .series(line("MACD", values(&tail(macd.line)), "@line-1", axis))
                        .series(line("Signal", values(&tail(macd.signal)), "@line-3", axis))
                }
            };
        }

        let simulated_from = window.iter().find(|b| b.simulated).map(|b| b.date.clone());
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
            if s["name"] == "RSI 14" {
                s["markLine"] = json!({
                    "silent": true,
                    "symbol": "none",
                    "lineStyle": {"color": "@muted", "type": "dashed", "width": 1},
                    "label": {"color": "@muted", "position": "insideStartTop", "fontSize": 10},
                    "data": [{"yAxis": 70}, {"yAxis": 30}],
                });
            }
        }
        if let Some(rsi) = panes.iter().position(|p| *p == Pane::Rsi) {
            if let Some(axis) = option["yAxis"].get_mut(2 + rsi) {
                axis["min"] = json!(0);
                axis["max"] = json!(100);
                axis["scale"] = json!(false);
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
        fn the_option_has_a_grid_per_pane_and_lines_defined_from_the_first_shown_day() {
            let chart = option(
                &history(600, 550),
                ChartRange::M3,
                &[Overlay::Sma200, Overlay::Bollinger],
                &[Pane::Rsi, Pane::Macd],
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
            assert_eq!(named("MACD")["yAxisIndex"].as_f64(), Some(3.0));
            assert_eq!(option["yAxis"][2]["max"], 100);
            // The last 50 days are simulated, and shaded so.
            assert_eq!(chart.simulated_from.as_deref(), Some("day-0550"));
            assert_eq!(candles["markArea"]["data"][0][0]["xAxis"], "day-0550");
            assert_eq!(chart.height, chart_height(2));
        }

        #[test]
        fn a_short_history_draws_what_there_is_with_gaps_during_warm_up() {
            let chart = option(&history(30, 30), ChartRange::Y1, &[Overlay::Sma50], &[]);
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
