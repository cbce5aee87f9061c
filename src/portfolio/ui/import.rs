//! CSV import: choose a file → map its columns (with the first rows as a preview) → the rows
//! go to the server in parts of 1,000 with a progress bar and are checked → the report (row
//! number and reason for each refused row) → nothing counts until the person confirms.

use leptos::prelude::*;

use super::{form::tx_error_text, PageState};
use crate::{
    auth::ui::pages::error_text,
    kit::i18n::{t, t_string, use_i18n},
    portfolio::{
        api::{import_cancel, import_confirm, import_review, import_rows, import_start},
        import::{mapping_problem, Mapping, RowError, CHUNK_ROWS},
        transaction::Field,
        ImportReport,
    },
};

/// Rows of the file shown under the mapping.
const PREVIEW_ROWS: usize = 5;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Choose,
    Map,
    Sending {
        sent: usize,
        total: usize,
    },
    Review {
        report: ImportReport,
        portfolio: String,
        import: String,
    },
    Done {
        imported: usize,
    },
}

fn field_text(field: Field) -> String {
    let i18n = use_i18n();
    match field {
        Field::Date => t_string!(i18n, portfolio.date),
        Field::Kind => t_string!(i18n, portfolio.type_),
        Field::Symbol => t_string!(i18n, portfolio.symbol),
        Field::Shares => t_string!(i18n, portfolio.shares),
        Field::Price => t_string!(i18n, portfolio.price_per_share),
        Field::Fees => t_string!(i18n, portfolio.fees),
        Field::Amount => t_string!(i18n, portfolio.amount),
        Field::Ratio => t_string!(i18n, portfolio.ratio),
        Field::Currency => t_string!(i18n, portfolio.currency),
        Field::Note => t_string!(i18n, portfolio.note),
        Field::Name => t_string!(i18n, portfolio.company),
        Field::Sector => t_string!(i18n, portfolio.sector),
    }
    .to_string()
}

/// Where the import stands, kept by the page: confirming redraws the page, and the report
/// must survive that.
#[derive(Clone, Copy)]
pub struct ImportState {
    step: RwSignal<Step>,
    file_name: RwSignal<String>,
    /// The file's records, header first; kept out of the reactive graph (it can be large).
    file: StoredValue<Vec<Vec<String>>>,
    header: RwSignal<Vec<String>>,
    mapping: RwSignal<Mapping>,
    failure: RwSignal<Option<String>>,
}

impl ImportState {
    pub fn new() -> ImportState {
        ImportState {
            step: RwSignal::new(Step::Choose),
            file_name: RwSignal::new(String::new()),
            file: StoredValue::new(Vec::new()),
            header: RwSignal::new(Vec::new()),
            mapping: RwSignal::new(Mapping::new()),
            failure: RwSignal::new(None),
        }
    }
}

#[component]
pub fn ImportCard(portfolio: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let ImportState {
        step,
        file_name,
        file,
        header,
        mapping,
        failure,
    } = expect_context::<ImportState>();

    // A file chosen with the picker or dropped on the zone is read the same way.
    #[cfg(feature = "hydrate")]
    let load = move |chosen: web_sys::File| {
        use crate::portfolio::import::{guess_mapping, records};
        failure.set(None);
        file_name.set(chosen.name());
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(chosen.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            let rows = records(&text.unwrap_or_default());
            if rows.len() < 2 {
                failure.set(Some(t_string!(i18n, portfolio.import_empty).to_string()));
                return;
            }
            header.set(rows[0].clone());
            mapping.set(guess_mapping(&rows[0]));
            file.set_value(rows);
            step.set(Step::Map);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(chosen) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            {
                load(chosen);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(chosen) = ev
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            load(chosen);
        }
    };

    let send = {
        let portfolio = portfolio.clone();
        move |_| {
            let chosen = mapping.get_untracked();
            if let Some(problem) = mapping_problem(&chosen) {
                failure.set(Some(problem.render(i18n.get_locale_untracked())));
                return;
            }
            failure.set(None);
            let portfolio = portfolio.clone();
            leptos::task::spawn_local(async move {
                let rows = file.get_value();
                let body = &rows[1..];
                step.set(Step::Sending {
                    sent: 0,
                    total: body.len(),
                });
                let (import, info) = match import_start(portfolio).await {
                    Ok(started) => started,
                    Err(err) => {
                        failure.set(Some(error_text(&err)));
                        step.set(Step::Map);
                        return;
                    }
                };
                let mut refused: Vec<RowError> = Vec::new();
                for (i, part) in body.chunks(CHUNK_ROWS).enumerate() {
                    // Line numbers as a spreadsheet shows them: the header is line 1.
                    let first_row = 2 + i * CHUNK_ROWS;
                    match import_rows(
                        info.id.clone(),
                        import.clone(),
                        chosen.clone(),
                        first_row,
                        part.to_vec(),
                    )
                    .await
                    {
                        Ok(errors) => refused.extend(errors),
                        Err(err) => {
                            let _ = import_cancel(info.id.clone(), import.clone()).await;
                            failure.set(Some(error_text(&err)));
                            step.set(Step::Map);
                            return;
                        }
                    }
                    step.set(Step::Sending {
                        sent: (i * CHUNK_ROWS + part.len()).min(body.len()),
                        total: body.len(),
                    });
                }
                match import_review(info.id.clone(), import.clone()).await {
                    Ok(mut report) => {
                        report.errors.extend(refused);
                        report.errors.sort_by_key(|e| e.row);
                        step.set(Step::Review {
                            report,
                            portfolio: info.id,
                            import,
                        });
                    }
                    Err(err) => {
                        failure.set(Some(error_text(&err)));
                        step.set(Step::Map);
                    }
                }
            });
        }
    };

    let confirm = move |portfolio: String, import: String| {
        leptos::task::spawn_local(async move {
            match import_confirm(portfolio.clone(), import.clone()).await {
                Ok(report) => {
                    step.set(Step::Done {
                        imported: report.valid,
                    });
                    state.selected.set(Some(portfolio));
                    state.changed();
                }
                Err(err) => failure.set(Some(error_text(&err))),
            }
        });
    };
    let cancel = move |portfolio: String, import: String| {
        leptos::task::spawn_local(async move {
            let _ = import_cancel(portfolio, import).await;
            step.set(Step::Choose);
        });
    };

    view! {
        <section class="card import" aria-labelledby="import-title">
            <h2 id="import-title">{t!(i18n, portfolio.import)}</h2>
            <p class="help">{t!(i18n, portfolio.import_help)}</p>
            // The whole zone is the file field's label: a click opens the picker, a file dropped
            // on it is read as if picked.
            <label for="import-file" class="drop-zone" class:dragging=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <strong>{t!(i18n, portfolio.import_file)}</strong>
                <span class="muted">{t!(i18n, portfolio.import_drop)}</span>
                <span class="muted small">{move || file_name.get()}</span>
            </label>
            <input id="import-file" class="visually-hidden" type="file" accept=".csv,text/csv" on:change=on_file />
            {move || match step.get() {
                Step::Choose => ().into_any(),
                Step::Map => {
                    let send = send.clone();
                    view! { <MappingPreview file_name=file_name.get() header=header.get() rows=file.with_value(|rows| rows.iter().skip(1).take(PREVIEW_ROWS).cloned().collect()) total=file.with_value(|rows| rows.len() - 1) mapping />
                        <div class="form-actions">
                            <button type="button" class="button button-primary" on:click=send>
                                {t_string!(i18n, portfolio.import_check).replace("{n}", &file.with_value(|rows| rows.len() - 1).to_string())}
                            </button>
                        </div>
                    }.into_any()
                }
                Step::Sending { sent, total } => view! {
                    <label class="progress-label" for="import-progress">
                        {t_string!(i18n, portfolio.import_sending).replace("{sent}", &sent.to_string()).replace("{total}", &total.to_string())}
                    </label>
                    <progress id="import-progress" max=total value=sent></progress>
                }.into_any(),
                Step::Review { report, portfolio, import } => {
                    let (p1, i1, p2, i2) = (portfolio.clone(), import.clone(), portfolio, import);
                    let valid = report.valid;
                    view! {
                        <div class="import-report" role="status">
                            <p>
                                <strong>{t_string!(i18n, portfolio.import_valid).replace("{n}", &valid.to_string())}</strong> " · "
                                {t_string!(i18n, portfolio.import_refused).replace("{n}", &report.errors.len().to_string())}
                            </p>
                            {report.blocking.clone().map(|why| view! { <p class="form-error" role="alert">{why.render(i18n.get_locale())}</p> })}
                            {(!report.errors.is_empty()).then(|| view! {
                                <div class="table-scroll report-table">
                                    <table class="data-table">
                                        <caption class="visually-hidden">{t!(i18n, portfolio.import_errors)}</caption>
                                        <thead><tr>
                                            <th scope="col" class="num">{t!(i18n, portfolio.row)}</th>
                                            <th scope="col">{t!(i18n, portfolio.reason)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {report.errors.iter().take(500).map(|e| view! {
                                                <tr><td class="num">{e.row}</td><td>{tx_error_text(&e.error)}</td></tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            })}
                            <p class="help">{t!(i18n, portfolio.import_nothing_yet)}</p>
                            <div class="form-actions">
                                <button type="button" class="button" on:click=move |_| cancel(p1.clone(), i1.clone())>{t!(i18n, portfolio.cancel)}</button>
                                <button type="button" class="button button-primary" disabled=valid == 0 || report.blocking.is_some()
                                    on:click=move |_| confirm(p2.clone(), i2.clone())>
                                    {t_string!(i18n, portfolio.import_confirm).replace("{n}", &valid.to_string())}
                                </button>
                            </div>
                        </div>
                    }.into_any()
                }
                Step::Done { imported } => view! {
                    <p class="form-success" role="status">{t_string!(i18n, portfolio.import_done).replace("{n}", &imported.to_string())}</p>
                }.into_any(),
            }}
            <p class="form-error" role="alert">{move || failure.get()}</p>
        </section>
    }
}

/// One select per field (which column fills it), and the file's first rows.
#[component]
fn MappingPreview(
    file_name: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    total: usize,
    mapping: RwSignal<Mapping>,
) -> impl IntoView {
    let i18n = use_i18n();
    let columns = header.clone();
    view! {
        <p>{t_string!(i18n, portfolio.import_file_rows).replace("{file}", &file_name).replace("{n}", &total.to_string())}</p>
        <fieldset class="mapping">
            <legend>{t!(i18n, portfolio.import_mapping)}</legend>
            {Field::ALL.into_iter().map(|field| {
                let id = format!("map-{}", field.column());
                let columns = columns.clone();
                view! {
                    <div class="field">
                        <label for=id.clone()>{field_text(field)}</label>
                        <select id=id
                            prop:value=move || mapping.read().get(&field).map(|c| c.to_string()).unwrap_or_default()
                            on:change=move |ev| {
                                let chosen = event_target_value(&ev).parse::<usize>().ok();
                                mapping.update(|m| match chosen {
                                    Some(column) => { m.insert(field, column); }
                                    None => { m.remove(&field); }
                                });
                            }>
                            <option value="">{t!(i18n, portfolio.import_unused)}</option>
                            {columns.iter().enumerate().map(|(i, name)| view! {
                                <option value=i.to_string() selected=move || mapping.read().get(&field) == Some(&i)>{name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }
            }).collect_view()}
        </fieldset>
        <div class="table-scroll">
            <table class="data-table preview">
                <caption>{t!(i18n, portfolio.import_preview)}</caption>
                <thead><tr>{header.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>{row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
