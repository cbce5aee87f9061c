//! Every query of shared portfolio cards.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::portfolio_cards;

pub async fn insert(db: &impl ConnectionTrait, row: portfolio_cards::Model) -> Result<(), DbErr> {
    portfolio_cards::Entity::insert(portfolio_cards::ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn card(
    db: &impl ConnectionTrait,
    message: Uuid,
) -> Result<Option<portfolio_cards::Model>, DbErr> {
    portfolio_cards::Entity::find_by_id(message).one(db).await
}

/// The cards some messages carry, by message.
pub async fn cards_of(
    db: &impl ConnectionTrait,
    messages: Vec<Uuid>,
) -> Result<HashMap<Uuid, portfolio_cards::Model>, DbErr> {
    let mut found = HashMap::new();
    for chunk in messages.chunks(500) {
        for row in portfolio_cards::Entity::find()
            .filter(portfolio_cards::Column::MessageId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(row.message_id, row);
        }
    }
    Ok(found)
}
