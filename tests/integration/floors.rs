//! The floor plan (docs/ARCHITECTURE.md, "Floors"): a file may name only its own room and the
//! floors below it, and no two rooms import each other, however far round. This test reads the
//! sources and fails on an import that climbs and on any circle between rooms.
//!
//! ```text
//! server.rs (the composition root) ← main.rs
//! app (the shell: routes and layout)
//! account (a person's data across every domain)
//! conversation (the screens where people talk: the core's timeline with every feature's parts)
//! features: polls events cards files notify moderation voice search integrations insights
//!   → chat (the messages core) → community → auth     assistant → portfolio → market → ai
//!   → carried (the serde types a message carries) → auth
//! kit · platform · entities                            (the ground: imports no domain)
//! ```
//!
//! A feature may import the other tower (a shared card reads the portfolio) and another
//! feature, as long as no circle closes; the messages core names no feature.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

const GROUND: &[&str] = &["platform", "entities", "kit"];

/// The rooms above the messages core: each rides on messages or the realtime channel.
const FEATURES: &[&str] = &[
    "polls",
    "events",
    "cards",
    "files",
    "notify",
    "moderation",
    "voice",
    "search",
    "integrations",
    "insights",
];

/// What a feature may import besides the ground and other features.
const UNDER_FEATURES: &[&str] = &[
    "auth",
    "community",
    "carried",
    "chat",
    "ai",
    "market",
    "portfolio",
];

/// Each room below the features and the rooms above the ground it may import.
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("platform", &[]),
    ("entities", &[]),
    ("kit", &[]),
    ("auth", &[]),
    ("community", &["auth"]),
    ("carried", &["auth"]),
    ("chat", &["auth", "community", "carried", "ai"]),
    ("ai", &[]),
    ("market", &["auth", "ai"]),
    ("portfolio", &["auth", "ai", "market"]),
    ("assistant", &["auth", "ai", "market", "portfolio"]),
];

/// The rooms above the ground `room` may import; none for the top floors (`app`, `server.rs`,
/// `main.rs`, `lib.rs`), which may name any room.
fn may_import(room: &str) -> Option<Vec<&'static str>> {
    if let Some((_, rooms)) = MAY_IMPORT.iter().find(|(r, _)| *r == room) {
        return Some(rooms.to_vec());
    }
    if FEATURES.contains(&room) || room == "conversation" {
        return Some([UNDER_FEATURES, FEATURES].concat());
    }
    if room == "account" {
        let mut all = [UNDER_FEATURES, FEATURES].concat();
        all.extend(["assistant", "conversation"]);
        return Some(all);
    }
    None
}

/// Every source file under src/ with its room (its first folder, or its file's name).
fn rooms_and_files() -> Vec<(String, String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let room = relative
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            (room, relative, file)
        })
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The source without its comments (`//` to the end of the line; doc comments name other
/// rooms freely) and without string literals' contents.
fn code_of(source: &str) -> String {
    let mut code = String::with_capacity(source.len());
    for line in source.lines() {
        let mut in_string = false;
        let mut previous = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_string {
                if c == '"' && previous != '\\' {
                    in_string = false;
                    code.push('"');
                }
                previous = if previous == '\\' && c == '\\' {
                    ' '
                } else {
                    c
                };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' {
                in_string = true;
                previous = ' ';
            }
            code.push(c);
        }
        code.push('\n');
    }
    code
}

/// The rooms a piece of code names through `crate::room` — also inside `use crate::{a, b::c}`.
fn rooms_named(code: &str) -> BTreeSet<String> {
    let mut rooms = BTreeSet::new();
    let word = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The group's top-level names, up to its closing brace.
            let mut depth = 0;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        rooms.insert(word(&name));
                        name.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || c == '{' {
                    name.push(c);
                }
            }
            rooms.insert(word(&name));
        } else {
            rooms.insert(word(after));
        }
        rest = after;
    }
    rooms.retain(|r| !r.is_empty());
    rooms
}

#[test]
fn imports_only_go_down() {
    let mut climbing = BTreeSet::new();
    for (room, relative, file) in rooms_and_files() {
        let Some(above_ground) = may_import(&room) else {
            continue; // app, server.rs, main.rs, lib.rs: the top floors may name any room.
        };
        let code = code_of(&fs::read_to_string(file).unwrap());
        for named in rooms_named(&code) {
            let fine = named == room
                || GROUND.contains(&named.as_str())
                || above_ground.contains(&named.as_str())
                || named == "self";
            if !fine {
                climbing.insert((relative.clone(), named));
            }
        }
    }
    assert!(
        climbing.is_empty(),
        "these files import a room on a higher floor (docs/ARCHITECTURE.md, \"Floors\"): \
         {climbing:?}; say what the lower room needs as a type, a trait or a registry and let \
         the composition root (server.rs) or the shell (app/) give it"
    );
}

/// The rooms each room names, the top floors left out (they may name any room).
fn room_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (room, _, file) in rooms_and_files() {
        if may_import(&room).is_none() {
            continue;
        }
        let code = code_of(&fs::read_to_string(file).unwrap());
        let named = graph.entry(room.clone()).or_default();
        named.extend(
            rooms_named(&code)
                .into_iter()
                .filter(|r| *r != room && r != "self" && !GROUND.contains(&r.as_str())),
        );
    }
    graph
}

/// A circle in `graph` (its rooms, the first repeated at the end), if there is one.
fn circle_in(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        room: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|r| r == room) {
            let mut circle = path[at..].to_vec();
            circle.push(room.to_string());
            return Some(circle);
        }
        if done.contains(room) {
            return None;
        }
        path.push(room.to_string());
        for next in graph.get(room).into_iter().flatten() {
            if let Some(circle) = walk(graph, next, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(room.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|room| walk(graph, room, &mut Vec::new(), &mut done))
}

#[test]
fn no_rooms_import_each_other_in_a_circle() {
    let graph = room_graph();
    for feature in FEATURES {
        assert!(graph.contains_key(*feature), "no room {feature} under src/");
    }
    if let Some(circle) = circle_in(&graph) {
        panic!(
            "these rooms import each other in a circle: {}; one of them must hear of the \
             other through a registry or an event instead (docs/ARCHITECTURE.md, \"Floors\")",
            circle.join(" → ")
        );
    }
}

#[test]
fn the_circle_finder_finds_a_circle_three_rooms_round_and_none_in_a_tower() {
    let graph = |edges: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    let tower = graph(&[
        ("polls", "chat"),
        ("events", "chat"),
        ("events", "notify"),
        ("notify", "chat"),
    ]);
    assert_eq!(circle_in(&tower), None);
    let round = graph(&[
        ("polls", "events"),
        ("events", "notify"),
        ("notify", "polls"),
        ("chat", "auth"),
    ]);
    assert_eq!(
        circle_in(&round),
        Some(
            ["events", "notify", "polls", "events"]
                .map(String::from)
                .to_vec()
        )
    );
}

/// What only a room's `repo.rs` may write: sea-orm's query builders, active models, columns and
/// raw statements. A service calls named queries (`repo::holdings_of(db, ..)`); it may still
/// hold a connection, open a transaction and read the models a query returns.
const QUERY_WORDS: &[&str] = &[
    "::Entity::",
    "ActiveModel",
    "::Column::",
    "Statement::",
    "sea_query",
    "query_one(",
    "query_all(",
    "execute_unprepared(",
];

/// The places of the query words in one file's code, as "word ×count".
fn queries_in(code: &str) -> Vec<String> {
    QUERY_WORDS
        .iter()
        .filter_map(|word| {
            let count = code.matches(word).count();
            (count > 0).then(|| format!("{word} ×{count}"))
        })
        .collect()
}

#[test]
fn every_query_of_a_domain_lives_in_its_repo() {
    let mut outside = Vec::new();
    for (room, relative, file) in rooms_and_files() {
        // The ground keeps its own few queries (settings, the schema); the top floors have none.
        let is_domain = may_import(&room).is_some() && !GROUND.contains(&room.as_str());
        if !is_domain || relative.ends_with("/repo.rs") {
            continue;
        }
        let found = queries_in(&code_of(&fs::read_to_string(file).unwrap()));
        if !found.is_empty() {
            outside.push(format!("{relative}: {}", found.join(", ")));
        }
    }
    assert!(
        outside.is_empty(),
        "queries outside a repo.rs (docs/ARCHITECTURE.md, \"Inside a room\"):\n{}\nname \
         each one in the room's repo.rs and call it",
        outside.join("\n")
    );
}

#[test]
fn the_query_reader_counts_builders_not_comments() {
    let code = code_of(
        "let p = portfolios::Entity::find().filter(portfolios::Column::Id.eq(id));\n\
         // portfolios::ActiveModel in a comment\nlet m: portfolios::Model = repo::one(db).await?;\n",
    );
    assert_eq!(queries_in(&code), ["::Entity:: ×1", "::Column:: ×1"]);
    assert!(queries_in(&code_of(
        "let t = db.begin().await?;\nrepo::save(&t, row).await?;\n"
    ))
    .is_empty());
}

#[test]
fn the_reader_sees_grouped_and_plain_imports_but_not_comments_or_strings() {
    let code = code_of(
        "use crate::{\n    auth::x,\n    platform::{a, b},\n    kit::i18n::{t, use_i18n},\n};\n\
         let y = crate::market::quote();\n// crate::portfolio in a comment\n\
         let s = \"crate::assistant in a string\";\n",
    );
    let named: Vec<String> = rooms_named(&code).into_iter().collect();
    assert_eq!(named, ["auth", "kit", "market", "platform"]);
}

/// axum's own extractors answer a body, query or address they cannot read in plain text,
/// repeating what was sent; `platform::rest`'s answer in the app's JSON error shape.
const RAW_EXTRACTORS: &[&str] = &[
    ": Path<", ": Query<", ": Json<", "::Path<", "::Query<", "::Json<",
];

#[test]
fn every_route_reads_its_arguments_through_the_app_s_extractors() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut raw = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "platform/rest.rs" {
            continue;
        }
        let code = code_of(&fs::read_to_string(file).unwrap());
        for pattern in RAW_EXTRACTORS {
            if code.contains(pattern) {
                raw.push(format!("{relative}: `{pattern}`"));
            }
        }
    }
    assert!(
        raw.is_empty(),
        "axum extractors that answer errors in plain text:\n{}\ntake PathArgs, QueryArgs or \
         JsonBody from platform::rest instead",
        raw.join("\n")
    );
}

/// Every end-to-end spec takes `test` from `end2end/tests/helpers.ts`, whose `test` closes the
/// browser contexts a test opened: with Playwright's own, each test's people stayed open until
/// their worker ended and the suite slowed as it went (docs/PERFORMANCE.md).
#[test]
fn every_end_to_end_spec_takes_test_from_the_helpers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("end2end/tests");
    let mut specs = 0;
    for entry in fs::read_dir(&dir).expect("end2end/tests is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".spec.ts") {
            continue;
        }
        specs += 1;
        let source = fs::read_to_string(&path).expect("a readable spec");
        for line in source.lines().filter(|l| l.starts_with("import ")) {
            let names = line
                .split_once('{')
                .and_then(|(_, rest)| rest.split_once('}'))
                .map_or("", |(names, _)| names);
            let takes_test = names.split(',').any(|n| n.trim() == "test");
            if takes_test {
                assert!(
                    line.ends_with("from \"./helpers\";"),
                    "{name} takes `test` from elsewhere than ./helpers: {line}"
                );
            }
        }
    }
    assert!(specs > 20, "found only {specs} specs in {}", dir.display());
}

/// Parameter names that stand for a person, a community, a channel or a message.
const ID_PARAMETERS: &[&str] = &[
    "user",
    "viewer",
    "reader",
    "me",
    "person",
    "actor",
    "author",
    "moderator",
    "bot",
    "reporter",
    "organiser",
    "uploader",
    "sender",
    "community",
    "conversation",
    "channel",
    "message",
];

/// Every function's parameters in `code`, as (function, parameter, type).
fn parameters(code: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("fn ") {
        let after = &rest[at + 3..];
        rest = after;
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = after.find('(') else { break };
        if name.is_empty() || after[name.len()..open].contains(['{', ';']) {
            continue;
        }
        // The parameter list, split at its top-level commas.
        let (mut depth, mut current, mut list) = (0, String::new(), Vec::new());
        let mut previous = ' ';
        for c in after[open + 1..].chars() {
            let arrow = previous == '-' && c == '>';
            previous = c;
            match c {
                '>' if arrow => {}
                '(' | '<' | '[' => depth += 1,
                ')' if depth == 0 => break,
                ')' | '>' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    list.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        list.push(current);
        for parameter in list {
            if let Some((pattern, ty)) = parameter.split_once(':') {
                let pattern = pattern
                    .trim()
                    .trim_start_matches("mut ")
                    .trim_start_matches('_');
                found.push((
                    name.clone(),
                    pattern.to_string(),
                    ty.split_whitespace().collect(),
                ));
            }
        }
    }
    found
}

/// The bare ids among a piece of code's parameters that name a person or a place.
fn bare_ids(code: &str) -> Vec<String> {
    parameters(code)
        .into_iter()
        .filter(|(_, parameter, ty)| {
            ID_PARAMETERS.contains(&parameter.as_str())
                && (ty == "Uuid" || ty == "Option<Uuid>" || ty == "uuid::Uuid")
        })
        .map(|(function, parameter, ty)| format!("{function}({parameter}: {ty})"))
        .collect()
}

#[test]
fn no_service_takes_a_person_or_a_place_as_a_bare_uuid() {
    let mut bare = Vec::new();
    for (_, relative, file) in rooms_and_files() {
        if !relative.ends_with("service.rs") {
            continue;
        }
        for found in bare_ids(&code_of(&fs::read_to_string(file).unwrap())) {
            bare.push(format!("{relative}: {found}"));
        }
    }
    assert!(
        bare.is_empty(),
        "service functions that take a person or a place as a bare Uuid:\n{}\ntake its typed id \
         (auth::UserId, community::CommunityId, community::ChannelId, chat::MessageId), read \
         once where the request is",
        bare.join("\n")
    );
}

#[test]
fn the_parameter_reader_finds_a_bare_id_and_passes_a_typed_one() {
    let code = "pub async fn edit(\n    state: &AppState,\n    user: Uuid,\n    message_id: MessageId,\n) \
                -> Result<(), AppError> {}\nfn open(state: &AppState, viewer: Option<Uuid>, pick: \
                impl Fn(u8) -> u8, map: HashMap<Uuid, (u8, u8)>) {}\nfn pin(user: UserId, channel: ChannelId) {}\n";
    assert_eq!(
        bare_ids(code),
        ["edit(user: Uuid)", "open(viewer: Option<Uuid>)"]
    );
}
