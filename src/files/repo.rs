//! The queries of attachments: storing an upload, claiming uploads for a message (inside the
//! writer's transaction), a message's files, and finding what to remove.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{attachments, channels, messages};

pub async fn insert(db: &impl ConnectionTrait, row: attachments::Model) -> Result<(), DbErr> {
    attachments::Entity::insert(attachments::ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<attachments::Model>, DbErr> {
    attachments::Entity::find_by_id(id).one(db).await
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<attachments::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    attachments::Entity::find()
        .filter(attachments::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// The files of these messages, each message's in the order they were uploaded.
pub async fn of_messages(
    db: &impl ConnectionTrait,
    messages: Vec<Uuid>,
) -> Result<Vec<attachments::Model>, DbErr> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    attachments::Entity::find()
        .filter(attachments::Column::MessageId.is_in(messages))
        .order_by_asc(attachments::Column::Id)
        .all(db)
        .await
}

/// Gives `message` the author's unsent uploads `ids` for its channel; how many it took. Fewer
/// than asked means one was sent meanwhile (or swept): the caller undoes it with [`release`].
pub async fn claim(
    db: &impl ConnectionTrait,
    message: Uuid,
    ids: Vec<Uuid>,
    (author, channel): (Uuid, Uuid),
) -> Result<u64, DbErr> {
    Ok(attachments::Entity::update_many()
        .col_expr(attachments::Column::MessageId, Expr::value(message))
        .filter(attachments::Column::Id.is_in(ids))
        .filter(attachments::Column::UploaderId.eq(author))
        .filter(attachments::Column::ChannelId.eq(channel))
        .filter(attachments::Column::MessageId.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Undoes a partial [`claim`]: the message's uploads are unsent again.
pub async fn release(db: &impl ConnectionTrait, message: Uuid) -> Result<(), DbErr> {
    attachments::Entity::update_many()
        .col_expr(
            attachments::Column::MessageId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(attachments::Column::MessageId.eq(message))
        .exec(db)
        .await?;
    Ok(())
}

/// The files of a community (it is being deleted).
pub async fn of_community(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<attachments::Model>, DbErr> {
    attachments::Entity::find()
        .filter(attachments::Column::CommunityId.eq(community))
        .all(db)
        .await
}

/// Files nobody will read: uploads never sent within `unsent_before`, and files whose message
/// was deleted or is gone (with its channel, community or author). At most `limit`.
pub async fn unwanted(
    db: &impl ConnectionTrait,
    unsent_before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<attachments::Model>, DbErr> {
    let live_messages = Query::select()
        .column(messages::Column::Id)
        .from(messages::Entity)
        .and_where(messages::Column::DeletedAt.is_null())
        .to_owned();
    let live_channels = Query::select()
        .column(channels::Column::Id)
        .from(channels::Entity)
        .to_owned();
    attachments::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(attachments::Column::MessageId.is_null())
                        .add(attachments::Column::CreatedAt.lt(unsent_before)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(attachments::Column::MessageId.is_not_null())
                        .add(attachments::Column::MessageId.not_in_subquery(live_messages)),
                )
                .add(attachments::Column::ChannelId.not_in_subquery(live_channels)),
        )
        .limit(limit)
        .all(db)
        .await
}

pub async fn delete(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(attachments::Entity::delete_many()
        .filter(attachments::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected)
}

/// Which of these messages carry files (search's `has:file`).
pub async fn messages_with_files(
    db: &impl ConnectionTrait,
    messages: Vec<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    attachments::Entity::find()
        .select_only()
        .column(attachments::Column::MessageId)
        .filter(attachments::Column::MessageId.is_in(messages))
        .distinct()
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await
        .map(|ids| ids.into_iter().flatten().collect())
}

/// How many uploads a person has waiting unsent.
pub async fn unsent_of(db: &impl ConnectionTrait, uploader: Uuid) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    attachments::Entity::find()
        .filter(attachments::Column::UploaderId.eq(uploader))
        .filter(attachments::Column::MessageId.is_null())
        .count(db)
        .await
}
