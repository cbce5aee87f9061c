//! `/api/docs`: the public API's reference as a page people can read, drawn from the same
//! OpenAPI document `/api/v1/openapi.json` serves (so the page cannot drift from the code). It
//! is plain server-rendered HTML with its own small stylesheet (`STYLESHEET`, a file of the
//! server: the site's CSP allows no inline style): no script, nothing fetched from elsewhere
//! (the app works offline), light or dark as the reader's system is.

use leptos_i18n::Locale as _;
use serde_json::Value;

use crate::kit::{i18n::Locale, sentences::says};

/// One operation of the document: its method, its path and what the document says of it.
type Operation<'a> = (String, String, &'a Value);

/// The page for `doc` (an OpenAPI 3 document as JSON), its own words in `locale`; `origin`
/// (this server's address as the reader reached it) goes into the examples.
pub fn page(doc: &Value, locale: Locale, origin: &str) -> String {
    let say = |s: crate::kit::sentences::Sentence| escape(&s.render(locale));
    let mut operations = String::new();
    let mut contents = String::new();
    let mut by_tag: Vec<(String, Vec<Operation>)> = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let tag = op["tags"][0].as_str().unwrap_or("api").to_string();
                match by_tag.iter_mut().find(|(t, _)| *t == tag) {
                    Some((_, ops)) => ops.push((method.to_string(), path.clone(), op)),
                    None => by_tag.push((tag, vec![(method.to_string(), path.clone(), op)])),
                }
            }
        }
    }
    for (tag, ops) in &by_tag {
        let description = doc["tags"]
            .as_array()
            .and_then(|tags| tags.iter().find(|t| t["name"] == tag.as_str()))
            .and_then(|t| t["description"].as_str())
            .unwrap_or("");
        contents.push_str(&format!(
            "<li><a href=\"#tag-{id}\">{name}</a></li>",
            id = escape(tag),
            name = escape(tag)
        ));
        operations.push_str(&format!(
            "<section class=\"tag\" aria-labelledby=\"tag-{id}\"><h2 id=\"tag-{id}\">{name}</h2><p>{description}</p>",
            id = escape(tag),
            name = escape(tag),
            description = escape(description)
        ));
        for (method, path, op) in ops {
            operations.push_str(&operation(method, path, op, origin, &say));
        }
        operations.push_str("</section>");
    }
    let schemas = schemas(doc, &say);
    let title = say(says!("server.api_docs.title"));
    format!(
        r##"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{STYLESHEET}">
</head>
<body>
<header><a class="home" href="/">Bullpen</a></header>
<main>
<h1>{title}</h1>
<p>{intro}</p>
<nav aria-label="{contents_label}"><ul>{contents}<li><a href="#schemas">{schemas_label}</a></li></ul></nav>
<section aria-labelledby="start"><h2 id="start">{auth_title}</h2>
<p>{auth_body}</p>
<pre><code>curl -H "Authorization: Bearer bp_…" {origin}/api/v1/me</code></pre>
<p>{errors_body}</p>
<pre><code>{{"error": "…", "code": "rate_limited", "retryAfterSecs": 42}}</code></pre>
<p>{limits_body}</p>
<p><a href="/api/v1/openapi.json">{document}</a></p>
</section>
{operations}
<section aria-labelledby="schemas"><h2 id="schemas">{schemas_label}</h2>{schemas}</section>
</main>
</body>
</html>"##,
        lang = locale.as_str(),
        intro = say(says!("server.api_docs.intro")),
        contents_label = say(says!("server.api_docs.contents")),
        auth_title = say(says!("server.api_docs.start")),
        auth_body = say(says!("server.api_docs.auth")),
        origin = escape(origin),
        errors_body = say(says!("server.api_docs.errors")),
        limits_body = say(says!("server.api_docs.limits")),
        document = say(says!("server.api_docs.document")),
        schemas_label = say(says!("server.api_docs.schemas")),
    )
}

/// Text as HTML text or an attribute's value.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn operation(
    method: &str,
    path: &str,
    op: &Value,
    origin: &str,
    say: &impl Fn(crate::kit::sentences::Sentence) -> String,
) -> String {
    let mut html = format!(
        "<article class=\"op\"><h3><span class=\"method {method}\">{upper}</span> <code>{path}</code></h3>",
        upper = method.to_ascii_uppercase(),
        path = escape(path)
    );
    if let Some(summary) = op["summary"].as_str() {
        html.push_str(&format!("<p class=\"summary\">{}</p>", escape(summary)));
    }
    if let Some(description) = op["description"].as_str() {
        html.push_str(&format!("<p>{}</p>", escape(description)));
    }
    let scopes: Vec<&str> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["bearer"].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    html.push_str("<dl>");
    if !secured {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            say(says!("server.api_docs.sign_in")),
            say(says!("server.api_docs.public"))
        ));
    } else {
        let scopes = if scopes.is_empty() {
            say(says!("server.api_docs.any_token"))
        } else {
            scopes
                .iter()
                .map(|s| format!("<code>{}</code>", escape(s)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        html.push_str(&format!(
            "<dt>{}</dt><dd>{scopes}</dd>",
            say(says!("server.api_docs.scopes"))
        ));
    }
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str(&format!(
            "<dt>{}</dt><dd><ul>",
            say(says!("server.api_docs.parameters"))
        ));
        for p in params {
            html.push_str(&format!(
                "<li><code>{name}</code> <span class=\"muted\">({place}{required})</span> {description}</li>",
                name = escape(p["name"].as_str().unwrap_or("")),
                place = escape(p["in"].as_str().unwrap_or("")),
                required = if p["required"] == true { ", required" } else { "" },
                description = escape(p["description"].as_str().unwrap_or(""))
            ));
        }
        html.push_str("</ul></dd>");
    }
    if let Some(body) = op["requestBody"]["content"]["application/json"]["schema"].as_object() {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            say(says!("server.api_docs.body")),
            schema_name(&Value::Object(body.clone()))
        ));
    }
    if let Some(responses) = op["responses"].as_object() {
        html.push_str(&format!(
            "<dt>{}</dt><dd><ul>",
            say(says!("server.api_docs.responses"))
        ));
        for (status, response) in responses {
            let body = response["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| format!(" → {}", schema_name(&Value::Object(s.clone()))))
                .unwrap_or_default();
            html.push_str(&format!(
                "<li><code>{status}</code> {description}{body}</li>",
                status = escape(status),
                description = escape(response["description"].as_str().unwrap_or(""))
            ));
        }
        html.push_str("</ul></dd>");
    }
    html.push_str(&format!(
        "</dl><pre><code>{}</code></pre></article>",
        escape(&curl(method, path, op, origin))
    ));
    html
}

/// The operation as a `curl` command: its address (with the arguments it requires), the token
/// when it needs one, and the document's example body.
fn curl(method: &str, path: &str, op: &Value, origin: &str) -> String {
    let mut command = String::from("curl");
    if method != "get" {
        command.push_str(&format!(" -X {}", method.to_ascii_uppercase()));
    }
    let query: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .filter_map(|p| p["name"].as_str())
        .map(|name| format!("{name}=…"))
        .collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    command.push_str(&format!(" \"{origin}{path}{query}\""));
    if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
        command.push_str(" -H \"Authorization: Bearer bp_…\"");
    }
    let content = &op["requestBody"]["content"];
    if content.get("application/octet-stream").is_some() {
        command.push_str(" -H \"Content-Type: application/octet-stream\" --data-binary @file");
    } else if let Some(example) = content["application/json"].get("example") {
        command.push_str(&format!(
            " -H \"Content-Type: application/json\" -d '{example}'"
        ));
    }
    command
}

/// A schema's name as a link to it (`#/components/schemas/X`), or its shape in short.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!(
            "<a href=\"#schema-{id}\"><code>{name}</code></a>",
            id = escape(name),
            name = escape(name)
        );
    }
    if schema["type"] == "array" {
        return format!("[{}]", schema_name(&schema["items"]));
    }
    if let Some(any) = schema["oneOf"].as_array() {
        return any.iter().map(schema_name).collect::<Vec<_>>().join(" | ");
    }
    match &schema["type"] {
        Value::String(t) => format!("<code>{}</code>", escape(t)),
        Value::Array(types) => format!(
            "<code>{}</code>",
            escape(
                &types
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        ),
        _ => "<code>object</code>".into(),
    }
}

fn schemas(doc: &Value, say: &impl Fn(crate::kit::sentences::Sentence) -> String) -> String {
    let mut html = String::new();
    let Some(schemas) = doc["components"]["schemas"].as_object() else {
        return html;
    };
    for (name, schema) in schemas {
        html.push_str(&format!(
            "<article class=\"schema\" id=\"schema-{id}\"><h3><code>{name}</code></h3>",
            id = escape(name),
            name = escape(name)
        ));
        if let Some(description) = schema["description"].as_str() {
            html.push_str(&format!("<p>{}</p>", escape(description)));
        }
        if let Some(values) = schema["enum"].as_array() {
            html.push_str(&format!(
                "<p>{} {}</p>",
                say(says!("server.api_docs.one_of")),
                values
                    .iter()
                    .map(|v| format!("<code>{}</code>", escape(&v.to_string())))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        if let Some(properties) = schema["properties"].as_object() {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            html.push_str("<ul>");
            for (field, property) in properties {
                html.push_str(&format!(
                    "<li><code>{field}</code>{optional}: {shape} {description}</li>",
                    field = escape(field),
                    optional = if required.contains(&field.as_str()) {
                        ""
                    } else {
                        "?"
                    },
                    shape = schema_name(property),
                    description = escape(property["description"].as_str().unwrap_or(""))
                ));
            }
            html.push_str("</ul>");
        }
        html.push_str("</article>");
    }
    html
}

/// Where the page's stylesheet is served (the site's CSP allows no inline style).
pub const STYLESHEET: &str = "/api/docs/style.css";

pub const STYLE: &str = "
:root{color-scheme:light dark;--bg:#f7f8fa;--fg:#16181d;--muted:#555b66;--card:#fff;--line:#d9dde3;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#111318;--fg:#e8eaef;--muted:#a9afba;--card:#1b1e25;--line:#313642;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}
header{padding:.75rem 1rem;border-bottom:1px solid var(--line);background:var(--card)}
.home{font-weight:700;color:var(--fg);text-decoration:none}
main{max-width:60rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
a{color:var(--link)}
h1{font-size:1.75rem}
h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1rem;margin:0 0 .5rem;overflow-wrap:anywhere}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
code{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
nav ul{display:flex;flex-wrap:wrap;gap:.5rem 1rem;padding:0;list-style:none}
.op,.schema{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0}
.method{display:inline-block;min-width:4.5rem;text-align:center;border-radius:4px;padding:0 .4rem;font-size:.8rem;color:#fff;background:#3b4252}
.method.get{background:#1f6f43}.method.post{background:#0b57d0}.method.put{background:#6b3fa0}.method.patch{background:#8a4b00}.method.delete{background:#b3261e}
.summary{font-weight:600}
.muted{color:var(--muted)}
dt{font-weight:600;margin-top:.5rem}
dd{margin-left:0}
dd ul,.schema ul{margin:.25rem 0;padding-left:1.25rem}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_each_operation_escaped_with_its_scopes() {
        let doc = serde_json::json!({
            "tags": [{"name": "messages", "description": "Send & read"}],
            "paths": {
                "/api/v1/channels/{channel_id}/messages": {
                    "post": {
                        "tags": ["messages"],
                        "summary": "Send a <message>",
                        "security": [{"bearer": ["chat:write"]}],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMessage"}}}},
                        "responses": {"201": {"description": "Stored"}}
                    }
                },
                "/api/v1/market/quotes/{symbol}": {
                    "get": {"tags": ["market"], "responses": {"200": {"description": "The quote"}}}
                }
            },
            "components": {"schemas": {"NewMessage": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string"}, "replyTo": {"type": ["string", "null"]}}}}}
        });
        let html = page(&doc, Locale::en, "http://127.0.0.1:3000");
        assert!(html.contains("http://127.0.0.1:3000/api/v1/me"));
        assert!(html.contains("Send a &lt;message&gt;"));
        assert!(html.contains("Send &amp; read"));
        assert!(html.contains("<code>chat:write</code>"));
        assert!(html.contains("href=\"#schema-NewMessage\""));
        assert!(html.contains("id=\"schema-NewMessage\""));
        assert!(html.contains("<code>body</code>: <code>string</code>"));
        assert!(html.contains("<code>replyTo</code>?"));
        // The market route names no security: anyone may call it.
        let market = &html[html.find("/api/v1/market").unwrap()..];
        assert!(market.contains(&says!("server.api_docs.public").render(Locale::en)));
        let turkish = page(&doc, Locale::tr, "");
        assert!(turkish.starts_with("<!DOCTYPE html>\n<html lang=\"tr\">"));
    }
}
