//! The accounts UI: the session everyone shares, sign-in and sign-up, the user menu, profiles
//! and the account sections of Settings.

pub mod field;
pub mod menu;
pub mod pages;
pub mod session;
pub mod settings;
pub mod tokens;
