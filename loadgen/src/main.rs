//! Load generator for Bullpen's realtime channel (docs/PROTOCOL.md), and the bare
//! tokio-tungstenite broadcast loop it is measured against.
//!
//! ```text
//! loadgen bullpen --url http://127.0.0.1:3000 --clients 1000 --messages 1000 --rate 100 --pid <server pid>
//! loadgen bullpen … --ai        # listeners read en/fr/es; messages in Spanish or toxic English
//! loadgen bullpen … --clients 10000 --rooms 100 --communities 5 --senders 100 --rate 1000
//! loadgen bare-server --addr 127.0.0.1:4000
//! loadgen bare --url ws://127.0.0.1:4000 --clients 1000 --messages 1000 --rate 100 --pid <bare pid>
//! loadgen compare --url http://127.0.0.1:3000 --clients 1000 --messages 2000 --rate 0 --senders 10 --pid <server pid>
//! loadgen compare --url http://127.0.0.1:3000,http://127.0.0.1:3001 …   # two instances
//! loadgen history --messages 1000000 [--database postgres://…/empty_scratch_db]
//! loadgen search --messages 1000000 [--database postgres://…/empty_scratch_db]
//! loadgen analytics --messages 1000000 --authors 1000 [--database postgres://…/empty_scratch_db]
//! loadgen portfolio --url http://127.0.0.1:3000 --transactions 5000 --symbols 50
//! ```
//!
//! N clients listen, each signed in as a person of its own, in one channel or spread over
//! `--rooms` channels; K more clients (one by default, each a person of its own too) send M
//! messages between them at R per second in all (0: as fast as the server takes them).
//! `compare` runs the same load against the bare loop (started as a child process) and then
//! Bullpen, and prints their ratios: the reference is measured on the same machine in the same
//! run. Each message carries its send time, so every receiver measures fan-out latency on the
//! same clock. Prints deliveries per second, p50/p99/max latency, lost messages and, with
//! `--pid`, the server's resident memory per idle connection and its CPU time per delivery.
//! With `--ai`, also how much of the AI's work (moderation, translation) was done and how long
//! after the last send it finished — it runs after delivery and must not slow it.
//!
//! `history`, `moderation` and `portfolio` run Bullpen's own code in this process (the default
//! feature `bullpen-inside`); `cargo build --release -p loadgen --no-default-features` builds
//! the rest alone.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use clap::{Parser, Subcommand};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{net::TcpStream, sync::broadcast};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Parser)]
#[command(about = "Load generator for Bullpen's realtime channel")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure a running Bullpen (start it with RATE_LIMIT_MESSAGES=0).
    Bullpen {
        /// The server's base URL; several instances sharing a database and Redis as a
        /// comma-separated list (the clients are spread over them).
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// Give the AI work: listeners prefer English, French or Spanish, and messages are
        /// Spanish market chat or English abuse, so each is judged and translated.
        #[arg(long)]
        ai: bool,
        #[command(flatten)]
        load: Load,
    },
    /// Run the bare broadcast loop: every text frame received goes to every connection.
    BareServer {
        #[arg(long, default_value = "127.0.0.1:4000")]
        addr: String,
    },
    /// Measure the bare loop (started here as a child process) and then a running Bullpen
    /// under the same load, and print Bullpen's figures as ratios to the bare loop's.
    Compare {
        /// Bullpen's base URL (or several instances', comma-separated).
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        #[arg(long)]
        ai: bool,
        #[command(flatten)]
        load: Load,
    },
    /// Measure the bare loop.
    Bare {
        #[arg(long, default_value = "ws://127.0.0.1:4000")]
        url: String,
        #[command(flatten)]
        load: Load,
    },
    #[cfg(feature = "bullpen-inside")]
    /// Time the built-in moderation engine on one core (messages judged per second).
    Moderation {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
    },
    #[cfg(feature = "bullpen-inside")]
    /// Import a portfolio of N transactions over ten years into a running Bullpen, then time
    /// the portfolio page's two requests (figures, value chart) once prices are cached.
    Portfolio {
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        #[arg(long, default_value_t = 5_000)]
        transactions: usize,
        #[arg(long, default_value_t = 50)]
        symbols: usize,
        /// Timed requests of each kind.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    #[cfg(feature = "bullpen-inside")]
    /// Fill one channel with messages and time Bullpen's "newest 50" query on it.
    History {
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// An empty PostgreSQL database to fill (default: a fresh SQLite file).
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    #[cfg(feature = "bullpen-inside")]
    /// Fill one channel with finance chat and time two-word searches on it.
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// An empty PostgreSQL database to fill (default: a fresh SQLite file).
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    #[cfg(feature = "bullpen-inside")]
    /// Fill one community with messages from many people (a minute apart), roll its analytics
    /// up, and time a manager's analytics page against the newest-50 history read.
    Analytics {
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// People writing them, in turn.
        #[arg(long, default_value_t = 1_000)]
        authors: u64,
        /// An empty PostgreSQL database to fill (default: a fresh SQLite file).
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
}

#[derive(clap::Args, Clone)]
struct Load {
    /// Listening clients in the channel.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Messages to send.
    #[arg(long, default_value_t = 100)]
    messages: u64,
    /// Messages per second; 0 sends as fast as the server accepts them.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Clients sending (each a person of its own); the messages are shared between them.
    #[arg(long, default_value_t = 1)]
    senders: usize,
    /// Channels the clients are spread over (Bullpen only): 1 is #general of the default
    /// community; more are created for the run, over `--communities` new communities, and
    /// listener i reads channel i mod N, sender k writes in channel k mod N.
    #[arg(long, default_value_t = 1)]
    rooms: usize,
    /// Communities the rooms belong to, with `--rooms` above 1.
    #[arg(long, default_value_t = 1)]
    communities: usize,
    /// The server's process id, to report its memory per idle connection.
    #[arg(long)]
    pid: Option<u32>,
    /// Connections opened at once while connecting.
    #[arg(long, default_value_t = 100)]
    connect_batch: usize,
    /// Listeners are bots (Bullpen only): each opens the gateway
    /// (`/api/v1/gateway?intents=messages`) with a personal access token of its own person
    /// (`chat:read`) instead of a tab's socket. Senders stay tabs.
    #[arg(long)]
    gateway: bool,
}

fn main() {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        match cli.command {
            Command::Bullpen { url, ai, load } => {
                let target = Target::bullpen(&url, ai, &load).await?;
                run(target, load).await.map(drop)
            }
            Command::Compare { url, ai, load } => compare(&url, ai, load).await,
            Command::BareServer { addr } => bare_server(&addr).await,
            Command::Bare { url, load } => run(Target::Bare { url }, load).await.map(drop),
            #[cfg(feature = "bullpen-inside")]
            Command::History {
                messages,
                database,
                runs,
            } => history(messages, database, runs).await,
            #[cfg(feature = "bullpen-inside")]
            Command::Search {
                messages,
                database,
                runs,
            } => search(messages, database, runs).await,
            #[cfg(feature = "bullpen-inside")]
            Command::Analytics {
                messages,
                authors,
                database,
                runs,
            } => analytics(messages, authors, database, runs).await,
            #[cfg(feature = "bullpen-inside")]
            Command::Portfolio {
                url,
                transactions,
                symbols,
                runs,
            } => portfolio(&url, transactions, symbols, runs).await,
            #[cfg(feature = "bullpen-inside")]
            Command::Moderation { messages } => {
                moderation(messages);
                Ok(())
            }
        }
    });
    if let Err(err) = result {
        eprintln!("loadgen: {err}");
        std::process::exit(1);
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What to connect to, and how to speak to it.
enum Target {
    Bullpen {
        url: String,
        /// Every instance's socket: sender i connects to `ws_urls[i % len]`.
        ws_urls: Vec<String>,
        /// Where listener i connects: `listener_urls[i % len]` (the gateway with `--gateway`).
        listener_urls: Vec<String>,
        /// One person per listener.
        tokens: Vec<String>,
        /// One person per sender.
        sender_tokens: Vec<String>,
        /// The rooms: listener i reads `channels[i % len]`, sender k writes in
        /// `channels[k % len]`.
        channels: Vec<String>,
        ai: bool,
    },
    Bare {
        url: String,
    },
}

impl Target {
    /// Registers a person for every listener and every sender (a few at a time: the server
    /// hashes each password, and answers 503 when its hashing queue is full), and finds
    /// #general of the default community.
    async fn bullpen(urls: &str, ai: bool, load: &Load) -> Result<Target, Error> {
        // Several instances (one database, one Redis) as a comma-separated list; accounts and
        // rooms are made through the first.
        let instances: Vec<&str> = urls.split(',').map(str::trim).collect();
        let url = instances[0];
        let http = reqwest::Client::new();
        let run = format!("{:x}", now_micros() % 0xffff_ffff);
        let started = Instant::now();
        let people = load.clients + load.senders.max(1);
        let registered: Vec<Result<String, Error>> = futures::stream::iter((0..people).map(|i| {
            let (http, run) = (http.clone(), run.clone());
            async move {
                let language = if ai { reader_language(i) } else { "en" };
                register(&http, url, &format!("lg{run}x{i}"), language).await
            }
        }))
        .buffered(8)
        .collect()
        .await;
        let mut tokens = registered.into_iter().collect::<Result<Vec<_>, _>>()?;
        let sender_tokens = tokens.split_off(load.clients);
        println!(
            "registered {people} people in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let channels = if load.rooms <= 1 {
            vec![general(&http, url, &sender_tokens[0]).await?]
        } else {
            rooms(&http, url, &run, load, &tokens, &sender_tokens).await?
        };
        // Bots join nothing themselves: their people joined (with their sessions) above.
        if load.gateway {
            let made: Vec<Result<String, Error>> = futures::stream::iter(
                tokens
                    .iter()
                    .map(|session| bot_token(&http, url, session.clone())),
            )
            .buffered(8)
            .collect()
            .await;
            tokens = made.into_iter().collect::<Result<Vec<_>, _>>()?;
            println!("made {} bot tokens", tokens.len());
        }
        Ok(Target::Bullpen {
            url: url.to_string(),
            ws_urls: instances
                .iter()
                .map(|base| format!("{}/api/chat/socket", base.replacen("http", "ws", 1)))
                .collect(),
            listener_urls: instances
                .iter()
                .map(|base| {
                    let path = if load.gateway {
                        "/api/v1/gateway?intents=messages"
                    } else {
                        "/api/chat/socket"
                    };
                    format!("{}{path}", base.replacen("http", "ws", 1))
                })
                .collect(),
            tokens,
            sender_tokens,
            channels,
            ai,
        })
    }

    /// How many rooms the clients are spread over.
    fn rooms(&self) -> usize {
        match self {
            Target::Bullpen { channels, .. } => channels.len(),
            Target::Bare { .. } => 1,
        }
    }

    /// Opens listener `index`'s socket, or sender `index`'s.
    async fn connect(&self, index: usize, sender: bool) -> Result<Socket, Error> {
        match self {
            Target::Bare { url } => {
                Ok(
                    connect_async_with_config(url.as_str(), Some(client_config()), false)
                        .await?
                        .0,
                )
            }
            Target::Bullpen {
                ws_urls,
                listener_urls,
                tokens,
                sender_tokens,
                channels,
                ..
            } => {
                let token = if sender {
                    &sender_tokens[index % sender_tokens.len()]
                } else {
                    &tokens[index % tokens.len()]
                };
                let channel = &channels[index % channels.len()];
                let ws_url = if sender {
                    &ws_urls[index % ws_urls.len()]
                } else {
                    &listener_urls[index % listener_urls.len()]
                };
                let mut request = ws_url.as_str().into_client_request()?;
                request.headers_mut().insert(
                    "Authorization",
                    HeaderValue::from_str(&format!("Bearer {token}"))?,
                );
                let (mut socket, _) =
                    connect_async_with_config(request, Some(client_config()), false).await?;
                let subscribe =
                    json!({"type": "subscribe", "channelId": channel, "afterSeq": null});
                socket
                    .send(Message::Binary(framed(&subscribe.to_string()).into()))
                    .await?;
                // Wait for the confirmation, so that every listener is live before sending.
                while let Some(frame) = socket.next().await {
                    if let Message::Binary(bytes) = frame? {
                        if bytes.windows(12).any(|w| w == b"\"subscribed\"") {
                            return Ok(socket);
                        }
                    }
                }
                Err("closed before subscribing".into())
            }
        }
    }

    /// The language listener `index` reads, with `--ai`.
    fn listener_language(&self, index: usize) -> Option<&'static str> {
        match self {
            Target::Bullpen {
                tokens, ai: true, ..
            } => Some(reader_language(index % tokens.len())),
            _ => None,
        }
    }

    /// How many of the run's `messages` (the newest in the channel) the AI judged, read back
    /// from the channel's history: (judged, looked at).
    async fn judged_in_history(&self, messages: u64) -> Result<(u64, u64), Error> {
        let Target::Bullpen {
            url,
            sender_tokens,
            channels,
            ..
        } = self
        else {
            return Ok((0, 0));
        };
        let channel = &channels[0];
        let sender_token = &sender_tokens[0];
        let http = reqwest::Client::new();
        let (mut judged, mut seen, mut before) = (0, 0, None::<i64>);
        while seen < messages {
            let mut request = http
                .get(format!("{url}/api/chat/history"))
                .query(&[("channelId", channel)])
                .bearer_auth(sender_token);
            if let Some(seq) = before {
                request = request.query(&[("beforeSeq", seq)]);
            }
            let page: Value = request.send().await?.json().await?;
            let list = page["messages"].as_array().ok_or("no history")?;
            for message in list.iter().rev().take((messages - seen) as usize) {
                seen += 1;
                if !message["language"].is_null()
                    || !message["flag"].is_null()
                    || message["unchecked"] == true
                {
                    judged += 1;
                }
            }
            match list.first().and_then(|m| m["seq"].as_i64()) {
                Some(seq) if list.len() == 50 => before = Some(seq),
                _ => break,
            }
        }
        Ok((judged, seen))
    }

    /// Message `index`, sent by sender `sender`.
    fn message(&self, body: &str, index: u64, sender: usize) -> Message {
        match self {
            Target::Bare { .. } => Message::Text(body.to_string().into()),
            Target::Bullpen { channels, ai, .. } => {
                let channel = &channels[sender % channels.len()];
                let body = if *ai {
                    format!("{body} {}", AI_LINES[index as usize % AI_LINES.len()])
                } else {
                    body.to_string()
                };
                let event =
                    json!({"type": "send", "channelId": channel, "nonce": "lg", "body": body});
                Message::Binary(framed(&event.to_string()).into())
            }
        }
    }
}

/// Listeners' preferred languages with `--ai`: Spanish lines are translated for the English and
/// French readers, English ones for the Spanish and French readers (French through Spanish).
const AI_READER_LANGUAGES: [&str; 3] = ["en", "fr", "es"];

/// The language of the `i`th account with `--ai`.
fn reader_language(i: usize) -> &'static str {
    AI_READER_LANGUAGES[i % AI_READER_LANGUAGES.len()]
}

/// Makes a bot's personal access token (`chat:read`) with a person's session token.
async fn bot_token(http: &reqwest::Client, url: &str, session: String) -> Result<String, Error> {
    let response = http
        .post(format!("{url}/api/tokens/create"))
        .bearer_auth(&session)
        .json(&json!({"name": "loadgen", "scopes": ["chat:read"], "days": 7}))
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("making a bot token: {}", response.text().await?).into());
    }
    let body: Value = response.json().await?;
    Ok(body["token"].as_str().ok_or("no token")?.to_string())
}

/// Creates an account and returns its token, waiting and trying again while the server's
/// hashing queue is full.
async fn register(
    http: &reqwest::Client,
    url: &str,
    name: &str,
    language: &str,
) -> Result<String, Error> {
    for attempt in 0..100u64 {
        let response = http
            .post(format!("{url}/api/auth/register"))
            .json(&json!({
                "email": format!("{name}@loadgen.test"),
                "username": name,
                "displayName": name,
                "password": "load generator password",
                "preferredLanguage": language,
            }))
            .send()
            .await?;
        if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            tokio::time::sleep(Duration::from_millis(50 * (attempt + 1).min(20))).await;
            continue;
        }
        if !response.status().is_success() {
            return Err(format!("registering {name}: {}", response.text().await?).into());
        }
        let body: Value = response.json().await?;
        return Ok(body["token"].as_str().ok_or("no token")?.to_string());
    }
    Err(format!("registering {name}: the server stayed busy").into())
}

/// #general of the default community.
async fn general(http: &reqwest::Client, url: &str, token: &str) -> Result<String, Error> {
    let view: Value = http
        .get(format!("{url}/api/communities/view?slug=bullpen"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    Ok(view["channels"][0]["id"]
        .as_str()
        .ok_or("no #general")?
        .to_string())
}

/// Creates `--communities` public communities with `--rooms` channels between them (the first
/// sender owns them), and has every listener and sender join the community of its room.
async fn rooms(
    http: &reqwest::Client,
    url: &str,
    run: &str,
    load: &Load,
    tokens: &[String],
    sender_tokens: &[String],
) -> Result<Vec<String>, Error> {
    let communities = load.communities.clamp(1, load.rooms);
    let owner = &sender_tokens[0];
    let call = |path: &str, body: Value| {
        http.post(format!("{url}{path}"))
            .bearer_auth(owner)
            .json(&body)
            .send()
    };
    let mut slugs = Vec::new();
    // Room r is channel r / communities of community r mod communities.
    let mut channels = vec![String::new(); load.rooms];
    for c in 0..communities {
        let created: Value = call(
            "/api/communities/create",
            json!({"community": {"name": format!("lg{run} room {c}"), "description": "", "iconColor": "#16a34a", "visibility": "public"}}),
        )
        .await?
        .json()
        .await?;
        let slug = created["slug"].as_str().ok_or("no community")?.to_string();
        let view: Value = http
            .get(format!("{url}/api/communities/view?slug={slug}"))
            .bearer_auth(owner)
            .send()
            .await?
            .json()
            .await?;
        channels[c] = view["channels"][0]["id"]
            .as_str()
            .ok_or("no #general")?
            .to_string();
        for r in (c + communities..load.rooms).step_by(communities) {
            let made: Value = call(
                "/api/communities/channels/create",
                json!({"slug": slug, "name": format!("room-{r}"), "kind": "text"}),
            )
            .await?
            .json()
            .await?;
            channels[r] = made["id"].as_str().ok_or("no channel")?.to_string();
        }
        slugs.push(slug);
    }
    let started = Instant::now();
    let rooms = load.rooms;
    let joins = tokens
        .iter()
        .enumerate()
        .chain(sender_tokens.iter().enumerate().skip(1))
        .map(|(i, token)| {
            let slug = slugs[(i % rooms) % communities].clone();
            async move {
                let joined = http
                    .post(format!("{url}/api/communities/join"))
                    .bearer_auth(token)
                    .json(&json!({"slug": slug}))
                    .send()
                    .await?;
                if !joined.status().is_success() {
                    return Err(format!("joining {slug}: {}", joined.text().await?).into());
                }
                Ok::<_, Error>(())
            }
        });
    let joined: Vec<Result<(), Error>> = futures::stream::iter(joins).buffered(32).collect().await;
    joined.into_iter().collect::<Result<Vec<_>, _>>()?;
    println!(
        "{rooms} rooms in {communities} communities; everyone joined in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(channels)
}

/// The language the `index`th message is written in with `--ai`.
fn line_language(index: u64) -> &'static str {
    if AI_LINES[index as usize % AI_LINES.len()].starts_with("shut up") {
        "en"
    } else {
        "es"
    }
}

/// What the sender says with `--ai`: market chat in Spanish, with one line in five English abuse
/// that the moderation engine flags.
const AI_LINES: [&str; 5] = [
    "Creo que las acciones de $TSLA van a subir mucho esta semana",
    "Vendí la mitad de mi posición en $AAPL después de los resultados",
    "El mercado está muy nervioso antes de la reunión de la Reserva Federal",
    "shut up you stupid moron, nobody cares about your calls",
    "Los bancos regionales siguen cayendo, cuidado con el riesgo",
];

/// The listeners' socket settings. Tungstenite zero-fills its whole read buffer before every
/// read; at its default 128 KiB that memset, not the server, would bound what a listener can
/// receive.
fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024)
}

/// The server-function frame: a tag byte (0 = ok), then the JSON.
fn framed(json: &str) -> Vec<u8> {
    let mut frame = Vec::with_capacity(json.len() + 1);
    frame.push(0);
    frame.extend_from_slice(json.as_bytes());
    frame
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// The send times load messages carry (`lg:<micros>:`), found without parsing the JSON: one
/// per delivered message, and a Bullpen frame may carry several events, one per line. Only
/// `messageCreated` lines count: a translation of the message carries the marker too.
fn sent_times(frame: &[u8]) -> impl Iterator<Item = u64> + '_ {
    lines(frame)
        // Events start with their type (serde's tag comes first); the bare loop's lines are the
        // bodies themselves.
        .filter(|line| !line.starts_with(b"{\"type\":") || line.starts_with(CREATED))
        .filter_map(marker)
}

const CREATED: &[u8] = b"{\"type\":\"messageCreated\"";

/// A frame's lines: Bullpen's frames begin with server_fn's tag byte (0), which is no part of
/// the first event.
fn lines(frame: &[u8]) -> impl Iterator<Item = &[u8]> {
    frame
        .strip_prefix(&[0])
        .unwrap_or(frame)
        .split(|b| *b == b'\n')
}

/// How many events of `kind` (`"messageTranslated"`, with quotes) a frame carries.
fn count_events(frame: &[u8], kind: &[u8]) -> u64 {
    lines(frame)
        .filter(|line| {
            line.strip_prefix(b"{\"type\":".as_slice())
                .is_some_and(|rest| rest.starts_with(kind))
        })
        .count() as u64
}

/// The send time a line carries (`lg:<micros>:`). A load generator that reads slower than the
/// server writes measures itself: found with memchr's SIMD search, not byte by byte.
fn marker(line: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(line, b"lg:")? + 3;
    let digits = line[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&line[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// The CPU time a process has used so far (user + system), from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // Linux reports in clock ticks of 1/100 s (USER_HZ).
    Some(ticks / 100.0)
}

/// The process's CPU time once it has gone idle: less than 2 % of a core for half a second
/// (at most 30 s of waiting).
async fn settle(pid: u32) -> Option<f64> {
    let started = Instant::now();
    let mut last = cpu_seconds(pid)?;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = cpu_seconds(pid)?;
        if now - last < 0.01 || started.elapsed() > Duration::from_secs(30) {
            return Some(now);
        }
        last = now;
    }
}

fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What one run measured.
struct Report {
    deliveries_per_sec: f64,
    /// Messages delivered to everyone per second (for Bullpen, each stored before delivery).
    messages_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    lost: u64,
    kib_per_connection: Option<f64>,
}

async fn run(target: Target, load: Load) -> Result<Report, Error> {
    let target = Arc::new(target);
    if load.senders == 0 {
        return Err("--senders must be at least 1".into());
    }
    let received = Arc::new(AtomicU64::new(0));
    let ai = Arc::new(AiSeen::default());
    let latencies: Arc<Mutex<Vec<u32>>> = Arc::new(Mutex::new(Vec::with_capacity(
        load.clients * load.messages as usize,
    )));
    // Message i goes from sender i mod K into room (i mod K) mod N, to that room's listeners.
    let senders = load.senders.max(1);
    let rooms = target.rooms();
    let listeners_in = |room: usize| (0..load.clients).filter(|l| l % rooms == room).count() as u64;
    let per_room: Vec<u64> = (0..rooms).map(listeners_in).collect();
    let expected: u64 = (0..load.messages)
        .map(|i| per_room[(i as usize % senders) % rooms])
        .sum();
    let (done_tx, _) = broadcast::channel::<()>(1);
    let tally_ai = matches!(&*target, Target::Bullpen { ai: true, .. });
    let listen = |socket: Socket| {
        let (received, latencies, ai, mut done) = (
            received.clone(),
            latencies.clone(),
            ai.clone(),
            done_tx.subscribe(),
        );
        tokio::spawn(async move {
            let (_write, mut read) = socket.split();
            let mut mine = Vec::new();
            loop {
                tokio::select! {
                    frame = read.next() => {
                        let Some(Ok(frame)) = frame else { break };
                        let data: &[u8] = match &frame {
                            Message::Binary(bytes) => bytes,
                            Message::Text(text) => text.as_bytes(),
                            _ => continue,
                        };
                        let now = now_micros();
                        let before = mine.len();
                        mine.extend(sent_times(data).map(|sent| now.saturating_sub(sent).min(u32::MAX as u64) as u32));
                        received.fetch_add((mine.len() - before) as u64, Ordering::Relaxed);
                        if tally_ai {
                            ai.note(data, now);
                        }
                    }
                    _ = done.recv() => break,
                }
            }
            latencies.lock().unwrap().extend(mine);
        });
    };
    // Memory is read once the server has handed back what it freed (Bullpen trims its
    // allocator every 5 s): before, what signing everyone up left; after, what connecting did.
    let settle_memory = Duration::from_secs(6);
    if load.pid.is_some() {
        tokio::time::sleep(settle_memory).await;
    }
    let before = load.pid.and_then(resident_kib);
    let started = Instant::now();
    // Every listener reads from the moment it is connected, as a tab does: a socket left
    // unread while the others connect would pile up everything the room says meanwhile
    // (presence of each newcomer, to each of them) and deliver it all when sending starts.
    let mut listening = 0;
    for batch in (0..load.clients)
        .collect::<Vec<_>>()
        .chunks(load.connect_batch)
    {
        let opened =
            futures::future::join_all(batch.iter().map(|i| target.connect(*i, false))).await;
        for socket in opened {
            listen(socket?);
            listening += 1;
        }
    }
    println!(
        "connected {listening} listeners in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(if load.pid.is_some() {
        settle_memory
    } else {
        Duration::from_millis(500)
    })
    .await;
    let after = load.pid.and_then(resident_kib);
    let mut kib_per_connection = None;
    if let (Some(before), Some(after)) = (before, after) {
        let per = (after.saturating_sub(before)) as f64 / load.clients as f64;
        kib_per_connection = Some(per);
        println!("server memory: {before} KiB → {after} KiB, {per:.1} KiB per idle connection");
    }

    let mut sockets = Vec::with_capacity(senders);
    for k in 0..senders {
        sockets.push(target.connect(k, true).await?);
    }
    let cpu_before = load.pid.and_then(cpu_seconds);
    let send_started = Instant::now();
    let interval = (load.rate > 0).then(|| Duration::from_secs_f64(1.0 / load.rate as f64));
    // Message i goes from sender i mod K, at its place in the common schedule.
    let sending = sockets.into_iter().enumerate().map(|(k, socket)| {
        let target = target.clone();
        let messages = load.messages;
        tokio::spawn(async move {
            let (mut write, mut read) = socket.split();
            // A sender reads what comes back all along, so that the server never waits on it.
            let drain = tokio::spawn(async move { while read.next().await.is_some() {} });
            for i in (k as u64..messages).step_by(senders) {
                if let Some(interval) = interval {
                    let due = send_started + interval * i as u32;
                    tokio::time::sleep_until(due.into()).await;
                }
                let body = format!("lg:{}:{i}", now_micros());
                write.send(target.message(&body, i, k)).await?;
            }
            Ok::<_, Error>((drain, write))
        })
    });
    // Each sender's socket stays open (and read) until the deliveries are counted.
    let mut draining = Vec::new();
    for sent in futures::future::join_all(sending).await {
        draining.push(sent??);
    }
    let sent_in = send_started.elapsed();
    // Wait for the last deliveries (or for 10 s of silence).
    let mut last = received.load(Ordering::Relaxed);
    let mut quiet = Instant::now();
    while received.load(Ordering::Relaxed) < expected && quiet.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = received.load(Ordering::Relaxed);
        if now != last {
            last = now;
            quiet = Instant::now();
        }
    }
    let total = send_started.elapsed()
        - if received.load(Ordering::Relaxed) < expected {
            quiet.elapsed()
        } else {
            Duration::ZERO
        };
    let ai_report = match &*target {
        Target::Bullpen { ai: true, .. } => Some(
            ai.wait_and_report(&target, &load, send_started, sent_in)
                .await?,
        ),
        _ => None,
    };
    let _ = done_tx.send(());
    for (drain, _open) in draining {
        drain.abort();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = received.load(Ordering::Relaxed);
    let delivered_cpu = load.pid.and_then(cpu_seconds);
    // What a message costs includes what the server does after delivering it (judging it,
    // telling whoever it concerns): counted until the server is idle again.
    let settled_cpu = match load.pid {
        Some(pid) => settle(pid).await,
        None => None,
    };
    if let (Some(before), Some(delivered), Some(settled)) = (cpu_before, delivered_cpu, settled_cpu)
    {
        let used = delivered - before;
        let all = settled - before;
        println!(
            "server CPU while sending and delivering: {used:.2} s ({:.1} µs per delivery, {:.0} µs per message); \
             until idle again: {all:.2} s ({:.1} µs per delivery, {:.0} µs per message)",
            used * 1e6 / got.max(1) as f64,
            used * 1e6 / load.messages.max(1) as f64,
            all * 1e6 / got.max(1) as f64,
            all * 1e6 / load.messages.max(1) as f64,
        );
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|us| *us as f64 / 1000.0)
            .unwrap_or(f64::NAN)
    };
    let report = Report {
        deliveries_per_sec: got as f64 / total.as_secs_f64(),
        messages_per_sec: load.messages as f64 / total.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        lost: expected.saturating_sub(got),
        kib_per_connection,
    };
    println!(
        "{senders} sender(s) sent {} messages in {:.2} s ({:.0}/s); {} of {} deliveries ({} lost) in {:.2} s: \
         {:.0} deliveries/s, {:.0} messages/s to everyone",
        load.messages,
        sent_in.as_secs_f64(),
        load.messages as f64 / sent_in.as_secs_f64(),
        got,
        expected,
        report.lost,
        total.as_secs_f64(),
        report.deliveries_per_sec,
        report.messages_per_sec,
    );
    println!(
        "fan-out latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.99),
        latencies
            .last()
            .map(|us| *us as f64 / 1000.0)
            .unwrap_or(f64::NAN)
    );
    if let Some(report) = ai_report {
        println!("{report}");
    }
    Ok(report)
}

/// The bare loop, then Bullpen, under one load in one run; Bullpen's figures as ratios.
async fn compare(url: &str, ai: bool, load: Load) -> Result<(), Error> {
    use tokio::io::AsyncBufReadExt;

    // On the server's cores when the script pinned it (`BENCH_SERVER_CPUS`, for `taskset -c`),
    // so that the reference runs where Bullpen runs.
    let exe = std::env::current_exe()?;
    let mut bare = match std::env::var("BENCH_SERVER_CPUS") {
        Ok(cpus) if !cpus.is_empty() => {
            let mut command = tokio::process::Command::new("taskset");
            command.args(["-c", &cpus]).arg(exe);
            command
        }
        _ => tokio::process::Command::new(exe),
    };
    let mut bare = bare
        .args(["bare-server", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut greeting = String::new();
    tokio::io::BufReader::new(bare.stdout.take().ok_or("no stdout")?)
        .read_line(&mut greeting)
        .await?;
    let bare_url = greeting
        .split_whitespace()
        .last()
        .ok_or("the bare loop did not say where it listens")?
        .to_string();
    println!("== the bare loop ({bare_url})");
    let reference = run(
        Target::Bare { url: bare_url },
        Load {
            pid: bare.id(),
            ..load.clone()
        },
    )
    .await?;
    bare.kill().await?;
    println!("== Bullpen ({url})");
    let target = Target::bullpen(url, ai, &load).await?;
    let bullpen = run(target, load.clone()).await?;
    println!(
        "== Bullpen / bare loop, {} clients, {} sender(s), {} messages at {}:",
        load.clients,
        load.senders.max(1),
        load.messages,
        if load.rate == 0 {
            "full speed".to_string()
        } else {
            format!("{} msg/s", load.rate)
        }
    );
    println!(
        "deliveries/s {:.0} / {:.0} = {:.2}x; messages/s {:.0} / {:.0}; p50 {:.2} / {:.2} ms = {:.2}x; \
         p99 {:.2} / {:.2} ms = {:.2}x; lost {} / {}",
        bullpen.deliveries_per_sec,
        reference.deliveries_per_sec,
        bullpen.deliveries_per_sec / reference.deliveries_per_sec,
        bullpen.messages_per_sec,
        reference.messages_per_sec,
        bullpen.p50_ms,
        reference.p50_ms,
        bullpen.p50_ms / reference.p50_ms,
        bullpen.p99_ms,
        reference.p99_ms,
        bullpen.p99_ms / reference.p99_ms,
        bullpen.lost,
        reference.lost,
    );
    if let (Some(ours), Some(theirs)) = (bullpen.kib_per_connection, reference.kib_per_connection) {
        println!("memory per idle connection {ours:.1} / {theirs:.1} KiB");
    }
    Ok(())
}

/// The AI's events as the listeners see them: a flag goes to every listener, a translation
/// only to the readers of its language, and the message's language to readers who got none.
#[derive(Default)]
struct AiSeen {
    analyzed: AtomicU64,
    flagged: AtomicU64,
    translated: AtomicU64,
    last_micros: AtomicU64,
}

impl AiSeen {
    fn note(&self, frame: &[u8], now: u64) {
        let analyzed = count_events(frame, b"\"messageAnalyzed\"");
        let flagged = count_events(frame, b"\"messageFlagged\"");
        let translated = count_events(frame, b"\"messageTranslated\"");
        if analyzed + flagged + translated > 0 {
            self.analyzed.fetch_add(analyzed, Ordering::Relaxed);
            self.flagged.fetch_add(flagged, Ordering::Relaxed);
            self.translated.fetch_add(translated, Ordering::Relaxed);
            self.last_micros.fetch_max(now, Ordering::Relaxed);
        }
    }

    fn total(&self) -> u64 {
        self.analyzed.load(Ordering::Relaxed)
            + self.flagged.load(Ordering::Relaxed)
            + self.translated.load(Ordering::Relaxed)
    }

    /// Waits until the AI has been quiet for 5 s, then says how much it did and when it
    /// finished.
    async fn wait_and_report(
        &self,
        target: &Target,
        load: &Load,
        send_started: Instant,
        sent_in: Duration,
    ) -> Result<String, Error> {
        let mut last = self.total();
        let mut quiet = Instant::now();
        while quiet.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = self.total();
            if now != last {
                last = now;
                quiet = Instant::now();
            }
        }
        // Every listener whose language differs from a message's should get its translation.
        let wanted: u64 = (0..load.clients)
            .filter_map(|i| target.listener_language(i))
            .map(|reads| {
                (0..load.messages)
                    .filter(|m| line_language(*m) != reads)
                    .count() as u64
            })
            .sum();
        let (judged, looked_at) = target.judged_in_history(load.messages).await?;
        let start_micros = now_micros() - send_started.elapsed().as_micros() as u64;
        let finished = self
            .last_micros
            .load(Ordering::Relaxed)
            .saturating_sub(start_micros) as f64
            / 1e6;
        Ok(format!(
            "AI: {judged} of {looked_at} messages judged (read back from history), {:.0} flagged (flags per listener), \
             {} of {wanted} translations delivered to their readers, {} language notes; \
             last AI event {finished:.2} s after the first send ({:.2} s after the last)",
            self.flagged.load(Ordering::Relaxed) as f64 / load.clients as f64,
            self.translated.load(Ordering::Relaxed),
            self.analyzed.load(Ordering::Relaxed),
            finished - sent_in.as_secs_f64(),
        ))
    }
}

/// The bare loop: a tokio-tungstenite server with one broadcast channel; each text frame a
/// connection sends is forwarded to every connection. The floor Bullpen is compared with, tuned
/// the way Bullpen's socket is: a 4 KiB read buffer, and every frame waiting for a connection
/// written with one flush.
async fn bare_server(addr: &str) -> Result<(), Error> {
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("bare broadcast loop on ws://{}", listener.local_addr()?);
    // `compare` reads that line through a pipe.
    std::io::Write::flush(&mut std::io::stdout())?;
    let (hub, _) = broadcast::channel::<Message>(1024);
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(64 * 1024);
    loop {
        let (stream, _) = listener.accept().await?;
        let hub = hub.clone();
        tokio::spawn(async move {
            let Ok(socket) =
                tokio_tungstenite::accept_async_with_config(stream, Some(config)).await
            else {
                return;
            };
            let (mut write, mut read) = socket.split();
            let mut inbox = hub.subscribe();
            loop {
                tokio::select! {
                    frame = read.next() => match frame {
                        Some(Ok(message @ Message::Text(_))) => { let _ = hub.send(message); }
                        Some(Ok(_)) => {}
                        _ => break,
                    },
                    message = inbox.recv() => match message {
                        Ok(message) => {
                            if write.feed(message).await.is_err() { break }
                            while let Ok(message) = inbox.try_recv() {
                                if write.feed(message).await.is_err() { break }
                            }
                            if write.flush().await.is_err() { break }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => break,
                    },
                }
            }
        });
    }
}

#[cfg(feature = "bullpen-inside")]
mod inside;
#[cfg(feature = "bullpen-inside")]
use inside::{analytics, history, moderation, portfolio, search};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_created_line_gives_its_send_time_and_nothing_else_does() {
        // A Bullpen frame: a bundle of two messages, then a translation of the first (which
        // quotes the marker too) and a typing event.
        let frame =
            b"{\"type\":\"messageCreated\",\"message\":{\"body\":\"lg:1700000000000001:0\"}}\n\
            {\"type\":\"messageCreated\",\"message\":{\"body\":\"lg:1700000000000002:1 hola\"}}\n\
            {\"type\":\"messageTranslated\",\"translation\":{\"body\":\"lg:1700000000000001:0\"}}\n\
            {\"type\":\"typing\",\"typing\":true}";
        assert_eq!(
            sent_times(frame).collect::<Vec<_>>(),
            [1_700_000_000_000_001, 1_700_000_000_000_002]
        );
        assert_eq!(count_events(frame, b"\"messageTranslated\""), 1);
        assert_eq!(count_events(frame, b"\"messageCreated\""), 2);
        // As Bullpen sends it, behind server_fn's tag byte: a translation first is still no
        // message.
        let tagged = [&[0u8][..], &frame[..]].concat();
        assert_eq!(sent_times(&tagged).count(), 2);
        let translation_first =
            b"\0{\"type\":\"messageTranslated\",\"translation\":{\"body\":\"lg:9:0\"}}";
        assert_eq!(sent_times(translation_first).count(), 0);
        assert_eq!(count_events(translation_first, b"\"messageTranslated\""), 1);
        // The bare loop's lines are the bodies themselves.
        assert_eq!(sent_times(b"lg:5:0\nlg:6:1").collect::<Vec<_>>(), [5, 6]);
        assert_eq!(sent_times(b"{\"type\":\"ready\"}").count(), 0);
    }

    #[test]
    fn a_process_cpu_time_is_read_from_proc() {
        let mine = cpu_seconds(std::process::id()).unwrap();
        assert!(mine >= 0.0);
        assert!(cpu_seconds(u32::MAX).is_none());
    }
}
