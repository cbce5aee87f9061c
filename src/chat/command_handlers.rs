//! The slash-command registry: each command is a handler registered by name. An unknown command
//! is answered privately and never stored. Later features (the stock bot) register their own.

use std::collections::BTreeMap;

use super::{commands::Invocation, service::ChannelAccess};
use crate::{
    entities::users,
    platform::{error::AppError, state::AppState},
};

/// Who ran a command, where.
pub struct CommandContext<'a> {
    pub state: &'a AppState,
    pub user: &'a users::Model,
    pub access: &'a ChannelAccess,
}

/// What a command does with its invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Shown only to the person who ran it; nothing is stored.
    Reply(String),
    /// Posted to the channel as the person's own message.
    Post(String),
}

#[async_trait::async_trait]
pub trait CommandHandler: Send + Sync {
    /// How to call it, e.g. `/shrug [text]`.
    fn usage(&self) -> &'static str;
    /// One line for `/help`.
    fn summary(&self) -> &'static str;
    async fn run(
        &self,
        context: &CommandContext<'_>,
        args: &str,
    ) -> Result<CommandOutcome, AppError>;
}

#[derive(Default)]
pub struct CommandRegistry {
    handlers: BTreeMap<&'static str, Box<dyn CommandHandler>>,
}

impl CommandRegistry {
    /// Chat's own commands; the composition root adds those of other domains (`/stock`).
    pub fn with_builtins() -> CommandRegistry {
        let mut registry = CommandRegistry::default();
        registry.register("shrug", Box::new(Shrug));
        registry
    }

    pub fn register(&mut self, name: &'static str, handler: Box<dyn CommandHandler>) {
        self.handlers.insert(name, handler);
    }

    /// `/help` lists the commands; anything unknown is refused with a pointer to `/help`.
    pub async fn run(
        &self,
        context: &CommandContext<'_>,
        invocation: &Invocation,
    ) -> Result<CommandOutcome, AppError> {
        if invocation.name == "help" {
            return Ok(CommandOutcome::Reply(self.help()));
        }
        match self.handlers.get(invocation.name.as_str()) {
            Some(handler) => handler.run(context, &invocation.args).await,
            None => Err(AppError::Validation(format!(
                "Unknown command /{}. Type /help to see the commands.",
                invocation.name
            ))),
        }
    }

    fn help(&self) -> String {
        let mut lines = vec!["Commands:".to_string(), "/help — this list".to_string()];
        lines.extend(
            self.handlers
                .values()
                .map(|h| format!("{} — {}", h.usage(), h.summary())),
        );
        lines.push("Start a message with // to send it with a leading slash.".into());
        lines.join("\n")
    }
}

/// `/shrug [text]`: posts the text followed by ¯\_(ツ)_/¯.
struct Shrug;

#[async_trait::async_trait]
impl CommandHandler for Shrug {
    fn usage(&self) -> &'static str {
        "/shrug [text]"
    }

    fn summary(&self) -> &'static str {
        "post your text with ¯\\_(ツ)_/¯"
    }

    async fn run(&self, _: &CommandContext<'_>, args: &str) -> Result<CommandOutcome, AppError> {
        let shrug = r"¯\\\_(ツ)\_/¯";
        Ok(CommandOutcome::Post(if args.is_empty() {
            shrug.to_string()
        } else {
            format!("{args} {shrug}")
        }))
    }
}
