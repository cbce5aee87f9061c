//! Outgoing webhooks. Every `WEBHOOK_POLL_MS` a round (1) queues each webhook's new messages
//! as delivery rows, moving its cursor in the same transaction, and (2) sends the deliveries
//! that are due. A delivery is a signed POST; any answer but 2xx, a timeout or an unreachable
//! address is tried again after a growing wait (`backoff_secs`), up to `MAX_ATTEMPTS`. Several
//! servers share the work safely: the cursor moves only from where it was read, and a delivery
//! is sent by whoever claimed it (a claim lapses, so a server that died is taken over).
//!
//! The receiver checks `X-Bullpen-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw
//! body under the webhook's signing key. Deliveries go through `platform::outbound`: addresses
//! on loopback and private networks are not called (unless `OUTBOUND_TO_PRIVATE_ADDRESSES` is
//! on), checked when the name is resolved to connect, and redirects are not followed, so a
//! community's admin cannot use the server to reach its neighbours.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use reqwest::Url;
use sea_orm::TransactionTrait;
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use super::{backoff_secs, repo, DeliveryStatus, Failure, MAX_ATTEMPTS, URL_MAX_CHARS};
use crate::{
    auth::repo as accounts,
    community::repo as communities,
    entities::{integrations, webhook_deliveries},
    kit::sentences::{says, Sentence},
    platform::{error::AppError, outbound, state::AppState},
};

/// Messages one webhook queues per round.
const QUEUE_BATCH: u64 = 200;
/// Deliveries one server sends per round, and at once.
const SEND_BATCH: u64 = 100;
const SEND_AT_ONCE: usize = 16;

/// An outgoing webhook's address, if it is one this server would call: http or https, a host,
/// no credentials in it.
pub fn target(text: &str) -> Result<Url, Sentence> {
    let refuse = || says!("server.integrations.url_invalid");
    if text.is_empty() || text.chars().count() > URL_MAX_CHARS {
        return Err(refuse());
    }
    let url = Url::parse(text).map_err(|_| refuse())?;
    let fits = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    fits.then_some(url).ok_or_else(refuse)
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `key`.
pub fn signature(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub queued: usize,
    pub sent: usize,
}

/// One round at `now`: queue what is new, send what is due.
pub async fn round(state: &AppState, now: DateTime<Utc>) -> Result<Round, AppError> {
    let mut done = Round::default();
    for hook in repo::outgoing(&state.db).await? {
        done.queued += queue_new(state, &hook, now).await?;
    }
    done.sent = send_due(state, now).await?;
    Ok(done)
}

/// Rounds every `every`, until the process ends; a failed round is tried again next time.
pub async fn keep_delivering(state: AppState, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = round(&state, Utc::now()).await {
            tracing::warn!(error = %err, "an outgoing webhooks round failed; tried again next time");
        }
    }
}

/// Queues a webhook's messages after its cursor (not bots', so two hooks cannot echo each
/// other forever; not deleted ones) and moves the cursor past them.
async fn queue_new(
    state: &AppState,
    hook: &integrations::Model,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let Some(channel_id) = hook.channel_id else {
        return Ok(0);
    };
    // Deleted ones included: they move the cursor and are not sent.
    let found = crate::chat::repo::after(&state.db, channel_id, hook.cursor, QUEUE_BATCH).await?;
    let Some(last) = found.last().map(|m| m.seq) else {
        return Ok(0);
    };
    let channel = communities::channel_by_id(&state.db, channel_id).await?;
    let community = communities::community_by_id(&state.db, hook.community_id).await?;
    let (Some(channel), Some(community)) = (channel, community) else {
        return Ok(0);
    };
    let mut authors: Vec<Uuid> = found.iter().map(|m| m.author_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let authors = accounts::users_by_ids(&state.db, authors).await?;
    let mut rows = Vec::new();
    for message in &found {
        let (Some(body), Some(author)) = (message.body.as_ref(), authors.get(&message.author_id))
        else {
            continue;
        };
        if crate::auth::is_bot(&author.username) {
            continue;
        }
        let id = Uuid::now_v7();
        let author = crate::auth::Author::of(author);
        let payload = json!({
            "event": "message.created",
            "deliveryId": id.to_string(),
            "community": { "id": community.id.to_string(), "slug": community.slug, "name": community.name },
            "channel": { "id": channel.id.to_string(), "name": channel.name },
            "message": {
                "id": message.id.to_string(),
                "seq": message.seq,
                "body": body,
                "replyTo": message.reply_to.map(|r| r.to_string()),
                "createdAt": message.created_at.to_rfc3339(),
                "author": { "id": author.id, "username": author.username, "displayName": author.display_name },
            },
        });
        rows.push(webhook_deliveries::Model {
            id,
            integration_id: hook.id,
            message_id: message.id,
            payload: payload.to_string(),
            status: DeliveryStatus::Pending.as_str().into(),
            attempts: 0,
            next_at: now,
            claimed_until: None,
            last_code: None,
            last_error: None,
            created_at: now,
            finished_at: None,
        });
    }
    let queued = rows.len();
    let txn = state.db.begin().await?;
    if !repo::advance_cursor(&txn, hook.id, hook.cursor, last).await? {
        // Another server queued them first.
        return Ok(0);
    }
    repo::insert_deliveries(&txn, rows).await?;
    txn.commit().await?;
    Ok(queued)
}

/// Sends the deliveries due at `now` that this server could claim.
async fn send_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let timeout = Duration::from_millis(state.config.webhook_timeout_ms);
    // Held for the attempt and a margin; a server that died lets it go when this passes.
    let until = now
        + chrono::Duration::from_std(timeout).unwrap_or_default()
        + chrono::Duration::seconds(30);
    let mut claimed = Vec::new();
    for delivery in repo::due(&state.db, now, SEND_BATCH).await? {
        if repo::claim(&state.db, delivery.id, now, until).await? {
            claimed.push(delivery);
        }
    }
    let sent = claimed.len();
    if sent == 0 {
        return Ok(0);
    }
    let client = outbound::Client::new("Bullpen-Webhooks/1", state.config.outbound_to_private)
        .map_err(|err| {
            tracing::error!(error = %err, "cannot build the webhooks' HTTP client");
            AppError::Internal
        })?;
    let outcomes: Vec<Result<(), AppError>> = futures::stream::iter(claimed)
        .map(|delivery| attempt(state, &client, delivery, now, timeout))
        .buffer_unordered(SEND_AT_ONCE)
        .collect()
        .await;
    for outcome in outcomes {
        outcome?;
    }
    Ok(sent)
}

/// One attempt at a claimed delivery, and its outcome written down.
async fn attempt(
    state: &AppState,
    client: &outbound::Client,
    delivery: webhook_deliveries::Model,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Result<(), AppError> {
    let hook = repo::by_id(&state.db, delivery.integration_id).await?;
    let (Some(hook), true) = (
        hook,
        repo::message_alive(&state.db, delivery.message_id).await?,
    ) else {
        return finish(state, &delivery, DeliveryStatus::Withdrawn, None, None, now).await;
    };
    let attempts = delivery.attempts + 1;
    let sent = send(client, &hook, &delivery, timeout).await;
    let (status, code, failure) = match sent {
        Ok(code) if (200..300).contains(&code) => (DeliveryStatus::Delivered, Some(code), None),
        Ok(code) => (DeliveryStatus::Pending, Some(code), Some(Failure::Status)),
        Err(Failure::PrivateAddress) => {
            (DeliveryStatus::Failed, None, Some(Failure::PrivateAddress))
        }
        Err(failure) => (DeliveryStatus::Pending, None, Some(failure)),
    };
    let status = if status == DeliveryStatus::Pending && attempts >= MAX_ATTEMPTS {
        DeliveryStatus::Failed
    } else {
        status
    };
    if status != DeliveryStatus::Delivered {
        tracing::info!(delivery = %delivery.id, attempts, code, failure = failure.map(Failure::as_str), "an outgoing webhook's delivery failed");
    }
    repo::record_attempt(
        &state.db,
        delivery.id,
        repo::Attempted {
            status,
            attempts,
            next_at: now + chrono::Duration::seconds(backoff_secs(attempts)),
            code: code.map(i32::from),
            error: failure.map(|f| f.as_str().to_owned()),
            finished_at: (status != DeliveryStatus::Pending).then_some(now),
        },
    )
    .await?;
    Ok(())
}

async fn finish(
    state: &AppState,
    delivery: &webhook_deliveries::Model,
    status: DeliveryStatus,
    code: Option<i32>,
    failure: Option<Failure>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    repo::record_attempt(
        &state.db,
        delivery.id,
        repo::Attempted {
            status,
            attempts: delivery.attempts,
            next_at: delivery.next_at,
            code,
            error: failure.map(|f| f.as_str().to_owned()),
            finished_at: Some(now),
        },
    )
    .await?;
    Ok(())
}

/// POSTs the delivery's body, signed, to the hook's address: the answer's status, or why none
/// came.
async fn send(
    client: &outbound::Client,
    hook: &integrations::Model,
    delivery: &webhook_deliveries::Model,
    timeout: Duration,
) -> Result<u16, Failure> {
    let (Some(url), Some(key)) = (hook.url.as_deref(), hook.signing_secret.as_deref()) else {
        return Err(Failure::Unreachable);
    };
    let url = target(url).map_err(|_| Failure::Unreachable)?;
    let body = delivery.payload.clone().into_bytes();
    let answer = client
        .post(url)
        .map_err(|_| Failure::PrivateAddress)?
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Bullpen-Event", "message.created")
        .header("X-Bullpen-Delivery", delivery.id.to_string())
        .header("X-Bullpen-Signature-256", signature(key, &body))
        .body(body)
        .send()
        .await
        .map_err(|err| match outbound::refusal(&err) {
            Some(outbound::Refused::Private) => Failure::PrivateAddress,
            Some(outbound::Refused::Unresolved) => Failure::Unreachable,
            None if err.is_timeout() => Failure::Timeout,
            None => Failure::Unreachable,
        })?;
    Ok(answer.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_addresses_are_targets() {
        assert!(target("https://example.com/hooks/bullpen?x=1").is_ok());
        assert!(target("http://10.0.0.5:8080/in").is_ok());
        for bad in [
            "",
            "example.com/hook",
            "ftp://example.com/",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(target(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX_CHARS));
        assert!(target(&long).is_err());
    }

    #[test]
    fn the_signature_is_the_known_hmac() {
        // RFC 4231, test case 2: key "Jefe".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
