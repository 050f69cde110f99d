//! The OpenAPI 3 document of the API (`simulators/api/openapi.json`), compiled in so that the
//! reference server can serve it at `GET /openapi.json` and tests on both sides of the wire can
//! check themselves against it.
//!
//! The validator here is deliberately small: it understands the subset of JSON Schema the
//! document uses (`$ref`, `allOf`, `type`, `nullable`, `enum`, `required`, `properties`,
//! `additionalProperties: false`, `minProperties`, `items`, `minLength`/`maxLength`,
//! `pattern`, `minimum`) and nothing more (`format` is documentation to it: every format the
//! document names is implied by a `pattern` beside it). A full JSON-Schema crate would pull a large dependency tree into every crate that
//! links the API for what is, here, a few dozen flat objects.

use serde_json::Value;

/// The document as shipped (`openapi.json` next to this crate's `Cargo.toml`).
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// HTTP methods an OpenAPI path item may hold, upper-cased as on the wire.
pub const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The parsed document.
pub fn document() -> Result<Value, String> {
    serde_json::from_str(DOCUMENT).map_err(|e| format!("openapi.json does not parse: {e}"))
}

/// One operation of the document: a method on a path template such as
/// `/api/admin/devices/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, as the document writes it.
    pub path: String,
    /// Names of the security schemes that admit it (empty: no auth).
    pub security: Vec<String>,
    /// Schema name of the JSON request body, if any.
    pub request: Option<String>,
    /// Documented response statuses ("200", "404", ...).
    pub statuses: Vec<String>,
}

impl Operation {
    /// "POST /api/device/provision".
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every operation of `doc`, in document order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (m, op) in item {
            let method = m.to_ascii_uppercase();
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let security = op
                .get("security")
                .or_else(|| doc.get("security"))
                .and_then(Value::as_array)
                .map(|reqs| {
                    reqs.iter()
                        .filter_map(Value::as_object)
                        .flat_map(|r| r.keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            let request = op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .map(str::to_string);
            let statuses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            out.push(Operation {
                method,
                path: path.clone(),
                security,
                request,
                statuses,
            });
        }
    }
    out
}

/// Whether a concrete path (`/api/admin/devices/42`) fits a template (`/api/admin/devices/{id}`).
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// The operation of `doc` that a request would reach, if any.
pub fn find_operation(doc: &Value, method: &str, path: &str) -> Option<Operation> {
    let method = method.to_ascii_uppercase();
    // The query string (`?limit=...`) is not part of the path template.
    let path = path.split('?').next().unwrap_or(path);
    // Literal segments win over templated ones, as in every router.
    let mut found: Vec<Operation> = operations(doc)
        .into_iter()
        .filter(|o| o.method == method && path_matches(&o.path, path))
        .collect();
    found.sort_by_key(|o| o.path.matches('{').count());
    found.into_iter().next()
}

/// A named schema of `components/schemas`.
pub fn schema<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc.get("components")?.get("schemas")?.get(name)
}

/// The JSON schema of the body the document gives for `status` of an operation (following a
/// `$ref` to `components/responses`). `Ok(None)`: documented without a JSON body (204).
pub fn response_schema<'a>(
    doc: &'a Value,
    op: &Operation,
    status: u16,
) -> Result<Option<&'a Value>, String> {
    Ok(documented_response(doc, op, status)?.pointer("/content/application~1json/schema"))
}

/// The response object the document gives for `status` of an operation, `$ref` followed.
fn documented_response<'a>(
    doc: &'a Value,
    op: &Operation,
    status: u16,
) -> Result<&'a Value, String> {
    let item = doc
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .and_then(|i| i.get(op.method.to_ascii_lowercase()))
        .ok_or_else(|| format!("{} is not in the document", op.key()))?;
    let mut resp = item
        .pointer(&format!("/responses/{status}"))
        .ok_or_else(|| {
            format!(
                "{}: status {status} is not documented (documented: {})",
                op.key(),
                op.statuses.join(", ")
            )
        })?;
    if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
        resp = resolve(doc, r)?;
    }
    Ok(resp)
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Result<&'a Value, String> {
    let pointer = reference
        .strip_prefix('#')
        .ok_or_else(|| format!("only local $ref are supported, not {reference}"))?;
    doc.pointer(pointer)
        .ok_or_else(|| format!("$ref {reference} points nowhere"))
}

/// Checks a response body against what the document says for `method path -> status`.
/// `strict` also refuses properties the schema does not list (for our own server and types,
/// to catch drift; another control plane may add fields).
pub fn validate_response(
    doc: &Value,
    method: &str,
    path: &str,
    status: u16,
    body: &str,
    strict: bool,
) -> Result<(), String> {
    let op = find_operation(doc, method, path)
        .ok_or_else(|| format!("{method} {path} is not an operation of the document"))?;
    let Some(schema) = response_schema(doc, &op, status)? else {
        // A text answer (`/healthz`): the body as a string against its schema.
        if let Some(text) =
            documented_response(doc, &op, status)?.pointer("/content/text~1plain/schema")
        {
            let errors = validate(doc, text, &Value::String(body.to_string()), strict);
            return if errors.is_empty() {
                Ok(())
            } else {
                Err(format!("{} -> {status}: {}", op.key(), errors.join("; ")))
            };
        }
        return if body.trim().is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}: status {status} has no body in the document, got {} bytes",
                op.key(),
                body.len()
            ))
        };
    };
    let value: Value = serde_json::from_str(body)
        .map_err(|e| format!("{} -> {status}: body is not JSON: {e}", op.key()))?;
    let errors = validate(doc, schema, &value, strict);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} -> {status}: body does not match the document:\n  {}",
            op.key(),
            errors.join("\n  ")
        ))
    }
}

/// Validates `value` against `schema`; returns one line per problem, each with its JSON path.
pub fn validate(doc: &Value, schema: &Value, value: &Value, strict: bool) -> Vec<String> {
    let mut errors = Vec::new();
    check(doc, schema, value, "$", strict, &mut errors);
    errors
}

fn check(doc: &Value, schema: &Value, v: &Value, at: &str, strict: bool, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        match resolve(doc, r) {
            Ok(s) => check(doc, s, v, at, strict, out),
            Err(e) => out.push(format!("{at}: {e}")),
        }
        return;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // Every part holds; what counts as a documented property is what any part names.
        for part in parts {
            check(doc, part, v, at, false, out);
        }
        if let (true, Value::Object(map)) = (strict, v) {
            let named: Vec<&String> = parts
                .iter()
                .filter_map(|p| match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => resolve(doc, r).ok(),
                    None => Some(p),
                })
                .filter_map(|p| p.get("properties").and_then(Value::as_object))
                .flat_map(|props| props.keys())
                .collect();
            for k in map.keys().filter(|k| !named.contains(k)) {
                out.push(format!("{at}: property {k:?} is not in the document"));
            }
        }
        return;
    }
    if v.is_null() {
        if schema.get("nullable").and_then(Value::as_bool) != Some(true)
            && schema.get("type").is_some()
        {
            out.push(format!("{at}: null where the document does not allow it"));
        }
        return;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(v) {
            out.push(format!(
                "{at}: {v} is not one of {}",
                Value::from(values.clone())
            ));
        }
    }
    let ty = match schema.get("type").and_then(Value::as_str) {
        Some(ty) => ty,
        // `properties` alone (a part of an `allOf`) speaks of objects.
        None if v.is_object() && schema.get("properties").is_some() => "object",
        None => return,
    };
    let fits = match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => true,
    };
    if !fits {
        out.push(format!("{at}: expected {ty}, got {v}"));
        return;
    }
    match v {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            if let Some(min) = schema.get("minProperties").and_then(Value::as_u64) {
                if (map.len() as u64) < min {
                    out.push(format!("{at}: fewer than {min} properties"));
                }
            }
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(name) {
                    out.push(format!("{at}: required property {name:?} is missing"));
                }
            }
            let closed = strict
                || schema.get("additionalProperties").and_then(Value::as_bool) == Some(false);
            for (k, child) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => check(doc, s, child, &format!("{at}.{k}"), strict, out),
                    None if closed && props.is_some() => {
                        out.push(format!("{at}: property {k:?} is not in the document"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(doc, s, item, &format!("{at}[{i}]"), strict, out);
                }
            }
        }
        Value::String(text) => {
            let n = text.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                if n < min {
                    out.push(format!("{at}: shorter than {min} characters"));
                }
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                if n > max {
                    out.push(format!("{at}: longer than {max} characters"));
                }
            }
            if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                match regex::Regex::new(p) {
                    Ok(re) if re.is_match(text) => {}
                    Ok(_) => out.push(format!("{at}: {text:?} does not match {p}")),
                    Err(e) => out.push(format!("{at}: the pattern {p} does not compile: {e}")),
                }
            }
        }
        Value::Number(n) => {
            if let (Some(min), Some(x)) =
                (schema.get("minimum").and_then(Value::as_f64), n.as_f64())
            {
                if x < min {
                    out.push(format!("{at}: {x} is below the minimum {min}"));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::*;
    use serde::Serialize;

    fn doc() -> Value {
        document().expect("the shipped document parses")
    }

    /// Each wire type, fully populated, validates strictly against its schema, and every
    /// property the schema requires is one the type sends: types and document agree.
    fn agrees<T: Serialize>(name: &str, sample: &T) {
        let d = doc();
        let s = schema(&d, name).unwrap_or_else(|| panic!("no schema {name}"));
        let v = serde_json::to_value(sample).expect("serializes");
        let errors = validate(&d, s, &v, true);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let props: Vec<&String> = s["properties"].as_object().expect("props").keys().collect();
        let sent: Vec<&String> = v.as_object().expect("object").keys().collect();
        for p in &props {
            assert!(
                sent.contains(p),
                "{name}: documented property {p} is never sent"
            );
        }
    }

    fn assoc() -> Association {
        Association {
            device_id: "d".into(),
            user_id: "u".into(),
            username: "holly".into(),
            system_username: Some("hf".into()),
            display_name: "Holly Flax".into(),
            permission: PermissionLevel::Administrator,
            source: BindSource::SelfService,
            password_sync: true,
            mfa_enforced: false,
            mfa_enrolled: false,
            local_name: Some("hf".into()),
            disabled: false,
        }
    }

    fn facts() -> DeviceFacts {
        DeviceFacts {
            os: Os::Windows,
            edition: "Pro".into(),
            architecture: "x86_64".into(),
            join_state: JoinState::EntraId,
            mdm: Default::default(),
            hostname: "h".into(),
            serial: "s".into(),
            mac: "m".into(),
            ip: "i".into(),
            os_version: "v".into(),
        }
    }

    #[test]
    fn types_and_document_agree() {
        agrees("OrgSettings", &OrgSettings::default());
        agrees(
            "OrgSettingsPatch",
            &OrgSettingsPatch {
                macos_ssap: Some(true),
                windows_ssap: Some(false),
                permission_level: Some(PermissionLevel::Standard),
                password_sync: Some(true),
            },
        );
        agrees("NewOrg", &NewOrg { name: "a".into() });
        agrees(
            "OrgCreated",
            &OrgCreated {
                org_id: "o".into(),
                name: "n".into(),
                api_key: "a".into(),
                connect_key: "c".into(),
            },
        );
        agrees(
            "NewUser",
            &NewUser {
                email: "a@b.c".into(),
                username: "a".into(),
                system_username: Some("s".into()),
                password: Some("p".into()),
                ..NewUser::default()
            },
        );
        agrees(
            "UserPatch",
            &UserPatch {
                state: Some(UserState::Suspended),
                locked: Some(true),
                password_expired: Some(true),
                mfa_enforced: Some(true),
                mfa_enrolled: Some(true),
                password: Some("p".into()),
                system_username: Some("s".into()),
                federated: Some(true),
            },
        );
        agrees(
            "User",
            &User {
                id: "i".into(),
                email: "e".into(),
                username: "u".into(),
                system_username: None,
                firstname: "f".into(),
                lastname: "l".into(),
                has_password: true,
                state: UserState::Staged,
                locked: false,
                password_expired: false,
                mfa_enforced: false,
                mfa_enrolled: false,
                federated: true,
            },
        );
        agrees("DeviceFacts", &facts());
        agrees(
            "Device",
            &Device {
                id: "d".into(),
                facts: facts(),
            },
        );
        agrees(
            "DeviceRegistered",
            &DeviceRegistered {
                device_id: "d".into(),
                device_credential: "c".into(),
            },
        );
        agrees(
            "NewAssociation",
            &NewAssociation {
                user_id: "u".into(),
                permission: Some(PermissionLevel::Standard),
            },
        );
        agrees("Association", &assoc());
        agrees("LoginWindowText", &LoginWindowText { text: "t".into() });
        agrees("ClockAdvance", &ClockAdvance { seconds: 61 });
        agrees(
            "VirtualClock",
            &VirtualClock {
                offset_seconds: 61,
                now_seconds: 1_800_000_000,
                frozen: true,
            },
        );
        agrees(
            "WindowsSsapPolicy",
            &WindowsSsapPolicy {
                mode: WindowsSsapMode::MultipleUsers,
            },
        );
        agrees(
            "MfaPolicy",
            &MfaPolicy {
                factor: MfaFactor::Totp,
            },
        );
        agrees(
            "LoginWindowConfig",
            &LoginWindowConfig {
                ssap_enabled: true,
                offer_sign_in: false,
                login_window_text: Some("t".into()),
                identity_provider: Some("Okta".into()),
                managed_users: vec![assoc()],
            },
        );
        agrees(
            "AuthenticateRequest",
            &AuthenticateRequest {
                email: "e".into(),
                password: "p".into(),
            },
        );
        agrees(
            "AuthenticateResponse",
            &AuthenticateResponse {
                ticket: "t".into(),
                user_id: "u".into(),
                username: "n".into(),
                system_username: None,
                display_name: "d".into(),
                permission: PermissionLevel::Standard,
                password_sync: true,
                mfa_enforced: false,
                mfa_enrolled: false,
            },
        );
        agrees(
            "ProvisionRequest",
            &ProvisionRequest {
                ticket: "t".into(),
                local_name: "l".into(),
                idempotency_key: "k".into(),
            },
        );
        agrees(
            "AttemptReport",
            &AttemptReport {
                email: "e".into(),
                reason: "r".into(),
            },
        );
        agrees(
            "AuditEvent",
            &AuditEvent {
                seq: 1,
                at_ms: 2,
                actor: "admin".into(),
                action: "a".into(),
                target: "t".into(),
                outcome: "success".into(),
                reason: None,
            },
        );
        agrees(
            "ApiErrorBody",
            &ApiErrorBody {
                code: "c".into(),
                message: "m".into(),
            },
        );
        agrees(
            "IdentityProviderConfig",
            &IdentityProviderConfig {
                name: "Okta".into(),
                issuer: "http://idp.test".into(),
                client_id: "c".into(),
                client_secret: "s".into(),
            },
        );
        agrees(
            "IdentityProvider",
            &IdentityProvider {
                name: "Okta".into(),
                issuer: "http://idp.test".into(),
                client_id: "c".into(),
            },
        );
        agrees(
            "SignInMethodRequest",
            &SignInMethodRequest {
                email: "a@b.c".into(),
                purpose: SignInPurpose::Login,
            },
        );
        agrees(
            "SignInMethod",
            &SignInMethod {
                method: SignInKind::Federated,
                identity_provider: Some("Okta".into()),
                authorize_url: Some("http://idp.test/authorize?state=s".into()),
                state: Some("s".into()),
                redirect_uri: Some(crate::federation::REDIRECT_URI.into()),
            },
        );
        agrees(
            "SignInMethod",
            &SignInMethod {
                method: SignInKind::Password,
                identity_provider: None,
                authorize_url: None,
                state: None,
                redirect_uri: None,
            },
        );
        agrees(
            "FederatedSignIn",
            &FederatedSignIn {
                code: "c".into(),
                state: "s".into(),
                redirect_uri: crate::federation::REDIRECT_URI.into(),
            },
        );
    }

    /// The document states every rule of `crate::input`: each text field of a request body
    /// has the lengths and pattern of its rule, no string of a request body is left without
    /// one, patches need a property, and every request body refuses unknown properties (as
    /// the types do, `deny_unknown_fields`).
    #[test]
    fn the_document_states_every_input_rule() {
        use crate::input::{Shape, FIELDS, PATCHES, UNCHECKED};
        let d = doc();
        let mut problems = Vec::new();
        for (name, prop, rule) in FIELDS {
            let Some(s) = schema(&d, name).and_then(|s| s.pointer(&format!("/properties/{prop}")))
            else {
                problems.push(format!("{name}.{prop}: not in the document"));
                continue;
            };
            let mut want = serde_json::Map::new();
            want.insert("type".into(), "string".into());
            if rule.min > 0 {
                want.insert("minLength".into(), rule.min.into());
            }
            if let Some(max) = rule.max {
                want.insert("maxLength".into(), max.into());
            }
            if let Some(p) = rule.pattern() {
                want.insert("pattern".into(), p.into());
            }
            if rule.shape == Shape::HttpUrl {
                want.insert("format".into(), "uri".into());
            }
            let got: serde_json::Map<String, Value> = s
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| {
                    ["type", "minLength", "maxLength", "pattern", "format"].contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if got != want {
                problems.push(format!(
                    "{name}.{prop}: the document says {}, the rule is {}",
                    Value::Object(got),
                    Value::Object(want)
                ));
            }
        }
        let requests: std::collections::BTreeSet<String> = operations(&d)
            .into_iter()
            .filter_map(|o| o.request)
            .collect();
        for name in &requests {
            let Some(s) = schema(&d, name) else {
                problems.push(format!("request schema {name} is missing"));
                continue;
            };
            if s.get("additionalProperties") != Some(&Value::Bool(false)) {
                problems.push(format!(
                    "{name}: unknown properties are refused, say additionalProperties: false"
                ));
            }
            let min_props = s.get("minProperties").and_then(Value::as_u64);
            let want_min = PATCHES.contains(&name.as_str()).then_some(1);
            if min_props != want_min {
                problems.push(format!(
                    "{name}: minProperties is {min_props:?}, the rule {want_min:?}"
                ));
            }
            for (prop, ps) in s["properties"].as_object().into_iter().flatten() {
                let is_string = ps.get("type").and_then(Value::as_str) == Some("string");
                let ruled = FIELDS.iter().any(|(n, p, _)| n == name && p == prop)
                    || UNCHECKED.iter().any(|(n, p)| n == name && p == prop);
                if is_string && !ruled {
                    problems.push(format!(
                        "{name}.{prop}: a request string without a rule in ssap_api::input"
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    #[test]
    fn every_schema_is_used_by_a_type_test_and_every_ref_resolves() {
        let d = doc();
        let text = DOCUMENT;
        for (name, _) in d["components"]["schemas"].as_object().expect("schemas") {
            // Each schema is either a type checked above or an enum referenced by one.
            assert!(
                text.contains(&format!("#/components/schemas/{name}\"")),
                "schema {name} is never referenced"
            );
        }
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        if k == "$ref" {
                            if let Some(s) = x.as_str() {
                                out.push(s.to_string());
                            }
                        }
                        refs(x, out);
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&d, &mut all);
        assert!(all.len() > 50);
        for r in all {
            assert!(resolve(&d, &r).is_ok(), "{r} does not resolve");
        }
    }

    #[test]
    fn operations_security_and_paths() {
        let d = doc();
        let ops = operations(&d);
        let find = |k: &str| ops.iter().find(|o| o.key() == k).cloned();
        let p = find("POST /api/device/provision").expect("provision");
        assert_eq!(p.security, vec!["deviceKey"]);
        assert_eq!(p.request.as_deref(), Some("ProvisionRequest"));
        assert_eq!(find("GET /healthz").expect("health").security.len(), 0);
        assert_eq!(
            find("POST /api/operator/orgs").expect("orgs").security,
            vec!["operatorBearer"]
        );
        assert!(path_matches(
            "/api/admin/devices/{id}",
            "/api/admin/devices/x"
        ));
        assert!(!path_matches(
            "/api/admin/devices/{id}",
            "/api/admin/devices"
        ));
        let op = find_operation(&d, "delete", "/api/admin/devices/a/associations/b").expect("op");
        assert_eq!(op.path, "/api/admin/devices/{id}/associations/{user_id}");
        // The 429 of authenticate documents Retry-After.
        assert!(d
            .pointer("/components/responses/TooManyRequests/headers/Retry-After")
            .is_some());
        assert!(find("POST /api/device/authenticate")
            .expect("auth")
            .statuses
            .contains(&"429".to_string()));
    }

    #[test]
    fn validate_reports_what_is_wrong_and_where() {
        let d = doc();
        let body = r#"{"device_id":"d","user_id":5,"username":"u","display_name":"x","permission":"root","source":"admin","password_sync":true,"mfa_enforced":false,"extra":1}"#;
        let err = validate_response(&d, "POST", "/api/device/provision", 200, body, true)
            .expect_err("invalid");
        assert!(err.contains("$.user_id: expected string"), "{err}");
        assert!(err.contains("\"root\" is not one of"), "{err}");
        assert!(err.contains("\"mfa_enrolled\" is missing"), "{err}");
        assert!(err.contains("\"extra\" is not in the document"), "{err}");
        let lax = validate_response(&d, "POST", "/api/device/provision", 200, body, false)
            .expect_err("still invalid");
        assert!(!lax.contains("extra"), "{lax}");
        assert!(validate_response(&d, "POST", "/api/device/attempts", 204, "", true).is_ok());
        let e = validate_response(&d, "POST", "/api/device/attempts", 418, "", true)
            .expect_err("undocumented");
        assert!(e.contains("418 is not documented"), "{e}");
        assert!(validate_response(
            &d,
            "GET",
            "/api/device/login-window",
            401,
            r#"{"code":"unauthorized","message":"m"}"#,
            true
        )
        .is_ok());
        // Each refusal says which codes it may carry.
        let e = validate_response(
            &d,
            "POST",
            "/api/device/provision",
            409,
            r#"{"code":"conflict","message":"m","extra":1}"#,
            true,
        )
        .expect_err("conflict is no code of provision's 409");
        assert!(e.contains("\"conflict\" is not one of"), "{e}");
        assert!(e.contains("\"extra\" is not in the document"), "{e}");
        assert!(validate_response(
            &d,
            "POST",
            "/api/device/provision",
            409,
            r#"{"code":"idempotency_mismatch","message":"m"}"#,
            true
        )
        .is_ok());
    }
}
