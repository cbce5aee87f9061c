//! Search in the public REST API (`/api/v1/search`): the same search as the app's, for a bot or
//! a script with a `chat:read` token.

use axum::{extract::State, Json};
use serde::Deserialize;

use super::Results;
use crate::{
    auth::{caller::ApiCaller, Scope},
    chat::MessageId,
    platform::{
        error::{AppError, WireError},
        rest::QueryArgs,
        state::AppState,
    },
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchArgs {
    /// Words, `from:name`, `in:channel`, `$TICKER`, `has:link`, `has:file`,
    /// `before:YYYY-MM-DD`, `after:YYYY-MM-DD`.
    pub q: String,
    /// Only this community (its slug).
    #[serde(default)]
    pub community: Option<String>,
    /// The last message id of the previous page, for older hits.
    #[serde(default)]
    pub before: Option<String>,
}

/// Searches the messages, people and channels the person can see.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "messages",
    params(SearchArgs),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Results),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 422, description = "Too long", body = WireError),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryArgs(args): QueryArgs<SearchArgs>,
) -> Result<Json<Results>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let before = match args.before.as_deref() {
        Some(id) => Some(MessageId::parse(id)?),
        None => None,
    };
    Ok(Json(
        super::service::search(&state, user, &args.q, args.community.as_deref(), before).await?,
    ))
}
