//! A community's analytics as ECharts options, built with charming like the market's and the
//! portfolio's charts; colours are tokens that `public/charts.js` reads from the page's CSS.

use charming::{
    component::{Axis, Grid, Legend},
    datatype::DataPoint,
    element::{AxisLabel, AxisType, ItemStyle, LineStyle, SplitLine, TextStyle, Tooltip, Trigger},
    series::{Bar, Line},
    Chart,
};
use serde_json::json;

use super::{rate, Charts, DayFigures, WeekFigures};

const LINES: [&str; 5] = ["@line-1", "@line-2", "@line-3", "@line-4", "@line-5"];

/// Every chart of the page.
pub fn charts(
    days: &[DayFigures],
    weeks: &[WeekFigures],
    moods: &[(String, Vec<Option<i32>>)],
) -> Charts {
    let dates: Vec<String> = days.iter().map(|d| d.day.clone()).collect();
    let numbers =
        |values: Vec<f64>| -> Vec<DataPoint> { values.into_iter().map(DataPoint::from).collect() };
    let gaps = |values: &[Option<i32>]| -> Vec<DataPoint> {
        values
            .iter()
            .map(|v| DataPoint::from(v.map(f64::from)))
            .collect()
    };
    let per_day = |f: fn(&DayFigures) -> u64| numbers(days.iter().map(|d| f(d) as f64).collect());

    let activity = base(dates.clone())
        .series(
            Bar::new()
                .name("Messages")
                .data(per_day(|d| d.messages))
                .item_style(ItemStyle::new().color("@line-1")),
        )
        .series(line(
            "Active members",
            per_day(|d| d.active_members),
            "@line-3",
        ));

    let weekly = base(weeks.iter().map(|w| w.week.clone()).collect()).series(
        Bar::new()
            .name("Active members per week")
            .data(numbers(
                weeks.iter().map(|w| w.active_members as f64).collect(),
            ))
            .item_style(ItemStyle::new().color("@line-2")),
    );

    let membership = base(dates.clone())
        .series(
            Bar::new()
                .name("Joined")
                .data(per_day(|d| d.joined))
                .item_style(ItemStyle::new().color("@up")),
        )
        .series(
            Bar::new()
                .name("Left")
                .data(per_day(|d| d.left))
                .item_style(ItemStyle::new().color("@muted")),
        )
        .series(
            Bar::new()
                .name("Removed")
                .data(per_day(|d| d.removed))
                .item_style(ItemStyle::new().color("@down")),
        );

    let mut mood = base(dates.clone());
    for (i, (symbol, series)) in moods.iter().enumerate() {
        mood = mood.series(
            // Dots too: a ticker named on one day only is a point, not a line.
            line(&format!("${symbol}"), gaps(series), LINES[i % LINES.len()])
                .connect_nulls(true)
                .show_symbol(true),
        );
    }

    let safety = base(dates)
        .series(line(
            "Flagged per 100 messages",
            numbers(
                days.iter()
                    .map(|d| rate(d.flagged, d.messages, 100.0))
                    .collect(),
            ),
            "@down",
        ))
        .series(line(
            "Reports per 1,000 messages",
            numbers(
                days.iter()
                    .map(|d| rate(d.reports, d.messages, 1000.0))
                    .collect(),
            ),
            "@line-4",
        ));

    Charts {
        activity: finish(activity),
        weekly: finish(weekly),
        membership: finish(membership),
        mood: finish(mood),
        safety: finish(safety),
    }
}

fn base(categories: Vec<String>) -> Chart {
    Chart::new()
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
        .grid(Grid::new().left(48).right(16).top(40).bottom(32))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(categories)
                .axis_label(AxisLabel::new().color("@muted")),
        )
        .y_axis(
            Axis::new()
                .axis_label(AxisLabel::new().color("@muted"))
                .split_line(SplitLine::new().line_style(LineStyle::new().color("@grid"))),
        )
}

fn line(name: &str, data: Vec<DataPoint>, colour: &str) -> Line {
    Line::new()
        .name(name)
        .data(data)
        .show_symbol(false)
        .line_style(LineStyle::new().width(1.8).color(colour))
        .item_style(ItemStyle::new().color(colour))
}

fn finish(chart: Chart) -> String {
    let mut option = serde_json::to_value(&chart).expect("a chart serialises");
    option["tooltip"]["textStyle"] = json!({"color": "@text"});
    option["legend"]["type"] = json!("scroll");
    option["legend"]["pageTextStyle"] = json!({"color": "@muted"});
    option.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_has_a_point_per_day_and_a_series_per_cashtag() {
        let days: Vec<DayFigures> = (1..=3)
            .map(|i| DayFigures {
                day: format!("2026-11-0{i}"),
                messages: 10 * i,
                flagged: i,
                ..DayFigures::default()
            })
            .collect();
        let weeks = vec![WeekFigures {
            week: "2026-10-27".into(),
            active_members: 4,
        }];
        let moods = vec![
            ("AAPL".to_string(), vec![Some(50), None, Some(-20)]),
            ("TSLA".to_string(), vec![None, None, Some(100)]),
        ];
        let charts = charts(&days, &weeks, &moods);
        let activity: serde_json::Value = serde_json::from_str(&charts.activity).unwrap();
        assert_eq!(activity["xAxis"]["data"].as_array().unwrap().len(), 3);
        assert_eq!(activity["series"][0]["data"], json!([10.0, 20.0, 30.0]));
        let mood: serde_json::Value = serde_json::from_str(&charts.mood).unwrap();
        assert_eq!(mood["series"].as_array().unwrap().len(), 2);
        assert_eq!(mood["series"][0]["name"], "$AAPL");
        assert_eq!(mood["series"][0]["data"][1], serde_json::Value::Null);
        let safety: serde_json::Value = serde_json::from_str(&charts.safety).unwrap();
        // 1 of 10, 2 of 20, 3 of 30: ten per hundred each day.
        assert_eq!(safety["series"][0]["data"], json!([10.0, 10.0, 10.0]));
    }
}
