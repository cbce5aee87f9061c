//! The messages core's pieces of the screen: the shared socket, the timeline (what a channel's
//! events do to its messages), the open channel's state, rich text, a person's standing, and
//! the home page's chats. The screens that draw them with every feature around them are
//! `conversation::ui`'s.

pub mod home;
pub mod rich_text;
pub mod socket;
pub mod standing;
pub mod state;
pub mod timeline;
