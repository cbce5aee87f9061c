//! The markdown subset messages are written in: **bold**, *italic* / _italic_, `code`, fenced
//! code blocks, [links](https://…), bare https links, `- ` / `1. ` lists and `> ` quotes, plus
//! @mentions and $cashtags.
//!
//! Parsing produces a tree of typed nodes, never HTML: the view renders text as text nodes, so
//! markup in a message (`<script>`, `<img onerror>`) can only ever show up as the characters
//! typed. Links keep only http, https and mailto targets.

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    Quote(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    Code(String),
}

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(Vec<Inline>),
    Italic(Vec<Inline>),
    Code(String),
    Link {
        href: String,
        text: String,
    },
    /// `@username`, without the `@`.
    Mention(String),
    /// `$AAPL`, upper-cased, without the `$`.
    Cashtag(String),
    LineBreak,
}

/// Parses a message into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().peekable();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inline_lines(paragraph)));
            paragraph.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut paragraph, &mut blocks);
            let mut code = Vec::new();
            for line in lines.by_ref() {
                if line.trim_start().starts_with("```") {
                    break;
                }
                code.push(line);
            }
            blocks.push(Block::Code(code.join("\n")));
        } else if let Some(rest) = quote_line(trimmed) {
            flush(&mut paragraph, &mut blocks);
            let mut quoted = vec![rest];
            while let Some(rest) = lines.peek().and_then(|l| quote_line(l.trim_start())) {
                quoted.push(rest);
                lines.next();
            }
            blocks.push(Block::Quote(inline_lines(&quoted)));
        } else if let Some((ordered, item)) = list_item(trimmed) {
            flush(&mut paragraph, &mut blocks);
            let mut items = vec![parse_inline(item)];
            while let Some((same, item)) = lines.peek().and_then(|l| list_item(l.trim_start())) {
                if same != ordered {
                    break;
                }
                items.push(parse_inline(item));
                lines.next();
            }
            blocks.push(Block::List { ordered, items });
        } else if trimmed.is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

/// The usernames a message mentions, in order, without duplicates.
pub fn mentions(text: &str) -> Vec<String> {
    collect(text, |inline| match inline {
        Inline::Mention(name) => Some(name),
        _ => None,
    })
}

/// The symbols a message's $cashtags name (upper-cased, "AAPL.US"), in order, without
/// duplicates; a cashtag inside code is not one.
pub fn cashtags(text: &str) -> Vec<String> {
    collect(text, |inline| match inline {
        Inline::Cashtag(symbol) => Some(symbol),
        _ => None,
    })
}

/// The symbol a field names ("aapl", "$AAPL", "sap.de" → "AAPL", "SAP.DE") when the whole of
/// it is one cashtag; none otherwise ("not a ticker" holds $NOT, and more).
pub fn symbol_of(field: &str) -> Option<String> {
    let bare = field.trim().trim_start_matches('$');
    match cashtags(&format!("${bare}")).as_slice() {
        [one] if one.eq_ignore_ascii_case(bare) && one.len() <= 20 => Some(one.clone()),
        _ => None,
    }
}

fn collect(text: &str, pick: impl Fn(&Inline) -> Option<&String>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut visit = |inline: &Inline| {
        if let Some(name) = pick(inline) {
            if !found.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                found.push(name.clone());
            }
        }
    };
    for block in parse(text) {
        match block {
            Block::Paragraph(inlines) | Block::Quote(inlines) => walk(&inlines, &mut visit),
            Block::List { items, .. } => items.iter().for_each(|i| walk(i, &mut visit)),
            Block::Code(_) => {}
        }
    }
    found
}

/// Text to put into a message as it is: every ASCII punctuation mark is escaped, so whatever it
/// holds (`[x](https://…)`, `**`, `@name`, a bare link) shows as the characters, never as markup.
/// For the app's own messages that quote what someone typed.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The words of a message without its markup ("**big** `x`" → "big x").
pub fn plain_text(text: &str) -> String {
    fn inline(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Bold(inner) | Inline::Italic(inner) => inline(inner, out),
                Inline::Link { text, .. } => out.push_str(text),
                Inline::Mention(name) => {
                    out.push('@');
                    out.push_str(name);
                }
                Inline::Cashtag(symbol) => {
                    out.push('$');
                    out.push_str(symbol);
                }
                Inline::LineBreak => out.push(' '),
            }
        }
    }
    let mut out = String::new();
    for block in parse(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        match block {
            Block::Paragraph(inlines) | Block::Quote(inlines) => inline(&inlines, &mut out),
            Block::List { items, .. } => {
                for item in items {
                    inline(&item, &mut out);
                    out.push(' ');
                }
            }
            Block::Code(code) => out.push_str(&code),
        }
    }
    out
}

/// A plain-text excerpt (for quotes and notifications): markup removed, at most `max` chars.
pub fn excerpt(text: &str, max: usize) -> String {
    let plain = plain_text(text);
    let flat: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn walk(inlines: &[Inline], visit: &mut impl FnMut(&Inline)) {
    for inline in inlines {
        visit(inline);
        if let Inline::Bold(inner) | Inline::Italic(inner) = inline {
            walk(inner, visit);
        }
    }
}

fn quote_line(line: &str) -> Option<&str> {
    line.strip_prefix("> ")
        .or_else(|| (line == ">").then_some(""))
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((true, rest));
        }
    }
    None
}

fn inline_lines(lines: &[&str]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(Inline::LineBreak);
        }
        out.extend(parse_inline(line));
    }
    out
}

/// Parses the inline markup of one line.
pub fn parse_inline(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        // A backslash makes the next punctuation mark literal: \*not italic\*
        if chars[i] == '\\' && chars.get(i + 1).is_some_and(|c| c.is_ascii_punctuation()) {
            plain.push(chars[i + 1]);
            i += 2;
            continue;
        }
        let at_word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let parsed = match chars[i] {
            '`' => code_span(&chars, i),
            '*' if chars.get(i + 1) == Some(&'*') => delimited(&chars, i, "**", Inline::Bold),
            '*' => delimited(&chars, i, "*", Inline::Italic),
            '_' if at_word_start => delimited(&chars, i, "_", Inline::Italic),
            '[' => link(&chars, i),
            'h' if at_word_start => autolink(&chars, i),
            '@' if at_word_start => mention(&chars, i),
            '$' if at_word_start => cashtag(&chars, i),
            _ => None,
        };
        match parsed {
            Some((inline, next)) => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(inline);
                i = next;
            }
            None => {
                plain.push(chars[i]);
                i += 1;
            }
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

fn find(chars: &[char], from: usize, pattern: &str) -> Option<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    (from..=chars.len().checked_sub(pattern.len())?)
        .find(|&j| chars[j..j + pattern.len()] == pattern[..])
}

fn code_span(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let end = find(chars, i + 1, "`")?;
    (end > i + 1).then(|| (Inline::Code(chars[i + 1..end].iter().collect()), end + 1))
}

fn delimited(
    chars: &[char],
    i: usize,
    marker: &str,
    make: fn(Vec<Inline>) -> Inline,
) -> Option<(Inline, usize)> {
    let width = marker.chars().count();
    let start = i + width;
    // "* item" or "2 * 3" is not emphasis: the text must hug the markers.
    if chars.get(start).is_none_or(|c| c.is_whitespace()) {
        return None;
    }
    let end = find(chars, start, marker)?;
    if end == start || chars[end - 1].is_whitespace() {
        return None;
    }
    // A closing underscore inside a word (snake_case) does not close.
    if marker == "_" && chars.get(end + 1).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let inner: String = chars[start..end].iter().collect();
    Some((make(parse_inline(&inner)), end + width))
}

fn safe_href(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

fn link(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let close = find(chars, i + 1, "](")?;
    let end = find(chars, close + 2, ")")?;
    let text: String = chars[i + 1..close].iter().collect();
    let href: String = chars[close + 2..end].iter().collect();
    (!text.is_empty() && safe_href(&href)).then_some((Inline::Link { href, text }, end + 1))
}

fn autolink(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let rest: String = chars[i..].iter().take(8).collect();
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return None;
    }
    let mut end = i;
    while end < chars.len() && !chars[end].is_whitespace() && chars[end] != '<' && chars[end] != '>'
    {
        end += 1;
    }
    // Punctuation that ends a sentence is not part of the link.
    while end > i
        && matches!(
            chars[end - 1],
            '.' | ',' | ')' | '!' | '?' | ';' | ':' | '"' | '\''
        )
    {
        end -= 1;
    }
    let href: String = chars[i..end].iter().collect();
    (href.len() > "https://".len() && safe_href(&href)).then(|| {
        (
            Inline::Link {
                text: href.clone(),
                href,
            },
            end,
        )
    })
}

fn mention(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let mut end = i + 1;
    while end < chars.len()
        && (chars[end].is_alphanumeric() || matches!(chars[end], '_' | '.' | '-'))
    {
        end += 1;
    }
    while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
        end -= 1;
    }
    let name: String = chars[i + 1..end].iter().collect();
    (3..=32)
        .contains(&name.chars().count())
        .then_some((Inline::Mention(name), end))
}

fn cashtag(chars: &[char], i: usize) -> Option<(Inline, usize)> {
    let letters = chars[i + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if !(1..=6).contains(&letters) {
        return None;
    }
    let mut end = i + 1 + letters;
    // An exchange suffix: $AAPL.US, $THYAO.IS
    if chars.get(end) == Some(&'.') {
        let suffix = chars[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if (1..=3).contains(&suffix) {
            end += 1 + suffix;
        }
    }
    if chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let symbol: String = chars[i + 1..end]
        .iter()
        .collect::<String>()
        .to_ascii_uppercase();
    Some((Inline::Cashtag(symbol), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_names_a_symbol_only_when_it_is_one_whole_cashtag() {
        assert_eq!(symbol_of(" $aapl ").as_deref(), Some("AAPL"));
        assert_eq!(symbol_of("sap.de").as_deref(), Some("SAP.DE"));
        assert_eq!(symbol_of("not a ticker"), None);
        assert_eq!(symbol_of(""), None);
        assert_eq!(symbol_of("$$"), None);
    }
    use Inline::*;

    #[test]
    fn escaped_text_reads_as_typed_and_makes_no_markup() {
        for typed in [
            "[free money](https://evil.example)",
            "https://evil.example",
            "**loud** @ana $AAPL `x`",
            "> quote\\",
        ] {
            let blocks = parse(&escape(typed));
            assert_eq!(
                blocks,
                vec![Block::Paragraph(vec![Text(typed.to_string())])],
                "{typed}"
            );
        }
    }

    fn text(s: &str) -> Inline {
        Text(s.into())
    }

    #[test]
    fn html_is_only_ever_text() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">click</a>",
        ] {
            assert_eq!(
                parse(attack),
                vec![Block::Paragraph(vec![text(attack)])],
                "{attack}"
            );
        }
    }

    #[test]
    fn links_keep_only_safe_schemes() {
        assert_eq!(
            parse_inline("[docs](https://example.com/a?b=1)"),
            vec![Link {
                href: "https://example.com/a?b=1".into(),
                text: "docs".into()
            }]
        );
        for unsafe_link in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](data:text/html,<script>)",
            "[x](vbscript:msgbox)",
            "[x](https://a.com/\"onmouseover=\")",
        ] {
            assert!(
                !parse_inline(unsafe_link)
                    .iter()
                    .any(|i| matches!(i, Link { .. })),
                "{unsafe_link}"
            );
        }
        assert_eq!(
            parse_inline("see https://bullpen.example/x."),
            vec![
                text("see "),
                Link {
                    href: "https://bullpen.example/x".into(),
                    text: "https://bullpen.example/x".into()
                },
                text("."),
            ]
        );
    }

    #[test]
    fn emphasis_and_code() {
        assert_eq!(
            parse_inline("**big** and *small* and _also_ `x < y`"),
            vec![
                Bold(vec![text("big")]),
                text(" and "),
                Italic(vec![text("small")]),
                text(" and "),
                Italic(vec![text("also")]),
                text(" "),
                Code("x < y".into()),
            ]
        );
        assert_eq!(parse_inline("2 * 3 * 4"), vec![text("2 * 3 * 4")]);
        assert_eq!(
            parse_inline("snake_case_name"),
            vec![text("snake_case_name")]
        );
        assert_eq!(parse_inline("**unclosed"), vec![text("**unclosed")]);
        assert_eq!(
            parse_inline("`**not bold**`"),
            vec![Code("**not bold**".into())]
        );
    }

    #[test]
    fn mentions_and_cashtags() {
        assert_eq!(
            parse_inline("@ana_k is long $aapl and $THYAO.IS, not $100 or a@b.com"),
            vec![
                Mention("ana_k".into()),
                text(" is long "),
                Cashtag("AAPL".into()),
                text(" and "),
                Cashtag("THYAO.IS".into()),
                text(", not $100 or a@b.com"),
            ]
        );
        assert_eq!(
            mentions("hi @Ana and @bob, @ana again `@carl`"),
            vec!["Ana", "bob"]
        );
        assert_eq!(
            cashtags("**$tsla** and $AAPL.US, $tsla again, `$NVDA`, $AAPLX"),
            vec!["TSLA", "AAPL.US", "AAPLX"]
        );
    }

    #[test]
    fn blocks() {
        let parsed = parse("Plan:\n- buy $SPY\n- hold\n\n> be greedy when\n> others are fearful\n1. one\n2. two\n```\n<b>raw</b>\n```");
        assert_eq!(
            parsed,
            vec![
                Block::Paragraph(vec![text("Plan:")]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![text("buy "), Cashtag("SPY".into())],
                        vec![text("hold")]
                    ],
                },
                Block::Quote(vec![
                    text("be greedy when"),
                    LineBreak,
                    text("others are fearful")
                ]),
                Block::List {
                    ordered: true,
                    items: vec![vec![text("one")], vec![text("two")]]
                },
                Block::Code("<b>raw</b>".into()),
            ]
        );
        assert_eq!(
            parse("line one\nline two"),
            vec![Block::Paragraph(vec![
                text("line one"),
                LineBreak,
                text("line two")
            ])]
        );
    }

    #[test]
    fn backslash_escapes_markup() {
        assert_eq!(parse_inline(r"\*not italic\*"), vec![text("*not italic*")]);
        assert_eq!(parse_inline(r"¯\\\_(ツ)\_/¯"), vec![text(r"¯\_(ツ)_/¯")]);
        assert_eq!(parse_inline(r"C:\dir"), vec![text(r"C:\dir")]);
    }

    #[test]
    fn excerpts_are_short_and_flat() {
        assert_eq!(excerpt("a\n  b", 10), "a b");
        assert_eq!(
            excerpt("Hello **Ana**, `x` [docs](https://a.b) $aapl", 60),
            "Hello Ana, x docs $AAPL"
        );
        assert_eq!(excerpt("abcdefghijk", 5), "abcd…");
    }
}
