//! Holds a running control plane (the reference server, the mock's model, a remote one) to the
//! rules of [`crate::input`] over HTTP: for every text field of every request body, one request
//! per thing its rule refuses (from a body that is otherwise valid), then `null` in every
//! property the document gives a body, an empty patch and an unknown property for every body. Each must be
//! answered 400 `bad_request` with a sentence naming the field; a reply of another status is a
//! rule the implementation does not keep although the document states it.
//!
//! Uses the operator token to make its own org, with a user and a registered device, so it
//! changes nothing another test can see.

use reqwest::Method;
use serde_json::{json, Value};

use crate::client::{API_KEY_HEADER, CONNECT_KEY_HEADER, DEVICE_KEY_HEADER};
use crate::input::{FIELDS, PATCHES};

/// Who a request is sent as.
#[derive(Debug, Clone, Copy)]
enum As {
    Operator,
    Admin,
    Agent,
    Device,
    Nobody,
}

/// One request body schema: where it goes and a valid body.
struct Case {
    schema: &'static str,
    method: Method,
    path: String,
    who: As,
    body: Value,
}

struct Probe {
    doc: Value,
    http: reqwest::Client,
    base: String,
    operator: String,
    api_key: String,
    connect_key: String,
    device_key: String,
}

impl Probe {
    async fn send(
        &self,
        method: Method,
        path: &str,
        who: As,
        body: &Value,
    ) -> Result<(u16, Value), String> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .json(body);
        req = match who {
            As::Operator => req.bearer_auth(&self.operator),
            As::Admin => req.header(API_KEY_HEADER, &self.api_key),
            As::Agent => req.header(CONNECT_KEY_HEADER, &self.connect_key),
            As::Device => req.header(DEVICE_KEY_HEADER, &self.device_key),
            As::Nobody => req,
        };
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: no answer: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// `body` must be refused with 400 `bad_request` and a message holding every word of `says`.
    async fn refused(
        &self,
        case: &Case,
        body: &Value,
        what: &str,
        says: &[&str],
    ) -> Result<Option<String>, String> {
        let (status, reply) = self
            .send(case.method.clone(), &case.path, case.who, body)
            .await?;
        let code = reply
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let message = reply
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if status == 400
            && code == crate::codes::BAD_REQUEST
            && says.iter().all(|w| message.contains(w))
        {
            // The refusal itself is one the document gives the operation.
            let template =
                crate::openapi::find_operation(&self.doc, case.method.as_str(), &case.path)
                    .map(|op| op.path)
                    .unwrap_or_else(|| case.path.clone());
            Ok(crate::openapi::validate_response(
                &self.doc,
                case.method.as_str(),
                &template,
                status,
                &reply.to_string(),
                true,
            )
            .err())
        } else {
            Ok(Some(format!(
                "{} {} ({}) with {what}: expected 400 bad_request saying {says:?}, got {status} {reply}",
                case.method, case.path, case.schema
            )))
        }
    }
}

async fn setup(base: &str, operator: &str) -> Result<(Probe, String, String), String> {
    let mut probe = Probe {
        doc: crate::openapi::document()?,
        http: reqwest::Client::new(),
        base: base.trim_end_matches('/').to_string(),
        operator: operator.to_string(),
        api_key: String::new(),
        connect_key: String::new(),
        device_key: String::new(),
    };
    let field = |v: &Value, k: &str| -> Result<String, String> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("setup: no {k} in {v}"))
    };
    let (status, org) = probe
        .send(
            Method::POST,
            "/api/operator/orgs",
            As::Operator,
            &json!({"name": "input rules"}),
        )
        .await?;
    if status != 201 {
        return Err(format!("setup: creating an org answered {status} {org}"));
    }
    probe.api_key = field(&org, "api_key")?;
    probe.connect_key = field(&org, "connect_key")?;
    let (status, user) = probe
        .send(
            Method::POST,
            "/api/admin/users",
            As::Admin,
            &new_user("probe"),
        )
        .await?;
    if status != 201 {
        return Err(format!("setup: creating a user answered {status} {user}"));
    }
    let (status, device) = probe
        .send(Method::POST, "/api/device/register", As::Agent, &facts())
        .await?;
    if status != 201 {
        return Err(format!(
            "setup: registering a device answered {status} {device}"
        ));
    }
    probe.device_key = field(&device, "device_credential")?;
    let user_id = field(&user, "id")?;
    let device_id = field(&device, "device_id")?;
    Ok((probe, user_id, device_id))
}

fn new_user(name: &str) -> Value {
    json!({
        "email": format!("{name}@rules.test"),
        "username": name,
        "system_username": format!("{name}-sys"),
        "firstname": "Rule",
        "lastname": "Probe",
        "password": "Probe-pw-1",
    })
}

fn facts() -> Value {
    json!({
        "os": "windows", "edition": "Pro", "architecture": "x86_64", "join_state": "workgroup",
        "mdm": "none", "hostname": "win-rules", "serial": "SIM-RULES", "mac": "00:11:22:33:44:55",
        "ip": "10.0.0.1", "os_version": "Windows 11 Pro",
    })
}

fn cases(user_id: &str, device_id: &str) -> Vec<Case> {
    let case = |schema, method, path: String, who, body| Case {
        schema,
        method,
        path,
        who,
        body,
    };
    vec![
        case(
            "NewOrg",
            Method::POST,
            "/api/operator/orgs".into(),
            As::Operator,
            json!({"name": "n"}),
        ),
        case(
            "NewUser",
            Method::POST,
            "/api/admin/users".into(),
            As::Admin,
            new_user("other"),
        ),
        case(
            "UserPatch",
            Method::PATCH,
            format!("/api/admin/users/{user_id}"),
            As::Admin,
            json!({"password": "New-pw-1", "system_username": "s", "locked": false}),
        ),
        case(
            "OrgSettingsPatch",
            Method::PATCH,
            "/api/admin/settings".into(),
            As::Admin,
            json!({"password_sync": true}),
        ),
        case(
            "DeviceFacts",
            Method::POST,
            "/api/device/register".into(),
            As::Agent,
            facts(),
        ),
        case(
            "NewAssociation",
            Method::POST,
            format!("/api/admin/devices/{device_id}/associations"),
            As::Admin,
            json!({"user_id": user_id, "permission": "standard"}),
        ),
        case(
            "LoginWindowText",
            Method::PUT,
            format!("/api/admin/devices/{device_id}/policies/login-window-text"),
            As::Admin,
            json!({"text": "Property of\nthe rules"}),
        ),
        case(
            "AuthenticateRequest",
            Method::POST,
            "/api/device/authenticate".into(),
            As::Device,
            json!({"email": "probe@rules.test", "password": "wrong"}),
        ),
        case(
            "ProvisionRequest",
            Method::POST,
            "/api/device/provision".into(),
            As::Device,
            json!({"ticket": "t", "local_name": "probe", "idempotency_key": "k"}),
        ),
        case(
            "AttemptReport",
            Method::POST,
            "/api/device/attempts".into(),
            As::Device,
            json!({"email": "probe@rules.test", "reason": "account_exists"}),
        ),
        case(
            "MfaEnrollRequest",
            Method::POST,
            format!("/api/portal/users/{user_id}/mfa/enroll"),
            As::Nobody,
            json!({"password": "wrong"}),
        ),
        case(
            "MfaVerifyRequest",
            Method::POST,
            "/api/device/mfa/verify".into(),
            As::Device,
            json!({"user_id": user_id, "code": "123456"}),
        ),
        case(
            "IdentityProviderConfig",
            Method::PUT,
            "/api/admin/identity-provider".into(),
            As::Admin,
            json!({"name": "Okta", "issuer": "http://idp.test", "client_id": "c", "client_secret": "s"}),
        ),
        case(
            "SignInMethodRequest",
            Method::POST,
            "/api/device/sign-in-method".into(),
            As::Device,
            json!({"email": "probe@rules.test", "purpose": "provision"}),
        ),
        case(
            "FederatedSignIn",
            Method::POST,
            "/api/device/authenticate/federated".into(),
            As::Device,
            json!({"code": "c", "state": "s", "redirect_uri": "r"}),
        ),
        case(
            "WindowsSsapPolicy",
            Method::PUT,
            format!("/api/admin/devices/{device_id}/policies/windows-ssap"),
            As::Admin,
            json!({"mode": "first_user_only"}),
        ),
        case(
            "MfaPolicy",
            Method::PUT,
            format!("/api/admin/devices/{device_id}/policies/mfa"),
            As::Admin,
            json!({"factor": "totp"}),
        ),
    ]
}

/// Every way the control plane at `base` fails to refuse what the rules of [`crate::input`]
/// refuse; empty when it keeps them all. `Err`: the probe could not set itself up.
pub async fn rule_violations(base: &str, operator_token: &str) -> Result<Vec<String>, String> {
    let (probe, user_id, device_id) = setup(base, operator_token).await?;
    let cases = cases(&user_id, &device_id);
    let mut problems = Vec::new();
    for (schema, field, rule) in FIELDS {
        let Some(case) = cases.iter().find(|c| c.schema == *schema) else {
            problems.push(format!("{schema}: no request to probe it with"));
            continue;
        };
        for (value, says) in rule.refused_examples() {
            let mut body = case.body.clone();
            body[*field] = Value::String(value.clone());
            let what = format!("{field} = {value:?}");
            if let Some(p) = probe.refused(case, &body, &what, &[field, says]).await? {
                problems.push(p);
            }
        }
    }
    for case in &cases {
        let mut unknown = case.body.clone();
        unknown["unknown_field"] = json!(1);
        if let Some(p) = probe
            .refused(case, &unknown, "an unknown property", &["unknown_field"])
            .await?
        {
            problems.push(p);
        }
        if PATCHES.contains(&case.schema) {
            if let Some(p) = probe
                .refused(case, &json!({}), "an empty patch", &["empty"])
                .await?
            {
                problems.push(p);
            }
        }
        // `null` is no value of any property the document gives the body (it makes none of
        // them nullable), whether the property is required or may be left out.
        let properties = crate::openapi::schema(&probe.doc, case.schema)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{}: not a schema of the document", case.schema))?;
        for field in properties.keys() {
            let mut body = case.body.clone();
            body[&field] = Value::Null;
            if let Some(p) = probe
                .refused(case, &body, &format!("{field} = null"), &[])
                .await?
            {
                problems.push(p);
            }
        }
    }
    Ok(problems)
}
