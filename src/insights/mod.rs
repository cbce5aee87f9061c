//! What a community learns about itself: analytics (activity, members, the tickers it talks
//! about), each person's statistics, and the achievements they earn. Above the messages core:
//! it reads what the core stored and hears what happens through `chat::activity`.

pub mod achievements;
pub mod analytics;
#[cfg(feature = "ssr")]
pub mod crowd;
pub mod stats;
