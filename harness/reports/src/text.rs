//! Escaping and encoding helpers. Reports carry text from assertions, logs and HTTP bodies,
//! so every byte of it is treated as hostile to the format it lands in.

/// May this char appear in an XML 1.0 document at all? (Rust chars are never surrogates.)
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes XML element text, dropping characters XML 1.0 forbids (a stray ESC from a
/// terminal log would otherwise make the whole JUnit file unreadable to CI).
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare CR would be normalized away by the parser.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an XML attribute value (double-quoted); line breaks and tabs become character
/// references so parsers keep them instead of normalizing them to spaces.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes HTML text and attribute values alike; control characters other than tab and
/// newline are dropped, as browsers would render them as garbage.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Removes ANSI terminal escape sequences (colours from assertion libraries and logs), which
/// every report format would otherwise show as "[31m" noise.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, then one final byte in '@'..='~'.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ESC '\\'.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            // nF escapes such as ESC ( B: intermediates, then one final char.
            Some(' '..='/') => {
                while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
                chars.next();
            }
            // Two-character escapes: the second one is dropped with the ESC.
            _ => {}
        }
    }
    out
}

/// Drops control characters (except tab and newline) from plain text.
pub fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, '\t' | '\n') || !c.is_control())
        .collect()
}

/// Standard base64 with padding (RFC 4648), for embedding screens; small enough not to need a
/// dependency.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Lowercase ASCII slug: letters and digits kept, runs of anything else become one '-'.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Keys whose values never reach a report, in bodies or query strings. Mirrors the list
/// `ssap_api` redacts at capture; repeated here for query strings, which it does not parse.
const SECRET_QUERY_KEYS: &[&str] = &[
    "password",
    "api_key",
    "connect_key",
    "device_credential",
    "ticket",
    "password_hash",
    "token",
];

/// Redacts the values of secret-named query parameters of a request path.
pub fn redact_path(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_QUERY_KEYS.contains(&k.to_ascii_lowercase().as_str()) => {
                format!("{k}=[redacted]")
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Redacts a body again with `ssap_api::redact_json`, defensively: capture already did it, but
/// a report must not be the place a leak surfaces. Keeps the capture's own "[N bytes, not
/// JSON]" marker as it is rather than describing the marker.
pub fn redact_body(body: &str) -> String {
    if body.starts_with('[') && body.ends_with(" bytes, not JSON]") {
        return body.to_string();
    }
    ssap_api::redact_json(body)
}

/// Cuts text to at most `max` chars, saying how much was cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}… [{} more chars]", &s[..at], s[at..].chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn xml_escaping_strips_forbidden_and_escapes_markup() {
        assert_eq!(
            xml_text("a<b>&\u{1b}[31m\u{0}c\u{FFFE}"),
            "a&lt;b&gt;&amp;[31mc"
        );
        assert_eq!(xml_attr("\"x'\n\ty"), "&quot;x&apos;&#10;&#9;y");
    }

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(strip_ansi("\u{1b}[1;31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{7}b\u{1b}(Bc"), "abc");
    }

    #[test]
    fn html_escaping() {
        assert_eq!(html("<script>\"'&\u{7}"), "&lt;script&gt;&quot;&#39;&amp;");
    }

    #[test]
    fn query_secrets_are_redacted() {
        assert_eq!(
            redact_path("/api/x?token=abc&org=1&Password=p"),
            "/api/x?token=[redacted]&org=1&Password=[redacted]"
        );
        assert_eq!(redact_path("/api/x"), "/api/x");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("features/macos_first-use.feature"),
            "features-macos-first-use-feature"
        );
        assert_eq!(slug("  Hello, World! "), "hello-world");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 2), "ab… [4 more chars]");
    }
}
