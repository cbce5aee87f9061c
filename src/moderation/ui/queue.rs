//! The moderators' sections of a community's Manage page: the queue of reported and flagged
//! messages and reported people (dismiss, delete, warn, time out, kick, ban), the record of
//! closed reports, the audit log, and the community's moderation threshold; and, for its owner,
//! deleting the community (chat's, as its messages go with it).

use leptos::prelude::*;

use super::flag_reason_text;
use crate::{
    community::audit::Act,
    community::{
        permissions::{Permissions, Rank},
        ui::manage::{duration_text, failure, TimeoutPicker},
        CommunityView, Measure,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        time::Time,
    },
    moderation::reports::{ReportInfo, ReportReason},
};

/// The sections this person may see, for the Manage page.
pub fn sections(view: CommunityView) -> AnyView {
    let slug = view.community.slug.clone();
    // Bumped by every action taken here, so the audit log shows it without a reload.
    let acted = RwSignal::new(0u32);
    view! {
        {view.may(Permissions::MODERATE_MESSAGES).then(|| view! {
            <FlaggedSection slug=slug.clone() may_ban=view.may(Permissions::BAN) acted />
            <ClosedSection slug=slug.clone() acted />
        })}
        {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! { <ModerationSection slug=slug.clone() acted /> })}
        {(view.may(Permissions::MODERATE_MESSAGES) || view.may(Permissions::BAN) || view.may(Permissions::MANAGE_COMMUNITY))
            .then(|| view! { <AuditSection slug=slug.clone() acted /> })}
        {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! {
            <crate::integrations::ui::IntegrationsSection view=view.clone() />
        })}
    }
    .into_any()
}

/// What a queue entry's actions apply to.
#[derive(Clone)]
enum Target {
    Message(String),
    /// A person reported as such, by username.
    Person(String),
}

#[component]
fn FlaggedSection(slug: String, may_ban: bool, acted: RwSignal<u32>) -> impl IntoView {
    use crate::moderation::reports::api::{
        moderation_queue, ActOnAuthor, ActOnPerson, DeleteFromQueue, DismissFromQueue,
        DismissPerson,
    };

    let i18n = use_i18n();
    let dismiss = ServerAction::<DismissFromQueue>::new();
    let dismiss_person = ServerAction::<DismissPerson>::new();
    let delete = ServerAction::<DeleteFromQueue>::new();
    let act = ServerAction::<ActOnAuthor>::new();
    let act_person = ServerAction::<ActOnPerson>::new();
    let done = move || {
        dismiss.version().get()
            + dismiss_person.version().get()
            + delete.version().get()
            + act.version().get()
            + act_person.version().get()
    };
    let slug_key = StoredValue::new(slug.clone());
    let queue = Resource::new(done, move |_| moderation_queue(slug.clone()));
    let errors = move || {
        failure(dismiss)()
            .or_else(failure(dismiss_person))
            .or_else(failure(delete))
            .or_else(failure(act))
            .or_else(failure(act_person))
    };
    Effect::new(move |_| {
        if done() > 0 {
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
                                    let target = match &f.message {
                                        Some(m) => Target::Message(m.id.clone()),
                                        None => Target::Person(f.subject.username.clone()),
                                    };
                                    let flag = f.message.as_ref()
                                        .and_then(|m| m.flag.clone())
                                        .map(|f| format!("{} · {:.2}", flag_reason_text(&f.reason), f.score))
                                        .unwrap_or_default();
                                    let deleted = f.message.as_ref().is_some_and(|m| m.deleted());
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
                                    let reason = queue_reason(&f.message.as_ref().and_then(|m| m.flag.clone()), &f.reports);
                                    // A warning is read by its person: the moderator says why in
                                    // their own words (the queue's reason to start from).
                                    let warn_open = RwSignal::new(false);
                                    let warn_reason = RwSignal::new(reason.clone());
                                    let warn_field = format!("warn-{}", match &target {
                                        Target::Message(id) => id.clone(),
                                        Target::Person(username) => username.clone(),
                                    });
                                    let send_warning = {
                                        let target = target.clone();
                                        let slug = slug_key.get_value();
                                        move |ev: leptos::ev::SubmitEvent| {
                                            ev.prevent_default();
                                            let reason = warn_reason.get_untracked();
                                            match target.clone() {
                                                Target::Message(message_id) => {
                                                    act.dispatch(ActOnAuthor { message_id, measure: Measure::Warn, reason });
                                                }
                                                Target::Person(username) => {
                                                    act_person.dispatch(ActOnPerson { slug: slug.clone(), username, measure: Measure::Warn, reason });
                                                }
                                            }
                                            warn_open.set(false);
                                        }
                                    };
                                    let measure = {
                                        let target = target.clone();
                                        let slug = slug_key.get_value();
                                        move |measure: Measure| match target.clone() {
                                            Target::Message(message_id) => {
                                                act.dispatch(ActOnAuthor { message_id, measure, reason: reason.clone() });
                                            }
                                            Target::Person(username) => {
                                                act_person.dispatch(ActOnPerson { slug: slug.clone(), username, measure, reason: reason.clone() });
                                            }
                                        }
                                    };
                                    let on_dismiss = {
                                        let target = target.clone();
                                        let slug = slug_key.get_value();
                                        move |_| match target.clone() {
                                            Target::Message(message_id) => {
                                                dismiss.dispatch(DismissFromQueue { message_id });
                                            }
                                            Target::Person(username) => {
                                                dismiss_person.dispatch(DismissPerson { slug: slug.clone(), username });
                                            }
                                        }
                                    };
                                    let timeout_label = format!("{} — {}", t_string!(i18n, community.timeout), f.subject.display_name);
                                    let text = match &f.message {
                                        Some(_) if deleted => view! { <em class="flagged-text muted">{t!(i18n, chat.deleted)}</em> }.into_any(),
                                        Some(m) => view! { <q class="flagged-text">{m.body.clone().unwrap_or_default()}</q> }.into_any(),
                                        None => view! { <span class="badge">{t!(i18n, community.person_reported)}</span> }.into_any(),
                                    };
                                    let delete_id = f.message.as_ref().filter(|_| !deleted).map(|m| m.id.clone());
                                    view! {
                                        <li class="manage-row flagged-row">
                                            <strong>{if f.subject.deleted {
                                                t!(i18n, account.deleted_user).into_any()
                                            } else {
                                                f.subject.display_name.clone().into_any()
                                            }}</strong>
                                            {f.channel_name.clone().map(|name| view! { <span class="muted">"#" {name}</span> })}
                                            {(!flag.is_empty()).then(|| view! { <span class="badge flag-badge">{flag}</span> })}
                                            {text}
                                            {reports}
                                            <span class="row-actions">
                                                <button type="button" class="button button-small" on:click=on_dismiss>{t!(i18n, community.dismiss_flag)}</button>
                                                {delete_id.map(|delete_id| view! {
                                                    <button type="button" class="button button-small" on:click=move |_| {
                                                        delete.dispatch(DeleteFromQueue { message_id: delete_id.clone() });
                                                    }>{t!(i18n, community.delete_message)}</button>
                                                })}
                                                // A deleted account has nobody left to act on ("deleted" may be someone else's name).
                                                {(!f.subject.deleted).then(|| {
                                                    let measure = measure.clone();
                                                    view! {
                                                        <button type="button" class="button button-small" aria-expanded=move || warn_open.get().to_string()
                                                            on:click=move |_| warn_open.update(|open| *open = !*open)>
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
                                            {move || warn_open.get().then(|| {
                                                let (field, send_warning) = (warn_field.clone(), send_warning.clone());
                                                view! {
                                                    <form class="warn-form" on:submit=send_warning>
                                                        <label for=field.clone()>{t!(i18n, community.warn_reason)}</label>
                                                        <input id=field type="text" required maxlength="280"
                                                            prop:value=move || warn_reason.get()
                                                            on:input=move |ev| warn_reason.set(event_target_value(&ev)) />
                                                        <button type="submit" class="button button-small button-primary"
                                                            disabled=move || warn_reason.with(|r| r.trim().is_empty())>
                                                            {t!(i18n, community.send_warning)}
                                                        </button>
                                                    </form>
                                                }
                                            })}
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

/// The record of closed reports: what each was about, who closed it, how and when.
#[component]
fn ClosedSection(slug: String, acted: RwSignal<u32>) -> impl IntoView {
    use crate::moderation::reports::{api::closed_reports, ReportStatus};

    let i18n = use_i18n();
    let list = Resource::new(move || acted.get(), move |_| closed_reports(slug.clone()));
    view! {
        <section class="card settings-section" aria-labelledby="closed-title">
            <h2 id="closed-title">{t!(i18n, community.closed_title)}</h2>
            <p class="help">{t!(i18n, community.closed_help)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    list.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">{t!(i18n, community.closed_none)}</p> }.into_any();
                        }
                        view! {
                            <ol class="manage-list closed-reports">
                                {list.into_iter().map(|closed| {
                                    let about = t_string!(i18n, community.closed_about)
                                        .replace("{reporter}", &closed.report.reporter.display_name)
                                        .replace("{subject}", &closed.subject.display_name);
                                    let moderator = closed.closed_by.as_ref().map(|a| a.display_name.clone()).unwrap_or_default();
                                    let outcome = match closed.status {
                                        ReportStatus::Dismissed => t_string!(i18n, community.closed_dismissed),
                                        _ => t_string!(i18n, community.closed_actioned),
                                    }
                                    .replace("{moderator}", &moderator);
                                    view! {
                                        <li class="manage-row closed-row">
                                            <span>{about}</span>
                                            <strong>{report_reason_text(closed.report.reason)}</strong>
                                            {closed.excerpt.clone().map(|words| view! { <q class="flagged-text">{words}</q> })}
                                            {(!closed.report.note.is_empty()).then(|| view! { <span class="muted">{closed.report.note.clone()}</span> })}
                                            <span class="muted">{outcome} " · " <Time iso=closed.closed_at.clone() /></span>
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

/// Deleting the community, for its owner: the name typed to confirm, then home.
pub fn danger_zone(view: CommunityView) -> AnyView {
    (view.my_rank == Some(Rank::Owner))
        .then(|| view! { <DeleteSection name=view.community.name.clone() slug=view.community.slug.clone() /> })
        .into_any()
}

#[component]
fn DeleteSection(name: String, slug: String) -> impl IntoView {
    use crate::community::api::DeleteCommunity;

    let i18n = use_i18n();
    let delete = ServerAction::<DeleteCommunity>::new();
    let typed = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            navigate("/communities", Default::default());
        }
    });
    let label = t_string!(i18n, community.delete_label).replace("{name}", &name);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        delete.dispatch(DeleteCommunity {
            slug: slug.clone(),
            confirm: typed.get_untracked(),
        });
    };
    view! {
        <section class="card settings-section danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">{t!(i18n, community.delete_title)}</h2>
            <p class="help" id="delete-help">{t!(i18n, community.delete_help)}</p>
            <form class="stack" on:submit=submit novalidate>
                <div class="field">
                    <label for="delete-confirm">{label}</label>
                    <input id="delete-confirm" type="text" autocomplete="off" aria-describedby="delete-help"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </div>
                <p class="form-error" role="alert">{failure(delete)}</p>
                <div class="form-actions">
                    <button type="submit" class="button danger"
                        disabled=move || typed.get().trim() != name || delete.pending().get()>
                        {t!(i18n, community.delete_button)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The community's toxicity threshold: its own, or the server's default.
#[component]
fn ModerationSection(slug: String, acted: RwSignal<u32>) -> impl IntoView {
    use crate::moderation::api::{moderation_settings, SetModerationThreshold};

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
    match (flag, reports.first()) {
        (Some(f), _) => {
            t_string!(i18n, chat.measure_for_flag).replace("{reason}", &flag_reason_text(&f.reason))
        }
        (None, Some(r)) => t_string!(i18n, chat.measure_for_report)
            .replace("{reason}", &report_reason_text(r.reason)),
        (None, None) => String::new(),
    }
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
    use crate::moderation::reports::api::audit_log;

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
        Act::DismissPersonReports => {
            t_string!(i18n, community.audit_acts.dismiss_person_reports)
        }
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
        Act::SilenceInCall => t_string!(i18n, community.audit_acts.silence_in_call),
        Act::AllowInCall => t_string!(i18n, community.audit_acts.allow_in_call),
    }
    .to_string()
}
