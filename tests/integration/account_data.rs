//! A person's data as a whole, through the real server on SQLite and (when TEST_DATABASE_URL is
//! set) PostgreSQL: the download holds their messages, portfolio, conversations and the rest —
//! nothing of anyone else's and no secret — and deleting the account takes the password (and a
//! code), keeps or removes the messages as chosen, removes the rest, ends every session and
//! open socket, frees the address, hands over or deletes owned communities, survives two
//! requests at once, and refuses a page of another site.

use std::time::Duration;

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use bullpen::auth::two_factor::{code_for_step, step_at};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
const FOREIGN: &str = "https://evil.example";

impl Harness {
    async fn delete_account(&self, who: &Person, body: Value) -> (StatusCode, Value) {
        self.post_as(&who.token, "/api/account/delete", body).await
    }

    /// The download as a script gets it: the answer's headers and its text.
    async fn export(&self, token: &str) -> (StatusCode, header::HeaderMap, String) {
        let response = self
            .http
            .get(self.server.url("/api/account/export"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.headers().clone(),
            response.text().await.unwrap(),
        )
    }

    async fn channel_messages(&self, who: &Person, channel: &str) -> Vec<Value> {
        let (status, page) = self
            .get_as(
                &who.token,
                &format!("/api/chat/history?channelId={channel}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["messages"].as_array().unwrap().clone()
    }

    /// A uuid as an SQL literal: PostgreSQL's uuid type reads text; sqlx stores it on SQLite as
    /// 16 bytes.
    fn uuid(&self, id: &str) -> String {
        match sea_orm::ConnectionTrait::get_database_backend(&self.db) {
            sea_orm::DbBackend::Sqlite => format!("X'{}'", id.replace('-', "")),
            _ => format!("'{id}'"),
        }
    }

    /// Everything a deletion removes, counted for one person: all zero once they are gone.
    async fn belongings(&self, id: &str) -> Vec<(&'static str, i64)> {
        let id = self.uuid(id);
        let mut counts = Vec::new();
        for (what, query) in [
            ("portfolios", format!("SELECT COUNT(*) FROM portfolios WHERE user_id = {id}")),
            (
                "transactions",
                format!(
                    "SELECT COUNT(*) FROM portfolio_transactions WHERE portfolio_id IN (SELECT id FROM portfolios WHERE user_id = {id})"
                ),
            ),
            ("alerts", format!("SELECT COUNT(*) FROM price_alerts WHERE user_id = {id}")),
            ("watchlist", format!("SELECT COUNT(*) FROM watchlist_items WHERE user_id = {id}")),
            ("chart indicators", format!("SELECT COUNT(*) FROM chart_choices WHERE user_id = {id}")),
            ("conversations", format!("SELECT COUNT(*) FROM assistant_conversations WHERE user_id = {id}")),
            ("assistant turns", format!("SELECT COUNT(*) FROM assistant_messages WHERE user_id = {id}")),
            ("sessions", format!("SELECT COUNT(*) FROM refresh_tokens WHERE user_id = {id}")),
            ("two-factor", format!("SELECT COUNT(*) FROM two_factor WHERE user_id = {id}")),
            ("recovery codes", format!("SELECT COUNT(*) FROM recovery_codes WHERE user_id = {id}")),
            ("blocks", format!("SELECT COUNT(*) FROM user_blocks WHERE blocker_id = {id} OR blocked_id = {id}")),
            ("memberships", format!("SELECT COUNT(*) FROM community_members WHERE user_id = {id}")),
            ("member roles", format!("SELECT COUNT(*) FROM member_roles WHERE user_id = {id}")),
            ("read positions", format!("SELECT COUNT(*) FROM read_states WHERE user_id = {id}")),
            ("reactions", format!("SELECT COUNT(*) FROM reactions WHERE user_id = {id}")),
            ("presence", format!("SELECT COUNT(*) FROM connections WHERE user_id = {id}")),
            ("notification settings", format!("SELECT COUNT(*) FROM notification_settings WHERE user_id = {id}")),
            ("inbox", format!("SELECT COUNT(*) FROM inbox_items WHERE user_id = {id}")),
            ("push", format!("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = {id}")),
            ("access tokens", format!("SELECT COUNT(*) FROM access_tokens WHERE user_id = {id}")),
        ] {
            counts.push((what, self.count(&query).await));
        }
        counts
    }
}

/// Gives `who` something of everything: a portfolio with a purchase, a price alert, a followed
/// symbol, an assistant conversation and an API token.
async fn fill_account(h: &Harness, who: &Person) -> String {
    h.ok(who, "/api/portfolio/add", json!({"symbol": "AAPL", "shares": 7, "averagePrice": 123.45, "purchaseDate": "2024-01-02"}))
        .await;
    h.ok(
        who,
        "/api/alerts/create",
        json!({"symbol": "ibm", "direction": "above", "price": "99999"}),
    )
    .await;
    h.ok(
        who,
        "/api/market/watch",
        json!({"symbol": "MSFT", "watching": true}),
    )
    .await;
    h.ok(
        who,
        "/api/market/choose_indicators",
        json!({"overlays": "ema:9", "panes": "atr:10"}),
    )
    .await;
    // What they hear of #general, and a browser they are pushed to.
    let general = h.channel(who, "bullpen", "general").await;
    h.ok(
        who,
        "/api/notifications/set",
        json!({"channelId": general, "wholeCommunity": true, "level": "all"}),
    )
    .await;
    h.ok(
        who,
        "/api/notifications/subscribe",
        json!({"subscription": {"endpoint": format!("https://push.example.net/{}", who.id), "p256dh": format!("B{}", "A".repeat(86)), "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}),
    )
    .await;
    h.ok(
        who,
        "/api/tokens/create",
        json!({"name": "Alerts script", "scopes": ["chat:read"], "days": 30}),
    )
    .await;
    let reply = h
        .ok(
            who,
            "/api/chatbot/query",
            json!({"message": "What is the RSI of AAPL?"}),
        )
        .await;
    reply["conversationId"].as_str().unwrap().to_string()
}

/// A socket watching `channel`.
async fn watching(h: &Harness, who: &Person, channel: &str) -> ChatClient {
    let mut socket = h.socket(who).await;
    socket.subscribe(channel, None).await;
    socket
}

/// Says something and waits for it to be stored: the message's id.
async fn say(socket: &mut ChatClient, channel: &str, body: &str) -> String {
    socket.say(channel, body, body).await;
    loop {
        let event = socket.expect("messageCreated").await;
        if event["message"]["body"] == body {
            return event["message"]["id"].as_str().unwrap().to_string();
        }
    }
}

/// Signs a browser in through the web app's form: its `Cookie` header.
async fn browser_cookies(h: &Harness, login: &str) -> String {
    let response = h
        .http
        .post(h.server.url("/api/session/sign_in"))
        .header("origin", &h.server.base)
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

fn now_step() -> i64 {
    step_at(chrono::Utc::now().timestamp())
}

on_both!(the_download_holds_ones_own_data_and_no_secret);
async fn the_download_holds_ones_own_data_and_no_secret(h: Harness) {
    // Guests get nothing.
    let (status, body) = h.get("/api/account/export").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized", "{body}");

    let ana = h.person("ana_lima").await;
    let bo = h.person("bo_b").await;
    let general = h.channel(&ana, "bullpen", "general").await;
    let mut ana_socket = watching(&h, &ana, &general).await;
    let mut bo_socket = watching(&h, &bo, &general).await;
    say(
        &mut ana_socket,
        &general,
        "ana thinks $AAPL runs into earnings",
    )
    .await;
    let edited = say(&mut ana_socket, &general, "first draft").await;
    ana_socket
        .send(json!({"type": "edit", "messageId": edited, "body": "second draft"}))
        .await;
    ana_socket.expect("messageEdited").await;
    let bo_said = say(&mut bo_socket, &general, "bo keeps this to himself").await;
    ana_socket
        .send(json!({"type": "react", "messageId": bo_said, "emoji": "🚀", "on": true}))
        .await;
    ana_socket.expect("reactionsChanged").await;
    // Bo asks a poll; Ana votes in it.
    let poll = h
        .ok(
            &bo,
            "/api/polls/ask",
            json!({"channelId": general, "poll": {"question": "Earnings beat?", "options": ["Beat", "Miss"]}}),
        )
        .await;
    h.ok(
        &ana,
        "/api/polls/vote",
        json!({"messageId": poll["id"], "choices": [1]}),
    )
    .await;
    // Bo plans an event; Ana might go.
    let starts = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let event = h
        .ok(
            &bo,
            "/api/events/plan",
            json!({"channelId": general, "event": {"title": "Earnings call", "starts": starts, "timeZone": "UTC"}}),
        )
        .await;
    h.ok(
        &ana,
        "/api/events/answer",
        json!({"messageId": event["id"], "answer": "maybe"}),
    )
    .await;
    let conversation = fill_account(&h, &ana).await;
    fill_account(&h, &bo).await;
    h.ok(
        &ana,
        "/api/users/block",
        json!({"username": "bo_b", "blocked": true}),
    )
    .await;
    // Two-factor sign-in on: its secret and recovery codes must stay out of the file.
    let setup = h.ok(&ana, "/api/profile/two_factor_setup", json!({})).await;
    let secret = setup["secret"].as_str().unwrap().to_string();
    let secret_bytes = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let codes = h
        .ok(
            &ana,
            "/api/profile/two_factor_enable",
            json!({"code": code_for_step(&secret_bytes, now_step())}),
        )
        .await;

    let (status, headers, text) = h.export(&ana.token).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"bullpen-ana_lima-{today}.json\"").as_str()
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["format"], "bullpen-account-export");
    assert_eq!(export["profile"]["email"], "ana_lima@example.com");
    assert_eq!(export["profile"]["username"], "ana_lima");
    assert_eq!(export["profile"]["id"], ana.id.as_str());
    let sessions = export["sessions"].as_array().unwrap();
    assert!(
        sessions.iter().any(|s| s["current"] == true
            && s["startedAt"].is_string()
            && s["expiresAt"].is_string()),
        "{sessions:?}"
    );
    assert_eq!(export["twoFactor"]["enabled"], true);
    assert_eq!(export["twoFactor"]["recoveryCodesLeft"], 10);
    assert_eq!(export["blocked"][0]["username"], "bo_b");
    let bullpen = export["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"] == "bullpen")
        .unwrap()
        .clone();
    assert_eq!(bullpen["rank"], "member");

    // Every message she wrote, with where and when, edits included; none of Bo's.
    let messages = export["messages"].as_array().unwrap();
    let bodies: Vec<&str> = messages.iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(
        bodies,
        ["ana thinks $AAPL runs into earnings", "second draft"]
    );
    assert!(
        messages
            .iter()
            .all(|m| m["community"] == "bullpen" && m["channel"] == "general"),
        "{messages:?}"
    );
    assert!(messages[1]["editedAt"].is_string() && messages[0]["editedAt"].is_null());
    assert!(
        !text.contains("bo keeps this to himself"),
        "Bo's words are not Ana's data"
    );
    let reactions = export["reactions"].as_array().unwrap();
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0]["emoji"], "🚀");
    assert_eq!(reactions[0]["messageId"], bo_said.as_str());
    let votes = export["pollVotes"].as_array().unwrap();
    assert_eq!(votes.len(), 1, "{votes:?}");
    assert_eq!(votes[0]["messageId"], poll["id"]);
    assert_eq!(votes[0]["choices"], json!(["Miss"]));
    assert_eq!(votes[0]["channel"], "general");
    let answers = export["eventAnswers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["messageId"], event["id"]);
    assert_eq!(answers[0]["title"], "Earnings call");
    assert_eq!(answers[0]["answer"], "maybe");
    assert_eq!(answers[0]["channel"], "general");
    let tokens = export["accessTokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "Alerts script");
    assert_eq!(tokens[0]["scopes"], json!(["chat:read"]));

    // Markets, portfolio and assistant.
    assert_eq!(export["watchlist"][0]["symbol"], "MSFT");
    assert_eq!(export["chartIndicators"]["overlays"], "ema:9");
    assert_eq!(export["priceAlerts"][0]["symbol"], "IBM");
    assert_eq!(export["priceAlerts"][0]["target"], "99999");
    let portfolios = export["portfolios"].as_array().unwrap();
    assert_eq!(portfolios.len(), 1);
    let purchase = &portfolios[0]["transactions"][0];
    assert_eq!(purchase["symbol"], "AAPL");
    assert_eq!(purchase["shares"], "7");
    assert_eq!(purchase["price"], "123.45");
    let conversations = export["assistantConversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1, "only Ana's conversation");
    assert_eq!(conversations[0]["id"], conversation.as_str());
    let turns = conversations[0]["messages"].as_array().unwrap();
    assert_eq!(turns[0]["role"], "user");
    assert_eq!(turns[0]["body"], "What is the RSI of AAPL?");
    assert_eq!(turns[1]["role"], "assistant");
    assert!(turns[1]["cards"].is_array(), "cards as JSON: {}", turns[1]);

    // No secret of hers, and nothing of Bo's account.
    let hash = h
        .scalar(&format!(
            "SELECT password_hash FROM users WHERE id = {}",
            h.uuid(&ana.id)
        ))
        .await;
    let mut secrets = vec![
        hash,
        secret,
        ana.token.clone(),
        ana.refresh.clone(),
        "argon2".to_string(),
    ];
    secrets.extend(
        codes
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string()),
    );
    for row in [
        "SELECT token_hash FROM refresh_tokens WHERE user_id = {id} ORDER BY created_at LIMIT 1",
        "SELECT code_hash FROM recovery_codes WHERE user_id = {id} ORDER BY code_hash LIMIT 1",
        "SELECT token_hash FROM access_tokens WHERE user_id = {id}",
    ] {
        secrets.push(h.scalar(&row.replace("{id}", &h.uuid(&ana.id))).await);
    }
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the download contains a secret: {secret}"
        );
    }
    for theirs in [bo.id.as_str(), "bo_b@example.com"] {
        assert!(
            !text.contains(theirs),
            "the download names Bo's account: {theirs}"
        );
    }

    // Bo's own download is his, not hers.
    let (status, _, theirs) = h.export(&bo.token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(theirs.contains("bo keeps this to himself") && !theirs.contains("second draft"));

    // The web app downloads it with its cookie.
    let cookies = browser_cookies(&h, "bo_b").await;
    let response = h
        .http
        .get(h.server.url("/api/account/export"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("bullpen-bo_b-"));
    // A token that no longer works gets nothing.
    h.post("/api/auth/logout", json!({"refreshToken": ana.refresh}))
        .await;
    let (status, _, _) = h.export(&ana.token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both!(a_refused_deletion_changes_nothing);
async fn a_refused_deletion_changes_nothing(h: Harness) {
    let ana = h.person("ana_lima").await;
    fill_account(&h, &ana).await;
    let before = h.belongings(&ana.id).await;

    let (status, body) = h
        .delete_account(
            &ana,
            json!({"password": "not my password", "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "The current password is not correct.");
    let (status, body) = h.delete_account(&ana, json!({"password": PASSWORD})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the choice is required: {body}"
    );
    let (status, body) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "archive"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = h
        .post(
            "/api/account/delete",
            json!({"password": PASSWORD, "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a guest deletes nothing");

    // With two-factor sign-in on, the password alone is not enough.
    let setup = h.ok(&ana, "/api/profile/two_factor_setup", json!({})).await;
    let secret = data_encoding::BASE32_NOPAD
        .decode(setup["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    let codes = h
        .ok(
            &ana,
            "/api/profile/two_factor_enable",
            json!({"code": code_for_step(&secret, now_step())}),
        )
        .await;
    let (status, body) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "keep"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "wrong_code", "{body}");
    let (status, body) = h
        .delete_account(
            &ana,
            json!({"password": PASSWORD, "code": "000000", "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Nothing changed: the account signs in, its token works, everything is where it was.
    let (status, me) = h.me(&ana.token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "ana_lima@example.com");
    let mut after = h.belongings(&ana.id).await;
    for (what, n) in after.iter_mut() {
        if matches!(*what, "two-factor" | "recovery codes") {
            *n = 0;
        }
    }
    assert_eq!(after, before);
    assert!(before
        .iter()
        .filter(|(what, _)| [
            "portfolios",
            "alerts",
            "watchlist",
            "chart indicators",
            "conversations",
            "notification settings",
            "push",
            "access tokens"
        ]
        .contains(what))
        .all(|(_, n)| *n == 1));

    // A recovery code completes it.
    let code = codes[0].as_str().unwrap();
    let (status, body) = h
        .delete_account(
            &ana,
            json!({"password": PASSWORD, "code": code, "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = h.me(&ana.token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // She had written nothing: no row is left of her at all.
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {}",
            h.uuid(&ana.id)
        ))
        .await,
        0
    );
    assert!(h.belongings(&ana.id).await.iter().all(|(_, n)| *n == 0));
}

on_both!(kept_messages_show_a_deleted_user_and_every_session_ends);
async fn kept_messages_show_a_deleted_user_and_every_session_ends(h: Harness) {
    let ana = h.person("ana_lima").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let general = h.channel(&ana, "bullpen", "general").await;
    let mut ana_socket = watching(&h, &ana, &general).await;
    let mut bo_socket = watching(&h, &bo, &general).await;
    let kept = say(&mut ana_socket, &general, "this stays after I go").await;
    let bo_said = say(&mut bo_socket, &general, "replying to Ana").await;
    ana_socket
        .send(json!({"type": "react", "messageId": bo_said, "emoji": "👍", "on": true}))
        .await;
    ana_socket.expect("reactionsChanged").await;
    fill_account(&h, &ana).await;
    // Blocks both ways, and a second session of hers.
    h.ok(
        &ana,
        "/api/users/block",
        json!({"username": "cy_c", "blocked": true}),
    )
    .await;
    h.ok(
        &cy,
        "/api/users/block",
        json!({"username": "ana_lima", "blocked": true}),
    )
    .await;
    let (status, second) = h.login("ana_lima", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let mut second_socket =
        ChatClient::connect(&h.server.base, second["token"].as_str().unwrap()).await;
    bo_socket.drain(Duration::from_millis(300)).await;

    let (status, report) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "keep"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["messages"], "keep");
    assert_eq!(report["messagesAffected"], 1);

    // Her open sockets, in both sessions, are told and closed.
    for socket in [&mut ana_socket, &mut second_socket] {
        assert_eq!(socket.expect("sessionEnded").await["type"], "sessionEnded");
        assert!(
            socket
                .try_next_event(Duration::from_secs(5))
                .await
                .is_none(),
            "the socket stays open"
        );
    }
    // Bo's tab hears it: her message now shows "Deleted user", her reaction is gone.
    let gone = bo_socket.expect("accountDeleted").await;
    assert_eq!(gone["channelId"], general.as_str());
    assert_eq!(gone["userId"], ana.id.as_str());
    assert_eq!(gone["messagesRemoved"], false);
    assert_eq!(gone["author"]["displayName"], "Deleted user");
    assert_eq!(gone["author"]["deleted"], true);

    // History, for Bo and for a guest: her words under "Deleted user", no reaction of hers.
    for history in [h.channel_messages(&bo, &general).await, {
        let (_, page) = h
            .get(&format!("/api/chat/history?channelId={general}"))
            .await;
        page["messages"].as_array().unwrap().clone()
    }] {
        let hers = history.iter().find(|m| m["id"] == kept.as_str()).unwrap();
        assert_eq!(hers["body"], "this stays after I go");
        assert_eq!(hers["author"]["displayName"], "Deleted user");
        assert_eq!(hers["author"]["username"], "deleted");
        assert_eq!(hers["author"]["deleted"], true);
        let his = history
            .iter()
            .find(|m| m["id"] == bo_said.as_str())
            .unwrap();
        assert_eq!(his["reactions"], json!([]));
        assert!(
            his["author"].get("deleted").is_none(),
            "others' authors are unchanged: {his}"
        );
    }
    // Cy had blocked her; with the block gone, Cy sees the kept message too.
    assert!(h
        .channel_messages(&cy, &general)
        .await
        .iter()
        .any(|m| m["id"] == kept.as_str()));
    // She is no member any more.
    let (_, members) = h
        .get_as(&bo.token, "/api/communities/members?slug=bullpen")
        .await;
    assert!(
        !members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["userId"] == ana.id.as_str()),
        "{members}"
    );

    // Every token of hers is dead; the old credentials are the usual bad credentials.
    for token in [&ana.token, second["token"].as_str().unwrap()] {
        let (status, _) = h.me(token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for refresh in [
        ana.refresh.as_str(),
        second["refreshToken"].as_str().unwrap(),
    ] {
        let (status, _) = h
            .post("/api/auth/refresh", json!({"refreshToken": refresh}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for login in ["ana_lima", "ana_lima@example.com"] {
        let (status, body) = h.login(login, PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "bad_credentials", "{body}");
    }
    let (status, _) = h.get("/api/users/profile?username=ana_lima").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The row is a tombstone: no address, no password, no name of hers.
    let ana_row = h.uuid(&ana.id);
    let row = |column: &str| {
        let query = format!("SELECT CAST({column} AS TEXT) FROM users WHERE id = {ana_row}");
        let h = &h;
        async move { h.scalar(&query).await }
    };
    assert_eq!(row("password_hash").await, "");
    assert_eq!(row("display_name").await, "Deleted user");
    assert_eq!(row("bio").await, "");
    assert!(!row("email").await.contains("ana"), "the address is gone");
    assert!(
        !row("username_key").await.contains("ana"),
        "the username is gone"
    );
    for (what, n) in h.belongings(&ana.id).await {
        assert_eq!(n, 0, "{what} left behind");
    }

    // The address and the username are free again: a new account, not the old one.
    let again = h.person("ana_lima").await;
    assert_ne!(again.id, ana.id);
    let (status, profile) = h.get("/api/users/profile?username=ana_lima").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["id"], again.id.as_str());
    let hers = h
        .channel_messages(&again, &general)
        .await
        .into_iter()
        .find(|m| m["id"] == kept.as_str())
        .unwrap();
    assert_eq!(
        hers["author"]["displayName"], "Deleted user",
        "the old messages are not the new account's"
    );
    assert!(
        h.server.errors_logged().is_empty(),
        "{:?}",
        h.server.errors_logged()
    );
}

on_both!(removed_messages_leave_the_database);
async fn removed_messages_leave_the_database(h: Harness) {
    let ana = h.person("ana_lima").await;
    let bo = h.person("bo_b").await;
    let general = h.channel(&ana, "bullpen", "general").await;
    let mut ana_socket = watching(&h, &ana, &general).await;
    let mut bo_socket = watching(&h, &bo, &general).await;
    let first = say(&mut ana_socket, &general, "remove me please").await;
    let second = say(&mut ana_socket, &general, "and this one, $TSLA").await;
    let his = say(&mut bo_socket, &general, "Bo stays").await;
    bo_socket
        .send(json!({"type": "react", "messageId": first, "emoji": "🚀", "on": true}))
        .await;
    bo_socket.expect("reactionsChanged").await;
    bo_socket
        .send(json!({"type": "pin", "messageId": second, "pinned": true}))
        .await;
    bo_socket.drain(Duration::from_millis(300)).await;
    fill_account(&h, &ana).await;

    let (status, report) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "remove"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["messagesAffected"], 2);
    let gone = bo_socket.expect("accountDeleted").await;
    assert_eq!(gone["messagesRemoved"], true);

    // History keeps the places, not the words; Bo's message is untouched.
    let history = h.channel_messages(&bo, &general).await;
    for id in [&first, &second] {
        let m = history.iter().find(|m| m["id"] == id.as_str()).unwrap();
        assert!(m["body"].is_null(), "{m}");
        assert_eq!(m["author"]["displayName"], "Deleted user");
        assert_eq!(m["reactions"], json!([]));
        assert_eq!(m["pinned"], false);
    }
    assert_eq!(
        history.iter().find(|m| m["id"] == his.as_str()).unwrap()["body"],
        "Bo stays"
    );

    // And in the database: no text, no reactions, no translations or flags left.
    let words =
        "SELECT COUNT(*) FROM messages WHERE body LIKE '%remove me please%' OR body LIKE '%$TSLA%'";
    assert_eq!(h.count(words).await, 0);
    let hers = format!(
        "SELECT id FROM messages WHERE author_id = {}",
        h.uuid(&ana.id)
    );
    assert_eq!(h.count(&format!("SELECT COUNT(*) FROM messages WHERE author_id = {} AND (body IS NOT NULL OR deleted_at IS NULL)", h.uuid(&ana.id))).await, 0);
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM messages WHERE author_id = {}",
            h.uuid(&ana.id)
        ))
        .await,
        2
    );
    for table in ["reactions", "message_translations", "message_flags"] {
        assert_eq!(
            h.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE message_id IN ({hers})"
            ))
            .await,
            0,
            "{table}"
        );
    }
    // The places need the row, as a tombstone; everything else of hers is gone.
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND password_hash = ''",
            h.uuid(&ana.id)
        ))
        .await,
        1
    );
    for (what, n) in h.belongings(&ana.id).await {
        assert_eq!(n, 0, "{what} left behind");
    }
    let (status, _) = h
        .post("/api/auth/refresh", json!({"refreshToken": ana.refresh}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both!(owned_communities_pass_to_an_admin_or_go_with_the_account);
async fn owned_communities_pass_to_an_admin_or_go_with_the_account(h: Harness) {
    let ana = h.person("ana_lima").await;
    let bo = h.person("bo_b").await;
    let (solo, solo_general) = h.community(&ana, "Solo Desk", "public").await;
    let (night, _) = h.community(&ana, "Night Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": night}))
        .await;
    let mut socket = watching(&h, &ana, &solo_general).await;
    say(&mut socket, &solo_general, "notes to self").await;

    // Bo is a plain member: nobody to take Night Desk over, so nothing is deleted.
    let (status, body) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "keep"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let sentence = body["error"].as_str().unwrap();
    assert!(
        sentence.contains("Night Desk") && !sentence.contains("Solo Desk"),
        "{sentence}"
    );
    assert!(sentence.ends_with('.'), "{sentence}");
    let (status, _) = h.me(&ana.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM communities WHERE name IN ('Solo Desk', 'Night Desk')")
            .await,
        2
    );
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND password_hash <> ''",
            h.uuid(&ana.id)
        ))
        .await,
        1
    );

    // Once Bo is an admin, he becomes the owner; the community she was alone in goes with her.
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": night, "username": "bo_b", "rank": "admin"}),
    )
    .await;
    let (status, report) = h
        .delete_account(&ana, json!({"password": PASSWORD, "messages": "keep"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["communitiesDeleted"], json!(["Solo Desk"]));
    assert_eq!(report["communitiesHandedOver"], json!(["Night Desk"]));
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM communities WHERE slug = '{solo}'"
        ))
        .await,
        0
    );
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM channels WHERE id = {}",
            h.uuid(&solo_general)
        ))
        .await,
        0
    );
    let new_owner = format!(
        "SELECT COUNT(*) FROM communities WHERE slug = '{night}' AND owner_id = {}",
        h.uuid(&bo.id)
    );
    assert_eq!(h.count(&new_owner).await, 1);
    let (status, view) = h
        .get_as(&bo.token, &format!("/api/communities/view?slug={night}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["myRank"], "owner");
    // Her only message was in the deleted community: no row is left of her.
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {}",
            h.uuid(&ana.id)
        ))
        .await,
        0
    );
}

on_both!(two_deletions_at_once_delete_once);
async fn two_deletions_at_once_delete_once(h: Harness) {
    let ana = h.person("ana_lima").await;
    let general = h.channel(&ana, "bullpen", "general").await;
    let mut socket = watching(&h, &ana, &general).await;
    say(&mut socket, &general, "going, going").await;
    fill_account(&h, &ana).await;
    let body = json!({"password": PASSWORD, "messages": "remove"});
    let (one, two) = tokio::join!(
        h.delete_account(&ana, body.clone()),
        h.delete_account(&ana, body.clone())
    );
    let statuses = [one.0, two.0];
    assert!(
        statuses.iter().all(|s| !s.is_server_error()),
        "{one:?} {two:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{one:?} {two:?}"
    );
    let refused = if one.0 == StatusCode::OK { &two } else { &one };
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED, "{refused:?}");
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND password_hash = ''",
            h.uuid(&ana.id)
        ))
        .await,
        1
    );
    for (what, n) in h.belongings(&ana.id).await {
        assert_eq!(n, 0, "{what} left behind");
    }
    assert!(
        h.server.errors_logged().is_empty(),
        "{:?}",
        h.server.errors_logged()
    );
}

on_both!(a_page_of_another_site_cannot_delete_the_account);
async fn a_page_of_another_site_cannot_delete_the_account(h: Harness) {
    let ana = h.person("ana_lima").await;
    let cookies = browser_cookies(&h, "ana_lima").await;
    let body = json!({"password": PASSWORD, "messages": "keep"}).to_string();
    let send = |origin: &str| {
        h.http
            .post(h.server.url("/api/account/delete"))
            .header("content-type", "application/json")
            .header("cookie", &cookies)
            .header("origin", origin)
            .body(body.clone())
            .send()
    };
    // Even knowing the password, a forged request from another site is refused at the door.
    let refused = send(FOREIGN).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["code"], "forbidden_origin", "{answer}");
    let (status, _) = h.me(&ana.token).await;
    assert_eq!(status, StatusCode::OK, "nothing was deleted");

    // From the site itself it goes through, and the browser is signed out and told to forget
    // what it kept of the site.
    let done = send(&h.server.base).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let cleared: Vec<String> = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    for name in ["bullpen_access=;", "bullpen_refresh=;"] {
        assert!(
            cleared
                .iter()
                .any(|c| c.starts_with(name) && c.contains("Max-Age=0")),
            "{cleared:?}"
        );
    }
    assert_eq!(done.headers()["clear-site-data"], "\"storage\"");
    let response = h
        .http
        .get(h.server.url("/api/account/export"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "the old cookie downloads nothing"
    );
}
