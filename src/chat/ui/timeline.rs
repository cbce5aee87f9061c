//! What an open channel shows, as plain data, and the one function that changes it for each
//! event the socket brings: `Timeline::apply`. It touches no signal, socket or clock (the
//! caller passes the time), so every rule of the live channel — ordering by sequence number,
//! pending sends confirmed or failed, typing that fades, deletions that reach the replies
//! quoting them — is tested here without a browser. The view (`channel.rs`) holds a
//! `Timeline` in one signal and does what `apply` answers it should do next.

use crate::{
    chat::{Author, ChatMessage, ServerEvent, TYPING_TIMEOUT_MS},
    kit::i18n::Locale,
    platform::error::AppError,
};

/// A message the person sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub body: String,
    pub reply_to: Option<String>,
    /// The uploads it carries.
    pub attachments: Vec<crate::carried::attachment::Attachment>,
    /// Handed to the socket (as opposed to waiting for it to reconnect).
    pub sent: bool,
    pub failed: Option<String>,
}

/// The open channel's live part: the messages in sequence order and what surrounds them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub messages: Vec<ChatMessage>,
    pub pending: Vec<Pending>,
    /// Who is typing, and until when (milliseconds since the epoch).
    pub typing: Vec<(Author, f64)>,
    /// Answers to the person's commands, shown to them alone.
    pub private_notes: Vec<String>,
    /// A problem to show above the composer (access lost, an error without a pending send).
    pub notice: Option<String>,
}

/// Who reads the channel, and when: what `apply` needs beyond the event.
pub struct Reader<'a> {
    pub channel_id: &'a str,
    /// The reader's user id (`None` for a guest).
    pub me: Option<&'a str>,
    pub now_ms: f64,
    /// An error's text in the reader's language.
    pub describe: &'a dyn Fn(&AppError) -> String,
    /// The reader's language, for the sentences the server sends.
    pub locale: Locale,
}

/// What the view should do after an event, in this order.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    /// (Re)subscribe from the newest message held: the socket is ready again, a message
    /// arrived after a gap, or the server asked.
    pub subscribe: bool,
    /// Hand the unsent pending messages to the socket.
    pub flush_pending: bool,
    /// Count the newest message as read, if the reader is at the bottom.
    pub mark_read: bool,
    /// The pinned messages may have changed.
    pub pins_changed: bool,
    /// The event was not for this channel and changed nothing: the views need not look again
    /// (a busy server's other channels would otherwise redraw this one on every event).
    pub untouched: bool,
}

impl Timeline {
    pub fn new(messages: Vec<ChatMessage>) -> Timeline {
        Timeline {
            messages,
            ..Timeline::default()
        }
    }

    /// The sequence number of the newest message held (0 for none).
    pub fn newest_seq(&self) -> i64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    /// Adds or replaces a message, keeping sequence order. Answers whether it arrived after a
    /// gap (numbers missing before it).
    pub fn merge(&mut self, message: ChatMessage) -> bool {
        let newest = self.newest_seq();
        match self.messages.binary_search_by_key(&message.seq, |m| m.seq) {
            Ok(at) => {
                self.messages[at] = message;
                false
            }
            Err(at) => {
                let gap = newest > 0 && message.seq > newest + 1;
                self.messages.insert(at, message);
                gap
            }
        }
    }

    /// Drops typing indicators that were not refreshed in time; answers whether any went.
    pub fn expire_typing(&mut self, now_ms: f64) -> bool {
        let before = self.typing.len();
        self.typing.retain(|(_, until)| *until >= now_ms);
        self.typing.len() != before
    }

    /// Applies one event from the socket.
    pub fn apply(&mut self, event: &ServerEvent, reader: &Reader) -> Next {
        let ours = |id: &str| id == reader.channel_id;
        let mut next = Next::default();
        match event {
            ServerEvent::Ready { .. } => {
                next.subscribe = true;
                next.flush_pending = true;
                // A channel opened while the socket was still connecting counts as read once
                // it is open: with nothing new to replay, nothing else would mark it.
                next.mark_read = true;
            }
            ServerEvent::Replay {
                channel_id,
                messages,
            } if ours(channel_id) => {
                for message in messages {
                    // A message sent just before a drop comes back in the replay: it was
                    // stored, so it is no longer pending.
                    if reader.me == Some(message.author.id.as_str()) {
                        if let Some(at) = self
                            .pending
                            .iter()
                            .position(|p| p.sent && message.body.as_deref() == Some(p.body.trim()))
                        {
                            self.pending.remove(at);
                        }
                    }
                    self.merge(message.clone());
                }
                // What was handed to the dropped socket goes out again.
                for p in self
                    .pending
                    .iter_mut()
                    .filter(|p| p.sent && p.failed.is_none())
                {
                    p.sent = false;
                }
                next.flush_pending = true;
                next.mark_read = true;
            }
            ServerEvent::MessageCreated { message, nonce } if ours(&message.channel_id) => {
                if let Some(nonce) = nonce {
                    self.pending.retain(|p| &p.nonce != nonce);
                }
                self.typing.retain(|(who, _)| who.id != message.author.id);
                next.subscribe = self.merge(message.clone());
                next.mark_read = true;
            }
            ServerEvent::MessageEdited { message } if ours(&message.channel_id) => {
                self.change(&message.id, |m| *m = message.clone());
            }
            ServerEvent::MessageDeleted {
                channel_id,
                message_id,
                ..
            } if ours(channel_id) => {
                self.change(message_id, |m| {
                    m.body = None;
                    m.reactions.clear();
                    m.pinned = false;
                });
                // Replies quoting it now quote a deleted message.
                for m in &mut self.messages {
                    if let Some(quote) = m.reply_to.as_mut().filter(|q| &q.id == message_id) {
                        quote.excerpt = None;
                    }
                }
                next.pins_changed = true;
            }
            ServerEvent::ReactionsChanged {
                channel_id,
                message_id,
                reactions,
            } if ours(channel_id) => {
                self.change(message_id, |m| m.reactions = reactions.clone());
            }
            ServerEvent::PartChanged {
                channel_id,
                message_id,
                kind,
                part,
            } if ours(channel_id) => {
                self.change(message_id, |m| m.parts.put_json(kind, part.clone()));
            }
            ServerEvent::MessageFlagged {
                channel_id,
                message_id,
                flag,
            } if ours(channel_id) => {
                self.change(message_id, |m| m.flag = Some(flag.clone()));
            }
            ServerEvent::FlagCleared {
                channel_id,
                message_id,
            } if ours(channel_id) => {
                self.change(message_id, |m| m.flag = None);
            }
            ServerEvent::MessageAnalyzed {
                channel_id,
                message_id,
                language,
                unchecked,
            } if ours(channel_id) => {
                self.change(message_id, |m| {
                    m.language = language.clone();
                    m.unchecked = *unchecked;
                });
            }
            ServerEvent::MessageTranslated {
                channel_id,
                message_id,
                language,
                translation,
            } if ours(channel_id) => {
                self.change(message_id, |m| {
                    m.language = Some(language.clone());
                    m.unchecked = false;
                    m.translations
                        .retain(|t| t.language != translation.language);
                    m.translations.push(translation.clone());
                });
            }
            ServerEvent::PinChanged {
                channel_id,
                message,
            } if ours(channel_id) => {
                self.change(&message.id, |m| m.pinned = message.pinned);
                next.pins_changed = true;
            }
            ServerEvent::Typing {
                channel_id,
                user,
                typing,
            } if ours(channel_id) && reader.me != Some(user.id.as_str()) => {
                self.typing.retain(|(who, _)| who.id != user.id);
                if *typing {
                    let until = reader.now_ms + f64::from(TYPING_TIMEOUT_MS);
                    self.typing.push((user.clone(), until));
                }
            }
            ServerEvent::CommandReply {
                channel_id,
                lines,
                nonce,
            } if ours(channel_id) => {
                if let Some(nonce) = nonce {
                    self.pending.retain(|p| &p.nonce != nonce);
                }
                let lines: Vec<String> = lines.iter().map(|l| l.render(reader.locale)).collect();
                self.private_notes.push(lines.join("\n"));
            }
            ServerEvent::Error {
                nonce: Some(nonce),
                error,
            } => {
                if let Some(p) = self.pending.iter_mut().find(|p| &p.nonce == nonce) {
                    p.failed = Some((reader.describe)(error));
                }
            }
            ServerEvent::Error { nonce: None, error } => {
                self.notice = Some((reader.describe)(error));
            }
            ServerEvent::AccountDeleted {
                channel_id,
                user_id,
                author,
                messages_removed,
            } if ours(channel_id) => {
                self.account_deleted(user_id, author, *messages_removed);
                next.pins_changed = true;
            }
            ServerEvent::Resync { channel_id } if ours(channel_id) => next.subscribe = true,
            // Banned, removed, or the channel closed: nothing more arrives; say why.
            ServerEvent::AccessLost { channel_id, reason } if ours(channel_id) => {
                self.notice = Some(reason.render(reader.locale));
            }
            _ => next.untouched = true,
        }
        next
    }

    fn change(&mut self, id: &str, change: impl FnOnce(&mut ChatMessage)) {
        if let Some(message) = self.messages.iter_mut().find(|m| m.id == id) {
            change(message);
        }
    }

    /// A deleted account's messages show the stand-in author (and, when its messages went with
    /// it, no words); its reactions and typing go.
    fn account_deleted(&mut self, user_id: &str, author: &Author, removed: bool) {
        for m in &mut self.messages {
            if m.author.id == user_id {
                m.author = author.clone();
                if removed {
                    m.body = None;
                    m.reactions.clear();
                    m.pinned = false;
                    m.flag = None;
                    m.translations.clear();
                }
            }
            if let Some(quote) = m.reply_to.as_mut().filter(|q| q.author.id == user_id) {
                quote.author = author.clone();
                if removed {
                    quote.excerpt = None;
                }
            }
            for group in &mut m.reactions {
                group.users.retain(|u| u.id != user_id);
            }
            m.reactions.retain(|group| !group.users.is_empty());
        }
        self.typing.retain(|(who, _)| who.id != user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Quote, Reaction};
    use crate::kit::sentences::says;

    const CHANNEL: &str = "c1";

    fn person(id: &str) -> Author {
        Author {
            id: id.into(),
            username: id.into(),
            display_name: id.to_uppercase(),
            deleted: false,
            avatar_url: None,
        }
    }

    fn message(seq: i64, author: &str, body: &str) -> ChatMessage {
        ChatMessage {
            id: format!("m{seq}"),
            channel_id: CHANNEL.into(),
            seq,
            author: person(author),
            body: Some(body.into()),
            reply_to: None,
            created_at: "2026-11-23T10:00:00Z".into(),
            edited: false,
            pinned: false,
            reactions: Vec::new(),
            flag: None,
            language: None,
            translations: Vec::new(),
            unchecked: false,
            attachments: Vec::new(),
            parts: Default::default(),
        }
    }

    fn pending(nonce: &str, body: &str, sent: bool) -> Pending {
        Pending {
            nonce: nonce.into(),
            body: body.into(),
            reply_to: None,
            attachments: Vec::new(),
            sent,
            failed: None,
        }
    }

    fn describe(error: &AppError) -> String {
        format!("described: {error}")
    }

    fn apply(timeline: &mut Timeline, event: ServerEvent) -> Next {
        let reader = Reader {
            channel_id: CHANNEL,
            me: Some("ana"),
            now_ms: 1_000.0,
            describe: &describe,
            locale: Locale::de,
        };
        timeline.apply(&event, &reader)
    }

    fn seqs(timeline: &Timeline) -> Vec<i64> {
        timeline.messages.iter().map(|m| m.seq).collect()
    }

    #[test]
    fn a_changed_part_replaces_that_message_s_part_and_no_other() {
        let mut timeline = Timeline::new(vec![message(1, "ana", "Which?"), message(2, "bo", "hi")]);
        let changed = |channel_id: &str, message_id: &str, voters: u32| ServerEvent::PartChanged {
            channel_id: channel_id.into(),
            message_id: message_id.into(),
            kind: "poll".into(),
            part: serde_json::json!({ "voters": voters }),
        };
        let _ = apply(&mut timeline, changed(CHANNEL, "m1", 2));
        let _ = apply(&mut timeline, changed("elsewhere", "m2", 5));
        let voters = |m: &ChatMessage| {
            m.parts
                .get::<serde_json::Value>("poll")
                .map(|poll| poll["voters"].clone())
        };
        assert_eq!(voters(&timeline.messages[0]), Some(serde_json::json!(2)));
        assert_eq!(voters(&timeline.messages[1]), None);
        let _ = apply(&mut timeline, changed(CHANNEL, "m1", 3));
        assert_eq!(voters(&timeline.messages[0]), Some(serde_json::json!(3)));
    }

    #[test]
    fn messages_keep_sequence_order_and_a_gap_asks_to_resubscribe() {
        let mut t = Timeline::new(vec![message(1, "bo", "one"), message(3, "bo", "three")]);
        let next = apply(
            &mut t,
            ServerEvent::MessageCreated {
                message: message(2, "bo", "two"),
                nonce: None,
            },
        );
        assert_eq!(seqs(&t), [1, 2, 3]);
        assert_eq!(
            next,
            Next {
                mark_read: true,
                ..Next::default()
            }
        );
        // The same message again replaces it rather than adding a copy.
        let mut edited = message(2, "bo", "two, edited");
        edited.edited = true;
        apply(
            &mut t,
            ServerEvent::MessageCreated {
                message: edited,
                nonce: None,
            },
        );
        assert_eq!(seqs(&t), [1, 2, 3]);
        assert_eq!(t.messages[1].body.as_deref(), Some("two, edited"));
        // 4 and 5 never came: 6 arrives after a gap.
        let next = apply(
            &mut t,
            ServerEvent::MessageCreated {
                message: message(6, "bo", "six"),
                nonce: None,
            },
        );
        assert!(next.subscribe);
        assert_eq!(seqs(&t), [1, 2, 3, 6]);
    }

    #[test]
    fn another_channel_s_events_change_nothing() {
        let mut t = Timeline::new(vec![message(1, "bo", "one")]);
        let before = t.clone();
        let mut elsewhere = message(2, "bo", "elsewhere");
        elsewhere.channel_id = "c2".into();
        let events = [
            ServerEvent::MessageCreated {
                message: elsewhere,
                nonce: None,
            },
            ServerEvent::MessageDeleted {
                channel_id: "c2".into(),
                message_id: "m1".into(),
                seq: 1,
            },
            ServerEvent::Typing {
                channel_id: "c2".into(),
                user: person("bo"),
                typing: true,
            },
            ServerEvent::AccessLost {
                channel_id: "c2".into(),
                reason: says!("server.denied.banned"),
            },
            ServerEvent::Resync {
                channel_id: "c2".into(),
            },
        ];
        for event in events {
            let next = apply(&mut t, event);
            assert_eq!(
                next,
                Next {
                    untouched: true,
                    ..Next::default()
                }
            );
        }
        assert_eq!(t, before);
    }

    #[test]
    fn a_confirmed_send_leaves_pending_and_a_refused_one_says_why() {
        let mut t = Timeline::new(Vec::new());
        t.pending = vec![
            pending("n1", "hello", true),
            pending("n2", "too fast", true),
        ];
        apply(
            &mut t,
            ServerEvent::MessageCreated {
                message: message(1, "ana", "hello"),
                nonce: Some("n1".into()),
            },
        );
        assert_eq!(t.pending.len(), 1);
        apply(
            &mut t,
            ServerEvent::Error {
                nonce: Some("n2".into()),
                error: AppError::RateLimited {
                    retry_after_secs: 30,
                },
            },
        );
        assert_eq!(
            t.pending[0].failed.as_deref(),
            Some(
                describe(&AppError::RateLimited {
                    retry_after_secs: 30
                })
                .as_str()
            )
        );
        assert_eq!(
            t.notice, None,
            "a refused send is shown on the message, not above the composer"
        );
        apply(
            &mut t,
            ServerEvent::Error {
                nonce: None,
                error: AppError::Forbidden,
            },
        );
        assert_eq!(t.notice, Some(describe(&AppError::Forbidden)));
    }

    #[test]
    fn a_replay_confirms_what_was_stored_and_sends_the_rest_again() {
        let mut t = Timeline::new(vec![message(1, "bo", "one")]);
        // "stored" reached the server before the drop; "lost" did not; "failed" was refused.
        t.pending = vec![
            pending("n1", "stored", true),
            pending("n2", "lost", true),
            pending("n3", "failed", true),
        ];
        t.pending[2].failed = Some("refused".into());
        let next = apply(
            &mut t,
            ServerEvent::Replay {
                channel_id: CHANNEL.into(),
                messages: vec![message(2, "ana", "stored"), message(3, "bo", "lost")],
            },
        );
        assert_eq!(seqs(&t), [1, 2, 3]);
        let left: Vec<(&str, bool)> = t
            .pending
            .iter()
            .map(|p| (p.nonce.as_str(), p.sent))
            .collect();
        // Bo wrote "lost" too: only the reader's own messages confirm a pending one.
        assert_eq!(left, [("n2", false), ("n3", true)]);
        assert_eq!(
            next,
            Next {
                flush_pending: true,
                mark_read: true,
                ..Next::default()
            }
        );
    }

    #[test]
    fn the_socket_ready_again_resubscribes_flushes_and_marks_read() {
        let mut t = Timeline::default();
        let next = apply(
            &mut t,
            ServerEvent::Ready {
                user_id: "ana".into(),
                connection_id: "tab".into(),
            },
        );
        assert_eq!(
            next,
            Next {
                subscribe: true,
                flush_pending: true,
                mark_read: true,
                ..Next::default()
            }
        );
    }

    #[test]
    fn a_deletion_reaches_the_replies_quoting_it_and_the_pins() {
        let mut quoted = message(1, "bo", "original");
        quoted.pinned = true;
        quoted.reactions = vec![Reaction {
            emoji: "🚀".into(),
            users: vec![person("ana")],
        }];
        let mut reply = message(2, "ana", "agreed");
        reply.reply_to = Some(Quote {
            id: "m1".into(),
            seq: 1,
            author: person("bo"),
            excerpt: Some("original".into()),
        });
        let mut t = Timeline::new(vec![quoted, reply]);
        let next = apply(
            &mut t,
            ServerEvent::MessageDeleted {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                seq: 1,
            },
        );
        assert!(next.pins_changed);
        assert!(
            t.messages[0].deleted() && !t.messages[0].pinned && t.messages[0].reactions.is_empty()
        );
        assert_eq!(t.messages[1].reply_to.as_ref().unwrap().excerpt, None);
        assert_eq!(
            t.messages[1].body.as_deref(),
            Some("agreed"),
            "the reply itself stays"
        );
    }

    #[test]
    fn typing_shows_others_until_it_stops_or_fades() {
        let mut t = Timeline::default();
        let typing = |who: &str, on: bool| ServerEvent::Typing {
            channel_id: CHANNEL.into(),
            user: person(who),
            typing: on,
        };
        apply(&mut t, typing("ana", true));
        assert!(
            t.typing.is_empty(),
            "the reader's own typing is not shown to them"
        );
        apply(&mut t, typing("bo", true));
        apply(&mut t, typing("cy", true));
        apply(&mut t, typing("bo", true));
        assert_eq!(
            t.typing
                .iter()
                .map(|(a, _)| a.id.as_str())
                .collect::<Vec<_>>(),
            ["cy", "bo"]
        );
        apply(&mut t, typing("cy", false));
        // A message from Bo ends Bo's indicator.
        apply(
            &mut t,
            ServerEvent::MessageCreated {
                message: message(1, "bo", "hi"),
                nonce: None,
            },
        );
        assert!(t.typing.is_empty());
        apply(&mut t, typing("cy", true));
        let until = 1_000.0 + f64::from(TYPING_TIMEOUT_MS);
        assert!(!t.expire_typing(until), "still within its time");
        assert!(t.expire_typing(until + 1.0));
        assert!(t.typing.is_empty());
    }

    #[test]
    fn a_deleted_account_leaves_a_stand_in_and_takes_its_reactions() {
        let mut theirs = message(1, "bo", "mine");
        theirs.reactions = vec![Reaction {
            emoji: "👍".into(),
            users: vec![person("ana")],
        }];
        let mut other = message(2, "ana", "reply");
        other.reply_to = Some(Quote {
            id: "m1".into(),
            seq: 1,
            author: person("bo"),
            excerpt: Some("mine".into()),
        });
        other.reactions = vec![
            Reaction {
                emoji: "👍".into(),
                users: vec![person("bo"), person("cy")],
            },
            Reaction {
                emoji: "🚀".into(),
                users: vec![person("bo")],
            },
        ];
        let mut t = Timeline::new(vec![theirs, other]);
        t.typing.push((person("bo"), 5_000.0));
        let gone = Author {
            id: "bo".into(),
            username: "deleted".into(),
            display_name: "Deleted user".into(),
            deleted: true,
            avatar_url: None,
        };
        let next = apply(
            &mut t,
            ServerEvent::AccountDeleted {
                channel_id: CHANNEL.into(),
                user_id: "bo".into(),
                author: gone.clone(),
                messages_removed: true,
            },
        );
        assert!(next.pins_changed);
        assert_eq!(t.messages[0].author, gone);
        assert!(t.messages[0].deleted() && t.messages[0].reactions.is_empty());
        let quote = t.messages[1].reply_to.as_ref().unwrap();
        assert_eq!(
            (quote.author.deleted, quote.excerpt.as_deref()),
            (true, None)
        );
        assert_eq!(
            t.messages[1].reactions,
            [Reaction {
                emoji: "👍".into(),
                users: vec![person("cy")]
            }]
        );
        assert!(t.typing.is_empty());
    }

    #[test]
    fn command_answers_are_private_and_access_lost_says_why() {
        let mut t = Timeline {
            pending: vec![pending("n1", "/stock=aapl.us", true)],
            ..Timeline::default()
        };
        apply(
            &mut t,
            ServerEvent::CommandReply {
                channel_id: CHANNEL.into(),
                lines: vec![
                    says!("server.chat.help_title"),
                    says!("server.chat.stock_asked", symbol = "AAPL.US"),
                ],
                nonce: Some("n1".into()),
            },
        );
        assert!(t.pending.is_empty());
        // In the reader's language, a line each.
        assert_eq!(
            t.private_notes,
            ["Befehle:\nDer Börsenbot wurde nach AAPL.US gefragt…"]
        );
        apply(
            &mut t,
            ServerEvent::AccessLost {
                channel_id: CHANNEL.into(),
                reason: says!("server.denied.banned"),
            },
        );
        assert_eq!(
            t.notice.as_deref(),
            Some("Du bist in dieser Community gesperrt.")
        );
        assert!(
            apply(
                &mut t,
                ServerEvent::Resync {
                    channel_id: CHANNEL.into()
                }
            )
            .subscribe
        );
    }

    #[test]
    fn edits_reactions_flags_and_translations_land_on_their_message() {
        let mut t = Timeline::new(vec![message(1, "bo", "hola amigos")]);
        let reactions = vec![Reaction {
            emoji: "📈".into(),
            users: vec![person("ana")],
        }];
        apply(
            &mut t,
            ServerEvent::ReactionsChanged {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                reactions: reactions.clone(),
            },
        );
        apply(
            &mut t,
            ServerEvent::MessageAnalyzed {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                language: Some("es".into()),
                unchecked: false,
            },
        );
        let translation = crate::ai::Translation {
            language: "en".into(),
            body: "hello friends".into(),
            engine: "apertium".into(),
        };
        apply(
            &mut t,
            ServerEvent::MessageTranslated {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                language: "es".into(),
                translation: translation.clone(),
            },
        );
        apply(
            &mut t,
            ServerEvent::MessageTranslated {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                language: "es".into(),
                translation: translation.clone(),
            },
        );
        let m = &t.messages[0];
        assert_eq!(
            (&m.reactions, m.language.as_deref(), &m.translations),
            (&reactions, Some("es"), &vec![translation])
        );
        let flag = crate::ai::Flag {
            score: 0.9,
            reason: "insult".into(),
            severe: false,
            engine: "built-in".into(),
        };
        apply(
            &mut t,
            ServerEvent::MessageFlagged {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
                flag: flag.clone(),
            },
        );
        assert_eq!(t.messages[0].flag, Some(flag));
        apply(
            &mut t,
            ServerEvent::FlagCleared {
                channel_id: CHANNEL.into(),
                message_id: "m1".into(),
            },
        );
        assert_eq!(t.messages[0].flag, None);
        let mut pinned = t.messages[0].clone();
        pinned.pinned = true;
        assert!(
            apply(
                &mut t,
                ServerEvent::PinChanged {
                    channel_id: CHANNEL.into(),
                    message: pinned
                }
            )
            .pins_changed
        );
        assert!(t.messages[0].pinned);
    }
}
