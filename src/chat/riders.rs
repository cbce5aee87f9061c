//! Features that ride on a tab's socket — a voice call: the socket answers the requests it knows
//! (messages, reactions, reads, watching) and hands every other one to the riders; it tells them
//! when a tab's access is checked again and when tabs close. The composition root registers
//! them (`server.rs`, [`SocketRiders`]), as it does message parts: the core names none.

use uuid::Uuid;

use super::{ClientEvent, ServerEvent};
use crate::{
    entities::users,
    platform::{error::AppError, state::AppState},
};

/// The tab a request came from.
pub struct Tab<'a> {
    /// Its connection: the address other tabs reach it by.
    pub connection: Uuid,
    pub user: &'a users::Model,
}

#[async_trait::async_trait]
pub trait SocketRider: Send + Sync + 'static {
    /// Answers `event` when it is this rider's; `None` when it is not.
    async fn request(
        &self,
        state: &AppState,
        tab: &Tab<'_>,
        event: &ClientEvent,
    ) -> Option<Result<(), AppError>>;

    /// The tab's person's access was checked again (a role, a ban, a channel changed): what the
    /// tab must be told of what ended for them, if anything.
    async fn recheck(
        &self,
        state: &AppState,
        tab: &Tab<'_>,
    ) -> Result<Option<ServerEvent>, AppError>;

    /// These connections closed: one tab, or every tab of an instance that stopped or died.
    async fn closed(&self, state: &AppState, connections: Vec<Uuid>) -> Result<(), AppError>;
}

/// Every rider (a service: `state.service::<SocketRiders>()`).
#[derive(Default)]
pub struct SocketRiders(Vec<Box<dyn SocketRider>>);

impl SocketRiders {
    pub fn with(mut self, rider: impl SocketRider) -> SocketRiders {
        self.0.push(Box::new(rider));
        self
    }

    /// The first rider's answer to `event`; a request no rider knows is refused.
    pub async fn request(
        &self,
        state: &AppState,
        tab: &Tab<'_>,
        event: &ClientEvent,
    ) -> Result<(), AppError> {
        for rider in &self.0 {
            if let Some(answer) = rider.request(state, tab, event).await {
                return answer;
            }
        }
        Err(AppError::Validation(crate::kit::sentences::says!(
            "server.chat.unknown_request"
        )))
    }

    /// What the tab must be told after its access was checked again; a rider that fails is
    /// logged and the others still run.
    pub async fn recheck(&self, state: &AppState, tab: &Tab<'_>) -> Vec<ServerEvent> {
        let mut told = Vec::new();
        for rider in &self.0 {
            match rider.recheck(state, tab).await {
                Ok(event) => told.extend(event),
                Err(error) => tracing::warn!(error = %error, "a socket rider failed a recheck"),
            }
        }
        told
    }

    /// Tells every rider that `connections` closed (each failure logged, none stopping others).
    pub async fn closed(&self, state: &AppState, connections: &[Uuid]) {
        for rider in &self.0 {
            if let Err(error) = rider.closed(state, connections.to_vec()).await {
                tracing::warn!(error = %error, "a socket rider could not forget closed tabs");
            }
        }
    }
}
