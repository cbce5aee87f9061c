//! Settings → API tokens: make a personal access token for a script or bot (named, scoped,
//! expiring), see it once to copy it, and revoke any of them.

use leptos::prelude::*;

use super::field::FormError;
use super::pages::submission_error;
use crate::{
    auth::{
        api::{access_tokens, CreateAccessToken, RevokeAccessToken},
        AccessToken, Scope, TOKEN_LIFETIMES,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        secret::ShownOnce,
    },
    platform::error::AppError,
};

fn scope_label(scope: Scope) -> &'static str {
    let i18n = use_i18n();
    match scope {
        Scope::ChatRead => t_string!(i18n, tokens.scope_chat_read),
        Scope::ChatWrite => t_string!(i18n, tokens.scope_chat_write),
        Scope::PortfolioRead => t_string!(i18n, tokens.scope_portfolio_read),
        Scope::Assistant => t_string!(i18n, tokens.scope_assistant),
        Scope::CommunityModerate => t_string!(i18n, tokens.scope_community_moderate),
        Scope::CommunityManage => t_string!(i18n, tokens.scope_community_manage),
    }
}

fn lifetime_label(days: Option<u32>) -> &'static str {
    let i18n = use_i18n();
    match days {
        Some(7) => t_string!(i18n, tokens.days_7),
        Some(30) => t_string!(i18n, tokens.days_30),
        Some(90) => t_string!(i18n, tokens.days_90),
        Some(_) => t_string!(i18n, tokens.days_365),
        None => t_string!(i18n, tokens.never),
    }
}

/// The person's tokens, read again after each make or revoke. Made by the page outside its
/// suspended sections, so that the list the server rendered is the one the browser hydrates.
pub fn tokens_resource(
    create: ServerAction<CreateAccessToken>,
    revoke: ServerAction<RevokeAccessToken>,
) -> Resource<Result<Vec<AccessToken>, AppError>> {
    Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| access_tokens(),
    )
}

#[component]
pub fn AccessTokensSection(
    list: Resource<Result<Vec<AccessToken>, AppError>>,
    create: ServerAction<CreateAccessToken>,
    revoke: ServerAction<RevokeAccessToken>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![Scope::ChatRead]);
    let days = RwSignal::new(Some(90u32));
    let error = submission_error(move || create.value().get().and_then(Result::err));
    let revoke_error = submission_error(move || revoke.value().get().and_then(Result::err));
    let made = move || create.value().get().and_then(Result::ok);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateAccessToken {
            name: name.get_untracked(),
            scopes: chosen.get_untracked(),
            days: days.get_untracked(),
        });
    };
    view! {
        <section class="card settings-section" aria-labelledby="tokens-title">
            <h2 id="tokens-title">{t!(i18n, tokens.title)}</h2>
            <p class="help">
                {t!(i18n, tokens.note)} " "
                <a href="/api/docs" rel="external">{t!(i18n, tokens.docs)}</a>
            </p>
            <form on:submit=submit novalidate class="stack" aria-label=move || t_string!(i18n, tokens.create_title)>
                <div class="field">
                    <label for="token-name">{t!(i18n, tokens.name)}</label>
                    <input id="token-name" type="text" maxlength="60" autocomplete="off"
                        placeholder=move || t_string!(i18n, tokens.name_placeholder)
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <fieldset class="field">
                    <legend>{t!(i18n, tokens.scopes)}</legend>
                    {Scope::ALL.into_iter().map(|scope| view! {
                        <label class="checkbox">
                            <input type="checkbox" value=scope.as_str()
                                prop:checked=move || chosen.with(|c| c.contains(&scope))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|s| *s != scope);
                                        if on { c.push(scope); }
                                    });
                                } />
                            <span><code>{scope.as_str()}</code> " " {move || scope_label(scope)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="token-lifetime">{t!(i18n, tokens.expires)}</label>
                    <select id="token-lifetime" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        days.set(value.parse::<u32>().ok());
                    }>
                        {TOKEN_LIFETIMES.into_iter().map(|choice| view! {
                            <option value=choice.map(|d| d.to_string()).unwrap_or_default()
                                selected=move || days.get() == choice>
                                {move || lifetime_label(choice)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <FormError message=error />
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || create.pending().get()>{t!(i18n, tokens.create)}</button>
                </div>
            </form>
            {move || made().map(|new| {
                view! {
                    <div class="token-made" role="status">
                        <p><strong>{t!(i18n, tokens.made)}</strong> " " {t!(i18n, tokens.once)}</p>
                        <ShownOnce id="token-text" label=t_string!(i18n, tokens.token).to_string() text=new.token.clone() />
                    </div>
                }
            })}
            <h3>{t!(i18n, tokens.yours)}</h3>
            <FormError message=revoke_error />
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    list.await.map(|tokens| {
                        if tokens.is_empty() {
                            return view! { <p class="muted">{t!(i18n, tokens.none)}</p> }.into_any();
                        }
                        view! {
                            <ul class="tokens">
                                {tokens.into_iter().map(|token| view! { <TokenRow token revoke /> }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenRow(token: AccessToken, revoke: ServerAction<RevokeAccessToken>) -> impl IntoView {
    let i18n = use_i18n();
    let day = |iso: &str| iso.chars().take(10).collect::<String>();
    let created = day(&token.created_at);
    let expires = token.expires_at.as_deref().map(day);
    let used = token.last_used_at.as_deref().map(day);
    let id = token.id.clone();
    let name = token.name.clone();
    view! {
        <li class="token">
            <div class="token-head">
                <strong>{token.name.clone()}</strong>
                <code class="muted">"bp_…" {token.hint.clone()}</code>
                {token.expired.then(|| view! { <span class="badge badge-warning">{t!(i18n, tokens.expired)}</span> })}
            </div>
            <div class="token-scopes">
                {token.scopes.iter().map(|s| view! { <code class="scope-tag">{s.as_str()}</code> }).collect_view()}
            </div>
            <p class="muted token-dates">
                {t!(i18n, tokens.created)} " " {created} " · "
                {match expires {
                    Some(day) => view! { {t!(i18n, tokens.expires_on)} " " {day} }.into_any(),
                    None => view! { {t!(i18n, tokens.no_expiry)} }.into_any(),
                }}
                " · "
                {match used {
                    Some(day) => view! { {t!(i18n, tokens.last_used)} " " {day} }.into_any(),
                    None => view! { {t!(i18n, tokens.never_used)} }.into_any(),
                }}
            </p>
            <button type="button" class="button button-small button-danger"
                aria-label=move || format!("{} {}", t_string!(i18n, tokens.revoke), name)
                disabled=move || revoke.pending().get()
                on:click=move |_| { revoke.dispatch(RevokeAccessToken { id: id.clone() }); }>
                {t!(i18n, tokens.revoke)}
            </button>
        </li>
    }
}
