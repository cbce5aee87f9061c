//! A call rides on the tab's socket (`chat::riders`): the tab joins and leaves, mutes itself,
//! says when it speaks and relays WebRTC signals to the other tabs of the call; a moderator
//! silences someone. A tab that may no longer be on its call (a ban, a lost role) is taken off
//! it, and a closed tab leaves.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use tokio::time::Instant;
use uuid::Uuid;

use super::service as voice;
use crate::auth::UserId;
use crate::{
    chat::{
        riders::{SocketRider, Tab},
        ClientEvent, ServerEvent,
    },
    community::ChannelId,
    kit::sentences::says,
    platform::{error::AppError, state::AppState},
};

/// A tab's speaking passes on at most this often (a stop always does).
const SPEAKING_EVERY: Duration = Duration::from_millis(100);

/// Calls on the socket (a service of the socket's riders).
#[derive(Default)]
pub struct CallRider {
    /// When each tab's speaking was last passed on to its community, and whether it was.
    speaking_told: Mutex<HashMap<Uuid, (Instant, bool)>>,
}

impl CallRider {
    fn told(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (Instant, bool)>> {
        self.speaking_told
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Passes on a change of the tab's speaking: only changes, and a start at most once per
    /// SPEAKING_EVERY; a stop always, or a ring could stay lit after a quick start.
    async fn speaking(
        &self,
        state: &AppState,
        connection: Uuid,
        speaking: bool,
    ) -> Result<(), AppError> {
        let now = Instant::now();
        let passed = match self.told().get(&connection).copied() {
            None => speaking,
            Some((_, was)) if was == speaking => false,
            Some((at, _)) if speaking => now - at >= SPEAKING_EVERY,
            Some(_) => true,
        };
        if !passed {
            return Ok(());
        }
        if voice::speaking(state, connection, speaking).await? {
            self.told().insert(connection, (now, speaking));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SocketRider for CallRider {
    async fn request(
        &self,
        state: &AppState,
        tab: &Tab<'_>,
        event: &ClientEvent,
    ) -> Option<Result<(), AppError>> {
        let me = tab.user.id;
        Some(match event {
            ClientEvent::VoiceJoin { channel_id } => {
                self.told().remove(&tab.connection);
                async {
                    let channel = ChannelId::parse(channel_id)?;
                    voice::join(state, tab.user, tab.connection, channel).await
                }
                .await
                .map(drop)
            }
            ClientEvent::VoiceLeave => {
                self.told().remove(&tab.connection);
                voice::leave(state, tab.connection).await
            }
            ClientEvent::VoiceSignal { to, signal } => {
                voice::relay(state, (tab.connection, me), to, signal.clone()).await
            }
            ClientEvent::VoiceSelf { muted, deafened } => {
                voice::set_own(state, tab.connection, *muted, *deafened).await
            }
            ClientEvent::VoiceSpeaking { speaking } => {
                self.speaking(state, tab.connection, *speaking).await
            }
            ClientEvent::VoiceSilence {
                channel_id,
                user_id,
                silenced,
            } => async {
                let channel = ChannelId::parse(channel_id)?;
                let person = Uuid::parse_str(user_id)
                    .map_err(|_| AppError::NotFound(says!("server.voice.not_on_call")))?;
                voice::silence(state, UserId(me), channel, UserId(person), *silenced).await
            }
            .await
            .map(drop),
            _ => return None,
        })
    }

    async fn recheck(
        &self,
        state: &AppState,
        tab: &Tab<'_>,
    ) -> Result<Option<ServerEvent>, AppError> {
        Ok(voice::recheck(state, tab.connection, UserId(tab.user.id))
            .await?
            .map(|(channel, reason)| ServerEvent::VoiceEnded {
                channel_id: channel.to_string(),
                reason,
            }))
    }

    async fn closed(&self, state: &AppState, connections: Vec<Uuid>) -> Result<(), AppError> {
        {
            let mut told = self.told();
            for connection in &connections {
                told.remove(connection);
            }
        }
        voice::forget(state, connections).await
    }
}
