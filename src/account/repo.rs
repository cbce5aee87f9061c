//! sea-orm queries for a person's data as a whole: reading all of it for the download, and
//! removing it when the account is deleted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{
    access_tokens, achievements, assistant_conversations, assistant_messages, channels,
    chart_choices, chat_actions, communities, community_bans, community_members, community_roles,
    connections, event_answers, events, inbox_items, member_roles, messages, notification_settings,
    password_resets, poll_ballots, poll_choices, portfolio_transactions, portfolios, price_alerts,
    push_subscriptions, reactions, read_states, refresh_tokens, user_blocks, users,
    watchlist_items,
};

/// Lists of ids are looked up this many at a time (engines cap a statement's parameters).
const CHUNK: usize = 500;

// ---------- reading, for the download ----------

/// Every refresh token of the person (a session is a family of them), oldest first.
pub async fn refresh_tokens_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<refresh_tokens::Model>, DbErr> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::UserId.eq(user))
        .order_by_asc(refresh_tokens::Column::CreatedAt)
        .all(db)
        .await
}

/// The blocks the person made, oldest first.
pub async fn blocks_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<user_blocks::Model>, DbErr> {
    user_blocks::Entity::find()
        .filter(user_blocks::Column::BlockerId.eq(user))
        .order_by_asc(user_blocks::Column::CreatedAt)
        .all(db)
        .await
}

/// The person's memberships, in the order they joined.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<community_members::Model>, DbErr> {
    community_members::Entity::find()
        .filter(community_members::Column::UserId.eq(user))
        .order_by_asc(community_members::Column::JoinedAt)
        .all(db)
        .await
}

/// The custom roles the person holds, as (community, role name).
pub async fn role_names_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let held = member_roles::Entity::find()
        .filter(member_roles::Column::UserId.eq(user))
        .all(db)
        .await?;
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<Uuid, String> = community_roles::Entity::find()
        .filter(
            community_roles::Column::Id.is_in(held.iter().map(|m| m.role_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok(held
        .into_iter()
        .filter_map(|m| {
            names
                .get(&m.role_id)
                .map(|name| (m.community_id, name.clone()))
        })
        .collect())
}

/// Every message the person wrote (deleted ones too: their place and times are theirs),
/// oldest first.
pub async fn messages_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::AuthorId.eq(user))
        .order_by_asc(messages::Column::CreatedAt)
        .order_by_asc(messages::Column::Seq)
        .all(db)
        .await
}

/// Every reaction the person made, oldest first.
pub async fn reactions_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<reactions::Model>, DbErr> {
    reactions::Entity::find()
        .filter(reactions::Column::UserId.eq(user))
        .order_by_asc(reactions::Column::CreatedAt)
        .all(db)
        .await
}

/// Every poll ballot the person cast, oldest first.
pub async fn ballots_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<poll_ballots::Model>, DbErr> {
    poll_ballots::Entity::find()
        .filter(poll_ballots::Column::UserId.eq(user))
        .order_by_asc(poll_ballots::Column::CastAt)
        .all(db)
        .await
}

/// The person's badges, earliest first.
pub async fn achievements_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<achievements::Model>, DbErr> {
    achievements::Entity::find()
        .filter(achievements::Column::UserId.eq(user))
        .order_by_asc(achievements::Column::EarnedAt)
        .all(db)
        .await
}

/// The person's answers to events, with the events, earliest first.
pub async fn event_answers_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<(event_answers::Model, Option<events::Model>)>, DbErr> {
    event_answers::Entity::find()
        .filter(event_answers::Column::UserId.eq(user))
        .order_by_asc(event_answers::Column::AnsweredAt)
        .find_also_related(events::Entity)
        .all(db)
        .await
}

/// The answers (their labels) the person's ballots chose, by poll.
pub async fn chosen_answers_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let rows: Vec<(Uuid, String)> = poll_choices::Entity::find()
        .filter(poll_choices::Column::UserId.eq(user))
        .join(
            sea_orm::JoinType::InnerJoin,
            poll_choices::Entity::belongs_to(crate::entities::poll_options::Entity)
                .from((poll_choices::Column::PollId, poll_choices::Column::Position))
                .to((
                    crate::entities::poll_options::Column::PollId,
                    crate::entities::poll_options::Column::Position,
                ))
                .into(),
        )
        .order_by_asc(poll_choices::Column::Position)
        .select_only()
        .column(poll_choices::Column::PollId)
        .column(crate::entities::poll_options::Column::Label)
        .into_tuple()
        .all(db)
        .await?;
    let mut chosen: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (poll, label) in rows {
        chosen.entry(poll).or_default().push(label);
    }
    Ok(chosen)
}

/// The person's personal access tokens (their hashes are never exported).
pub async fn access_tokens_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<access_tokens::Model>, DbErr> {
    access_tokens::Entity::find()
        .filter(access_tokens::Column::UserId.eq(user))
        .order_by_asc(access_tokens::Column::CreatedAt)
        .all(db)
        .await
}

/// The channel of each of these messages.
pub async fn channels_of_messages(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Uuid>, DbErr> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, Uuid)> = messages::Entity::find()
            .filter(messages::Column::Id.is_in(chunk.to_vec()))
            .select_only()
            .column(messages::Column::Id)
            .column(messages::Column::ChannelId)
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

pub async fn channels_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, channels::Model>, DbErr> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for channel in channels::Entity::find()
            .filter(channels::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(channel.id, channel);
        }
    }
    Ok(found)
}

pub async fn communities_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, communities::Model>, DbErr> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for community in communities::Entity::find()
            .filter(communities::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(community.id, community);
        }
    }
    Ok(found)
}

pub async fn watchlist_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<watchlist_items::Model>, DbErr> {
    watchlist_items::Entity::find()
        .filter(watchlist_items::Column::UserId.eq(user))
        .order_by_asc(watchlist_items::Column::AddedAt)
        .all(db)
        .await
}

pub async fn chart_choice_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<chart_choices::Model>, DbErr> {
    chart_choices::Entity::find_by_id(user).one(db).await
}

pub async fn portfolios_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<portfolios::Model>, DbErr> {
    portfolios::Entity::find()
        .filter(portfolios::Column::UserId.eq(user))
        .order_by_asc(portfolios::Column::CreatedAt)
        .all(db)
        .await
}

/// The recorded transactions of a portfolio in ledger order; rows of an import not yet
/// confirmed are not part of it.
pub async fn transactions_of(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
) -> Result<Vec<portfolio_transactions::Model>, DbErr> {
    portfolio_transactions::Entity::find()
        .filter(portfolio_transactions::Column::PortfolioId.eq(portfolio))
        .filter(portfolio_transactions::Column::ImportId.is_null())
        .order_by_asc(portfolio_transactions::Column::TradeDate)
        .order_by_asc(portfolio_transactions::Column::Seq)
        .all(db)
        .await
}

pub async fn alerts_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<price_alerts::Model>, DbErr> {
    price_alerts::Entity::find()
        .filter(price_alerts::Column::UserId.eq(user))
        .order_by_asc(price_alerts::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn conversations_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<assistant_conversations::Model>, DbErr> {
    assistant_conversations::Entity::find()
        .filter(assistant_conversations::Column::UserId.eq(user))
        .order_by_asc(assistant_conversations::Column::CreatedAt)
        .all(db)
        .await
}

/// Every turn of the person's assistant conversations, oldest first.
pub async fn assistant_turns_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<assistant_messages::Model>, DbErr> {
    assistant_messages::Entity::find()
        .filter(assistant_messages::Column::UserId.eq(user))
        .order_by_asc(assistant_messages::Column::CreatedAt)
        .all(db)
        .await
}

// ---------- deleting ----------

/// Turns the person's row into the tombstone of a deleted account, if it is not one already:
/// the first statement of the deletion's transaction, so that two deletions of one account
/// queue on it and the second finds nothing left to delete (false).
pub async fn make_tombstone(
    db: &impl ConnectionTrait,
    user: Uuid,
    tombstone: Tombstone,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::Email, Expr::value(tombstone.email))
        .col_expr(
            users::Column::UsernameKey,
            Expr::value(tombstone.username_key),
        )
        .col_expr(users::Column::Username, Expr::value(tombstone.username))
        .col_expr(
            users::Column::DisplayName,
            Expr::value(tombstone.display_name),
        )
        .col_expr(users::Column::PasswordHash, Expr::value(String::new()))
        .col_expr(users::Column::Bio, Expr::value(String::new()))
        .col_expr(users::Column::PreferredLanguage, Expr::value("en"))
        .col_expr(users::Column::TimeZone, Expr::value("UTC"))
        .col_expr(users::Column::Avatar, Expr::value(Option::<Uuid>::None))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user))
        .filter(users::Column::PasswordHash.ne(""))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What a deleted account's row holds instead of the person (see `service::tombstone`).
pub struct Tombstone {
    pub email: String,
    pub username_key: String,
    pub username: String,
    pub display_name: String,
}

/// The communities the person owns.
pub async fn communities_owned_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<communities::Model>, DbErr> {
    communities::Entity::find()
        .filter(communities::Column::OwnerId.eq(user))
        .order_by_asc(communities::Column::CreatedAt)
        .all(db)
        .await
}

/// Records a new owner of a community.
pub async fn set_owner(
    db: &impl ConnectionTrait,
    community: Uuid,
    owner: Uuid,
) -> Result<(), DbErr> {
    communities::Entity::update_many()
        .col_expr(communities::Column::OwnerId, Expr::value(owner))
        .filter(communities::Column::Id.eq(community))
        .exec(db)
        .await?;
    Ok(())
}

/// The channels where the person wrote or reacted: where open tabs show something of theirs.
pub async fn channels_touched_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    let reacted = Query::select()
        .column(reactions::Column::MessageId)
        .from(reactions::Entity)
        .and_where(Expr::col(reactions::Column::UserId).eq(user))
        .to_owned();
    messages::Entity::find()
        .filter(
            Condition::any()
                .add(messages::Column::AuthorId.eq(user))
                .add(messages::Column::Id.in_subquery(reacted)),
        )
        .select_only()
        .column(messages::Column::ChannelId)
        .distinct()
        .into_tuple()
        .all(db)
        .await
}

pub async fn message_count_by(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::AuthorId.eq(user))
        .filter(messages::Column::DeletedAt.is_null())
        .count(db)
        .await
}

/// Whether any message (deleted or not) still names the person as its author.
pub async fn authored_any(db: &impl ConnectionTrait, user: Uuid) -> Result<bool, DbErr> {
    Ok(messages::Entity::find()
        .filter(messages::Column::AuthorId.eq(user))
        .count(db)
        .await?
        > 0)
}

/// Removes everything of the person's but their messages and their row: sessions, portfolios
/// with their transactions, alerts, watchlist, assistant conversations, reactions, poll votes,
/// blocks both ways, memberships with their roles, bans of them, read positions, presence,
/// rate-limit rows, notification settings, their inbox, the browsers they are pushed to and
/// pending password resets. (Two-factor rows and sign-in challenges go through `auth::repo`.)
pub async fn remove_belongings(db: &impl ConnectionTrait, user: Uuid) -> Result<(), DbErr> {
    let their_portfolios = Query::select()
        .column(portfolios::Column::Id)
        .from(portfolios::Entity)
        .and_where(Expr::col(portfolios::Column::UserId).eq(user))
        .to_owned();
    portfolio_transactions::Entity::delete_many()
        .filter(portfolio_transactions::Column::PortfolioId.in_subquery(their_portfolios))
        .exec(db)
        .await?;
    portfolios::Entity::delete_many()
        .filter(portfolios::Column::UserId.eq(user))
        .exec(db)
        .await?;
    price_alerts::Entity::delete_many()
        .filter(price_alerts::Column::UserId.eq(user))
        .exec(db)
        .await?;
    chart_choices::Entity::delete_many()
        .filter(chart_choices::Column::UserId.eq(user))
        .exec(db)
        .await?;
    watchlist_items::Entity::delete_many()
        .filter(watchlist_items::Column::UserId.eq(user))
        .exec(db)
        .await?;
    assistant_messages::Entity::delete_many()
        .filter(assistant_messages::Column::UserId.eq(user))
        .exec(db)
        .await?;
    assistant_conversations::Entity::delete_many()
        .filter(assistant_conversations::Column::UserId.eq(user))
        .exec(db)
        .await?;
    reactions::Entity::delete_many()
        .filter(reactions::Column::UserId.eq(user))
        .exec(db)
        .await?;
    poll_choices::Entity::delete_many()
        .filter(poll_choices::Column::UserId.eq(user))
        .exec(db)
        .await?;
    poll_ballots::Entity::delete_many()
        .filter(poll_ballots::Column::UserId.eq(user))
        .exec(db)
        .await?;
    user_blocks::Entity::delete_many()
        .filter(
            Condition::any()
                .add(user_blocks::Column::BlockerId.eq(user))
                .add(user_blocks::Column::BlockedId.eq(user)),
        )
        .exec(db)
        .await?;
    member_roles::Entity::delete_many()
        .filter(member_roles::Column::UserId.eq(user))
        .exec(db)
        .await?;
    community_members::Entity::delete_many()
        .filter(community_members::Column::UserId.eq(user))
        .exec(db)
        .await?;
    community_bans::Entity::delete_many()
        .filter(community_bans::Column::UserId.eq(user))
        .exec(db)
        .await?;
    read_states::Entity::delete_many()
        .filter(read_states::Column::UserId.eq(user))
        .exec(db)
        .await?;
    connections::Entity::delete_many()
        .filter(connections::Column::UserId.eq(user))
        .exec(db)
        .await?;
    chat_actions::Entity::delete_many()
        .filter(chat_actions::Column::UserId.eq(user))
        .exec(db)
        .await?;
    password_resets::Entity::delete_many()
        .filter(password_resets::Column::UserId.eq(user))
        .exec(db)
        .await?;
    notification_settings::Entity::delete_many()
        .filter(notification_settings::Column::UserId.eq(user))
        .exec(db)
        .await?;
    inbox_items::Entity::delete_many()
        .filter(inbox_items::Column::UserId.eq(user))
        .exec(db)
        .await?;
    push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::UserId.eq(user))
        .exec(db)
        .await?;
    // Deleted rather than revoked: a revoked row would still hold a hash of the person's token.
    refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the row of an account nothing refers to any more.
pub async fn delete_user(db: &impl ConnectionTrait, user: Uuid) -> Result<(), DbErr> {
    users::Entity::delete_by_id(user).exec(db).await?;
    Ok(())
}

/// Erases every message a person wrote, with chat's own statement (the words go; a
/// placeholder keeps the conversation's shape).
pub async fn erase_messages_of(
    db: &impl ConnectionTrait,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::chat::repo::erase_messages(
        db,
        Condition::all().add(messages::Column::AuthorId.eq(user)),
        now,
    )
    .await
}
