//! Communities (guilds), channels, roles, membership and bans. So far: the permission policy
//! that every check will go through.

pub mod permissions;
