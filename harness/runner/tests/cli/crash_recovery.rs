//! Crash recovery (R60): `ssap-harness serve` is killed with SIGKILL twice while a fleet of
//! simulated endpoints provisions against it, and restarted each time on the same database
//! file and port. The devices carry on as people would (Try Again on the notice, which re-sends
//! the same idempotency key; power cycling a device that could not register or sign in), and
//! afterwards every device has exactly one association and one matching managed local account:
//! none lost (every association acknowledged before a kill is still there), none doubled.
//!
//! Why not `ssap_fleet::run`: the fleet library runs each device's flow once and records where
//! it stopped; it has no notion of waiting for a control plane that comes back, and its
//! embedded server cannot be killed without killing the test. So this test drives the fleet's
//! own building blocks (`FleetNames`, `flow::run_device`, `verify::classify`) against a child
//! process, and adds the recovery a user would do.
//!
//! Deterministic: the kills happen after a given number of devices were provisioned, never
//! after a sleep; the only waits are for the child's URL line and a bounded poll of /healthz.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ssap_api::{AdminClient, Http, OperatorClient, OrgSettingsPatch};
use ssap_endpoint::Endpoint;
use ssap_fleet::flow::{run_device, DeviceRecord};
use ssap_fleet::verify::{classify, Verdict};
use ssap_fleet::FleetNames;
use tokio::sync::{watch, Semaphore};

use crate::common::serve;

const TOKEN: &str = "operator-token-for-crash-recovery-0123456789";
/// Devices in the fleet, half macOS, half Windows.
const DEVICES: u32 = 400;
/// Device flows in flight at once (the fleet's default is 32).
const IN_FLIGHT: usize = 32;
/// The server is killed once this many devices have their account, and again at the second.
const KILL_AFTER_PROVISIONED: [u64; 2] = [DEVICES as u64 / 4, DEVICES as u64 / 2];
/// Recovery rounds per device before it counts as stuck (each waits for the server first).
const MAX_RECOVERIES: usize = 8;

/// Bounded poll of /healthz (the URL line is printed after the listener is bound, so this
/// normally answers at once).
async fn wait_healthy(url: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://").to_string();
    for _ in 0..100 {
        if let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await {
            let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut reply = String::new();
            if s.write_all(req.as_bytes()).await.is_ok()
                && s.read_to_string(&mut reply).await.is_ok()
                && reply.starts_with("HTTP/1.1 200")
            {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{url}/healthz never answered");
}

/// What one device ended with.
struct Outcome {
    ep: Endpoint,
    record: DeviceRecord,
    /// Recovery rounds it needed after a kill.
    recoveries: usize,
    /// Whether a recovery started on a notice offering Try Again (a provisioning in doubt).
    retried_provision: bool,
}

fn has_account(ep: &Endpoint) -> bool {
    ep.accounts().all().iter().any(|a| a.managed)
}

/// One device: the first-use flow, then, while it has no account, wait for the control plane
/// to be up and recover as a person would.
/// What every device task shares.
#[derive(Clone)]
struct Shared {
    names: FleetNames,
    http: Http,
    connect_key: String,
    /// Whether the control plane is up (false from just before a kill to after the restart).
    up: watch::Receiver<bool>,
    /// Devices with their account so far.
    provisioned: Arc<watch::Sender<u64>>,
    /// Devices whose provisioning was acknowledged (their local account exists).
    acked: Arc<Mutex<HashSet<u32>>>,
    slots: Arc<Semaphore>,
}

async fn device(i: u32, sh: Shared) -> Outcome {
    let names = &sh.names;
    let _slot = sh
        .slots
        .clone()
        .acquire_owned()
        .await
        .expect("semaphore open");
    let mut ep = Endpoint::new(names.spec(i), sh.http.clone(), sh.connect_key.clone());
    let mut record = run_device(&mut ep, names, i).await;
    let mut recoveries = 0;
    let mut retried_provision = false;
    while !has_account(&ep) && recoveries < MAX_RECOVERIES {
        recoveries += 1;
        let mut up = sh.up.clone();
        up.wait_for(|u| *u).await.expect("the test keeps the watch");
        if ep.screen().has_button("Try Again") {
            // A provisioning in doubt: the same request, the same idempotency key.
            retried_provision = true;
            let _ = ep.click("Try Again").await;
        } else {
            // Registration, configuration or sign-in never got an answer: restart the device
            // (it keeps its registration and accounts) and go through the flow again.
            ep.power_off();
            record = run_device(&mut ep, names, i).await;
        }
    }
    if has_account(&ep) {
        sh.acked.lock().expect("acked lock").insert(i);
        sh.provisioned.send_modify(|n| *n += 1);
    }
    Outcome {
        record: run_finish(&ep, i, record.stopped.as_deref().map(str::to_string)),
        ep,
        recoveries,
        retried_provision,
    }
}

/// The record `verify::classify` reads, from the device's local account store as it is now.
fn run_finish(ep: &Endpoint, index: u32, stopped: Option<String>) -> DeviceRecord {
    let managed: Vec<_> = ep.accounts().all().iter().filter(|a| a.managed).collect();
    DeviceRecord {
        index,
        os: ep.os(),
        device_id: ep.device_id().map(Box::from),
        local_name: managed.first().map(|a| Box::from(a.name.as_str())),
        user_id: managed
            .first()
            .and_then(|a| a.jumpcloud_user_id.as_deref().map(Box::from)),
        managed_accounts: u8::try_from(managed.len()).unwrap_or(u8::MAX),
        stopped: stopped.map(String::into_boxed_str),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_fleet_loses_and_doubles_no_association() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db");
    let (mut served, url) = serve(&db, "127.0.0.1:0", TOKEN);
    let port = url.rsplit(':').next().expect("port").to_string();
    wait_healthy(&url).await;

    // Short timeout: a killed server resets connections at once, but a request sent while the
    // port is closed must not hang either.
    let http = Http::new(&url, Duration::from_secs(5)).expect("http client");
    let org = OperatorClient::new(http.clone(), TOKEN)
        .create_org("crash recovery")
        .await
        .expect("org");
    let admin = AdminClient::new(http.clone(), org.api_key.clone());
    admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("SSAP on");
    let names = FleetNames::new(20240611, 0.5);
    let mut users = HashMap::new();
    for chunk in (0..DEVICES).collect::<Vec<_>>().chunks(IN_FLIGHT) {
        let made = futures::future::join_all(chunk.iter().map(|&i| {
            let (admin, user) = (admin.clone(), names.new_user(i));
            async move { admin.create_user(&user).await }
        }))
        .await;
        for (i, u) in chunk.iter().zip(made) {
            users.insert(u.expect("user").id, *i);
        }
    }

    let (up_tx, up_rx) = watch::channel(true);
    let provisioned = Arc::new(watch::channel(0u64).0);
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let shared = Shared {
        names: names.clone(),
        http: http.clone(),
        connect_key: org.connect_key.clone(),
        up: up_rx,
        provisioned: provisioned.clone(),
        acked: acked.clone(),
        slots: Arc::new(Semaphore::new(IN_FLIGHT)),
    };
    let mut tasks = Vec::new();
    for i in 0..DEVICES {
        tasks.push(tokio::spawn(device(i, shared.clone())));
    }

    let kills = AtomicU64::new(0);
    let mut acked_before_kills: Vec<HashSet<u32>> = Vec::new();
    for at in KILL_AFTER_PROVISIONED {
        let mut seen = provisioned.subscribe();
        tokio::time::timeout(Duration::from_secs(120), seen.wait_for(|n| *n >= at))
            .await
            .unwrap_or_else(|_| panic!("{at} devices never got their account"))
            .expect("watch open");
        // Down first, then the kill: a device that sees a failure waits for `up` again.
        up_tx.send_replace(false);
        acked_before_kills.push(acked.lock().expect("acked").clone());
        served.sigkill();
        kills.fetch_add(1, Ordering::Relaxed);
        let (again, again_url) = serve(&db, &format!("127.0.0.1:{port}"), TOKEN);
        assert_eq!(again_url, url, "restarted on the same port");
        wait_healthy(&url).await;
        served = again;
        up_tx.send_replace(true);
    }

    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(
            tokio::time::timeout(Duration::from_secs(300), t)
                .await
                .expect("every device finishes")
                .expect("no device task panicked"),
        );
    }

    // Verification through the admin API of the restarted server, against every local store.
    let mut verdicts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut bound_users: HashMap<String, u32> = HashMap::new();
    let mut doubled_users = Vec::new();
    let mut lost = Vec::new();
    let mut orphan_devices = 0;
    let agent_devices: HashSet<String> = outcomes
        .iter()
        .filter_map(|o| o.ep.device_id().map(str::to_string))
        .collect();
    for o in &outcomes {
        let i = o.record.index;
        let assocs = match o.ep.device_id() {
            Some(id) => admin.associations(id).await.expect("associations"),
            None => Vec::new(),
        };
        for a in &assocs {
            if let Some(other) = bound_users.insert(a.user_id.clone(), i) {
                doubled_users.push((a.user_id.clone(), other, i));
            }
            assert_eq!(
                users.get(&a.user_id),
                Some(&i),
                "device {i} is bound to another device's user"
            );
        }
        if acked_before_kills.iter().any(|s| s.contains(&i)) && assocs.len() != 1 {
            lost.push(i);
        }
        let v = classify(&o.record, &assocs);
        let key = match v {
            Verdict::Provisioned => "provisioned".to_string(),
            other => format!("{other:?}"),
        };
        verdicts.entry(key).or_default().push(i);
    }
    // Registrations whose reply died with the server leave a device record the agent never
    // learned about and registered again: it must hold no association.
    for d in admin.devices().await.expect("devices") {
        if !agent_devices.contains(&d.id) {
            orphan_devices += 1;
            assert!(
                admin.associations(&d.id).await.expect("assoc").is_empty(),
                "an unknown device {} holds an association",
                d.id
            );
        }
    }

    // Replays of one idempotency key are not audited again: one successful provision each.
    let provisions = admin
        .audit()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count();

    let recovered = outcomes.iter().filter(|o| o.recoveries > 0).count();
    let retried = outcomes.iter().filter(|o| o.retried_provision).count();
    eprintln!(
        "crash recovery: {DEVICES} devices, {} SIGKILLs, {recovered} devices recovered after a \
         kill ({retried} through Try Again with the same idempotency key), {orphan_devices} \
         registrations orphaned by a kill, verdicts {:?}, {provisions} provisions audited, \
         lost {}, doubled {}",
        kills.load(Ordering::Relaxed),
        verdicts
            .iter()
            .map(|(k, v)| (k.as_str(), v.len()))
            .collect::<Vec<_>>(),
        lost.len(),
        doubled_users.len(),
    );
    assert_eq!(kills.load(Ordering::Relaxed), 2);
    assert!(recovered > 0, "the kills hit no device: nothing was tested");
    assert!(lost.is_empty(), "acknowledged associations lost: {lost:?}");
    assert!(
        doubled_users.is_empty(),
        "users bound twice: {doubled_users:?}"
    );
    assert_eq!(
        verdicts.keys().collect::<Vec<_>>(),
        vec!["provisioned"],
        "every device exactly one association and one matching managed account: {verdicts:?}"
    );
    assert_eq!(bound_users.len(), DEVICES as usize);
    assert_eq!(
        provisions, DEVICES as usize,
        "one audited provision per device"
    );
    drop(served);
}
