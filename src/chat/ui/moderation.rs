//! The moderators' sections of a community's Manage page: the queue of reported and flagged
//! messages (dismiss, delete, ban the author), the audit log, and the community's moderation
//! threshold.

use leptos::prelude::*;

use super::message::flag_reason_text;
use crate::{
    chat::reports::{ReportInfo, ReportReason},
    community::audit::Act,
    community::{
        permissions::Permissions,
        ui::manage::{duration_text, failure, TimeoutPicker},
        CommunityView, Measure,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        time::Time,
    },
};

/// The sections this person may see, for the Manage page.
pub fn sections(view: CommunityView) -> AnyView {
    let slug = view.community.slug.clone();
    // Bumped by every action taken here, so the audit log shows it without a reload.
    let acted = RwSignal::new(0u32);
    view! {
        {view.may(Permissions::MODERATE_MESSAGES).then(|| view! { <FlaggedSection slug=slug.clone() may_ban=view.may(Permissions::BAN) acted /> })}
        {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! { <ModerationSection slug=slug.clone() acted /> })}
        {(view.may(Permissions::MODERATE_MESSAGES) || view.may(Permissions::BAN) || view.may(Permissions::MANAGE_COMMUNITY))
            .then(|| view! { <AuditSection slug=slug.clone() acted /> })}
    }
    .into_any()
}

#[component]
fn FlaggedSection(slug: String, may_ban: bool, acted: RwSignal<u32>) -> impl IntoView {
    use crate::chat::reports::api::{
        moderation_queue, ActOnAuthor, DeleteFromQueue, DismissFromQueue,
    };

    let i18n = use_i18n();
    let dismiss = ServerAction::<DismissFromQueue>::new();
    let delete = ServerAction::<DeleteFromQueue>::new();
    let act = ServerAction::<ActOnAuthor>::new();
    let queue = Resource::new(
        move || {
            (
                dismiss.version().get(),
                delete.version().get(),
                act.version().get(),
            )
        },
        move |_| moderation_queue(slug.clone()),
    );
    let errors = move || {
        failure(dismiss)()
            .or_else(failure(delete))
            .or_else(failure(act))
    };
    Effect::new(move |_| {
        if dismiss.version().get() + delete.version().get() + act.version().get() > 0 {
            acted.update(|n| *n += 1);
        }
    });
    view! {
        <section class="card settings-section" aria-labelledby="flagged-title">
            <h2 id="flagged-title">{t!(i18n, community.flagged)}</h2>
            <p class="help">{t!(i18n, community.flagged_help)}</p>
            {move || errors().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    queue.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">{t!(i18n, community.flagged_none)}</p> }.into_any();
                        }
                        view! {
                            <ul class="manage-list">
                                {list.into_iter().map(|f| {
                                    let m = f.message;
                                    let flag = m
                                        .flag
                                        .clone()
                                        .map(|f| format!("{} · {:.2}", flag_reason_text(&f.reason), f.score))
                                        .unwrap_or_default();
                                    let (dismiss_id, delete_id) = (m.id.clone(), m.id.clone());
                                    let deleted = m.deleted();
                                    let reports = (!f.reports.is_empty()).then(|| {
                                        let count = t_string!(i18n, community.reports_count).replace("{n}", &f.reports.len().to_string());
                                        view! {
                                            <details class="queue-reports">
                                                <summary>{count}</summary>
                                                <ul>
                                                    {f.reports.iter().map(|r| view! {
                                                        <li>
                                                            <strong>{report_reason_text(r.reason)}</strong>
                                                            " · " {r.reporter.display_name.clone()}
                                                            {(!r.note.is_empty()).then(|| view! { ": " <q>{r.note.clone()}</q> })}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            </details>
                                        }
                                    });
                                    let reason = queue_reason(&m.flag, &f.reports);
                                    let message_id = m.id.clone();
                                    let measure = move |measure: Measure| {
                                        act.dispatch(ActOnAuthor { message_id: message_id.clone(), measure, reason: reason.clone() });
                                    };
                                    let timeout_label = format!("{} — {}", t_string!(i18n, community.timeout), m.author.display_name);
                                    view! {
                                        <li class="manage-row flagged-row">
                                            <strong>{if m.author.deleted {
                                                t!(i18n, account.deleted_user).into_any()
                                            } else {
                                                m.author.display_name.clone().into_any()
                                            }}</strong>
                                            <span class="muted">"#" {f.channel_name.clone()}</span>
                                            {(!flag.is_empty()).then(|| view! { <span class="badge flag-badge">{flag}</span> })}
                                            {if deleted {
                                                view! { <em class="flagged-text muted">{t!(i18n, chat.deleted)}</em> }.into_any()
                                            } else {
                                                view! { <q class="flagged-text">{m.body.clone().unwrap_or_default()}</q> }.into_any()
                                            }}
                                            {reports}
                                            <span class="row-actions">
                                                <button type="button" class="button button-small" on:click=move |_| {
                                                    dismiss.dispatch(DismissFromQueue { message_id: dismiss_id.clone() });
                                                }>{t!(i18n, community.dismiss_flag)}</button>
                                                {(!deleted).then(|| view! {
                                                    <button type="button" class="button button-small" on:click=move |_| {
                                                        delete.dispatch(DeleteFromQueue { message_id: delete_id.clone() });
                                                    }>{t!(i18n, community.delete_message)}</button>
                                                })}
                                                // A deleted account has nobody left to act on ("deleted" may be someone else's name).
                                                {(!m.author.deleted).then(|| {
                                                    let measure = measure.clone();
                                                    view! {
                                                        <button type="button" class="button button-small" on:click={
                                                            let measure = measure.clone();
                                                            move |_| measure(Measure::Warn)
                                                        }>
                                                            {t!(i18n, community.warn)}
                                                        </button>
                                                        {may_ban.then(|| {
                                                            let (timeout, kick, ban) = (measure.clone(), measure.clone(), measure.clone());
                                                            view! {
                                                                <TimeoutPicker label=timeout_label.clone() pick=Callback::new(move |minutes| timeout(Measure::Timeout { minutes })) />
                                                                <button type="button" class="button button-small" on:click=move |_| kick(Measure::Kick)>
                                                                    {t!(i18n, community.kick)}
                                                                </button>
                                                                <button type="button" class="button button-small danger" on:click=move |_| ban(Measure::Ban)>
                                                                    {t!(i18n, community.ban_author)}
                                                                </button>
                                                            }
                                                        })}
                                                    }
                                                })}
                                            </span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

/// The community's toxicity threshold: its own, or the server's default.
#[component]
fn ModerationSection(slug: String, acted: RwSignal<u32>) -> impl IntoView {
    use crate::chat::ai::api::{moderation_settings, SetModerationThreshold};

    let i18n = use_i18n();
    let save = ServerAction::<SetModerationThreshold>::new();
    let settings = Resource::new(move || save.version().get(), {
        let slug = slug.clone();
        move |_| moderation_settings(slug.clone())
    });
    // What the person typed, until it is saved.
    let draft = RwSignal::new(None::<String>);
    let invalid = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            draft.set(None);
            acted.update(|n| *n += 1);
        }
    });
    let server_error = failure(save);
    let slug_key = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(typed) = draft.get_untracked() else {
            return;
        };
        match typed.trim().replace(',', ".").parse::<f32>() {
            Ok(value) if (0.05..=1.0).contains(&value) => {
                invalid.set(false);
                save.dispatch(SetModerationThreshold {
                    slug: slug_key.get_value(),
                    threshold: Some(value),
                });
            }
            _ => invalid.set(true),
        }
    };
    let use_default = move |_| {
        invalid.set(false);
        save.dispatch(SetModerationThreshold {
            slug: slug_key.get_value(),
            threshold: None,
        });
    };
    view! {
        <section class="card settings-section" aria-labelledby="moderation-title">
            <h2 id="moderation-title">{t!(i18n, community.moderation_settings)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    settings.await.map(|s| {
                        let current = format!("{:.2}", s.threshold.unwrap_or(s.default_threshold));
                        let default = format!("{:.2}", s.default_threshold);
                        let status = match s.threshold {
                            Some(own) => t_string!(i18n, community.threshold_custom).replace("{value}", &format!("{own:.2}")),
                            None => t_string!(i18n, community.threshold_uses_default).replace("{value}", &default),
                        };
                        view! {
                            // Our own check and message, in the page's language, rather than the browser's.
                            <form class="field-row" novalidate on:submit=submit>
                                <div class="field">
                                    <label for="toxicity-threshold">{t!(i18n, community.threshold_label)}</label>
                                    <input id="toxicity-threshold" class="threshold-input" type="number" min="0.05" max="1" step="0.05"
                                        aria-describedby="threshold-help" aria-invalid=move || invalid.get().to_string()
                                        prop:value=move || draft.get().unwrap_or_else(|| current.clone())
                                        on:input=move |ev| draft.set(Some(event_target_value(&ev))) />
                                </div>
                                <button type="submit" class="button button-primary">{t!(i18n, chat.save)}</button>
                                {s.threshold.is_some().then(|| view! {
                                    <button type="button" class="button" on:click=use_default>{t!(i18n, community.use_default)}</button>
                                })}
                            </form>
                            <p class="help threshold-status" role="status">{status}</p>
                        }
                    })
                })}
            </Transition>
            <p class="help" id="threshold-help" class:form-error=move || invalid.get()>{t!(i18n, community.threshold_help)}</p>
            <p class="form-error" role="alert">{server_error}</p>
        </section>
    }
}

/// The reason recorded when a moderator acts from the queue, in their language: the flag's
/// reason, else the first report's.
fn queue_reason(flag: &Option<crate::ai::Flag>, reports: &[ReportInfo]) -> String {
    let i18n = use_i18n();
    let reason = match (flag, reports.first()) {
        (Some(f), _) => flag_reason_text(&f.reason),
        (None, Some(r)) => report_reason_text(r.reason),
        (None, None) => return String::new(),
    };
    t_string!(i18n, chat.measure_for_flag).replace("{reason}", &reason)
}

/// A report's reason in the reader's language.
pub fn report_reason_text(reason: ReportReason) -> String {
    let i18n = use_i18n();
    match reason {
        ReportReason::Spam => t_string!(i18n, chat.report_reasons.spam),
        ReportReason::Scam => t_string!(i18n, chat.report_reasons.scam),
        ReportReason::Harassment => t_string!(i18n, chat.report_reasons.harassment),
        ReportReason::Hate => t_string!(i18n, chat.report_reasons.hate),
        ReportReason::SelfHarm => t_string!(i18n, chat.report_reasons.self_harm),
        ReportReason::Other => t_string!(i18n, chat.report_reasons.other),
    }
    .to_string()
}

/// The audit log: who did what, to whom, when and why — newest first, read only.
#[component]
fn AuditSection(slug: String, acted: RwSignal<u32>) -> impl IntoView {
    use crate::chat::reports::api::audit_log;

    let i18n = use_i18n();
    let entries = Resource::new(move || acted.get(), move |_| audit_log(slug.clone()));
    view! {
        <section class="card settings-section" aria-labelledby="audit-title">
            <h2 id="audit-title">{t!(i18n, community.audit_title)}</h2>
            <p class="help">{t!(i18n, community.audit_help)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    entries.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">{t!(i18n, community.audit_none)}</p> }.into_any();
                        }
                        view! {
                            <ol class="manage-list audit-log">
                                {list.into_iter().map(|entry| {
                                    let line = act_text(entry.act, &entry.detail)
                                        .replace("{target}", &entry.target.as_ref().map(|t| t.display_name.clone()).unwrap_or_default())
                                        .replace("{detail}", &entry.detail);
                                    view! {
                                        <li class="manage-row audit-row">
                                            <strong>{entry.actor.display_name.clone()}</strong>
                                            " " <span>{line}</span>
                                            {(!entry.reason.is_empty()).then(|| view! { " — " <q>{entry.reason.clone()}</q> })}
                                            <span class="muted audit-time"><Time iso=entry.created_at.clone() /></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

/// A community field named in an audit line, in the reader's language.
fn field_name(field: &str) -> String {
    let i18n = use_i18n();
    match field {
        "name" => t_string!(i18n, community.fields.name).to_string(),
        "description" => t_string!(i18n, community.fields.description).to_string(),
        "icon" => t_string!(i18n, community.fields.icon).to_string(),
        "visibility" => t_string!(i18n, community.fields.visibility).to_string(),
        "default_channel" => t_string!(i18n, community.fields.default_channel).to_string(),
        other => other.to_string(),
    }
}

/// What an audit line says was done, in the reader's language (`{target}`, `{detail}` filled in).
fn act_text(act: Act, detail: &str) -> String {
    let i18n = use_i18n();
    match act {
        Act::SetModerationThreshold if detail == "default" => {
            t_string!(i18n, community.audit_acts.threshold_default)
        }
        Act::Kick => t_string!(i18n, community.audit_acts.kick),
        Act::Ban => t_string!(i18n, community.audit_acts.ban),
        Act::Unban => t_string!(i18n, community.audit_acts.unban),
        Act::SetRank => t_string!(i18n, community.audit_acts.set_rank),
        Act::CreateChannel => t_string!(i18n, community.audit_acts.create_channel),
        Act::UpdateChannel => t_string!(i18n, community.audit_acts.update_channel),
        Act::CreateRole => t_string!(i18n, community.audit_acts.create_role),
        Act::DeleteRole => t_string!(i18n, community.audit_acts.delete_role),
        Act::AssignRole => t_string!(i18n, community.audit_acts.assign_role),
        Act::CreateInvite => t_string!(i18n, community.audit_acts.create_invite),
        Act::RevokeInvite => t_string!(i18n, community.audit_acts.revoke_invite),
        Act::DeleteMessage => t_string!(i18n, community.audit_acts.delete_message),
        Act::DismissFlag => t_string!(i18n, community.audit_acts.dismiss_flag),
        Act::DismissReports => t_string!(i18n, community.audit_acts.dismiss_reports),
        Act::SetModerationThreshold => {
            t_string!(i18n, community.audit_acts.set_moderation_threshold)
        }
        Act::Warn => t_string!(i18n, community.audit_acts.warn),
        Act::Timeout => {
            let length = detail.parse().map(duration_text).unwrap_or_default();
            return t_string!(i18n, community.audit_acts.timeout).replace("{detail}", &length);
        }
        Act::LiftTimeout => t_string!(i18n, community.audit_acts.lift_timeout),
        Act::UpdateCommunity => {
            let fields: Vec<String> = detail.split(',').map(field_name).collect();
            return t_string!(i18n, community.audit_acts.update_community)
                .replace("{detail}", &fields.join(", "));
        }
        Act::TransferOwnership => t_string!(i18n, community.audit_acts.transfer_ownership),
    }
    .to_string()
}
