//! Tenant isolation (R61): a second org's users and admin against this scenario's device.

use cucumber::{given, then};
use ssap_api::{AuthenticateRequest, NewUser};

use super::StepResult;
use crate::fail;
use crate::world::{Person, SsapWorld};

/// Creates a second org and a directory user in it (email: the username @other.example.test); later steps may name them as any user, so `"X" signs in with JumpCloud using password "..."` types their email at this org's device. Screen unchanged.
#[given(
    regex = r#"^another org has a directory user "([^"]+)" with username "([^"]*)" and password "([^"]*)"$"#
)]
async fn other_org_user(
    w: &mut SsapWorld,
    name: String,
    username: String,
    password: String,
) -> StepResult {
    let org = w.other_org().await?;
    let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
    let user = org
        .admin
        .create_user(&NewUser {
            email: format!("{username}@other.example.test"),
            username,
            firstname: first.into(),
            lastname: last.into(),
            password: Some(password.clone()),
            ..Default::default()
        })
        .await?;
    w.other_people.push(Person {
        name,
        user,
        password: Some(password),
        mfa_secret: None,
        last_mfa_code: None,
    });
    Ok(())
}

/// Asserts the current device's authenticate call for the other org's user is refused with invalid_credentials (R61). Screen unchanged.
#[then(regex = r#"^the device cannot authenticate "([^"]+)" of the other org$"#)]
async fn cannot_authenticate(w: &mut SsapWorld, name: String) -> StepResult {
    let Some(p) = w.other_people.iter().find(|p| p.name == name).cloned() else {
        fail!("no user {name:?} in the other org");
    };
    let Some(client) = w.device()?.agent().device_client().cloned() else {
        fail!("the device has not registered");
    };
    let outcome = client
        .authenticate(&AuthenticateRequest {
            email: p.user.email.clone(),
            password: p.password.clone().unwrap_or_default(),
        })
        .await;
    match outcome {
        Err(e) if e.code() == Some(ssap_api::codes::INVALID_CREDENTIALS) => Ok(()),
        Err(e) => fail!("expected invalid_credentials (the user is unknown to this org), got {e}"),
        Ok(_) => fail!("the device authenticated {name:?} of another org"),
    }
}

/// Asserts the other org's admin API can neither read the current device nor bind a user to it (a user of this org when the scenario has one, else one of the other org's or an unknown id), and does not list it (R61). Screen unchanged.
#[then(regex = r"^the other org's admin can neither see nor change the device$")]
async fn other_admin_blind(w: &mut SsapWorld) -> StepResult {
    let device_id = w.device_id()?;
    let other = w.other_org().await?;
    let own_user = w
        .people
        .first()
        .or(w.other_people.first())
        .map(|p| p.user.id.clone())
        .unwrap_or_else(|| "no-such-user".into());
    if let Ok(d) = other.admin.device(&device_id).await {
        fail!("the other org's admin read the device: {d:?}");
    }
    if let Ok(a) = other.admin.associations(&device_id).await {
        fail!("the other org's admin read the associations: {a:?}");
    }
    let bind = other
        .admin
        .bind(
            &device_id,
            &ssap_api::NewAssociation {
                user_id: own_user,
                permission: None,
            },
        )
        .await;
    if bind.is_ok() {
        fail!("the other org's admin bound a user to the device");
    }
    let devices = other.admin.devices().await?;
    if devices.iter().any(|d| d.id == device_id) {
        fail!("the device is listed in the other org");
    }
    Ok(())
}
