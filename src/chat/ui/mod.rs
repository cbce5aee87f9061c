//! Chat components: the channel screen, messages, the shared socket.

pub mod channel;
pub mod direct;
pub mod home;
pub mod message;
pub mod page;
pub mod rich_text;
pub mod socket;
pub mod standing;
pub mod timeline;
