//! Sign-in, sign-up and public profile pages.

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

use super::{
    field::{FormError, TextField},
    session::{safe_next, use_session},
};
use crate::{
    auth::{
        api::{ForgotPassword, ResetPassword, SignIn, SignInCode, SignUp},
        validate, SignInReply,
    },
    kit::i18n::{t, t_string, use_i18n},
    platform::error::AppError,
};

/// The error of a form's last submission, in the reader's language, or `None`.
pub fn submission_error(
    last: impl Fn() -> Option<AppError> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || last().map(|err| error_text(&err)))
}

/// After a successful sign-in or sign-up: read the session again and go back where the person
/// came from.
fn return_when_signed_in(
    succeeded: impl Fn() -> bool + 'static,
    next: impl Fn() -> String + 'static,
) {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if succeeded() {
            session.reload();
            navigate(&next(), Default::default());
        }
    });
}

/// An error from the server in the reader's language.
pub fn error_text(err: &AppError) -> String {
    let i18n = use_i18n();
    match err {
        AppError::Transport(_) => t_string!(i18n, errors.network).to_owned(),
        // The app sent something its server cannot read: an old tab after an update, say.
        AppError::BadRequest(_) | AppError::UnsupportedMediaType => {
            t_string!(i18n, errors.bad_request).to_owned()
        }
        AppError::PayloadTooLarge { .. } => t_string!(i18n, errors.too_large).to_owned(),
        other => other.text(i18n.get_locale_untracked()),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let action = ServerAction::<SignIn>::new();
    let code_action = ServerAction::<SignInCode>::new();
    // The second step, while a code is owed: the challenge the password step answered with.
    let challenge = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(SignInReply::CodeNeeded(c))) = action.value().get() {
            challenge.set(Some(c.challenge));
        }
    });
    // A spent or expired challenge answers 401: back to the password.
    Effect::new(move |_| {
        if let Some(Err(AppError::Unauthorized)) = code_action.value().get() {
            challenge.set(None);
            code.set(String::new());
        }
    });
    let error = submission_error(move || match challenge.get() {
        Some(_) => code_action.value().get().and_then(Result::err),
        None => action.value().get().and_then(Result::err),
    });
    return_when_signed_in(
        move || {
            matches!(action.value().get(), Some(Ok(SignInReply::SignedIn(_))))
                || matches!(code_action.value().get(), Some(Ok(_)))
        },
        next,
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if login.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
            return;
        }
        action.dispatch(SignIn {
            login: login.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(challenge), typed) = (challenge.get_untracked(), code.get_untracked()) else {
            return;
        };
        if typed.trim().is_empty() {
            return;
        }
        code_action.dispatch(SignInCode {
            challenge,
            code: typed,
        });
    };
    let start_over = move |_| {
        challenge.set(None);
        code.set(String::new());
        password.set(String::new());
    };
    let pending = move || action.pending().get() || code_action.pending().get();
    view! {
        <Title text=move || t_string!(i18n, auth.sign_in_title) />
        <section class="card auth-card">
            <Show
                when=move || challenge.get().is_some()
                fallback=move || view! {
                    <h1>{t!(i18n, auth.sign_in_title)}</h1>
                    <p class="muted">{t!(i18n, auth.sign_in_lead)}</p>
                    <form on:submit=submit novalidate>
                        <TextField id="login" label=Signal::derive(move || t_string!(i18n, auth.login_label)) value=login autocomplete="username" show_all />
                        <TextField id="password" label=Signal::derive(move || t_string!(i18n, auth.password_label)) value=password kind="password" autocomplete="current-password" show_all />
                        <FormError message=error />
                        <button type="submit" class="button button-primary" disabled=pending>
                            {move || if pending() { t_string!(i18n, auth.working) } else { t_string!(i18n, auth.submit_sign_in) }}
                        </button>
                    </form>
                    <p class="muted"><A href="/forgot-password">{t!(i18n, auth.forgot_link)}</A></p>
                    <p class="muted">
                        {t!(i18n, auth.no_account)} " "
                        <A href=move || format!("/signup?next={}", next())>{t!(i18n, auth.create_one)}</A>
                    </p>
                }
            >
                <h1>{t!(i18n, auth.code_title)}</h1>
                <p class="muted">{t!(i18n, auth.code_lead)}</p>
                <form on:submit=submit_code novalidate>
                    <TextField id="code" label=Signal::derive(move || t_string!(i18n, auth.code_label)) value=code autocomplete="one-time-code" show_all />
                    <FormError message=error />
                    <div class="form-actions">
                        <button type="submit" class="button button-primary" disabled=pending>
                            {move || if pending() { t_string!(i18n, auth.working) } else { t_string!(i18n, auth.submit_code) }}
                        </button>
                        <button type="button" class="button" on:click=start_over>{t!(i18n, auth.code_start_over)}</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// `/forgot-password`: asks for a reset link by e-mail. The answer is the same for any address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let action = ServerAction::<ForgotPassword>::new();
    let error = submission_error(move || action.value().get().and_then(Result::err));
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if validate::email(&email.get_untracked()).is_ok() {
            action.dispatch(ForgotPassword {
                email: email.get_untracked(),
            });
        }
    };
    view! {
        <Title text=move || t_string!(i18n, auth.forgot_title) />
        <section class="card auth-card">
            <h1>{t!(i18n, auth.forgot_title)}</h1>
            <p class="muted">{t!(i18n, auth.forgot_lead)}</p>
            <form on:submit=submit novalidate>
                <TextField id="email" label=Signal::derive(move || t_string!(i18n, auth.email_label)) value=email kind="email" autocomplete="email" check=|v| validate::email(v).map(|_| ()) show_all />
                <FormError message=error />
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t_string!(i18n, auth.working) } else { t_string!(i18n, auth.submit_forgot) }}
                </button>
            </form>
            <Show when=sent><p class="success" role="status">{t!(i18n, auth.forgot_sent)}</p></Show>
            <p class="muted"><A href="/signin">{t!(i18n, auth.sign_in_link)}</A></p>
        </section>
    }
}

/// `/reset-password?token=…`: the link from the e-mail; sets a new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").filter(|t| !t.trim().is_empty());
    let password = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let action = ServerAction::<ResetPassword>::new();
    let error = submission_error(move || action.value().get().and_then(Result::err));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    let expired = move || matches!(action.value().get(), Some(Err(AppError::LinkExpired)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        let Some(token) = token() else { return };
        if validate::new_password(&password.get_untracked()).is_ok() {
            action.dispatch(ResetPassword {
                token,
                new_password: password.get_untracked(),
            });
        }
    };
    view! {
        <Title text=move || t_string!(i18n, auth.reset_title) />
        <section class="card auth-card">
            <h1>{t!(i18n, auth.reset_title)}</h1>
            <Show
                when=move || !done()
                fallback=move || view! {
                    <p class="success" role="status">{t!(i18n, auth.reset_done)}</p>
                    <A href="/signin" attr:class="button button-primary">{t!(i18n, auth.sign_in_link)}</A>
                }
            >
                <Show
                    when=move || token().is_some()
                    fallback=move || view! { <p class="form-error" role="alert">{t!(i18n, auth.reset_no_token)}</p> }
                >
                    <p class="muted">{t!(i18n, auth.reset_lead)}</p>
                    <form on:submit=submit novalidate>
                        <TextField id="new_password" label=Signal::derive(move || t_string!(i18n, profile.new_password)) value=password kind="password" autocomplete="new-password" help=Signal::derive(move || t_string!(i18n, auth.password_help)) check=validate::new_password show_all />
                        <FormError message=error />
                        <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { t_string!(i18n, auth.working) } else { t_string!(i18n, auth.submit_reset) }}
                        </button>
                    </form>
                </Show>
                <Show when=move || expired() || token().is_none()>
                    <p class="muted"><A href="/forgot-password">{t!(i18n, auth.ask_again)}</A></p>
                </Show>
            </Show>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let email = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let action = ServerAction::<SignUp>::new();
    let error = submission_error(move || action.value().get().and_then(Result::err));
    return_when_signed_in(move || matches!(action.value().get(), Some(Ok(_))), next);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        let valid = validate::email(&email.get_untracked()).is_ok()
            && validate::username(&username.get_untracked()).is_ok()
            && validate::display_name(&display_name.get_untracked()).is_ok()
            && validate::new_password(&password.get_untracked()).is_ok();
        if !valid {
            return;
        }
        action.dispatch(SignUp {
            email: email.get_untracked(),
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            preferred_language: Some(i18n.get_locale_untracked().as_str().to_owned()),
        });
    };
    view! {
        <Title text=move || t_string!(i18n, auth.sign_up_title) />
        <section class="card auth-card">
            <h1>{t!(i18n, auth.sign_up_title)}</h1>
            <p class="muted">{t!(i18n, auth.sign_up_lead)}</p>
            <form on:submit=submit novalidate>
                <TextField id="email" label=Signal::derive(move || t_string!(i18n, auth.email_label)) value=email kind="email" autocomplete="email" check=|v| validate::email(v).map(|_| ()) show_all />
                <TextField id="username" label=Signal::derive(move || t_string!(i18n, auth.username_label)) value=username autocomplete="username" help=Signal::derive(move || t_string!(i18n, auth.username_help)) check=|v| validate::username(v).map(|_| ()) show_all />
                <TextField id="display_name" label=Signal::derive(move || t_string!(i18n, auth.display_name_label)) value=display_name autocomplete="name" check=|v| validate::display_name(v).map(|_| ()) show_all />
                <TextField id="new_password" label=Signal::derive(move || t_string!(i18n, auth.password_label)) value=password kind="password" autocomplete="new-password" help=Signal::derive(move || t_string!(i18n, auth.password_help)) check=validate::new_password show_all />
                <FormError message=error />
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t_string!(i18n, auth.working) } else { t_string!(i18n, auth.submit_sign_up) }}
                </button>
            </form>
            <p class="muted">
                {t!(i18n, auth.have_account)} " "
                <A href=move || format!("/signin?next={}", next())>{t!(i18n, auth.sign_in_link)}</A>
            </p>
        </section>
    }
}
