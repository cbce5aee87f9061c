//! Typed ids. A channel's id is a `ChannelId`, a message's a `MessageId`: a service cannot be
//! handed the one for the other. Ids arrive from clients as text and are read once, where they
//! arrive (a server function, a REST route, the socket); an id that is not one is answered like
//! an unknown one (404, "That channel was not found.").
//!
//! Each domain declares its own ids with `typed_id!` (the ground names no domain).

/// `typed_id!(ChannelId, "server.community.channel_not_found")`: a `Uuid` newtype whose
/// `parse` says, by that sentence, what was not found.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $missing:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// Reads an id a client sent; text that is no id names nothing that exists.
            pub fn parse(text: &str) -> Result<Self, $crate::platform::error::AppError> {
                Self::read(text)
                    .ok_or_else(|| {
                        $crate::platform::error::AppError::NotFound($crate::kit::sentences::says!(
                            $missing
                        ))
                    })
            }

            /// The id in `text`, if it is one.
            pub fn read(text: &str) -> Option<Self> {
                uuid::Uuid::parse_str(text.trim()).ok().map($name)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use typed_id;

#[cfg(test)]
mod tests {
    use crate::platform::error::AppError;

    super::typed_id!(ThingId, "server.not_found");

    #[test]
    fn an_id_is_read_once_and_text_that_is_none_names_nothing() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(ThingId::parse(&format!(" {id}\n")), Ok(ThingId(id)));
        assert_eq!(
            ThingId::parse(&id.to_string()).unwrap().to_string(),
            id.to_string()
        );
        for bad in ["", "general", "1; DROP TABLE messages", &format!("{id}0")] {
            assert_eq!(
                ThingId::parse(bad),
                Err(AppError::NotFound(crate::kit::sentences::says!(
                    "server.not_found"
                ))),
                "{bad:?}"
            );
        }
    }
}
