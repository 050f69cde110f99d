//! The floor of the harness's own cost (`--client-floor`): the five requests a simulated
//! device makes (register, login-window configuration, authenticate, provision, and the
//! login-window configuration again, which the agent refetches once it holds an account), sent
//! straight from `ssap-api`'s clients with nothing simulated around them: no screen, no local
//! account store, no agent state. What a simulated device costs above this (CPU and memory in
//! the fleet's process) is the price of the simulation. A fleet's org has no identity
//! provider, so its devices never ask how an email signs in, and neither does this.

use ssap_api::{AuthenticateRequest, EnrollmentClient, Http, ProvisionRequest};
use ssap_endpoint::{local_name_for, DeviceSpec};

use crate::flow::DeviceRecord;
use crate::naming::FleetNames;

/// Device `i`'s requests, in the order its flow sends them; the record says how far it got.
pub async fn run_device(
    http: Http,
    connect_key: &str,
    names: &FleetNames,
    i: u32,
    spec: &DeviceSpec,
) -> DeviceRecord {
    let mut rec = DeviceRecord {
        index: i,
        os: spec.os,
        device_id: None,
        local_name: None,
        user_id: None,
        managed_accounts: 0,
        stopped: None,
    };
    if let Err(why) = requests(http, connect_key, names, i, spec, &mut rec).await {
        rec.stopped = Some(crate::flow::fold_numbers(&why).into());
    }
    rec
}

/// `what: the error`, for the record.
fn said(what: &'static str) -> impl Fn(ssap_api::ApiError) -> String {
    move |e| format!("{what}: {e}")
}

async fn requests(
    http: Http,
    connect_key: &str,
    names: &FleetNames,
    i: u32,
    spec: &DeviceSpec,
    rec: &mut DeviceRecord,
) -> Result<(), String> {
    let device = EnrollmentClient::new(http, connect_key)
        .register(&spec.facts())
        .await
        .map_err(said("registration refused"))?;
    rec.device_id = Some(device.device_id().into());
    device
        .login_window()
        .await
        .map_err(said("login-window configuration"))?;
    let email = names.email(i);
    let ticket = device
        .authenticate(&AuthenticateRequest {
            email,
            password: names.password(i),
        })
        .await
        .map_err(said("authenticate"))?;
    let local_name = local_name_for(spec.os, &ticket.username, ticket.system_username.as_deref())
        .map_err(|e| format!("no local name: {e}"))?;
    let assoc = device
        .provision(&ProvisionRequest {
            ticket: ticket.ticket,
            local_name,
            idempotency_key: format!("{}-provision-1", device.device_id()),
        })
        .await
        .map_err(said("provision"))?;
    rec.local_name = assoc.local_name.map(String::into_boxed_str);
    rec.user_id = Some(assoc.user_id.into_boxed_str());
    rec.managed_accounts = 1;
    device
        .login_window()
        .await
        .map_err(said("login-window configuration after provisioning"))?;
    Ok(())
}
