//! Snapshots of every format from the fixed fixture, plus the properties that must hold for
//! any run: no secret written, merged shards equal the unsharded run, well-formed XML.

mod fixture;

use ssap_reports::{cucumber_json, html, junit, merge, summary_md, write_all, RunResult, REPORTS};

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit.xml", junit::render(&fixture::run()));
}

#[test]
fn summary_snapshot() {
    insta::assert_snapshot!("summary.md", summary_md::render(&fixture::run()));
}

#[test]
fn cucumber_json_snapshot() {
    insta::assert_snapshot!("cucumber.json", cucumber_json::render(&fixture::run()));
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("index.html", html::render(&fixture::run()));
}

#[test]
fn coverage_snapshot() {
    let rows: Vec<String> = ssap_reports::coverage(&fixture::run())
        .into_iter()
        .map(|r| format!("{} {} {:?}", r.id, r.status.as_str(), r.scenarios))
        .collect();
    insta::assert_snapshot!("coverage", rows.join("\n"));
}

#[test]
fn no_secret_reaches_any_written_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_all(&fixture::run(), dir.path()).expect("reports written");
    assert_eq!(
        written.len(),
        REPORTS.len() + 1,
        "every report and results.json"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "cucumber.json",
            "index.html",
            "junit.xml",
            "results.json",
            "summary.md"
        ],
        "no temp file left"
    );
    for path in written {
        let bytes = std::fs::read(&path).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        for secret in fixture::SECRETS {
            assert!(
                !text.contains(secret),
                "{} leaks {secret:?}",
                path.display()
            );
        }
        // Embedded base64 (screens) must not hide a secret either.
        for secret in fixture::SECRETS {
            let encoded = ssap_reports::text::base64(secret.as_bytes());
            assert!(
                !text.contains(&encoded[..encoded.len() - 4]),
                "{} leaks {secret:?} in base64",
                path.display()
            );
        }
    }
    assert!(std::fs::read_to_string(dir.path().join("index.html"))
        .expect("html")
        .contains("[redacted]"));
}

/// Every report of a run, with the run's wall-clock time zeroed: with the shard line, the
/// only thing allowed to differ between a merged and an unsharded run.
fn rendered_without_timing(run: &RunResult) -> Vec<(&'static str, String)> {
    let mut run = run.clone();
    run.duration_ms = 0;
    REPORTS
        .iter()
        .map(|(name, render)| (*name, render(&run)))
        .collect()
}

#[test]
fn merged_shards_report_like_the_unsharded_run() {
    let (a, b) = fixture::shards();
    let full = rendered_without_timing(&fixture::run());
    // The order the shards are given in must not matter either.
    for shards in [vec![a.clone(), b.clone()], vec![b, a]] {
        let merged = merge(shards).expect("shards merge");
        assert_eq!(merged.shards, ["1/2", "2/2"]);
        assert_eq!(merged.command, "ssap-harness run --seed 42");
        assert_eq!(merged.duration_ms, 5000, "the longest shard");
        let note = "Merged from shards: 1/2, 2/2";
        for ((name, text), (_, want)) in rendered_without_timing(&merged).into_iter().zip(&full) {
            let text = match name {
                // The shard line is in these two, once, and nowhere else.
                "summary.md" => {
                    assert_eq!(text.matches(note).count(), 1, "{name}");
                    text.replace(&format!("\n{note}\n"), "")
                }
                "index.html" => {
                    assert_eq!(text.matches(note).count(), 1, "{name}");
                    text.replace(&format!(" {note}."), "")
                }
                _ => text,
            };
            assert_eq!(&text, want, "{name} differs between merged and unsharded");
        }
    }
}

#[test]
fn merge_refuses_runs_that_are_not_shards_of_one_run() {
    let (a, mut b) = fixture::shards();
    b.seed = 7;
    let err = merge(vec![a.clone(), b])
        .expect_err("seeds differ")
        .to_string();
    assert!(
        err.contains("seed 7") && err.contains("seed 42") && err.contains("shard 2/2"),
        "{err}"
    );

    let (_, mut b) = fixture::shards();
    b.catalog.pop();
    b.catalog[0].text = "changed".into();
    let err = merge(vec![a.clone(), b])
        .expect_err("catalogs differ")
        .to_string();
    assert!(
        err.contains("catalog") && err.contains("R44") && err.contains("R01"),
        "{err}"
    );

    let err = merge(vec![a.clone(), a])
        .expect_err("same shard twice")
        .to_string();
    assert!(err.contains("in both"), "{err}");

    assert!(merge(Vec::new()).is_err());
}

#[test]
fn results_json_round_trips_redacted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = fixture::run();
    let path = ssap_reports::write_results(&run, dir.path()).expect("written");
    let back = ssap_reports::read_results(&path).expect("read back");
    assert_eq!(back.features.len(), 2);
    assert_eq!(
        back.features[0].uri, "features/macos_first_use.feature",
        "normalized order"
    );
    assert_eq!(back.catalog, run.catalog);
    let ex = &back.features[0].scenarios[0].exchanges[0];
    assert!(ex
        .request_body
        .as_deref()
        .unwrap_or("")
        .contains("[redacted]"));
    // A second merge of merged results is stable.
    let again = merge(vec![back.clone()]).expect("one run merges");
    assert_eq!(again.features, back.features);

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").expect("write");
    let err = format!(
        "{:#}",
        ssap_reports::read_results(&bad).expect_err("not results")
    );
    assert!(err.contains("bad.json"), "{err}");
}

#[test]
fn cucumber_json_is_the_standard_shape() {
    let v: serde_json::Value =
        serde_json::from_str(&cucumber_json::render(&fixture::run())).expect("valid JSON");
    let features = v.as_array().expect("an array of features");
    assert_eq!(features.len(), 2);
    let f = &features[0];
    assert_eq!(f["keyword"], "Feature");
    assert_eq!(f["uri"], "features/macos_first_use.feature");
    assert_eq!(f["tags"][0]["name"], "@macos");
    let elements = f["elements"].as_array().expect("elements");
    assert_eq!(elements[0]["type"], "scenario");
    assert_eq!(elements[0]["keyword"], "Scenario");
    let step = &elements[0]["steps"][0];
    assert_eq!(step["keyword"], "Given ");
    assert_eq!(step["result"]["status"], "passed");
    assert_eq!(step["embeddings"][0]["mime_type"], "image/svg+xml");
    assert_eq!(
        step["embeddings"][0]["data"],
        ssap_reports::text::base64(fixture::SCREEN_SVG.as_bytes())
    );
    // The flaky scenario reads as passed, and says it was flaky.
    let flaky = &elements[2];
    assert!(flaky["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .all(|s| s["result"]["status"] == "passed"));
    assert_eq!(flaky["flaky"], true);
    assert!(flaky["description"]
        .as_str()
        .expect("text")
        .contains("Flaky"));
    let failed = &elements[1]["steps"][2]["result"];
    assert_eq!(failed["status"], "failed");
    assert!(!failed["error_message"]
        .as_str()
        .expect("error")
        .contains('\u{1b}'));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let page = html::render(&fixture::run());
    for needle in ["http://", "https://", "src=\"file", "url(", "@import"] {
        let hits: Vec<_> = page
            .match_indices(needle)
            .map(|(i, _)| &page[i.saturating_sub(40)..(i + 60).min(page.len())])
            .collect();
        // The only absolute URL allowed is the SVG namespace inside base64 (so never visible).
        assert!(hits.is_empty(), "{needle} in index.html: {hits:?}");
    }
    assert!(!page.contains("<short>"), "scenario names are escaped");
    assert!(page.contains("A PIN &quot;12345&quot; &amp; &lt;short&gt; is refused"));
    assert!(
        !page.contains("<svg"),
        "screens are embedded as images, never inline markup"
    );
    assert_eq!(page.matches("data:image/svg+xml;base64,").count(), 3);
}

/// Parses XML fully and fails on anything a strict XML 1.0 parser would reject: tags that do
/// not nest, bad attributes, unknown entities, forbidden characters, more or less than one
/// root. Returns the elements in document order with unescaped attributes, to check structure.
fn parse_xml(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if let Some(c) = xml.chars().find(|c| !allowed(*c)) {
        panic!("char {:?} is forbidden in XML 1.0", c);
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut elements = Vec::new();
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = match reader.read_event() {
            Err(e) => panic!("not well-formed at byte {}: {e}", reader.buffer_position()),
            Ok(event) => event,
        };
        match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                if depth == 0 {
                    roots += 1;
                }
                let attrs = e
                    .attributes()
                    .with_checks(true)
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        let v = a
                            .unescape_value()
                            .expect("known entities only")
                            .into_owned();
                        (String::from_utf8_lossy(a.key.as_ref()).into_owned(), v)
                    })
                    .collect();
                elements.push((
                    String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs,
                ));
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => depth -= 1,
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .expect("valid char ref")
                        .expect("a char");
                    assert!(allowed(c), "char ref to forbidden {c:?}");
                } else {
                    let name = r.decode().expect("utf-8");
                    assert!(
                        ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref()),
                        "undeclared entity &{name};"
                    );
                }
            }
            Event::Text(t) => {
                t.decode().expect("text decodes");
                if depth == 0 {
                    assert!(
                        t.decode().unwrap_or_default().trim().is_empty(),
                        "text outside the root"
                    );
                }
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements at the end");
    assert_eq!(roots, 1, "an XML document has exactly one root");
    elements
}

fn attr<'a>(e: &'a (String, Vec<(String, String)>), name: &str) -> &'a str {
    e.1.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[test]
fn junit_is_well_formed_and_shaped_for_ci() {
    let elements = parse_xml(&junit::render(&fixture::run()));
    assert_eq!(elements[0].0, "testsuites");
    let suites: Vec<_> = elements.iter().filter(|e| e.0 == "testsuite").collect();
    assert_eq!(
        suites.iter().map(|e| attr(e, "name")).collect::<Vec<_>>(),
        ["macOS first use", "Windows first use"]
    );
    let cases: Vec<_> = elements.iter().filter(|e| e.0 == "testcase").collect();
    assert_eq!(cases.len(), 6);
    assert!(cases
        .iter()
        .any(|c| attr(c, "name") == "A PIN \"12345\" & <short> is refused"));
    let failures: Vec<_> = elements.iter().filter(|e| e.0 == "failure").collect();
    assert_eq!(
        failures.len(),
        3,
        "failed, undefined and skipped fail; flaky passes"
    );
    assert_eq!(
        attr(failures[0], "message"),
        "Then the login window says \"Account already exists\" (features/macos_first_use.feature:23)"
    );
}

#[test]
fn junit_survives_hostile_text() {
    let mut run = fixture::run();
    let s = &mut run.features[0].scenarios[0];
    s.name = "\u{0}\u{8}]]><!-- \"&amp;\u{FFFF}\r\n'<x/>".into();
    s.log = "\u{1b}[31m</system-out>]]>\u{7}\r\n\u{b}".into();
    s.status = ssap_reports::Status::Failed;
    s.steps[0].status = ssap_reports::Status::Failed;
    s.steps[0].error = Some("\u{c}<failure>&#0;".into());
    parse_xml(&junit::render(&run));
}

#[test]
#[should_panic(expected = "not well-formed")]
fn the_xml_check_rejects_bad_nesting() {
    parse_xml("<a><b></a></b>");
}

#[test]
#[should_panic(expected = "forbidden")]
fn the_xml_check_rejects_control_chars() {
    parse_xml("<a>\u{1}</a>");
}

#[test]
fn outline_rows_sharing_a_name_stay_distinct() {
    let mut run = fixture::run();
    // The fixture lists Windows first (writers must sort).
    let f = &mut run.features[0];
    let mut row = f.scenarios[0].clone();
    row.line = 40;
    f.scenarios.push(row);
    let elements = parse_xml(&junit::render(&run));
    let names: Vec<_> = elements
        .iter()
        .filter(|e| e.0 == "testcase")
        .map(|e| attr(e, "name"))
        .filter(|n| n.starts_with("Credential provider tile shows"))
        .collect();
    assert_eq!(
        names,
        [
            "Credential provider tile shows (line 6)",
            "Credential provider tile shows (line 40)"
        ]
    );
    let v: serde_json::Value =
        serde_json::from_str(&cucumber_json::render(&run)).expect("valid JSON");
    let ids: Vec<_> = v[1]["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("").to_string())
        .collect();
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn an_empty_run_is_not_a_pass() {
    let run = RunResult {
        catalog: fixture::catalog(),
        ..RunResult::default()
    };
    assert!(!run.passed());
    assert!(summary_md::render(&run).contains("FAILED: no scenario ran"));
    assert!(html::render(&run).contains("FAILED: no scenario ran"));
    parse_xml(&junit::render(&run));
}

#[test]
fn an_exploration_adds_its_section_and_its_counterexample_to_the_html_report() {
    let mut run = fixture::run();
    assert!(!html::render(&run).contains("id=\"explore\""));
    run.explore = Some(ssap_reports::ExploreDigest {
        seed: 7,
        command: "ssap-harness explore --seed 7 --actions 300".into(),
        sides: ["reference server (embedded)".into(), "mock model".into()],
        actions_run: 300,
        episodes: 2,
        seconds: 0.5,
        actions_by_kind: vec![("Authenticate".into(), 40)],
        actions_by_id: vec![("R42".into(), 12)],
        screens_reached: vec![("Windows — Set up a PIN".into(), 3)],
        counterexample: Some(ssap_reports::ExploreCounterexample {
            episode: 1,
            original_len: 80,
            actions: vec![
                "a device registers: macOS, arm64, workgroup, no MDM".into(),
                "device0 reads its <associations>".into(),
            ],
            index: 1,
            answers: ["{\"ok\": []}".into(), "{\"refused\": 403}".into()],
            feature: "reports/explore/7-1.feature".into(),
        }),
    });
    let page = html::render(&run);
    assert!(page.contains("<h2 id=\"explore\">Explore</h2>"), "{page}");
    assert!(page.contains("Explore: 300 actions, seed 7: ✗ the two implementations disagreed"));
    assert!(page.contains("<li class=\"st-failed\">device0 reads its &lt;associations&gt;</li>"));
    assert!(page.contains("reports/explore/7-1.feature"));
    assert!(page.contains("<td>R42</td><td class=\"n\">12</td>"));
    assert!(page.contains("<td>Windows — Set up a PIN</td><td class=\"n\">3</td>"));
    // Carried through results.json, so `ssap-harness report` keeps the section.
    let json = serde_json::to_string(&run).unwrap();
    let back: ssap_reports::RunResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.explore, run.explore);
}
