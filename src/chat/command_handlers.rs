//! The slash-command registry: each command is a handler registered by name. An unknown command
//! is answered privately and never stored. Later features (the stock bot) register their own.

use std::collections::BTreeMap;

use super::{commands::Invocation, service::ChannelAccess};
use crate::{
    entities::users,
    kit::sentences::{says, Sentence},
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
    /// Shown only to the person who ran it, in their language, a line each; nothing is stored.
    Reply(Vec<Sentence>),
    /// Posted to the channel as the person's own message.
    Post(String),
}

#[async_trait::async_trait]
pub trait CommandHandler: Send + Sync {
    /// Its line in `/help`: how to call it and what it does.
    fn help(&self) -> Sentence;
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
            None => Err(AppError::Validation(says!(
                "server.chat.unknown_command",
                name = &invocation.name
            ))),
        }
    }

    fn help(&self) -> Vec<Sentence> {
        let mut lines = vec![
            says!("server.chat.help_title"),
            says!("server.chat.help_help"),
        ];
        lines.extend(self.handlers.values().map(|h| h.help()));
        lines.push(says!("server.chat.help_escape"));
        lines
    }
}

/// `/shrug [text]`: posts the text followed by ¯\_(ツ)_/¯.
struct Shrug;

#[async_trait::async_trait]
impl CommandHandler for Shrug {
    fn help(&self) -> Sentence {
        says!("server.chat.help_shrug")
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
