//! Shared set-up: a server over a temp database, orgs, users and devices through the real
//! ssap-api clients.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ssap_api::{
    AdminClient, AuthenticateRequest, DeviceClient, DeviceFacts, EnrollmentClient, Http, JoinState,
    NewUser, OperatorClient, OrgCreated, Os, ProvisionRequest,
};
use ssap_control_plane::{start, Config, Database, HashCost, RunningServer};

pub const OPERATOR_TOKEN: &str = "operator-secret-for-tests";
pub const PASSWORD: &str = "correct horse battery staple";

/// Names the variable that runs these tests on PostgreSQL instead of SQLite files.
pub const POSTGRES_VAR: &str = "SSAP_TEST_DATABASE";

/// What the tests store in: the SQLite file given, or, when `SSAP_TEST_DATABASE` holds a
/// PostgreSQL URL (CI's PostgreSQL job), that database, shared by every test as several
/// servers behind a load balancer would share it.
pub fn database(sqlite: &Path) -> Database {
    match std::env::var(POSTGRES_VAR) {
        Ok(url) if !url.trim().is_empty() => Database::parse(&url),
        _ => sqlite.to_path_buf().into(),
    }
}

/// Whether the tests run on PostgreSQL (see [`database`]).
pub fn on_postgres() -> bool {
    matches!(database(Path::new("")), Database::Postgres(_))
}

pub async fn start_on(db: &Path) -> RunningServer {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    start(
        Config {
            database: database(db),
            operator_token: OPERATOR_TOKEN.into(),
            hash_cost: HashCost::Test,
            virtual_clock: true,
        },
        addr,
    )
    .await
    .expect("server starts")
}

pub fn http(server: &RunningServer) -> Http {
    Http::new(server.url(), Duration::from_secs(30)).expect("http client")
}

/// A server over a fresh temp database; keep the `TempDir` alive for the test.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub server: RunningServer,
    pub http: Http,
}

impl Env {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = start_on(&dir.path().join("cp.sqlite")).await;
        let http = http(&server);
        Env { dir, server, http }
    }

    pub async fn org(&self, name: &str) -> Org {
        new_org(&self.http, name).await
    }
}

/// A new org created through the server `http` points at, with clients on that server.
pub async fn new_org(http: &Http, name: &str) -> Org {
    let created = OperatorClient::new(http.clone(), OPERATOR_TOKEN)
        .create_org(name)
        .await
        .expect("create org");
    Org {
        admin: AdminClient::new(http.clone(), created.api_key.clone()),
        enroll: EnrollmentClient::new(http.clone(), created.connect_key.clone()),
        created,
    }
}

pub struct Org {
    pub created: OrgCreated,
    pub admin: AdminClient,
    pub enroll: EnrollmentClient,
}

impl Org {
    pub async fn device(&self, facts: DeviceFacts) -> DeviceClient {
        self.enroll.register(&facts).await.expect("register device")
    }

    pub async fn user(&self, email: &str) -> ssap_api::User {
        self.admin
            .create_user(&user(email))
            .await
            .expect("create user")
    }
}

pub fn user(email: &str) -> NewUser {
    let username = email.split('@').next().unwrap_or(email).to_string();
    NewUser {
        email: email.into(),
        username,
        firstname: "Test".into(),
        lastname: "User".into(),
        password: Some(PASSWORD.into()),
        ..NewUser::default()
    }
}

pub fn facts(os: Os, edition: &str, arch: &str, join: JoinState) -> DeviceFacts {
    DeviceFacts {
        os,
        edition: edition.into(),
        architecture: arch.into(),
        join_state: join,
        mdm: Default::default(),
        hostname: format!("{}-host", os.as_str()),
        serial: "C02XYZ".into(),
        mac: "aa:bb:cc:dd:ee:ff".into(),
        ip: "10.0.0.2".into(),
        os_version: "15.1".into(),
    }
}

pub fn mac() -> DeviceFacts {
    facts(Os::Macos, "", "arm64", JoinState::Workgroup)
}

pub fn windows() -> DeviceFacts {
    facts(Os::Windows, "Pro", "x86_64", JoinState::Workgroup)
}

pub fn login(email: &str, password: &str) -> AuthenticateRequest {
    AuthenticateRequest {
        email: email.into(),
        password: password.into(),
    }
}

pub fn provision_req(ticket: &str, key: &str) -> ProvisionRequest {
    ProvisionRequest {
        ticket: ticket.into(),
        local_name: "local".into(),
        idempotency_key: key.into(),
    }
}

/// Authenticates with the right password and provisions with `key`.
pub async fn sign_in(
    device: &DeviceClient,
    email: &str,
    key: &str,
) -> Result<ssap_api::Association, ssap_api::ApiError> {
    let auth = device.authenticate(&login(email, PASSWORD)).await?;
    device.provision(&provision_req(&auth.ticket, key)).await
}

pub fn code<T: std::fmt::Debug>(r: Result<T, ssap_api::ApiError>) -> (u16, String) {
    match r {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => (
            e.status().unwrap_or(0),
            e.code().unwrap_or("no code").to_string(),
        ),
    }
}

/// Registers and keeps the credential (`DeviceClient::credential`) so the test can rebuild a
/// `DeviceClient` after a restart, as an agent does after a reboot.
pub async fn register_keeping_credential(
    base: &str,
    connect_key: &str,
    facts: &DeviceFacts,
) -> ssap_api::DeviceRegistered {
    let http = Http::new(base, Duration::from_secs(30)).expect("http client");
    let device = EnrollmentClient::new(http, connect_key)
        .register(facts)
        .await
        .expect("register");
    ssap_api::DeviceRegistered {
        device_id: device.device_id().to_string(),
        device_credential: device.credential().to_string(),
    }
}
