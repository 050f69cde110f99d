//! Remote mode with one org's keys (a staging account): scenarios share the org, run one at a
//! time from the default settings, and use names unique per scenario and run, so the suite
//! can run again and again against the same org.

use std::time::Duration;

use crate::common::{harness, repo, serve, text};

const TOKEN: &str = "operator-token-for-shared-org-tests";

#[tokio::test]
async fn the_suite_runs_twice_in_one_shared_org() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = serve(&dir.path().join("cp.db"), "127.0.0.1:0", TOKEN);
    let http = ssap_api::Http::new(&url, Duration::from_secs(10)).unwrap();
    let org = ssap_api::OperatorClient::new(http, TOKEN)
        .create_org("staging")
        .await
        .unwrap();
    let root = repo();
    let run = |tags: &str, out: &str| {
        harness()
            .current_dir(&root)
            .args([
                "run",
                "-q",
                "--control-plane",
                &url,
                "--tags",
                tags,
                "--report-dir",
            ])
            .arg(dir.path().join(out))
            .env_remove("SSAP_OPERATOR_TOKEN")
            .env("SSAP_ORG_API_KEY", &org.api_key)
            .env("SSAP_ORG_CONNECT_KEY", &org.connect_key)
            .output()
            .unwrap()
    };
    // Twice: the second run meets the first run's users and devices in the org.
    for out in ["first", "second"] {
        let o = run("@smoke and not @R61", out);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("(one shared org)"), "{}", text(&o));
    }
    // A scenario that needs a second org says why it cannot run here.
    let o = run("@R61", "isolation");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("needs a second org"), "{}", text(&o));
}

#[test]
fn a_url_without_credentials_is_explained() {
    let o = harness()
        .args(["run", "--control-plane", "http://127.0.0.1:9"])
        .env_remove("SSAP_OPERATOR_TOKEN")
        .env_remove("SSAP_ORG_API_KEY")
        .env_remove("SSAP_ORG_CONNECT_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("SSAP_ORG_API_KEY"), "{}", text(&o));
}
