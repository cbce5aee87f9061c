//! The assistant: a finance-only chatbot that answers from Bullpen's own data (issue 8, being
//! built). So far: the offline engine's recognition of what a question asks, in the five UI
//! languages (`intent.rs`), and the glossary of 84 terms it explains (`glossary.rs`).

#[cfg(feature = "ssr")]
pub mod glossary;
#[cfg(feature = "ssr")]
pub mod intent;
