//! Read this first: a simulated Mac's first sign-in with JumpCloud, end to end.
//!
//! Starts the reference control plane in-process over a temporary SQLite file, creates an org
//! and a directory user through the admin API, turns SSAP on for macOS, then clicks and types
//! at the login window as a person would, printing each screen as text.
//!
//! `cargo run --release -p ssap-endpoint --example first_sign_in`

use std::time::Duration;

use ssap_api::{AdminClient, Http, NewUser, OperatorClient, OrgSettingsPatch};
use ssap_control_plane::{Config, HashCost};
use ssap_endpoint::{DeviceSpec, Endpoint};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        database: dir.path().join("cp.sqlite").into(),
        operator_token: "example-operator-token".into(),
        hash_cost: HashCost::Test,
        virtual_clock: false,
    };
    let server = ssap_control_plane::start(config, "127.0.0.1:0".parse()?).await?;
    let http = Http::new(server.url(), Duration::from_secs(10))?;

    // The operator creates an org; its admin adds a user and turns SSAP on for macOS.
    let org = OperatorClient::new(http.clone(), "example-operator-token")
        .create_org("Dunder Mifflin")
        .await?;
    let admin = AdminClient::new(http.clone(), org.api_key.clone());
    let patch = OrgSettingsPatch {
        macos_ssap: Some(true),
        ..Default::default()
    };
    admin.update_settings(&patch).await?;
    let user = NewUser {
        email: "pam@dunder.example".into(),
        username: "pam".into(),
        firstname: "Pam".into(),
        lastname: "Beesly".into(),
        password: Some("Directory-pw-1".into()),
        ..Default::default()
    };
    admin.create_user(&user).await?;

    // A Mac that registers with the org's connect key when it first boots.
    let mut mac = Endpoint::new(DeviceSpec::macos(1), http, org.connect_key.clone());
    mac.power_on().await?;
    println!("{}", mac.screen().render_text());

    mac.click("Sign in with JumpCloud").await?;
    mac.type_into("Email", "pam@dunder.example")?;
    mac.click("Continue").await?;
    mac.type_into("Password", "Directory-pw-1")?;
    mac.click("Login").await?;
    println!("{}", mac.screen().render_text()); // the new account's tile

    mac.click("Pam Beesly").await?;
    mac.type_into("Password", "Directory-pw-1")?;
    mac.click("Log In").await?;
    while mac.screen().buttons == ["Continue"] {
        println!("{}", mac.screen().render_text()); // the setup prompts
        mac.click("Continue").await?;
    }
    println!("{}", mac.screen().render_text());
    assert_eq!(mac.logged_in_user(), Some("pam"));
    Ok(())
}
