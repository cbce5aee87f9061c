//! The portfolio's charts as ECharts options, built with charming like the stock chart
//! (`market::chart`): allocation doughnuts and the value over time against the benchmark.
//! Colours are tokens `public/charts.js` resolves from the page's CSS, so light and dark share
//! one option.

use charming::{
    component::{Axis, Grid, Legend},
    datatype::{CompositeValue, DataPoint, DataPointItem},
    element::{
        AxisLabel, AxisType, ItemStyle, Label, LineStyle, LineStyleType, SplitLine, TextStyle,
        Tooltip, Trigger,
    },
    series::{Line, Pie},
    Chart,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{service::float, valuation::Point};

/// Slice colours, in order (the chart palette's five, then a muted one for "the rest").
const SLICES: [&str; 5] = ["@line-1", "@line-2", "@line-3", "@line-4", "@line-5"];
/// Slices drawn; smaller groups are summed into "Other".
const MAX_SLICES: usize = 8;

/// The one axis or series charming wrote (an object, or the first of an array).
fn first(value: &mut Value) -> &mut Value {
    if value.as_array().is_some_and(|items| !items.is_empty()) {
        &mut value[0]
    } else {
        value
    }
}

/// A doughnut of value by group (already largest first).
pub fn allocation(groups: &[(String, Decimal)], currency: &str) -> String {
    let mut shown: Vec<(String, Decimal)> = groups.iter().take(MAX_SLICES - 1).cloned().collect();
    if groups.len() > MAX_SLICES - 1 {
        let rest: Decimal = groups[MAX_SLICES - 1..].iter().map(|(_, v)| *v).sum();
        shown.push(("Other".into(), rest));
    }
    let data: Vec<DataPointItem> = shown
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let colour = SLICES.get(i).copied().unwrap_or("@muted");
            DataPointItem::new(float(*value))
                .name(name.as_str())
                .item_style(ItemStyle::new().color(colour))
        })
        .collect();
    let chart = Chart::new()
        .animation(false)
        .background_color("transparent")
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Item)
                .background_color("@surface")
                .border_color("@grid"),
        )
        .legend(
            Legend::new()
                .bottom(0)
                .text_style(TextStyle::new().color("@muted")),
        )
        .series(
            Pie::new()
                .name(format!("Value ({currency})"))
                .radius(vec!["48%", "72%"])
                .center(vec!["50%", "44%"])
                .label(Label::new().show(false))
                .data(data),
        );
    let mut option = serde_json::to_value(&chart).expect("a chart serialises");
    option["tooltip"]["textStyle"] = json!({"color": "@text"});
    option["legend"]["type"] = json!("scroll");
    option["legend"]["pageTextStyle"] = json!({"color": "@muted"});
    let series = first(&mut option["series"]);
    series["itemStyle"] = json!({"borderColor": "@surface", "borderWidth": 2});
    series["tooltip"] = json!({"formatter": "{b}: {c} ({d} %)"});
    option.to_string()
}

/// The value line, the benchmark line and the money invested, one point a trading day.
pub fn performance(points: &[Point], benchmark: &str) -> String {
    let dates: Vec<String> = points.iter().map(|p| p.date.clone()).collect();
    let series = |values: Vec<Option<f64>>| -> Vec<DataPoint> {
        values
            .into_iter()
            .map(|v| DataPoint::from(CompositeValue::OptionalNumber(v.map(Into::into))))
            .collect()
    };
    let line = |name: &str, data: Vec<DataPoint>, colour: &str| {
        Line::new()
            .name(name)
            .data(data)
            .show_symbol(false)
            .line_style(LineStyle::new().width(1.8).color(colour))
            .item_style(ItemStyle::new().color(colour))
    };
    let value = series(points.iter().map(|p| Some(float(p.value))).collect());
    let bench = series(points.iter().map(|p| p.benchmark.map(float)).collect());
    let invested = series(points.iter().map(|p| Some(float(p.invested))).collect());
    let chart = Chart::new()
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
                .background_color("@surface")
                .border_color("@grid"),
        )
        .grid(Grid::new().left(64).right(16).top(40).bottom(32))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(dates)
                .axis_label(AxisLabel::new().color("@muted")),
        )
        .y_axis(
            Axis::new()
                .scale(true)
                .axis_label(AxisLabel::new().color("@muted"))
                .split_line(SplitLine::new().line_style(LineStyle::new().color("@grid"))),
        )
        .series(line("Portfolio", value, "@line-1"))
        .series(line(benchmark, bench, "@line-3"))
        .series(
            line("Invested", invested, "@muted").line_style(
                LineStyle::new()
                    .width(1.2)
                    .color("@muted")
                    .type_(LineStyleType::Dashed),
            ),
        );
    let mut option = serde_json::to_value(&chart).expect("a chart serialises");
    option["tooltip"]["textStyle"] = json!({"color": "@text"});
    first(&mut option["xAxis"])["axisLine"] = json!({"lineStyle": {"color": "@grid"}});
    first(&mut option["series"])["areaStyle"] = json!({"color": "@line-1", "opacity": 0.08});
    option.to_string()
}
