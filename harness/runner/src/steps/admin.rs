//! Admin-side steps: what an admin sets up in the control plane, and what the control plane
//! records (associations, audit log).

use anyhow::{anyhow, Context as _};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ssap_api::{
    BindSource, NewAssociation, NewUser, OrgSettingsPatch, Os, PermissionLevel, UserPatch,
    UserState,
};

use super::{on_off, StepResult};
use crate::fail;
use crate::world::SsapWorld;

/// Sets the org's SSAP toggle for that OS through the admin API; the device sees it at its next login-window presentation. Screen unchanged.
#[given(regex = r"^the (macOS|Windows) SSAP toggle is (on|off)$")]
#[when(regex = r"^the admin turns the (macOS|Windows) SSAP toggle (on|off)$")]
async fn toggle(w: &mut SsapWorld, os: Os, state: String) -> StepResult {
    let on = on_off(&state)?;
    let patch = match os {
        Os::Macos => OrgSettingsPatch {
            macos_ssap: Some(on),
            ..Default::default()
        },
        Os::Windows => OrgSettingsPatch {
            windows_ssap: Some(on),
            ..Default::default()
        },
    };
    w.admin().await?.update_settings(&patch).await?;
    Ok(())
}

/// Asserts a new org starts with both SSAP toggles off (admin API settings). Screen unchanged.
#[then(regex = r"^the org's macOS and Windows SSAP toggles are off$")]
async fn toggles_off(w: &mut SsapWorld) -> StepResult {
    let s = w.admin().await?.settings().await?;
    if s.macos_ssap || s.windows_ssap {
        fail!(
            "expected both toggles off for a new org, got macOS {} and Windows {}",
            s.macos_ssap,
            s.windows_ssap
        );
    }
    Ok(())
}

/// Asserts one OS's SSAP toggle in the org's settings (admin API), whatever the other's is
/// (R01: the toggles are independent). Screen unchanged.
#[then(regex = r"^the org's (macOS|Windows) SSAP toggle is (on|off)$")]
async fn toggle_is(w: &mut SsapWorld, os: String, state: String) -> StepResult {
    let s = w.admin().await?.settings().await?;
    let on = if os == "macOS" {
        s.macos_ssap
    } else {
        s.windows_ssap
    };
    if on != (state == "on") {
        fail!(
            "the org's {os} SSAP toggle is {}",
            if on { "on" } else { "off" }
        );
    }
    Ok(())
}

/// Sets the org's permission level for accounts SSAP creates from now on (Administrator or Standard). Screen unchanged.
#[given(regex = r"^the permission level is (Administrator|Standard)$")]
#[when(regex = r"^the admin sets the permission level to (Administrator|Standard)$")]
async fn permission_level(w: &mut SsapWorld, level: String) -> StepResult {
    let level = if level == "Administrator" {
        PermissionLevel::Administrator
    } else {
        PermissionLevel::Standard
    };
    w.admin()
        .await?
        .update_settings(&OrgSettingsPatch {
            permission_level: Some(level),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// Turns the org's password sync on or off. Screen unchanged.
#[given(regex = r"^password sync is (on|off)$")]
#[when(regex = r"^the admin turns password sync (on|off)$")]
async fn password_sync(w: &mut SsapWorld, state: String) -> StepResult {
    let on = on_off(&state)?;
    w.admin()
        .await?
        .update_settings(&OrgSettingsPatch {
            password_sync: Some(on),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// Creates a directory user in the scenario's org (email: the username @example.test, see Test data); later steps name them by the quoted name. The When form does it mid-scenario (a new hire, or a name freed by a removal, R63). Screen unchanged.
#[given(regex = r#"^a directory user "([^"]+)" with username "([^"]*)" and password "([^"]*)"$"#)]
#[when(
    regex = r#"^the admin creates a directory user "([^"]+)" with username "([^"]*)" and password "([^"]*)"$"#
)]
async fn user_with_password(
    w: &mut SsapWorld,
    name: String,
    username: String,
    password: String,
) -> StepResult {
    let new = new_user(&name, &username, Some(password));
    w.add_person(&name, new).await?;
    Ok(())
}

/// Creates a directory user from a two-column table of fields, for values a quoted step value cannot hold (a `"` in a username or password): rows `name` and `username` are required; `password` (none: no password, R41), `system username` and `email` are optional. Later steps name them by `name`. Screen unchanged.
#[given(regex = r"^a directory user with these fields:$")]
#[when(regex = r"^the admin creates a directory user with these fields:$")]
async fn user_from_table(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let fields = UserFields::read(step)?;
    let mut new = new_user(&fields.name, &fields.username, fields.password);
    if let Some(email) = fields.email {
        new.email = email;
    }
    if let Some(system) = fields.system_username {
        new.system_username = Some(w.system_name(&system));
    }
    w.add_person(&fields.name, new).await?;
    Ok(())
}

/// The rows of `a directory user with these fields:`.
struct UserFields {
    name: String,
    username: String,
    password: Option<String>,
    system_username: Option<String>,
    email: Option<String>,
}

impl UserFields {
    const KNOWN: &'static str = "name, username, password, system username, email";

    fn read(step: &Step) -> anyhow::Result<Self> {
        let line = step.position.line;
        let Some(table) = step.table.as_ref() else {
            return Err(anyhow!(
                "line {line}: the step needs a table under it, one row per field (| name | Holly Flax |); fields: {}",
                Self::KNOWN
            ));
        };
        let mut fields = std::collections::BTreeMap::new();
        for (i, row) in table.rows.iter().enumerate() {
            let row_line = line + 1 + i;
            let [key, value] = row.as_slice() else {
                return Err(anyhow!(
                    "line {row_line}: a row has {} cells; write two, the field and its value",
                    row.len()
                ));
            };
            let key = key.trim().to_lowercase();
            if !matches!(
                key.as_str(),
                "name" | "username" | "password" | "system username" | "email"
            ) {
                return Err(anyhow!(
                    "line {row_line}: unknown field {key:?}; fields: {}",
                    Self::KNOWN
                ));
            }
            if fields.insert(key.clone(), value.clone()).is_some() {
                return Err(anyhow!("line {row_line}: the field {key:?} is given twice"));
            }
        }
        let mut take = |k: &str| fields.remove(k);
        let need = |v: Option<String>, k: &str| {
            v.filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow!("line {line}: the table needs a non-empty {k:?} row"))
        };
        Ok(Self {
            name: need(take("name"), "name")?,
            username: need(take("username"), "username")?,
            password: take("password"),
            system_username: take("system username"),
            email: take("email"),
        })
    }
}

/// Creates a directory user with no password assigned (R41). Screen unchanged.
#[given(regex = r#"^a directory user "([^"]+)" with username "([^"]*)" and no password$"#)]
async fn user_without_password(w: &mut SsapWorld, name: String, username: String) -> StepResult {
    let new = new_user(&name, &username, None);
    w.add_person(&name, new).await?;
    Ok(())
}

/// Sets the user's system username, which names the local account instead of the username. Screen unchanged.
#[given(regex = r#"^"([^"]+)" has the system username "([^"]*)"$"#)]
#[when(regex = r#"^the admin sets the system username of "([^"]+)" to "([^"]*)"$"#)]
async fn system_username(w: &mut SsapWorld, name: String, system: String) -> StepResult {
    let system = w.system_name(&system);
    patch_user(
        w,
        &name,
        UserPatch {
            system_username: Some(system),
            ..Default::default()
        },
    )
    .await
}

/// Sets a new directory password for the user through the admin API (which also clears their
/// wrong-password count, R42); later steps that sign in "with their directory password" use
/// it. A local account made earlier keeps whatever opens it (R06). Screen unchanged.
#[given(regex = r#"^the admin sets the password of "([^"]+)" to "([^"]*)"$"#)]
#[when(regex = r#"^the admin sets the password of "([^"]+)" to "([^"]*)"$"#)]
async fn set_password(w: &mut SsapWorld, name: String, password: String) -> StepResult {
    patch_user(
        w,
        &name,
        UserPatch {
            password: Some(password.clone()),
            ..Default::default()
        },
    )
    .await?;
    w.person_mut(&name)?.password = Some(password);
    Ok(())
}

/// Removes the directory user through the admin API (R63): from then on their email is unknown
/// to sign-ins, and their associations stay, disabled, so a device disables the account at its
/// next check-in. The scenario keeps the name for later steps. Screen unchanged.
#[given(regex = r#"^"([^"]+)" is removed from the directory$"#)]
#[when(regex = r#"^"([^"]+)" is removed from the directory$"#)]
async fn user_removed(w: &mut SsapWorld, name: String) -> StepResult {
    let id = w.person(&name)?.user.id.clone();
    w.admin()
        .await?
        .remove_user(&id)
        .await
        .with_context(|| format!("removing {name:?} from the directory"))?;
    Ok(())
}

/// Puts the directory user in that state through the admin API (staged, suspended, locked,
/// password-expired, active; reactivated = active and unlocked). Screen unchanged.
#[given(regex = r#"^"([^"]+)" is (staged|suspended|locked|password-expired|active|reactivated)$"#)]
#[when(regex = r#"^"([^"]+)" is (staged|suspended|locked|password-expired|active|reactivated)$"#)]
async fn user_state(w: &mut SsapWorld, name: String, state: String) -> StepResult {
    let patch = match state.as_str() {
        "reactivated" => UserPatch {
            state: Some(UserState::Active),
            locked: Some(false),
            ..Default::default()
        },
        "staged" => UserPatch {
            state: Some(UserState::Staged),
            ..Default::default()
        },
        "suspended" => UserPatch {
            state: Some(UserState::Suspended),
            ..Default::default()
        },
        "active" => UserPatch {
            state: Some(UserState::Active),
            ..Default::default()
        },
        "locked" => UserPatch {
            locked: Some(true),
            ..Default::default()
        },
        _ => UserPatch {
            password_expired: Some(true),
            ..Default::default()
        },
    };
    patch_user(w, &name, patch).await
}

/// Enforces MFA for the user, enrolled or not. A device learns it from the control plane at its next check-in or restart (`the agent checks in`), as a real agent does. Screen unchanged.
#[given(regex = r#"^"([^"]+)" has MFA (enforced|enforced but not enrolled)$"#)]
#[when(regex = r#"^"([^"]+)" has MFA (enforced|enforced but not enrolled)$"#)]
async fn mfa(w: &mut SsapWorld, name: String, how: String) -> StepResult {
    patch_user(
        w,
        &name,
        UserPatch {
            mfa_enforced: Some(true),
            mfa_enrolled: Some(false),
            ..Default::default()
        },
    )
    .await?;
    if how == "enforced" {
        super::mfa::enroll(w, &name).await?;
    }
    Ok(())
}

/// The admin binds the user to the current device (an admin bind, not self-service). Screen unchanged.
#[given(regex = r#"^the admin binds "([^"]+)" to the device$"#)]
#[when(regex = r#"^the admin binds "([^"]+)" to the device$"#)]
async fn bind(w: &mut SsapWorld, name: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .bind(
            &device_id,
            &NewAssociation {
                user_id,
                permission: None,
            },
        )
        .await
        .with_context(|| format!("binding {name:?} to the device"))?;
    Ok(())
}

/// The admin removes the user's bind to the current device; the local account stays. Screen unchanged.
#[when(regex = r#"^the admin unbinds "([^"]+)" from the device$"#)]
async fn unbind(w: &mut SsapWorld, name: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .unbind(&device_id, &user_id)
        .await
        .with_context(|| format!("unbinding {name:?} from the device"))?;
    Ok(())
}

/// Binds a login-window-text policy with that text to the current device, which then presents its login window anew (as after a restart), so the text shows from here on.
#[given(regex = r#"^the login-window-text policy "([^"]*)" is bound to the device$"#)]
async fn login_window_text_bound(w: &mut SsapWorld, text: String) -> StepResult {
    login_window_text(w, text).await?;
    w.device_mut()?.reboot().await?;
    Ok(())
}

/// Binds a login-window-text policy with that text to the current device; the login window shows it at its next presentation (a restart or a sign-out). Screen unchanged.
#[when(regex = r#"^the admin sets the login-window text "([^"]*)" on the device$"#)]
async fn login_window_text(w: &mut SsapWorld, text: String) -> StepResult {
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .set_login_window_text(&device_id, Some(&text))
        .await?;
    Ok(())
}

/// Removes the login-window-text policy from the current device; the login window drops the text at its next presentation. Screen unchanged.
#[when(regex = r"^the admin removes the login-window text from the device$")]
async fn remove_login_window_text(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .set_login_window_text(&device_id, None)
        .await?;
    Ok(())
}

/// Asserts the control plane has an association of the user on the current device, made by self-service or by an admin as named (other users' associations may exist: count them with `the control plane shows N users bound to the device`). Screen unchanged.
#[then(
    regex = r#"^the control plane shows "([^"]+)" bound to the device by (self-service|an admin)$"#
)]
async fn bound_by(w: &mut SsapWorld, name: String, source: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device_id = w.device_id()?;
    let assocs = w.admin().await?.associations(&device_id).await?;
    let Some(a) = assocs.iter().find(|a| a.user_id == user_id) else {
        fail!(
            "{name:?} is not bound to the device; bound: [{}]",
            assocs
                .iter()
                .map(|a| a.username.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let want = if source == "self-service" {
        BindSource::SelfService
    } else {
        BindSource::Admin
    };
    if a.source != want {
        fail!("{name:?} is bound by {:?}, expected {want:?}", a.source);
    }
    Ok(())
}

/// Asserts the control plane has no association on the current device. Screen unchanged.
#[then(regex = r"^the control plane shows no user bound to the device$")]
async fn nobody_bound(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    let assocs = w.admin().await?.associations(&device_id).await?;
    if !assocs.is_empty() {
        fail!(
            "expected no association, found: {}",
            assocs
                .iter()
                .map(|a| format!("{} ({:?})", a.username, a.source))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Asserts the org's audit log holds a refused `provision` event with that reason (a refusal code); lists the log if not. Screen unchanged.
#[then(regex = r#"^the audit log has a refused provisioning attempt with reason "([^"]+)"$"#)]
async fn audit_refusal(w: &mut SsapWorld, reason: String) -> StepResult {
    let events = w.admin().await?.audit().await?;
    let found = events.iter().any(|e| {
        e.action == "provision"
            && e.outcome == "refused"
            && e.reason.as_deref() == Some(reason.as_str())
    });
    if !found {
        fail!(
            "no refused provisioning attempt with reason {reason:?} in the audit log; it holds:\n{}",
            events
                .iter()
                .map(|e| format!(
                    "  {} {} {} {}",
                    e.action,
                    e.target,
                    e.outcome,
                    e.reason.as_deref().unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

/// Asks the control plane directly from the current device, as a second user at it would: authenticate the user with their directory password (the one the scenario gave them; the step fails for a user without one), then (if that passes) provision them with their system username or username as the local name; asserts one of the two is refused with that code (authenticate already applies the device rules, so `device_has_managed_users` or `ssap_disabled` is refused, and audited, on `authenticate`), so the rule is checked on the server and not only by the login window hiding its button. Screen unchanged.
#[then(
    regex = r#"^the control plane refuses to provision "([^"]+)" on the device with "([^"]+)"$"#
)]
async fn refuses_directly(w: &mut SsapWorld, name: String, code: String) -> StepResult {
    let password = directory_password(w, &name).with_context(|| {
        format!("name the password the device sends with `the control plane refuses to provision \"{name}\" on the device using password \"...\" with \"{code}\"`")
    })?;
    refuse_with(w, &name, password, &code).await
}

/// As `the control plane refuses to provision "<name>" on the device with "<code>"`, but the device sends the password the step names: a wrong one, an old one after a change, or any password for a federated user, who has no directory password (`use_federation`, R46). Screen unchanged.
#[then(
    regex = r#"^the control plane refuses to provision "([^"]+)" on the device using password "([^"]*)" with "([^"]+)"$"#
)]
async fn refuses_directly_with_password(
    w: &mut SsapWorld,
    name: String,
    password: String,
    code: String,
) -> StepResult {
    refuse_with(w, &name, password, &code).await
}

/// Authenticate, then (if that passes) provision, from the current device's own client;
/// passes when one of the two is refused with `code`.
async fn refuse_with(w: &mut SsapWorld, name: &str, password: String, code: &str) -> StepResult {
    // Asks the API directly (as a second user at the same device would), so the rule is
    // checked on the server and not only by the login window hiding its button.
    let client = device_client(w)?;
    let ticket = match authenticate_directly(w, &client, name, password).await? {
        Err(e) if e.code() == Some(code) => return Ok(()),
        Err(e) => fail!("expected refusal {code:?}, authenticate answered: {e}"),
        Ok(t) => t,
    };
    let request = provision_request(w, ticket);
    match client.provision(&request).await {
        Err(e) if e.code() == Some(code) => Ok(()),
        Err(e) => fail!("expected refusal {code:?}, provision answered: {e}"),
        Ok(_) => fail!("expected refusal {code:?}, but the control plane provisioned {name:?}"),
    }
}

/// The current device's own API client, as its agent holds it.
fn device_client(w: &SsapWorld) -> anyhow::Result<ssap_api::DeviceClient> {
    w.device()?
        .agent()
        .device_client()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the device has not registered with the control plane"))
}

/// The directory password the scenario gave `name` (a federated user has none).
fn directory_password(w: &SsapWorld, name: &str) -> anyhow::Result<String> {
    w.person(name)?
        .password
        .clone()
        .ok_or_else(|| anyhow::anyhow!("{name:?} has no directory password to sign in with"))
}

/// The user's authenticate call from the device with `password`.
async fn authenticate_directly(
    w: &SsapWorld,
    client: &ssap_api::DeviceClient,
    name: &str,
    password: String,
) -> anyhow::Result<Result<ssap_api::AuthenticateResponse, ssap_api::ApiError>> {
    let person = w.person(name)?;
    Ok(client
        .authenticate(&ssap_api::AuthenticateRequest {
            email: person.user.email.clone(),
            password,
        })
        .await)
}

/// The provisioning request a device sends after a passed authenticate: the name provisioning
/// creates (system username, else username) and a fresh idempotency key from the seed.
fn provision_request(
    w: &mut SsapWorld,
    ticket: ssap_api::AuthenticateResponse,
) -> ssap_api::ProvisionRequest {
    let key: u64 = fake::Fake::fake_with_rng(&(0..u64::MAX), &mut w.rng);
    ssap_api::ProvisionRequest {
        ticket: ticket.ticket,
        local_name: ticket.system_username.unwrap_or(ticket.username),
        idempotency_key: format!("direct-{key:016x}"),
    }
}

async fn patch_user(w: &mut SsapWorld, name: &str, patch: UserPatch) -> StepResult {
    let id = w.person(name)?.user.id.clone();
    let user = w
        .admin()
        .await?
        .update_user(&id, &patch)
        .await
        .with_context(|| format!("updating user {name:?}"))?;
    w.person_mut(name)?.user = user;
    Ok(())
}

/// A directory user from a display name ("Holly Flax" → Holly / Flax).
pub(crate) fn new_user(name: &str, username: &str, password: Option<String>) -> NewUser {
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let local = username
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>();
    NewUser {
        email: format!(
            "{}@example.test",
            if local.is_empty() { "user" } else { &local }
        ),
        username: username.to_string(),
        firstname: first.to_string(),
        lastname: last.to_string(),
        password,
        ..Default::default()
    }
}

/// Binds the Windows SSAP policy (first user only or multiple users) to the current device. Screen unchanged.
#[given(
    regex = r#"^the Windows SSAP policy "(first user only|multiple users)" is bound to the device$"#
)]
#[when(
    regex = r#"^the admin binds the Windows SSAP policy "(first user only|multiple users)" to the device$"#
)]
async fn windows_policy(w: &mut SsapWorld, mode: String) -> StepResult {
    let mode = if mode == "first user only" {
        ssap_api::WindowsSsapMode::FirstUserOnly
    } else {
        ssap_api::WindowsSsapMode::MultipleUsers
    };
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .set_windows_policy(&device_id, Some(mode))
        .await?;
    Ok(())
}

/// Removes the Windows SSAP policy from the current device: the org's Windows toggle decides again (R03). Screen unchanged; the credential provider follows at its next presentation.
#[when(regex = r"^the admin removes the Windows SSAP policy from the device$")]
async fn remove_windows_policy(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .set_windows_policy(&device_id, None)
        .await?;
    Ok(())
}

/// Binds an MFA policy (TOTP) to the current device, macOS or Windows: every user bound there answers MFA at their next login once the device learns it at check-in or restart; provisioning never asks (R45). Screen unchanged.
#[given(regex = r"^(?:an|the) MFA policy is bound to the device$")]
#[when(regex = r"^the admin binds (?:an|the) MFA policy to the device$")]
async fn mfa_policy(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    w.admin()
        .await?
        .set_mfa_policy(&device_id, Some(ssap_api::MfaFactor::Totp))
        .await?;
    Ok(())
}

/// Removes the MFA policy from the current device: from its next check-in or restart only users with MFA enforced on them answer MFA at login (R45). Screen unchanged.
#[when(regex = r"^the admin removes the MFA policy from the device$")]
async fn remove_mfa_policy(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    w.admin().await?.set_mfa_policy(&device_id, None).await?;
    Ok(())
}

/// Asserts the admin API refuses (HTTP 400) a Windows SSAP policy on the current macOS device. Screen unchanged.
#[then(regex = r"^binding a Windows SSAP policy to the macOS device is refused$")]
async fn windows_policy_refused_on_mac(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    match w
        .admin()
        .await?
        .set_windows_policy(&device_id, Some(ssap_api::WindowsSsapMode::MultipleUsers))
        .await
    {
        Err(e) if e.status() == Some(400) => Ok(()),
        Err(e) => fail!("expected HTTP 400, got {e}"),
        Ok(()) => fail!("the control plane bound a Windows policy to a macOS device"),
    }
}

/// The admin binds the user to the current device with that permission level. Screen unchanged.
#[given(regex = r#"^the admin binds "([^"]+)" to the device as (Administrator|Standard)$"#)]
async fn bind_as(w: &mut SsapWorld, name: String, level: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device_id = w.device_id()?;
    let permission = if level == "Administrator" {
        PermissionLevel::Administrator
    } else {
        PermissionLevel::Standard
    };
    w.admin()
        .await?
        .bind(
            &device_id,
            &NewAssociation {
                user_id,
                permission: Some(permission),
            },
        )
        .await?;
    Ok(())
}

/// Asserts the control plane shows exactly N associations on the current device. Screen unchanged.
#[then(regex = r"^the control plane shows (\d+) users? bound to the device$")]
async fn bound_count(w: &mut SsapWorld, n: usize) -> StepResult {
    let device_id = w.device_id()?;
    let assocs = w.admin().await?.associations(&device_id).await?;
    if assocs.len() != n {
        fail!(
            "expected {n} bound, found {}: {:?}",
            assocs.len(),
            assocs.iter().map(|a| &a.username).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// The audit target a step's `for "X"` names, and the part of the log that can be about it.
/// For a directory user of the scenario: their email, and only the events from their own
/// `user.create` to the next user created with the same email, so a user removed and another
/// created with the freed email (R63) never share events. Otherwise the text as the log writes
/// it, over the whole log.
fn audit_scope(
    w: &SsapWorld,
    who: &str,
    events: &[ssap_api::AuditEvent],
) -> (String, std::ops::Range<usize>) {
    let Ok(person) = w.person(who) else {
        return (w.real_email(who), 0..events.len());
    };
    let email = person.user.email.clone();
    // This person is the k-th of the scenario's users with this email, in creation order.
    let k = w
        .people
        .iter()
        .filter(|p| p.user.email.eq_ignore_ascii_case(&email))
        .position(|p| p.name == person.name);
    let creates: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.action == "user.create" && about(&e.target, &email))
        .map(|(i, _)| i)
        .collect();
    let range = match k.and_then(|k| creates.get(k).map(|start| (k, *start))) {
        Some((k, start)) => start..creates.get(k + 1).copied().unwrap_or(events.len()),
        None => 0..events.len(),
    };
    (email, range)
}

/// Whether an audit target is about `who`: the target itself, or one of its parts, as an
/// association's `device <id> / user <email>` names its user.
fn about(target: &str, who: &str) -> bool {
    target.eq_ignore_ascii_case(who)
        || target.split(" / ").any(|part| {
            part.split_once(' ')
                .is_some_and(|(_, named)| named.eq_ignore_ascii_case(who))
        })
}

/// Asserts the audit log holds an event with that action and outcome (and reason, if given), about any target, or with `for "X"` about that target only: a directory user by name, or an email or other target as the log writes it; an association's target (`device <id> / user <email>`) is about its user, so `for "Hank"` finds Hank's binds and unbinds; a directory user's events are those from their creation on, so a user created with a removed user's freed email (R63) does not inherit the removed one's (action names and reasons are under Test data). A refusal's reason is a code; a success's reason is the reference server's prose about the change (`permission_level: standard -> administrator`), which the mock writes the same for `settings.update` and leaves empty for other admin changes, so name another change's reason only where the scenario runs embedded or remote. Screen unchanged.
#[then(
    regex = r#"^the audit log records "([^"]+)"(?: for "([^"]+)")? with outcome "(success|refused)"(?: and reason "([^"]*)")?$"#
)]
async fn audit_records(
    w: &mut SsapWorld,
    action: String,
    target: String,
    outcome: String,
    reason: String,
) -> StepResult {
    let events = w.admin().await?.audit().await?;
    let (target, scope) = if target.is_empty() {
        (None, 0..events.len())
    } else {
        let (t, scope) = audit_scope(w, &target, &events);
        (Some(t), scope)
    };
    let found = events[scope].iter().any(|e| {
        e.action == action
            && e.outcome == outcome
            && target.as_deref().is_none_or(|t| about(&e.target, t))
            && (reason.is_empty() || e.reason.as_deref() == Some(reason.as_str()))
    });
    if !found {
        fail!(
            "no {action:?}{} {outcome:?} event{} in the audit log; it holds:\n{}",
            target
                .as_deref()
                .map(|t| format!(" for {t:?}"))
                .unwrap_or_default(),
            if reason.is_empty() {
                String::new()
            } else {
                format!(" with reason {reason:?}")
            },
            events
                .iter()
                .map(|e| format!(
                    "  {} {} {} {}",
                    e.action,
                    e.target,
                    e.outcome,
                    e.reason.as_deref().unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

/// Asserts every device of the scenario has exactly one association on the control plane and one managed local account. Screens unchanged.
#[then(regex = r"^every device still has its managed user bound on the control plane$")]
async fn fleet_bound(w: &mut SsapWorld) -> StepResult {
    let admin = w.admin().await?;
    for m in &w.machines {
        let Some(id) = m.endpoint.device_id() else {
            fail!("{} never registered", m.label);
        };
        let assocs = admin.associations(id).await?;
        let local_managed = m.endpoint.accounts().managed_count();
        if assocs.len() != 1 || local_managed != 1 {
            fail!(
                "{}: {} associations on the control plane, {} managed local accounts; expected 1 and 1",
                m.label,
                assocs.len(),
                local_managed
            );
        }
    }
    Ok(())
}

/// Asserts the directory user is (or is not) locked on the control plane (R42). Screen unchanged.
#[then(regex = r#"^the control plane shows "([^"]+)" (locked|not locked)$"#)]
async fn locked(w: &mut SsapWorld, name: String, how: String) -> StepResult {
    let id = w.person(&name)?.user.id.clone();
    let user = w.admin().await?.user(&id).await?;
    if user.locked != (how == "locked") {
        fail!(
            "{name:?} is {}",
            if user.locked { "locked" } else { "not locked" }
        );
    }
    Ok(())
}

/// Asserts the admin's view of the device reports the MDM named (R48): none, JumpCloud's, or
/// another vendor's.
#[then(
    regex = r"^the control plane shows the device (with the agent and no MDM|enrolled in JumpCloud's MDM|managed jointly with another vendor's MDM)$"
)]
async fn device_mdm(w: &mut SsapWorld, management: String) -> StepResult {
    let device_id = w.device_id()?;
    let device = w.admin().await?.device(&device_id).await?;
    let want = super::device::mdm_named(&management);
    if device.facts.mdm != want {
        let said = match device.facts.mdm {
            ssap_api::Mdm::None => "with the agent and no MDM",
            ssap_api::Mdm::Jumpcloud => "enrolled in JumpCloud's MDM",
            ssap_api::Mdm::OtherVendor => "managed jointly with another vendor's MDM",
        };
        fail!("the control plane shows the device {said}, not {management}");
    }
    Ok(())
}

/// Asserts the org's directory has no user with that email (nothing was created for a stranger). Screen unchanged.
#[then(regex = r#"^the directory has no user with the email "([^"]+)"$"#)]
async fn no_such_user(w: &mut SsapWorld, email: String) -> StepResult {
    let email = w.real_email(&email);
    let users = w.admin().await?.users().await?;
    if let Some(u) = users.iter().find(|u| u.email.eq_ignore_ascii_case(&email)) {
        fail!(
            "the directory has a user with the email {email:?}: {:?}",
            u.username
        );
    }
    Ok(())
}

/// Asserts the audit log holds no event with that action about that target: a directory user by name (their events from their creation on), or an email (action names are under Test data). Other targets are not looked at, so it holds in an org other scenarios share. Screen unchanged.
#[then(regex = r#"^the audit log records no "([^"]+)" for "([^"]+)"$"#)]
async fn audit_records_no(w: &mut SsapWorld, action: String, target: String) -> StepResult {
    let events = w.admin().await?.audit().await?;
    let (target, scope) = audit_scope(w, &target, &events);
    let found: Vec<String> = events[scope]
        .iter()
        .filter(|e| e.action == action && about(&e.target, &target))
        .map(|e| format!("{} {}", e.outcome, e.reason.as_deref().unwrap_or("")))
        .collect();
    if !found.is_empty() {
        fail!("the audit log records {action:?} for {target:?}: {found:?}");
    }
    Ok(())
}

/// R44 under a race: from the current device, authenticates both users, then sends both provisioning requests at the same moment (two sign-ins whose Login clicks land together). Only the control plane decides; the device's screen and local accounts are not touched. Check the outcome with `exactly one of "A" and "B" is bound to the device`.
#[when(
    regex = r#"^the device sends the provisioning of "([^"]+)" and of "([^"]+)" at the same moment$"#
)]
async fn provision_race(w: &mut SsapWorld, first: String, second: String) -> StepResult {
    let client = device_client(w)?;
    let mut requests = Vec::new();
    for name in [&first, &second] {
        let password = directory_password(w, name)?;
        let ticket = authenticate_directly(w, &client, name, password)
            .await?
            .with_context(|| format!("authenticating {name:?} before the race"))?;
        requests.push(provision_request(w, ticket));
    }
    let (a, b) = tokio::join!(
        client.provision(&requests[0]),
        client.provision(&requests[1])
    );
    let said = |r: &Result<ssap_api::Association, ssap_api::ApiError>| match r {
        Ok(_) => "provisioned".to_string(),
        Err(e) => e.to_string(),
    };
    w.note(format!(
        "race: {first:?} {}, {second:?} {}",
        said(&a),
        said(&b)
    ));
    Ok(())
}

/// Asserts that of the two users exactly one has an association on the current device. Screen unchanged.
#[then(regex = r#"^exactly one of "([^"]+)" and "([^"]+)" is bound to the device$"#)]
async fn exactly_one_of(w: &mut SsapWorld, first: String, second: String) -> StepResult {
    let ids = [
        w.person(&first)?.user.id.clone(),
        w.person(&second)?.user.id.clone(),
    ];
    let device_id = w.device_id()?;
    let assocs = w.admin().await?.associations(&device_id).await?;
    let bound: Vec<&str> = assocs
        .iter()
        .filter(|a| ids.contains(&a.user_id))
        .map(|a| a.username.as_str())
        .collect();
    if bound.len() != 1 {
        fail!("expected exactly one of {first:?} and {second:?} bound, found {bound:?}");
    }
    Ok(())
}
