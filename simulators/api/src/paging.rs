//! Paged admin lists: users, devices, a device's associations and the audit log.
//!
//! Every list answers one shape, a [`Page`]: `{"items": [...], "next_cursor": "..."}`, with
//! `next_cursor` present only when more items remain. `?limit=N` (1 to [`MAX_LIMIT`], default
//! [`DEFAULT_LIMIT`]) bounds a page; `?cursor=` passes back the `next_cursor` of the page
//! before. Cursors are opaque: a server may encode them as it likes, and one it did not give
//! (or cannot read) is refused with 400 `bad_request`. Items come in creation order (the audit
//! log oldest first), so a cursor stays valid while items are added.
//!
//! The audit log also filters ([`AuditFilter`]). The server and the mock model parse query
//! strings with [`ListQuery::parse`] and [`AuditFilter::parse`], so both refuse the same
//! things with the same words.

use serde::{Deserialize, Serialize};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The most items one page holds; a larger `limit` is refused.
pub const MAX_LIMIT: usize = 1000;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The page's items, in creation order.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `limit` and `cursor` of a list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Items per page, 1 to 1000 (default 100).
    pub limit: Option<usize>,
    /// Where the page starts: the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Which audit events to list; all given conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events whose actor is this device (`device:<id>`).
    pub device: Option<String>,
    /// Events about this target (an email, a device or user id, as the event names it).
    pub target: Option<String>,
    /// Events of this action, e.g. `provision`, `authenticate`.
    pub action: Option<String>,
    /// Events at or after this time (ms since the Unix epoch).
    pub since_ms: Option<i64>,
    /// Events before this time (ms since the Unix epoch).
    pub until_ms: Option<i64>,
}

/// Why a list request was refused (answered as 400 `bad_request` with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// `key=value` pairs of a URL query, `%XX` and `+` decoded. Malformed escapes are refused.
fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, QueryError> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(s: &str) -> Result<String, QueryError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let b = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| QueryError("the query string has a bad %-escape".into()))?;
                out.push(b);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| QueryError("the query string is not UTF-8".into()))
}

/// `%`-escapes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn ms(name: &str, v: &str) -> Result<i64, QueryError> {
    v.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| QueryError(format!("{name} must be a time in ms since 1970, 0 or more")))
}

fn text(name: &str, v: String) -> Result<String, QueryError> {
    if v.is_empty() || v.len() > 1024 {
        return Err(QueryError(format!("{name} must be 1 to 1024 bytes")));
    }
    Ok(v)
}

impl ListQuery {
    /// Reads `limit` and `cursor` from a raw query string; other parameters are left to
    /// [`AuditFilter::parse`] or ignored. The last of repeated parameters counts.
    pub fn parse(query: Option<&str>) -> Result<ListQuery, QueryError> {
        let mut q = ListQuery::default();
        for (k, v) in pairs(query)? {
            match k.as_str() {
                "limit" => {
                    q.limit = Some(
                        v.parse::<usize>()
                            .ok()
                            .filter(|n| (1..=MAX_LIMIT).contains(n))
                            .ok_or_else(|| {
                                QueryError(format!("limit must be a whole number 1 to {MAX_LIMIT}"))
                            })?,
                    )
                }
                "cursor" => {
                    if v.is_empty() || v.len() > 256 {
                        return Err(QueryError("cursor must be 1 to 256 characters".into()));
                    }
                    q.cursor = Some(v)
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The page size asked for, or the default.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// The query string (without `?`), empty when nothing is set.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(l) = self.limit {
            parts.push(format!("limit={l}"));
        }
        if let Some(c) = &self.cursor {
            parts.push(format!("cursor={}", encode(c)));
        }
        parts.join("&")
    }
}

impl AuditFilter {
    /// Reads `device`, `target`, `action`, `since` and `until` from a raw query string.
    pub fn parse(query: Option<&str>) -> Result<AuditFilter, QueryError> {
        let mut f = AuditFilter::default();
        for (k, v) in pairs(query)? {
            match k.as_str() {
                "device" => f.device = Some(text("device", v)?),
                "target" => f.target = Some(text("target", v)?),
                "action" => f.action = Some(text("action", v)?),
                "since" => f.since_ms = Some(ms("since", &v)?),
                "until" => f.until_ms = Some(ms("until", &v)?),
                _ => {}
            }
        }
        Ok(f)
    }

    /// Whether an event passes the filter (the mock model's check; the server asks SQL).
    pub fn matches(&self, e: &crate::AuditEvent) -> bool {
        self.device
            .as_ref()
            .is_none_or(|d| e.actor == format!("device:{d}"))
            && self.target.as_ref().is_none_or(|t| &e.target == t)
            && self.action.as_ref().is_none_or(|a| &e.action == a)
            && self.since_ms.is_none_or(|s| e.at_ms >= s)
            && self.until_ms.is_none_or(|u| e.at_ms < u)
    }

    /// The query string (without `?`), empty when nothing is set.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("device", &self.device),
            ("target", &self.target),
            ("action", &self.action),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", encode(v)));
            }
        }
        if let Some(s) = self.since_ms {
            parts.push(format!("since={s}"));
        }
        if let Some(u) = self.until_ms {
            parts.push(format!("until={u}"));
        }
        parts.join("&")
    }
}

/// A cursor for "after the item whose ordering key is `key`" (keys are the server's row
/// sequence numbers, or the mock's positions). Opaque to clients.
pub fn cursor_after(key: i64) -> String {
    format!("p1.{key:x}")
}

/// The key a cursor of [`cursor_after`] holds; anything else is refused.
pub fn key_of_cursor(cursor: &str) -> Result<i64, QueryError> {
    cursor
        .strip_prefix("p1.")
        .filter(|h| {
            (1..=16).contains(&h.len())
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .and_then(|h| i64::from_str_radix(h, 16).ok())
        .filter(|k| *k >= 0)
        .ok_or_else(|| QueryError("cursor is not one this server gave; start without it".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors_parse_or_are_refused() {
        assert_eq!(ListQuery::parse(None), Ok(ListQuery::default()));
        let q = ListQuery::parse(Some("limit=5&cursor=p1.ff&other=x")).expect("parses");
        assert_eq!(
            (q.limit(), key_of_cursor(q.cursor.as_deref().unwrap_or(""))),
            (5, Ok(255))
        );
        assert_eq!(ListQuery::default().limit(), DEFAULT_LIMIT);
        for bad in [
            "limit=0",
            "limit=1001",
            "limit=-1",
            "limit=x",
            "cursor=",
            "limit=%zz",
        ] {
            assert!(ListQuery::parse(Some(bad)).is_err(), "{bad}");
        }
        assert!(ListQuery::parse(Some("limit=1000")).is_ok());
        for bad in [
            "",
            "p1.",
            "p1.-1",
            "p1.+1",
            "p1.FF",
            "p1.8000000000000000",
            "x",
            "p1.zz",
            "p2.1",
        ] {
            assert!(key_of_cursor(bad).is_err(), "{bad}");
        }
        assert_eq!(key_of_cursor(&cursor_after(12345)), Ok(12345));
        let q = ListQuery {
            limit: Some(7),
            cursor: Some(cursor_after(9)),
        };
        assert_eq!(ListQuery::parse(Some(&q.to_query())), Ok(q));
    }

    #[test]
    fn audit_filters_round_trip_and_match() {
        let f = AuditFilter {
            device: Some("d 1".into()),
            target: Some("a+b@x.test".into()),
            action: Some("provision".into()),
            since_ms: Some(10),
            until_ms: Some(20),
        };
        assert_eq!(AuditFilter::parse(Some(&f.to_query())), Ok(f.clone()));
        let e = crate::AuditEvent {
            seq: 1,
            at_ms: 10,
            actor: "device:d 1".into(),
            action: "provision".into(),
            target: "a+b@x.test".into(),
            outcome: "success".into(),
            reason: None,
        };
        assert!(f.matches(&e));
        assert!(!f.matches(&crate::AuditEvent {
            at_ms: 20,
            ..e.clone()
        }));
        assert!(!f.matches(&crate::AuditEvent {
            actor: "admin".into(),
            ..e
        }));
        for bad in ["since=-1", "until=x", "action=", "device="] {
            assert!(AuditFilter::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
