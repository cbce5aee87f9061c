//! Search's API: `GET /api/search?q=…[&community=slug][&before=messageId]`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::platform::error::AppError;

/// Messages, people and channels the signed-in person may see that match `q` (words and
/// filters, see `Query`); `before` pages back through older messages.
#[server(prefix = "/api", endpoint = "search", input = GetUrl)]
pub async fn search(
    q: String,
    #[server(default)] community: Option<String>,
    #[server(default)] before: Option<String>,
) -> Result<super::Results, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let before = before
                .as_deref()
                .map(crate::chat::MessageId::parse)
                .transpose()?;
            super::service::search(&state, &me.user, &q, community.as_deref(), before).await
        }
        .await,
    )
}

/// People whose username or name holds `q` (what `from:` is being typed with), for the search
/// box to suggest: at most eight, never someone the caller blocked, never a bot.
#[server(prefix = "/api", endpoint = "search/people", input = GetUrl)]
pub async fn search_people(q: String) -> Result<Vec<crate::auth::Author>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::people(&state, &me.user, &q).await
        }
        .await,
    )
}
