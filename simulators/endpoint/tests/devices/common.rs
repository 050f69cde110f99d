//! A real reference control plane per test, an org, and helpers to seed it.
#![allow(dead_code)]

use std::time::Duration;

use ssap_api::{
    AdminClient, Http, NewAssociation, NewUser, OperatorClient, OrgCreated, OrgSettingsPatch,
    PermissionLevel, User,
};
use ssap_control_plane::{Config, HashCost, RunningServer};
use ssap_endpoint::{DeviceSpec, Endpoint};

pub const OPERATOR: &str = "operator-token-for-tests";

pub struct Env {
    pub server: RunningServer,
    pub http: Http,
    pub admin: AdminClient,
    pub org: OrgCreated,
    _dir: tempfile::TempDir,
}

pub async fn env() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ssap_control_plane::start(
        Config {
            database: dir.path().join("cp.sqlite").into(),
            operator_token: OPERATOR.into(),
            hash_cost: HashCost::Test,
            virtual_clock: false,
        },
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("control plane starts");
    let http = Http::new(server.url(), Duration::from_secs(10)).expect("http");
    let org = OperatorClient::new(http.clone(), OPERATOR)
        .create_org("Sabre")
        .await
        .expect("org");
    let admin = AdminClient::new(http.clone(), org.api_key.clone());
    Env {
        server,
        http,
        admin,
        org,
        _dir: dir,
    }
}

impl Env {
    pub async fn set(&self, patch: OrgSettingsPatch) {
        self.admin.update_settings(&patch).await.expect("settings");
    }

    pub async fn macos_ssap(&self, on: bool) {
        self.set(OrgSettingsPatch {
            macos_ssap: Some(on),
            ..Default::default()
        })
        .await;
    }

    pub async fn windows_ssap(&self, on: bool) {
        self.set(OrgSettingsPatch {
            windows_ssap: Some(on),
            ..Default::default()
        })
        .await;
    }

    pub async fn user(&self, username: &str, first: &str, last: &str) -> User {
        self.user_with(NewUser {
            email: format!("{username}@sabre.example"),
            username: username.into(),
            firstname: first.into(),
            lastname: last.into(),
            password: Some("Directory-pw-1".into()),
            ..Default::default()
        })
        .await
    }

    pub async fn user_with(&self, u: NewUser) -> User {
        self.admin.create_user(&u).await.expect("user")
    }

    pub async fn bind(&self, ep: &Endpoint, user: &User) {
        self.admin
            .bind(
                ep.device_id().expect("registered"),
                &NewAssociation {
                    user_id: user.id.clone(),
                    permission: Some(PermissionLevel::Standard),
                },
            )
            .await
            .expect("bind");
    }

    pub async fn unbind(&self, ep: &Endpoint, user: &User) {
        self.admin
            .unbind(ep.device_id().expect("registered"), &user.id)
            .await
            .expect("unbind");
    }

    pub fn endpoint(&self, spec: DeviceSpec) -> Endpoint {
        Endpoint::new(spec, self.http.clone(), self.org.connect_key.clone())
    }

    pub async fn mac(&self, n: u32) -> Endpoint {
        let mut ep = self.endpoint(DeviceSpec::macos(n));
        ep.power_on().await.expect("power on");
        ep
    }

    pub async fn windows(&self, n: u32) -> Endpoint {
        let mut ep = self.endpoint(DeviceSpec::windows(n));
        ep.power_on().await.expect("power on");
        ep
    }
}

/// Clicks, panicking with the UiError text (which says what is on screen).
pub async fn click(ep: &mut Endpoint, label: &str) {
    if let Err(e) = ep.click(label).await {
        panic!("{e}");
    }
}

pub fn type_into(ep: &mut Endpoint, field: &str, text: &str) {
    if let Err(e) = ep.type_into(field, text) {
        panic!("{e}");
    }
}

/// Sign in with JumpCloud -> email -> Continue -> password -> Login (macOS, R20).
pub async fn mac_sign_in(ep: &mut Endpoint, email: &str, password: &str) {
    click(ep, "Sign in with JumpCloud").await;
    type_into(ep, "Email", email);
    click(ep, "Continue").await;
    type_into(ep, "Password", password);
    click(ep, "Login").await;
}
