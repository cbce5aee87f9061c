//! Polls as people use and misuse them: asked in a channel as a message, voted, changed and
//! taken back, the result reaching everyone in the channel live; one ballot per person however
//! many votes arrive at once; anonymous polls name nobody; a closed poll keeps its result and
//! takes no vote; outsiders and bad input are refused in words. On SQLite and (when
//! TEST_DATABASE_URL is set) PostgreSQL.

use crate::common;

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn ask(h: &Harness, who: &Person, channel: &str, poll: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/polls/ask",
        json!({"channelId": channel, "poll": poll}),
    )
    .await
}

async fn vote(h: &Harness, who: &Person, message: &str, choices: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/polls/vote",
        json!({"messageId": message, "choices": choices}),
    )
    .await
}

fn votes(poll: &Value) -> Vec<u64> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_u64().unwrap())
        .collect()
}

/// The next changed poll a socket hears of (`partChanged` of kind `poll`); the poll as its
/// message now carries it is the event's `part`.
async fn poll_changed(socket: &mut common::ws::ChatClient) -> Value {
    let changed = socket.expect("partChanged").await;
    assert_eq!(changed["kind"], "poll", "{changed}");
    changed
}

on_both!(polls_are_asked_voted_and_seen_live);
async fn polls_are_asked_voted_and_seen_live(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dan = h.person("dan_d").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let mut cy_socket = h.socket(&cy).await;
    cy_socket.subscribe(&general, None).await;

    let (status, message) = ask(
        &h,
        &ana,
        &general,
        json!({"question": "Where does $AAPL close Friday?", "options": [" Up ", "Down", "Flat"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    assert_eq!(message["body"], "Where does $AAPL close Friday?");
    let poll = &message["poll"];
    assert_eq!(poll["kind"], "single");
    assert_eq!(poll["options"][0]["label"], "Up");
    assert_eq!(votes(poll), [0, 0, 0]);
    let id = message["id"].as_str().unwrap().to_string();
    // Everyone in the channel gets it as a message with its poll.
    let created = cy_socket.expect("messageCreated").await;
    assert_eq!(created["message"]["poll"]["options"][2]["label"], "Flat");

    // Bo votes; Cy sees the result move; Bo's name is on his answer.
    let (status, voted) = vote(&h, &bo, &id, json!([0])).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(votes(&voted["poll"]), [1, 0, 0]);
    assert_eq!(voted["ballot"]["choices"], json!([0]));
    assert_eq!(voted["poll"]["options"][0]["voters"][0]["username"], "bo_b");
    let live = poll_changed(&mut cy_socket).await;
    assert_eq!(live["messageId"], id.as_str());
    assert_eq!(votes(&live["part"]), [1, 0, 0]);

    // He changes his mind: still one voter.
    let (_, changed) = vote(&h, &bo, &id, json!([2])).await;
    assert_eq!(votes(&changed["poll"]), [0, 0, 1]);
    assert_eq!(changed["poll"]["voters"], 1);
    assert_eq!(
        votes(&poll_changed(&mut cy_socket).await["part"]),
        [0, 0, 1]
    );
    let (_, ballot) = h
        .read(&bo, &format!("/api/polls/ballot?messageId={id}"))
        .await;
    assert_eq!(ballot["choices"], json!([2]));

    // One answer only, and only answers that exist; nothing changes.
    for (choices, says) in [(json!([0, 1]), "one answer"), (json!([7]), "no answer 8")] {
        let (status, refused) = vote(&h, &bo, &id, choices).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"].as_str().unwrap().contains(says),
            "{refused}"
        );
    }
    // Twenty votes of Cy's at once: one ballot, the last one's.
    let answers =
        futures::future::join_all((0..20).map(|n| vote(&h, &cy, &id, json!([n % 3])))).await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM poll_ballots WHERE user_id IN (SELECT id FROM users WHERE username = 'cy_c')")
            .await,
        1
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM poll_choices WHERE user_id IN (SELECT id FROM users WHERE username = 'cy_c')")
            .await,
        1
    );
    // Taking the vote back.
    let (_, back) = vote(&h, &bo, &id, json!([])).await;
    assert_eq!(back["ballot"]["choices"], json!([]));
    assert_eq!(back["poll"]["voters"], 1);

    // The history shows the result as it stands.
    let (_, page) = h
        .read(&ana, &format!("/api/chat/history?channelId={general}"))
        .await;
    let shown = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap()["poll"]
        .clone();
    assert_eq!(shown["voters"], 1, "{shown}");

    // Dan reads the public channel but is no member: he cannot vote.
    let (status, refused) = vote(&h, &dan, &id, json!([0])).await;
    assert!(status.is_client_error(), "{status} {refused}");
    assert!(refused["error"].is_string(), "{refused}");
    // Nor can anyone unsigned, nor a message without a poll, nor a malformed id.
    let (status, _) = h
        .post("/api/polls/vote", json!({"messageId": id, "choices": [0]}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    cy_socket.say(&general, "p", "no poll here").await;
    let said = cy_socket.expect("messageCreated").await;
    let plain_id = said["message"]["id"].as_str().unwrap();
    let (status, refused) = vote(&h, &bo, plain_id, json!([0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    let (status, _) = vote(&h, &bo, "not-an-id", json!([0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A deleted poll message takes no votes.
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    ana_socket
        .send(json!({"type": "delete", "messageId": id}))
        .await;
    ana_socket.expect("messageDeleted").await;
    let (status, _) = vote(&h, &bo, &id, json!([1])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both!(anonymous_several_answer_and_closed_polls);
async fn anonymous_several_answer_and_closed_polls(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;

    let (status, message) = ask(
        &h,
        &ana,
        &general,
        json!({"question": "Which sectors this quarter?", "options": ["Energy", "Banks", "Semis"],
               "kind": "multiple", "anonymous": true, "closesInMinutes": 60}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    let id = message["id"].as_str().unwrap().to_string();
    assert!(message["poll"]["closesAt"].is_string());
    assert_eq!(message["poll"]["closed"], false);
    let (status, voted) = vote(&h, &bo, &id, json!([0, 2, 2])).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(votes(&voted["poll"]), [1, 0, 1]);
    assert_eq!(voted["ballot"]["choices"], json!([0, 2]));
    // Anonymous: counts, never names.
    assert!(
        voted["poll"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["voters"] == json!([])),
        "{voted}"
    );
    assert!(!voted.to_string().contains("bo_b"), "{voted}");

    // Its time passes: the result stays, votes are refused.
    // (The only poll there is.)
    h.scalar("UPDATE polls SET closes_at = created_at RETURNING 'closed'")
        .await;
    let (status, refused) = vote(&h, &ana, &id, json!([1])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("closed"),
        "{refused}"
    );
    let (_, page) = h
        .read(&bo, &format!("/api/chat/history?channelId={general}"))
        .await;
    let shown = &page["messages"].as_array().unwrap().last().unwrap()["poll"];
    assert_eq!(shown["closed"], true, "{shown}");
    assert_eq!(votes(shown), [1, 0, 1]);

    // Bad polls are refused with their sentence, and leave no message.
    for (poll, says) in [
        (json!({"question": "Up?", "options": ["Yes"]}), "at least 2"),
        (
            json!({"question": "Up?", "options": ["1","2","3","4","5","6","7","8","9","10","11"]}),
            "at most 10",
        ),
        (json!({"question": "Up?", "options": ["Yes", " "]}), "empty"),
        (
            json!({"question": "Up?", "options": ["Yes", "YES"]}),
            "twice",
        ),
        (
            json!({"question": " ", "options": ["Yes", "No"]}),
            "Write something",
        ),
        (
            json!({"question": "Up?", "options": ["Yes", "No"], "closesInMinutes": 0}),
            "30 days",
        ),
    ] {
        let (status, refused) = ask(&h, &ana, &general, poll).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"].as_str().unwrap().contains(says),
            "{says}: {refused}"
        );
    }
    assert_eq!(h.count("SELECT COUNT(*) FROM polls").await, 1);
    // Only where one may post.
    let outsider = h.person("eve_e").await;
    let (status, _) = ask(
        &h,
        &outsider,
        &general,
        json!({"question": "Up?", "options": ["Yes", "No"]}),
    )
    .await;
    assert!(status.is_client_error());
    assert_eq!(h.count("SELECT COUNT(*) FROM polls").await, 1);
}

on_both!(price_target_polls_take_numbers_and_show_their_spread_against_the_price);
async fn price_target_polls_take_numbers_and_show_their_spread_against_the_price(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Targets", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let mut cy_socket = h.socket(&cy).await;
    cy_socket.subscribe(&general, None).await;

    // A stock is needed, and only one.
    for symbol in [json!(null), json!("not a ticker")] {
        let (status, refused) = ask(
            &h,
            &ana,
            &general,
            json!({"question": "Where is IBM on Friday?", "options": [], "kind": "target", "symbol": symbol}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("names its stock"),
            "{refused}"
        );
    }
    let (status, message) = ask(
        &h,
        &ana,
        &general,
        json!({"question": "Where is IBM on Friday?", "options": [], "kind": "target", "symbol": "$ibm"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    let poll = &message["poll"];
    assert_eq!(poll["kind"], "target");
    assert_eq!(poll["symbol"], "IBM");
    assert_eq!(poll["options"], json!([]));
    assert_eq!(poll["targets"]["median"], Value::Null);
    let id = message["id"].as_str().unwrap().to_string();
    cy_socket.expect("messageCreated").await;
    // The price it is against: the offline source's, labelled simulated.
    let (status, price) = h
        .read(&bo, &format!("/api/polls/price?messageId={id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{price}");
    let now = price["price"].as_f64().expect("a price");
    assert!(now > 0.0);
    assert_eq!(price["simulated"], true);

    let target = |who: &Person, n: Value| {
        let h = &h;
        let id = id.clone();
        let who_token = who.token.clone();
        async move {
            h.post_as(
                &who_token,
                "/api/polls/vote",
                json!({"messageId": id, "target": n}),
            )
            .await
        }
    };
    let (status, voted) = target(&bo, json!(now * 1.10)).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(voted["poll"]["voters"], 1);
    let spread = &voted["poll"]["targets"];
    let bo_said = (now * 1.10 * 10_000.0).round() / 10_000.0;
    assert_eq!(spread["median"].as_f64(), Some(bo_said));
    assert_eq!(spread["guesses"][0]["person"]["username"], "bo_b");
    assert_eq!(voted["ballot"]["target"].as_f64(), Some(bo_said));
    // The bins reach from the price to the highest target, and hold every answer.
    let bins = spread["bins"].as_array().unwrap();
    assert!(bins[0]["from"].as_f64().unwrap() <= now);
    assert!(bins.last().unwrap()["to"].as_f64().unwrap() >= bo_said);
    assert_eq!(
        bins.iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum::<u64>(),
        1
    );
    assert_eq!(spread["price"]["price"].as_f64(), Some(now));
    let live = poll_changed(&mut cy_socket).await;
    assert_eq!(live["part"]["targets"]["median"].as_f64(), Some(bo_said));

    // Twenty answers of Cy's at once: one ballot, and the median of two.
    let answers =
        futures::future::join_all((1..=20).map(|n| target(&cy, json!(100.0 + n as f64)))).await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM poll_ballots WHERE user_id IN (SELECT id FROM users WHERE username = 'cy_c')")
            .await,
        1
    );
    let (_, ballot) = h
        .read(&cy, &format!("/api/polls/ballot?messageId={id}"))
        .await;
    let cy_said = ballot["target"].as_f64().expect("a target");
    let (_, page) = h
        .read(&ana, &format!("/api/chat/history?channelId={general}"))
        .await;
    let shown = &page["messages"].as_array().unwrap().last().unwrap()["poll"];
    assert_eq!(shown["voters"], 2, "{shown}");
    // Numbers cross JSON twice on their way here: equal to the last few digits.
    let median = shown["targets"]["median"].as_f64().expect("a median");
    assert!(
        (median - (bo_said + cy_said) / 2.0).abs() < 1e-6,
        "{median} against {bo_said} and {cy_said}"
    );

    // Not a number worth naming, or answers where a number is asked: refused in words.
    for (body, says) in [
        (json!({"messageId": id, "target": -5}), "above 0"),
        (json!({"messageId": id, "target": 0}), "above 0"),
        (json!({"messageId": id, "target": 2e12}), "billion"),
        (json!({"messageId": id, "choices": [0]}), "no answer 1"),
    ] {
        let (status, refused) = h.call(&bo, "/api/polls/vote", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"].as_str().unwrap().contains(says),
            "{says}: {refused}"
        );
    }
    // A number where answers are asked.
    let (_, choice) = ask(
        &h,
        &ana,
        &general,
        json!({"question": "Up?", "options": ["Yes", "No"]}),
    )
    .await;
    let (status, refused) = h
        .call(
            &bo,
            "/api/polls/vote",
            json!({"messageId": choice["id"], "target": 12}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("not a number"),
        "{refused}"
    );
    // Taking a target back.
    let (_, back) = target(&bo, Value::Null).await;
    assert_eq!(back["ballot"]["target"], Value::Null);
    assert_eq!(back["poll"]["voters"], 1);
}
