//! The moderators' sections of a community's Manage page: the queue of flagged messages
//! (dismiss, delete, ban the author) and the community's moderation threshold.

use leptos::prelude::*;

use super::message::flag_reason_text;
use crate::{
    community::{api::BanMember, permissions::Permissions, ui::manage::failure, CommunityView},
    kit::i18n::{t, t_string, use_i18n},
};

/// The sections this person may see, for the Manage page.
pub fn sections(view: CommunityView) -> AnyView {
    let slug = view.community.slug.clone();
    view! {
        {view.may(Permissions::MODERATE_MESSAGES).then(|| view! { <FlaggedSection slug=slug.clone() may_ban=view.may(Permissions::BAN) /> })}
        {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! { <ModerationSection slug=slug.clone() /> })}
    }
    .into_any()
}

#[component]
fn FlaggedSection(slug: String, may_ban: bool) -> impl IntoView {
    use crate::chat::ai::api::{moderation_queue, DeleteFlagged, DismissFlag};

    let i18n = use_i18n();
    let slug_key = StoredValue::new(slug.clone());
    let dismiss = ServerAction::<DismissFlag>::new();
    let delete = ServerAction::<DeleteFlagged>::new();
    let ban = ServerAction::<BanMember>::new();
    let queue = Resource::new(
        move || {
            (
                dismiss.version().get(),
                delete.version().get(),
                ban.version().get(),
            )
        },
        {
            let slug = slug.clone();
            move |_| moderation_queue(slug.clone())
        },
    );
    let errors = move || {
        failure(dismiss)()
            .or_else(failure(delete))
            .or_else(failure(ban))
    };
    view! {
        <section class="card settings-section" aria-labelledby="flagged-title">
            <h2 id="flagged-title">{t!(i18n, community.flagged)}</h2>
            <p class="help">{t!(i18n, community.flagged_help)}</p>
            {move || errors().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug_key.get_value();
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
                                    let (slug, username) = (slug.clone(), m.author.username.clone());
                                    view! {
                                        <li class="manage-row flagged-row">
                                            <strong>{if m.author.deleted {
                                                t!(i18n, account.deleted_user).into_any()
                                            } else {
                                                m.author.display_name.clone().into_any()
                                            }}</strong>
                                            <span class="muted">"#" {f.channel_name.clone()}</span>
                                            <span class="badge flag-badge">{flag}</span>
                                            <q class="flagged-text">{m.body.clone().unwrap_or_default()}</q>
                                            <span class="row-actions">
                                                <button type="button" class="button button-small" on:click=move |_| {
                                                    dismiss.dispatch(DismissFlag { message_id: dismiss_id.clone() });
                                                }>{t!(i18n, community.dismiss_flag)}</button>
                                                <button type="button" class="button button-small" on:click=move |_| {
                                                    delete.dispatch(DeleteFlagged { message_id: delete_id.clone() });
                                                }>{t!(i18n, community.delete_message)}</button>
                                                // A deleted account has nobody left to ban ("deleted" may be someone else's name).
                                                {(may_ban && !m.author.deleted).then(|| view! {
                                                    <button type="button" class="button button-small danger" on:click=move |_| {
                                                        ban.dispatch(BanMember { slug: slug.clone(), username: username.clone(), reason: ban_reason(&m.flag) });
                                                    }>{t!(i18n, community.ban_author)}</button>
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
fn ModerationSection(slug: String) -> impl IntoView {
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

/// The ban reason recorded when a moderator bans from the flag queue, in their language.
fn ban_reason(flag: &Option<crate::ai::Flag>) -> String {
    let i18n = use_i18n();
    flag.as_ref()
        .map(|f| {
            t_string!(i18n, chat.ban_for_flag).replace("{reason}", &flag_reason_text(&f.reason))
        })
        .unwrap_or_default()
}
