//! The account's pages: a person's profile (`profile`), and the account sections of Settings —
//! auth's (profile, password, two-factor sign-in, blocked people), then the person's data
//! (download, delete the account).

pub mod profile;

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};

use super::{api::DeleteAccount, MessagesChoice};
use crate::{
    auth::{
        api::{
            blocked_users, two_factor_settings, SetBlocked, TwoFactorDisable, TwoFactorEnable,
            UpdateProfile,
        },
        ui::{
            field::{FormError, TextField},
            pages::submission_error,
            session::use_session,
            settings::{BlockedList, PasswordForm, ProfileForm, TwoFactorSection},
        },
        TwoFactorStatus,
    },
    kit::i18n::{t, t_string, use_i18n},
    platform::error::AppError,
};

/// Where a person lands once their account is deleted: the home page, which then says so.
pub const AFTER_DELETION: &str = "/?account_deleted=1";

/// Everything account-related in Settings; a sign-in prompt for a guest.
#[component]
pub fn AccountSettings() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Saving the profile reloads the session (the top bar shows the new name), which renders the
    // form again with the saved values; the action lives here so that its "Saved." survives.
    let save = ServerAction::<UpdateProfile>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            session.reload();
        }
    });
    // Created here, outside the suspended section, so that the list the server rendered is the
    // one the browser hydrates (a resource made inside a resolving `Suspend` may not be).
    let unblock = ServerAction::<SetBlocked>::new();
    let blocked = Resource::new(move || unblock.version().get(), |_| blocked_users());
    let enable = ServerAction::<TwoFactorEnable>::new();
    let disable = ServerAction::<TwoFactorDisable>::new();
    let two_factor = Resource::new(
        move || (enable.version().get(), disable.version().get()),
        |_| two_factor_settings(),
    );
    let make_token = ServerAction::<crate::auth::api::CreateAccessToken>::new();
    let revoke_token = ServerAction::<crate::auth::api::RevokeAccessToken>::new();
    let tokens = crate::auth::ui::tokens::tokens_resource(make_token, revoke_token);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.resource().await.ok().flatten() {
                    Some(user) => view! {
                        <ProfileForm user action=save />
                        <PasswordForm />
                        <TwoFactorSection status=two_factor enable disable />
                        <BlockedList list=blocked unblock />
                        <crate::auth::ui::tokens::AccessTokensSection list=tokens create=make_token revoke=revoke_token />
                        <DownloadDataSection />
                        <DeleteAccountSection two_factor />
                    }.into_any(),
                    None => view! {
                        <section class="card settings-section">
                            <h2>{t!(i18n, profile.title)}</h2>
                            <p class="muted">{t!(i18n, profile.sign_in_prompt)}</p>
                            <A href="/signin?next=/settings" attr:class="button button-primary">{t!(i18n, nav.sign_in)}</A>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A link to the JSON download of everything the app holds about the person.
#[component]
pub fn DownloadDataSection() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card settings-section" aria-labelledby="your-data-title">
            <h2 id="your-data-title">{t!(i18n, account.data_title)}</h2>
            <p class="help">{t!(i18n, account.data_lead)}</p>
            <p>
                // A file, not a page: `download` keeps the router's hands off the link.
                <a class="button" href="/api/account/export" download="">{t!(i18n, account.download)}</a>
            </p>
        </section>
    }
}

/// The danger zone: the password (and a code with two-factor sign-in on), what becomes of the
/// messages, and a last "I understand".
#[component]
pub fn DeleteAccountSection(
    two_factor: Resource<Result<TwoFactorStatus, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let keep = RwSignal::new(true);
    let understood = RwSignal::new(false);
    let show_all = RwSignal::new(false);
    let action = ServerAction::<DeleteAccount>::new();
    let error = submission_error(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        match action.value().get() {
            Some(Ok(_)) => {
                session.reload();
                navigate(AFTER_DELETION, Default::default());
            }
            // Refused (a wrong password): the session lives on, and so does the usual reload.
            Some(Err(_)) => crate::chat::ui::socket::expect_session_end(false),
            None => {}
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if password.get_untracked().is_empty() || !understood.get_untracked() {
            return;
        }
        // The server ends this session while it deletes: the socket must not reload /settings
        // before the answer sends this tab home.
        crate::chat::ui::socket::expect_session_end(true);
        action.dispatch(DeleteAccount {
            password: password.get_untracked(),
            code: code.get_untracked(),
            messages: if keep.get_untracked() {
                MessagesChoice::Keep
            } else {
                MessagesChoice::Remove
            },
        });
    };
    view! {
        <section class="card settings-section danger-zone" aria-labelledby="delete-account-title">
            <h2 id="delete-account-title">{t!(i18n, account.delete_title)}</h2>
            <p class="help">{t!(i18n, account.delete_lead)}</p>
            <form on:submit=submit novalidate class="stack">
                <fieldset class="field">
                    <legend>{t!(i18n, account.messages_legend)}</legend>
                    <label class="checkbox">
                        <input type="radio" name="delete_messages" value="keep"
                            prop:checked=move || keep.get() on:change=move |_| keep.set(true) />
                        " " {t!(i18n, account.keep_messages)}
                    </label>
                    <label class="checkbox">
                        <input type="radio" name="delete_messages" value="remove"
                            prop:checked=move || !keep.get() on:change=move |_| keep.set(false) />
                        " " {t!(i18n, account.remove_messages)}
                    </label>
                </fieldset>
                <p class="help">{t!(i18n, account.communities_note)}</p>
                <TextField id="delete_password" label=Signal::derive(move || t_string!(i18n, profile.current_password)) value=password kind="password" autocomplete="current-password" show_all />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let on = two_factor.await.map(|status| status.enabled).unwrap_or(false);
                        on.then(|| view! {
                            <TextField id="delete_code" label=Signal::derive(move || t_string!(i18n, profile.tf_code_label)) value=code autocomplete="one-time-code" show_all />
                        })
                    })}
                </Transition>
                <label class="checkbox">
                    <input type="checkbox" id="delete_understood"
                        prop:checked=move || understood.get()
                        on:change=move |ev| understood.set(event_target_checked(&ev)) />
                    " " {t!(i18n, account.understood)}
                </label>
                <FormError message=error />
                <div class="form-actions">
                    <button type="submit" class="button button-danger"
                        disabled=move || action.pending().get() || !understood.get()>
                        {t!(i18n, account.delete_button)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Said on the home page right after an account was deleted.
#[component]
pub fn DeletedNotice() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    view! {
        <Show when=move || query.read().get("account_deleted").is_some()>
            <p class="page-notice" role="status">{t!(i18n, account.deleted_notice)}</p>
        </Show>
    }
}
