//! Slash commands: a message starting with `/` is a command, not a message. Parsing is shared
//! (the composer shows the command list); the handlers live on the server
//! (`command_handlers.rs`), where later features register their own.

/// A command as typed: `/stock=aapl.us` → `("stock", "aapl.us")`, `/help` → `("help", "")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Lower-cased.
    pub name: String,
    pub args: String,
}

/// `Some` when the text is a command. `//text` escapes: it is sent as the message `/text`.
pub fn parse(body: &str) -> Option<Invocation> {
    let rest = body.trim().strip_prefix('/')?;
    if rest.starts_with('/') {
        return None;
    }
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_len);
    let args = args.strip_prefix('=').unwrap_or(args).trim();
    Some(Invocation {
        name: name.to_lowercase(),
        args: args.to_string(),
    })
}

/// The message stored for a body that escapes a leading slash (`//shrug` → `/shrug`).
pub fn unescape(body: &str) -> &str {
    let trimmed = body.trim_start();
    if trimmed.starts_with("//") {
        &trimmed[1..]
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(name: &str, args: &str) -> Option<Invocation> {
        Some(Invocation {
            name: name.into(),
            args: args.into(),
        })
    }

    #[test]
    fn commands_are_recognised() {
        assert_eq!(parse("/help"), inv("help", ""));
        assert_eq!(parse("  /STOCK=aapl.us "), inv("stock", "aapl.us"));
        assert_eq!(parse("/shrug not sure"), inv("shrug", "not sure"));
        assert_eq!(parse("/"), inv("", ""));
        assert_eq!(parse("hello /help"), None);
        assert_eq!(parse("//not a command"), None);
        assert_eq!(unescape("//not a command"), "/not a command");
        assert_eq!(unescape("plain"), "plain");
    }
}
