//! Reading a request and writing a reply, as the reference server does.

use serde::de::DeserializeOwned;
use ssap_api::input::Validate;
use ssap_api::{codes, paging, ListQuery, Page};
use wiremock::Request;

use crate::reply::Reply;

/// A 400 `bad_request` with `message`.
pub(super) fn bad_request(message: impl AsRef<str>) -> Reply {
    Reply::error(400, codes::BAD_REQUEST, message.as_ref())
}

/// A 404 for a `what` this org does not have.
pub(super) fn not_found(what: &str) -> Reply {
    Reply::error(
        404,
        codes::NOT_FOUND,
        &format!("no such {what} in this org"),
    )
}

/// A 401 with `message`.
pub(super) fn unauthorized(message: &str) -> Reply {
    Reply::error(401, codes::UNAUTHORIZED, message)
}

/// The ordering key of the item at index `i` of a list: its position, from 1.
pub(super) fn position(i: usize) -> i64 {
    i64::try_from(i).map_or(i64::MAX, |i| i.saturating_add(1))
}

/// One page of `items` (ordering key, item; keys ascending) as the request's `limit` and
/// `cursor` ask, in the envelope the server answers (`ssap_api::paging`). The cursor holds the
/// last key sent: the server's row sequence, the mock's position (or audit `seq`).
pub(super) fn page_of<T: serde::Serialize>(
    req: &Request,
    items: impl Iterator<Item = (i64, T)>,
) -> Result<Reply, Reply> {
    let q = ListQuery::parse(req.url.query()).map_err(|e| bad_request(e.0))?;
    let after = match &q.cursor {
        None => 0,
        Some(c) => paging::key_of_cursor(c).map_err(|e| bad_request(e.0))?,
    };
    let mut kept: Vec<(i64, T)> = items
        .filter(|(k, _)| *k > after)
        .take(q.limit().saturating_add(1))
        .collect();
    let more = kept.len() > q.limit();
    kept.truncate(q.limit());
    let next_cursor = match kept.last() {
        Some((k, _)) if more => Some(paging::cursor_after(*k)),
        _ => None,
    };
    Ok(Reply::json(
        200,
        &Page {
            items: kept.into_iter().map(|(_, t)| t).collect::<Vec<_>>(),
            next_cursor,
        },
    ))
}

/// The request's JSON body, refused as the server refuses it: not the type, or breaking a rule
/// of the wire (`ssap_api::input`, the rules the document states).
pub(super) fn body<T: DeserializeOwned + Validate>(req: &Request) -> Result<T, Reply> {
    let body: T = serde_json::from_slice(&req.body)
        .map_err(|e| bad_request(format!("the JSON body is not valid for this route: {e}")))?;
    body.validate().map_err(|e| bad_request(e.to_string()))?;
    Ok(body)
}

/// A request header's trimmed value; `None` when absent, not text or blank.
pub(super) fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The `code` of an error reply's body, for the audit's reason.
pub(super) fn refusal_code(r: &Reply) -> String {
    serde_json::from_slice::<ssap_api::ApiErrorBody>(&r.body)
        .map(|b| b.code)
        .unwrap_or_default()
}
