//! The sign-in sections of Settings: profile, password, two-factor sign-in, blocked people
//! (`account::ui::AccountSettings` puts them together with the person's data).

use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    field::{FormError, TextField},
    pages::submission_error,
};
use crate::{
    auth::{
        api::{
            ChangePassword, RemoveAvatar, SetBlocked, StartTwoFactorSetup, TwoFactorDisable,
            TwoFactorEnable, UpdateProfile,
        },
        validate, ProfileUpdate, PublicProfile, TwoFactorStatus, User,
    },
    kit::i18n::{t, t_string, use_i18n},
    platform::error::AppError,
};

/// The avatar, and the way to change it (a square from the middle of the image) or go back to
/// initials. Everywhere the person shows, the new one shows from then on.
#[component]
fn AvatarChooser(user: User, display_name: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = super::session::use_session();
    let avatar = RwSignal::new(user.avatar_url.clone());
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let remove = ServerAction::<RemoveAvatar>::new();
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(user)) => {
            avatar.set(user.avatar_url);
            session.reload();
        }
        Some(Err(error)) => failed.set(Some(super::pages::error_text(&error))),
        None => {}
    });
    let chosen = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(file) = crate::kit::upload::chosen_file(&_ev) {
            busy.set(true);
            failed.set(None);
            leptos::task::spawn_local(async move {
                match crate::kit::upload::send_file::<User>(crate::auth::api::AVATAR_PATH, &file)
                    .await
                {
                    Ok(user) => {
                        avatar.set(user.avatar_url);
                        session.reload();
                    }
                    Err(error) => failed.set(Some(super::pages::error_text(&error))),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <div class="picture-field">
            {move || view! {
                <crate::kit::avatar::Avatar initials=validate::initials(&display_name.get()) url=avatar.get() class="avatar-large" />
            }}
            <div class="stack">
                <input id="avatar-file" type="file" accept="image/png,image/jpeg,image/gif,image/webp"
                    class="visually-hidden picture-input" on:change=chosen aria-describedby="avatar-help" />
                <label for="avatar-file" class="button button-small" aria-busy=move || busy.get().to_string()>
                    {t!(i18n, profile.picture_change)}
                </label>
                {move || avatar.get().is_some().then(|| view! {
                    <button type="button" class="link-button" disabled=move || remove.pending().get()
                        on:click=move |_| { remove.dispatch(RemoveAvatar {}); }>
                        {t!(i18n, profile.picture_remove)}
                    </button>
                })}
            </div>
            <p class="help" id="avatar-help">{t!(i18n, profile.picture_help)}</p>
            <p class="form-error" role="alert">{move || failed.get()}</p>
        </div>
    }
}

#[component]
pub fn ProfileForm(user: User, action: ServerAction<UpdateProfile>) -> impl IntoView {
    let i18n = use_i18n();
    let display_name = RwSignal::new(user.display_name.clone());
    let bio = RwSignal::new(user.bio.clone());
    let language = RwSignal::new(user.preferred_language.clone());
    let auto_translate = RwSignal::new(user.auto_translate);
    let time_zone = RwSignal::new(user.time_zone.clone());
    let show_all = RwSignal::new(false);
    let error = submission_error(move || action.value().get().and_then(Result::err));
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    let use_device_zone = move |_| {
        if let Some(zone) = crate::kit::time::device_zone() {
            time_zone.set(zone);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        let valid = validate::display_name(&display_name.get_untracked()).is_ok()
            && validate::bio(&bio.get_untracked()).is_ok()
            && validate::time_zone(&time_zone.get_untracked()).is_ok();
        if valid {
            action.dispatch(UpdateProfile {
                update: ProfileUpdate {
                    display_name: display_name.get_untracked(),
                    bio: bio.get_untracked(),
                    preferred_language: language.get_untracked(),
                    auto_translate: auto_translate.get_untracked(),
                    time_zone: time_zone.get_untracked(),
                },
            });
        }
    };
    let bio_error = move || {
        (show_all.get())
            .then(|| validate::bio(&bio.get()).err())
            .flatten()
    };
    view! {
        <section class="card settings-section" aria-labelledby="profile-title">
            <div class="section-head">
                <AvatarChooser user=user.clone() display_name />
                <div>
                    <h2 id="profile-title">{t!(i18n, profile.title)}</h2>
                    <p class="muted">"@" {user.username.clone()} " · " {user.email.clone()}</p>
                </div>
            </div>
            <form on:submit=submit novalidate class="stack">
                <TextField id="display_name" label=Signal::derive(move || t_string!(i18n, auth.display_name_label)) value=display_name autocomplete="name" check=|v| validate::display_name(v).map(|_| ()) show_all />
                <div class="field">
                    <label for="bio">{t!(i18n, profile.bio_label)}</label>
                    <textarea id="bio" rows="3" maxlength="400" prop:value=move || bio.get() on:input=move |ev| bio.set(event_target_value(&ev))></textarea>
                    <p class="help">{move || format!("{} / {}", bio.get().trim().chars().count(), validate::BIO_MAX)}</p>
                    <p class="field-error" role="alert">{move || bio_error().map(super::field::field_error_text)}</p>
                </div>
                <div class="field">
                    <label for="preferred_language">{t!(i18n, profile.language_label)}</label>
                    <select id="preferred_language" prop:value=move || language.get() on:change=move |ev| language.set(event_target_value(&ev))>
                        {crate::kit::languages::LANGUAGES
                            .iter()
                            .map(|(locale, name)| {
                                let code = leptos_i18n::Locale::as_str(*locale);
                                view! { <option value=code selected=move || language.get() == code>{*name}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="help">{t!(i18n, profile.language_help)}</p>
                </div>
                <div class="field">
                    <label class="checkbox">
                        <input type="checkbox" id="auto_translate" prop:checked=move || auto_translate.get()
                            on:change=move |ev| auto_translate.set(event_target_checked(&ev)) />
                        " " {t!(i18n, profile.auto_translate)}
                    </label>
                    <p class="help">{t!(i18n, profile.auto_translate_help)}</p>
                </div>
                <div class="field-row">
                    <TextField id="time_zone" label=Signal::derive(move || t_string!(i18n, profile.time_zone_label)) value=time_zone check=|v| validate::time_zone(v).map(|_| ()) show_all />
                    <button type="button" class="button button-small" on:click=use_device_zone>{t!(i18n, profile.use_device_zone)}</button>
                </div>
                <FormError message=error />
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t!(i18n, profile.save)}</button>
                    <Show when=saved><span class="success" role="status">{t!(i18n, profile.saved)}</span></Show>
                </div>
            </form>
        </section>
    }
}

#[component]
pub fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let action = ServerAction::<ChangePassword>::new();
    let error = submission_error(move || action.value().get().and_then(Result::err));
    let changed = move || matches!(action.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            current.set(String::new());
            new.set(String::new());
            show_all.set(false);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if current.get_untracked().is_empty()
            || validate::new_password(&new.get_untracked()).is_err()
        {
            return;
        }
        action.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    view! {
        <section class="card settings-section" aria-labelledby="password-title">
            <h2 id="password-title">{t!(i18n, profile.password_title)}</h2>
            <form on:submit=submit novalidate class="stack">
                <TextField id="current_password" label=Signal::derive(move || t_string!(i18n, profile.current_password)) value=current kind="password" autocomplete="current-password" show_all />
                <TextField id="changed_password" label=Signal::derive(move || t_string!(i18n, profile.new_password)) value=new kind="password" autocomplete="new-password" help=Signal::derive(move || t_string!(i18n, auth.password_help)) check=validate::new_password show_all />
                <FormError message=error />
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>{t!(i18n, profile.change_password)}</button>
                    <Show when=changed><span class="success" role="status">{t!(i18n, profile.password_changed)}</span></Show>
                </div>
            </form>
        </section>
    }
}

/// Two-factor sign-in: set up (key, link, confirm with a code → recovery codes), or turn off
/// with the password and a code.
#[component]
pub fn TwoFactorSection(
    status: Resource<Result<TwoFactorStatus, AppError>>,
    enable: ServerAction<TwoFactorEnable>,
    disable: ServerAction<TwoFactorDisable>,
) -> impl IntoView {
    let i18n = use_i18n();
    let setup = ServerAction::<StartTwoFactorSetup>::new();
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let setup_error = submission_error(move || {
        setup
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| enable.value().get().and_then(Result::err))
    });
    let disable_error = submission_error(move || disable.value().get().and_then(Result::err));
    // Shown once, right after turning on; gone with the next visit.
    let recovery_codes = move || enable.value().get().and_then(Result::ok);
    let pending_setup = move || {
        let confirmed = matches!(enable.value().get(), Some(Ok(_)));
        setup
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| !confirmed)
    };
    Effect::new(move |_| {
        if enable.version().get() > 0 || disable.version().get() > 0 {
            code.set(String::new());
            password.set(String::new());
            show_all.set(false);
        }
    });
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if !code.get_untracked().trim().is_empty() {
            enable.dispatch(TwoFactorEnable {
                code: code.get_untracked(),
            });
        }
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_all.set(true);
        if !password.get_untracked().is_empty() && !code.get_untracked().trim().is_empty() {
            disable.dispatch(TwoFactorDisable {
                password: password.get_untracked(),
                code: code.get_untracked(),
            });
        }
    };
    view! {
        <section class="card settings-section" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">{t!(i18n, profile.tf_title)}</h2>
            <p class="help">{t!(i18n, profile.tf_lead)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    status.await.map(|st| {
                        if st.enabled {
                            view! {
                                <p><span class="badge">{t!(i18n, profile.tf_on)}</span> " "
                                    <span class="muted">{t_string!(i18n, profile.tf_codes_left).replace("{n}", &st.recovery_codes_left.to_string())}</span>
                                </p>
                                <Show when=move || recovery_codes().is_some()>
                                    <h3>{t!(i18n, profile.tf_codes_title)}</h3>
                                    <p class="help">{t!(i18n, profile.tf_codes_help)}</p>
                                    <ul class="recovery-codes" aria-label=move || t_string!(i18n, profile.tf_codes_title)>
                                        {move || recovery_codes().unwrap_or_default().into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                                    </ul>
                                </Show>
                                <form on:submit=turn_off novalidate class="stack">
                                    <p class="help">{t!(i18n, profile.tf_disable_help)}</p>
                                    <TextField id="two_factor_password" label=Signal::derive(move || t_string!(i18n, profile.current_password)) value=password kind="password" autocomplete="current-password" show_all />
                                    <TextField id="two_factor_off_code" label=Signal::derive(move || t_string!(i18n, profile.tf_code_label)) value=code autocomplete="one-time-code" show_all />
                                    <FormError message=disable_error />
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || disable.pending().get()>{t!(i18n, profile.tf_disable)}</button>
                                    </div>
                                </form>
                            }.into_any()
                        } else {
                            view! {
                                <p><span class="badge">{t!(i18n, profile.tf_off)}</span></p>
                                <Show
                                    when=move || pending_setup().is_some()
                                    fallback=move || view! {
                                        <FormError message=setup_error />
                                        <button type="button" class="button" disabled=move || setup.pending().get()
                                            on:click=move |_| { setup.dispatch(StartTwoFactorSetup {}); }>{t!(i18n, profile.tf_setup)}</button>
                                    }
                                >
                                    {move || pending_setup().map(|s| view! {
                                        <p class="help">{t!(i18n, profile.tf_scan)}</p>
                                        <p><a href=s.uri.clone() class="button button-small">{t!(i18n, profile.tf_open_app)}</a></p>
                                        <p>{t!(i18n, profile.tf_key)} ": " <code class="secret-key">{s.secret.clone()}</code></p>
                                    })}
                                    <form on:submit=confirm novalidate class="stack">
                                        <TextField id="two_factor_code" label=Signal::derive(move || t_string!(i18n, profile.tf_code_label)) value=code autocomplete="one-time-code" show_all />
                                        <FormError message=setup_error />
                                        <div class="form-actions">
                                            <button type="submit" class="button button-primary" disabled=move || enable.pending().get()>{t!(i18n, profile.tf_enable)}</button>
                                        </div>
                                    </form>
                                </Show>
                            }.into_any()
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn BlockedList(
    list: Resource<Result<Vec<PublicProfile>, AppError>>,
    unblock: ServerAction<SetBlocked>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card settings-section" aria-labelledby="blocked-title">
            <h2 id="blocked-title">{t!(i18n, profile.blocked_title)}</h2>
            <p class="help">{t!(i18n, profile.blocked_note)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    list.await.map(|people| {
                        if people.is_empty() {
                            return view! { <p class="muted">{t!(i18n, profile.blocked_none)}</p> }.into_any();
                        }
                        view! {
                            <ul class="people">
                                {people.into_iter().map(|p| {
                                    let name = p.username.clone();
                                    view! {
                                        <li>
                                            <crate::kit::avatar::Avatar initials=p.initials() url=p.avatar_url.clone() />
                                            <A href=format!("/u/{}", p.username)>{p.display_name.clone()}</A>
                                            <span class="muted">"@" {p.username.clone()}</span>
                                            <button type="button" class="button button-small" on:click=move |_| {
                                                unblock.dispatch(SetBlocked { username: name.clone(), blocked: false });
                                            }>{t!(i18n, profile.unblock)}</button>
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
