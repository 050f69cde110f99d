//! Criterion benches of the fleet's hot paths: the naming rules, the screen model, and one
//! provisioning round (authenticate + provision over HTTP) against the embedded control plane.
//!
//! `cargo bench -p ssap-fleet` runs them all; `cargo bench -p ssap-fleet -- naming` one group.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ssap_api::{
    AdminClient, AuthenticateRequest, DeviceClient, EnrollmentClient, Http, OperatorClient,
    OrgSettingsPatch, Os, ProvisionRequest,
};
use ssap_control_plane::{Config, HashCost, RunningServer};
use ssap_endpoint::{local_name_for, validate_local_name, Endpoint};
use ssap_fleet::FleetNames;

const OPERATOR: &str = "operator-token-for-the-benches";

fn naming(c: &mut Criterion) {
    let mut g = c.benchmark_group("naming");
    g.bench_function("local_name_for/macos", |b| {
        b.iter(|| local_name_for(Os::Macos, black_box("Ann.Example-42"), black_box(None)))
    });
    g.bench_function("local_name_for/windows_system_username", |b| {
        b.iter(|| {
            local_name_for(
                Os::Windows,
                black_box("ann.example"),
                black_box(Some("AExample")),
            )
        })
    });
    g.bench_function("validate_local_name/windows_refused", |b| {
        b.iter(|| validate_local_name(Os::Windows, black_box("a-name-far-too-long-for-windows")))
    });
    g.finish();
}

/// A running embedded control plane with one org, SSAP on for both OSes.
struct Bed {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    http: Http,
    admin: AdminClient,
    connect_key: String,
    _dir: tempfile::TempDir,
}

impl Bed {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bench.db");
        let (server, http, admin, connect_key) = rt.block_on(async {
            let server = ssap_control_plane::start(
                Config {
                    database: path.into(),
                    operator_token: OPERATOR.into(),
                    hash_cost: HashCost::Test,
                    virtual_clock: false,
                },
                ([127, 0, 0, 1], 0).into(),
            )
            .await
            .expect("control plane");
            let http = Http::new(server.url(), Duration::from_secs(30)).expect("http");
            let org = OperatorClient::new(http.clone(), OPERATOR)
                .create_org("bench")
                .await
                .expect("org");
            let admin = AdminClient::new(http.clone(), org.api_key);
            admin
                .update_settings(&OrgSettingsPatch {
                    macos_ssap: Some(true),
                    windows_ssap: Some(true),
                    ..Default::default()
                })
                .await
                .expect("settings");
            (server, http, admin, org.connect_key)
        });
        Self {
            rt,
            server: Some(server),
            http,
            admin,
            connect_key,
            _dir: dir,
        }
    }
}

impl Drop for Bed {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

fn screen_model(c: &mut Criterion) {
    let bed = Bed::new();
    let names = FleetNames::new(1, 0.5);
    let mut g = c.benchmark_group("screen");
    for i in [0u32, 1] {
        let spec = names.spec(i);
        let os = spec.os;
        let mut ep = Endpoint::new(spec, bed.http.clone(), bed.connect_key.clone());
        bed.rt.block_on(ep.power_on()).expect("power on");
        g.bench_function(format!("render_text/{}", os.as_str()), |b| {
            b.iter(|| black_box(ep.screen()).render_text())
        });
    }
    g.finish();
}

fn provisioning(c: &mut Criterion) {
    let bed = Bed::new();
    let names = FleetNames::new(2, 0.0);
    let next = AtomicU32::new(0);
    // Each round needs a fresh device and user (a device provisions once, R44): made in the
    // untimed setup of each batch.
    let fresh = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        bed.rt.block_on(async {
            bed.admin
                .create_user(&names.new_user(i))
                .await
                .expect("user");
            let device: DeviceClient =
                EnrollmentClient::new(bed.http.clone(), bed.connect_key.clone())
                    .register(&ssap_api::DeviceFacts {
                        os: Os::Macos,
                        edition: String::new(),
                        architecture: "arm64".into(),
                        join_state: ssap_api::JoinState::Workgroup,
                        mdm: Default::default(),
                        hostname: format!("bench-{i}"),
                        serial: format!("B{i}"),
                        mac: "a4:83:e7:00:00:01".into(),
                        ip: "10.1.0.2".into(),
                        os_version: "macOS 14.5".into(),
                    })
                    .await
                    .expect("register");
            (device, i)
        })
    };
    let mut g = c.benchmark_group("control_plane");
    g.sample_size(30).measurement_time(Duration::from_secs(5));
    g.bench_function("authenticate_and_provision", |b| {
        b.iter_batched(
            fresh,
            |(device, i)| {
                bed.rt.block_on(async {
                    let auth = device
                        .authenticate(&AuthenticateRequest {
                            email: names.email(i),
                            password: names.password(i),
                        })
                        .await
                        .expect("authenticate");
                    device
                        .provision(&ProvisionRequest {
                            ticket: auth.ticket,
                            local_name: names.username(i),
                            idempotency_key: format!("bench-{i}"),
                        })
                        .await
                        .expect("provision")
                })
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, naming, screen_model, provisioning);
criterion_main!(benches);
