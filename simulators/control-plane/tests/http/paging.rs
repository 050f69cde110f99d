//! Paged admin lists (`ssap_api::paging`): every page is `{items, next_cursor}`, pages cover
//! the list once in creation order, bad limits and cursors are 400, the audit filters select,
//! and every reply validates against the document.

use ssap_api::openapi;
use ssap_api::{AuditFilter, ExchangeLog, ListQuery};

use crate::common::*;

#[tokio::test]
async fn pages_cover_each_list_once_in_order_and_filters_select() {
    let env = Env::new().await;
    let log = ExchangeLog::default();
    let org = new_org(&env.http.with_log(log.clone()), "Paging").await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(org.user(&format!("p{i}@acme.test")).await.id);
    }
    let device = org.device(mac()).await;

    // Users, three at a time: 3 + 3 + 1, the last page without a cursor.
    let mut q = ListQuery {
        limit: Some(3),
        cursor: None,
    };
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    loop {
        let page = org.admin.users_page(&q).await.expect("page");
        sizes.push(page.items.len());
        seen.extend(page.items.into_iter().map(|u| u.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(sizes, vec![3, 3, 1]);
    assert_eq!(seen, made, "each user once, in creation order");
    let all: Vec<String> = org
        .admin
        .users()
        .await
        .expect("all")
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(all, made, "the client follows the cursors");
    // Exactly a page's worth: no cursor to an empty page.
    let exact = org
        .admin
        .users_page(&ListQuery {
            limit: Some(7),
            cursor: None,
        })
        .await
        .expect("page");
    assert_eq!((exact.items.len(), exact.next_cursor), (7, None));

    let devices = org
        .admin
        .devices_page(&ListQuery::default())
        .await
        .expect("devices");
    assert_eq!(devices.items.len(), 1);
    assert_eq!(devices.next_cursor, None);
    let assocs = org
        .admin
        .associations_page(device.device_id(), &ListQuery::default())
        .await
        .expect("associations");
    assert!(assocs.items.is_empty());

    // Refusals: 400 bad_request naming the parameter.
    for query in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "cursor=not-ours",
        "since=-5",
        "action=",
    ] {
        let resp = reqwest::Client::new()
            .get(format!("{}/api/admin/audit?{query}", env.server.url()))
            .header("x-api-key", &org.created.api_key)
            .send()
            .await
            .expect("answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        assert_eq!(status, 400, "{query}: {text}");
        assert!(text.contains("bad_request"), "{query}: {text}");
    }

    // Audit filters.
    let creates = AuditFilter {
        action: Some("user.create".into()),
        ..Default::default()
    };
    let events = org.admin.audit_filtered(&creates).await.expect("creates");
    assert_eq!(events.len(), 7);
    let one = AuditFilter {
        target: Some("p3@acme.test".into()),
        ..creates.clone()
    };
    let p3 = org.admin.audit_filtered(&one).await.expect("one target");
    assert_eq!(p3.len(), 1);
    let at = p3[0].at_ms;
    let before = org
        .admin
        .audit_filtered(&AuditFilter {
            until_ms: Some(at),
            ..creates.clone()
        })
        .await
        .expect("until");
    let after = org
        .admin
        .audit_filtered(&AuditFilter {
            since_ms: Some(at),
            ..creates.clone()
        })
        .await
        .expect("since");
    assert_eq!(
        before.len() + after.len(),
        7,
        "since and until split the log"
    );
    assert!(before.iter().all(|e| e.at_ms < at) && after.iter().all(|e| e.at_ms >= at));
    let by_device = org
        .admin
        .audit_filtered(&AuditFilter {
            device: Some(device.device_id().to_string()),
            ..Default::default()
        })
        .await
        .expect("device");
    assert!(by_device
        .iter()
        .all(|e| e.actor == format!("device:{}", device.device_id())));
    // Paged and filtered together: one event a page.
    let page = org
        .admin
        .audit_page(
            &creates,
            &ListQuery {
                limit: Some(1),
                cursor: None,
            },
        )
        .await
        .expect("page");
    assert_eq!(page.items.len(), 1);
    assert!(page.next_cursor.is_some());

    let doc = openapi::document().expect("document");
    for x in log.snapshot() {
        let status = x.status.expect("answered");
        openapi::validate_response(
            &doc,
            &x.method,
            &x.path,
            status,
            x.response_body.as_deref().unwrap_or(""),
            true,
        )
        .unwrap_or_else(|e| panic!("{} {}: {e}", x.method, x.path));
    }
}
