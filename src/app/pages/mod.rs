//! Pages of the shell. Each domain brings its own pages under `<domain>/ui/` as its issue lands.

pub mod error;
pub mod home;
pub mod not_found;
pub mod settings;
