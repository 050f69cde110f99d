//! Device steps: build simulated endpoints and drive their screens the way a person would,
//! by clicking labels and typing into fields.

use anyhow::Context as _;
use cucumber::gherkin::Step;
use cucumber::{given, when};
use ssap_api::{JoinState, Mdm, Os};
use ssap_endpoint::{DeviceSpec, LocalAccount, ScreenKind};

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Adds a new simulated device of that OS, registered with the org and powered on at its login window (default networks under Test data); later steps act on it.
#[given(regex = r"^an? (macOS|Windows) device at the login window$")]
async fn device(w: &mut SsapWorld, #[step] step: &Step, os: Os) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let spec = match os {
        Os::Macos => DeviceSpec::macos(n),
        Os::Windows => DeviceSpec::windows(n),
    };
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

/// The password of a local account a scenario adds without naming one.
pub(crate) const DEFAULT_LOCAL_PASSWORD: &str = "local-secret-1";

/// Adds a local (not managed) account with that short name and full name to the current device, with that password (else `local-secret-1`), then reboots it so the login window lists it; leaves the login window. The OS's naming rules apply (macOS short names are lowercase: "HANK" is refused there).
#[given(
    regex = r#"^the device has a local account "([^"]+)" for "([^"]+)"(?: with password "([^"]*)")?$"#
)]
async fn local_account(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    full_name: String,
    password: String,
) -> StepResult {
    let os = w.device()?.os();
    let name = w.real_name(&name);
    let password = if password.is_empty() {
        DEFAULT_LOCAL_PASSWORD
    } else {
        password.as_str()
    };
    let account = LocalAccount::local(&name, &full_name, password, false, os);
    w.device_mut()?
        .accounts_mut()
        .add(account.clone())
        .with_context(|| format!("adding local account {name:?}"))?;
    w.remember_local(account);
    // The login window lists local accounts at its next presentation.
    w.device_mut()?.reboot().await?;
    w.snap(step);
    Ok(())
}

/// Clicks the button, tile or menu item with that label on the current device's screen; fails if the screen has none. Leaves whatever screen the click opens.
#[when(regex = r#"^(?:they click|the user clicks) "([^"]+)"$"#)]
async fn click(w: &mut SsapWorld, #[step] step: &Step, label: String) -> StepResult {
    let result = w.device_mut()?.click(&label).await;
    w.snap(step);
    result?;
    Ok(())
}

/// Types the text into the field with that label on the current screen; fails if there is no such field. Screen stays, field filled.
#[when(regex = r#"^(?:they type|the user types) "([^"]*)" into "([^"]+)"$"#)]
async fn type_into(
    w: &mut SsapWorld,
    #[step] step: &Step,
    text: String,
    field: String,
) -> StepResult {
    let result = w.device_mut()?.type_into(&field, &text);
    w.snap(step);
    result?;
    Ok(())
}

/// Reboots the current device; it checks in with the control plane and shows its login window again.
#[when(regex = r"^the device (?:reboots|restarts)$")]
async fn reboot(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.reboot().await?;
    w.snap(step);
    Ok(())
}

/// Signs the logged-in user out of the current device; leaves the login window. Fails if
/// nobody is logged in.
#[when(regex = r"^the user signs out$")]
async fn sign_out(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    if w.device()?.logged_in_user().is_none() {
        fail!("nobody is logged in to the device, so nobody can sign out");
    }
    w.device_mut()?.sign_out().await?;
    w.snap(step);
    Ok(())
}

/// The whole self-service flow of the device's OS, clicked through screen by screen from the
/// login window (a web view left open is cancelled first; on Windows with the password
/// re-confirmed and the default PIN). Where it ends differs as the
/// OSes do: a Mac is back at the login window with the new account's tile (then `logs in with
/// password`); Windows signs the user in after the PIN (unless a GPO blocks PIN sign-in, R33:
/// see that device's step). Fails unless the device then holds a
/// managed local account bound to the user: a refusal on the way fails the step with what
/// the screen says (use `starts signing in` to look at a refusal).
#[when(regex = r#"^"([^"]+)" signs in with JumpCloud using password "([^"]*)"$"#)]
async fn sign_in_with_jumpcloud(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    web_view(w, step, &name, &password).await?;
    if w.device()?.os() == Os::Windows {
        windows_after_web_view(w, step, &password, DEFAULT_PIN).await?;
    }
    expect_account(w, &name)
}

/// Fails unless the current device holds a managed local account bound to the user, naming
/// where the sign-in stopped.
pub(crate) fn expect_account(w: &SsapWorld, name: &str) -> StepResult {
    let user_id = w.person(name)?.user.id.clone();
    let device = w.device()?;
    let bound = device
        .accounts()
        .all()
        .iter()
        .any(|a| a.managed && a.jumpcloud_user_id.as_deref() == Some(user_id.as_str()));
    if !bound {
        fail!(
            "{name:?} did not get a local account: the sign-in stopped at {}",
            what_it_shows(&device.screen())
        );
    }
    Ok(())
}

/// A screen's title and what it says (its error, else its message), for a failing step.
pub(crate) fn what_it_shows(screen: &ssap_endpoint::Screen) -> String {
    format!(
        "{:?}{}",
        screen.title,
        screen
            .error_text()
            .or(screen.message_text())
            .map(|t| format!(" saying {t:?}"))
            .unwrap_or_default()
    )
}

/// Logs in to the user's provisioned account at the login window (a notice left on screen is
/// closed with OK first), then clicks through the OS's first-login setup prompts (R20). Ends wherever the OS leads: the desktop, an MFA
/// prompt, or a refusal on screen; it asserts none of them (`"X" is logged in` does).
#[when(regex = r#"^"([^"]+)" logs in with password "([^"]*)"$"#)]
async fn log_in(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    log_in_flow(w, step, &name, &password).await
}

/// Clicks the user's tile, enters the password (on Windows under Sign-in options once a PIN
/// exists), submits, and goes through the setup prompts.
pub(crate) async fn log_in_flow(
    w: &mut SsapWorld,
    step: &Step,
    name: &str,
    password: &str,
) -> StepResult {
    let tile = w.person(name)?.user.display_name();
    let submit = match w.device()?.os() {
        Os::Macos => "Log In",
        Os::Windows => "Sign in",
    };
    dismiss_notice(w, step).await?;
    play(w, step, vec![Action::Click(tile)]).await?;
    let mut script = Vec::new();
    if !w.device()?.screen().has_field("Password") {
        script.push(Action::Click("Sign-in options".into()));
    }
    script.extend([
        Action::Type("Password", password.to_string()),
        Action::Click(submit.into()),
    ]);
    play(w, step, script).await?;
    complete_setup_prompts(w, step).await
}

/// Clicks Continue through the OS's first-login setup prompts, if they are on screen (R20).
pub(crate) async fn complete_setup_prompts(w: &mut SsapWorld, step: &Step) -> StepResult {
    // A bounded number of Continue clicks, each through the screen model.
    for _ in 0..10 {
        let screen = w.device()?.screen();
        if screen.kind != ScreenKind::SetupAssistant {
            break;
        }
        play(w, step, vec![Action::Click("Continue".into())]).await?;
    }
    Ok(())
}

/// One user action of a scripted flow.
pub(crate) enum Action {
    Click(String),
    Type(&'static str, String),
}

pub(crate) async fn play(w: &mut SsapWorld, step: &Step, script: Vec<Action>) -> StepResult {
    for action in script {
        let outcome = match &action {
            Action::Click(label) => w
                .device_mut()?
                .click(label)
                .await
                .map_err(anyhow::Error::from),
            Action::Type(field, text) => w
                .device_mut()?
                .type_into(field, text)
                .map_err(anyhow::Error::from),
        };
        if let Err(e) = outcome {
            w.snap(step);
            fail!("{e:#}");
        }
    }
    w.snap(step);
    Ok(())
}

/// Windows editions and joins the catalog names as unsupported (R18) or supported.
#[given(
    regex = r"^a Windows device running (Home|Pro|Enterprise|Education|Server) on (x86_64|arm64)(?:, joined to (Active Directory|Entra ID))? at the login window$"
)]
async fn windows_device(
    w: &mut SsapWorld,
    #[step] step: &Step,
    edition: String,
    arch: String,
    join: String,
) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let mut spec = DeviceSpec::windows(n);
    spec.edition = edition.clone();
    spec.architecture = arch;
    spec.join_state = match join.as_str() {
        "Active Directory" => JoinState::ActiveDirectory,
        "Entra ID" => JoinState::EntraId,
        _ => JoinState::Workgroup,
    };
    spec.os_version = format!("Windows 11 {edition} 23H2");
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

/// Adds a Mac joined to a directory domain, registered and at its login window: such a device
/// cannot host SSAP (R18), whatever the control plane says.
#[given(regex = r"^a macOS device joined to (Active Directory|Entra ID) at the login window$")]
async fn macos_joined_device(w: &mut SsapWorld, #[step] step: &Step, join: String) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let mut spec = DeviceSpec::macos(n);
    spec.join_state = if join == "Entra ID" {
        JoinState::EntraId
    } else {
        JoinState::ActiveDirectory
    };
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

/// Adds a Windows device whose group policy blocks PIN sign-in, at its login window (R33): the
/// sign-in still shows the PIN page, then says PIN sign-in is blocked and asks for a restart;
/// the account is made and opens with its password.
#[given(regex = r"^a Windows device where a GPO blocks PIN sign-in, at the login window$")]
async fn windows_gpo_device(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let mut spec = DeviceSpec::windows(n);
    spec.pin_blocked_by_gpo = true;
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

/// Adds that many macOS and Windows devices, each at its login window; `on device N` picks one (numbered in that order, from 1).
#[given(regex = r"^a fleet of (\d+) macOS and (\d+) Windows devices at the login window$")]
async fn fleet(w: &mut SsapWorld, #[step] step: &Step, macs: u32, pcs: u32) -> StepResult {
    for _ in 0..macs {
        let n = w.machines.len() as u32 + 1;
        w.add_machine(DeviceSpec::macos(n)).await?;
    }
    for _ in 0..pcs {
        let n = w.machines.len() as u32 + 1;
        w.add_machine(DeviceSpec::windows(n)).await?;
    }
    w.snap(step);
    Ok(())
}

/// Makes device N (from 1, in the order they were added) the one later steps act on. Screens unchanged.
#[when(regex = r"^on device (\d+)$")]
async fn select_device(w: &mut SsapWorld, n: usize) -> StepResult {
    if n == 0 || n > w.machines.len() {
        crate::fail!(
            "there is no device {n}; the scenario has {} (numbered from 1)",
            w.machines.len()
        );
    }
    w.current = n - 1;
    Ok(())
}

/// The Windows flow up to and including the PIN, with an explicit PIN (R31, R32); on a Mac it fails before any click, as macOS asks for no PIN.
#[when(regex = r#"^"([^"]+)" signs in with JumpCloud using password "([^"]*)" and PIN "([^"]*)"$"#)]
async fn sign_in_with_pin(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
    pin: String,
) -> StepResult {
    if w.device()?.os() != ssap_api::Os::Windows {
        fail!("only Windows asks for a PIN: on macOS write `\"{name}\" signs in with JumpCloud using password \"...\"`");
    }
    web_view(w, step, &name, &password).await?;
    windows_after_web_view(w, step, &password, &pin).await
}

/// Everything from the login window (a web view left open is cancelled first) up to and
/// including Login in the web view: macOS then provisions, or asks for a local password when
/// password sync is off; Windows goes on to re-confirm the password. A refusal (the control
/// plane's, or a local name the OS cannot hold or that collides, R39 and R43) shows right after
/// Login on both OSes; a device offline refuses at Sign in with JumpCloud (R21) with an error
/// line on that screen, and the step stops there. For a federated user (R46) the password goes into the identity
/// provider's page and its Sign In is clicked; a wrong one leaves that page with its error.
/// It asserts nothing.
#[when(regex = r#"^"([^"]+)" starts signing in with JumpCloud using password "([^"]*)"$"#)]
async fn start_sign_in(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    web_view(w, step, &name, &password).await
}

/// From the login window (a web view left open is cancelled first): Sign in with JumpCloud,
/// the user's email, Continue. Leaves the page that asks for the password: JumpCloud's, or
/// for a federated user the identity provider's sign-in page (R46). Nothing is asserted.
#[when(regex = r#"^"([^"]+)" starts signing in with JumpCloud$"#)]
async fn start_sign_in_email_only(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
) -> StepResult {
    let email = w.person(&name)?.user.email.clone();
    open_password_page(w, step, email).await
}

/// From the login window (an open web view is cancelled first): Sign in with JumpCloud, the
/// email, Continue. A device that refuses at once (offline: no call can be made) leaves its
/// notice on screen and the email is not typed.
async fn open_password_page(w: &mut SsapWorld, step: &Step, email: String) -> StepResult {
    back_to_login_window(w, step).await?;
    let mut script = vec![Action::Click("Sign in with JumpCloud".into())];
    if w.device()?.os() == Os::Windows {
        script.push(Action::Click("Click here to sign in".into()));
    }
    play(w, step, script).await?;
    if at_notice(w)? {
        return Ok(());
    }
    play(
        w,
        step,
        vec![
            Action::Type("Email", email),
            Action::Click("Continue".into()),
        ],
    )
    .await
}

/// Takes the current device's internet upstream down (links stay up); the indicator on screen turns red at once, as a device's own network check notices.
#[when(regex = r"^the device loses its internet connection$")]
async fn internet_down(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.network_mut().set_upstream(false);
    w.snap(step);
    Ok(())
}

/// Brings the current device's internet upstream back.
#[when(regex = r"^the device's internet comes back$")]
async fn internet_up(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.network_mut().set_upstream(true);
    w.snap(step);
    Ok(())
}

/// Plugs the current device into Ethernet and turns its Wi-Fi off; the indicator on screen follows at once.
#[given(regex = r"^the device is on Ethernet with Wi-Fi off$")]
#[when(regex = r"^the device is on Ethernet with Wi-Fi off$")]
async fn ethernet_only(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let net = w.device_mut()?.network_mut();
    net.set_ethernet(true);
    net.set_wifi(false);
    w.snap(step);
    Ok(())
}

/// The clicks that open the Wireless menu: none when a menu is open already (a click on
/// Wireless would close it).
fn open_menu_clicks(w: &SsapWorld) -> anyhow::Result<Vec<Action>> {
    Ok(if w.device()?.screen().menu.is_some() {
        Vec::new()
    } else {
        vec![Action::Click("Wireless".into())]
    })
}

/// macOS (the Wireless menu is the Mac login window's, R12): opens the Wireless menu (unless it is open already) and picks the network; where the device asks for its password (a new protected network), types it and clicks Join; a saved or open network joins at the click and the password is not used. Leaves the screen the join leads to.
#[when(regex = r#"^they join the Wi-Fi network "([^"]+)" with password "([^"]*)"$"#)]
async fn join_network(
    w: &mut SsapWorld,
    #[step] step: &Step,
    ssid: String,
    password: String,
) -> StepResult {
    let mut script = open_menu_clicks(w)?;
    script.push(Action::Click(ssid));
    play(w, step, script).await?;
    // A saved or open network joins at the click, with no password prompt (R12).
    if w.device()?.screen().has_field("Password") {
        play(
            w,
            step,
            vec![
                Action::Type("Password", password),
                Action::Click("Join".into()),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Opens the Wireless menu from the login window (unless it is open already); it stays open
/// across steps until a click elsewhere closes it. Leaves the menu's screen.
#[when(regex = r"^they open the Wireless menu$")]
async fn open_wireless_menu(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let script = open_menu_clicks(w)?;
    play(w, step, script).await
}

/// Opens the Wireless menu (unless it is open already) and clicks Forget for that network;
/// leaves the menu's screen.
#[when(regex = r#"^they forget the Wi-Fi network "([^"]+)"$"#)]
async fn forget_network(w: &mut SsapWorld, #[step] step: &Step, ssid: String) -> StepResult {
    let mut script = open_menu_clicks(w)?;
    script.push(Action::Click(format!("Forget {ssid}")));
    play(w, step, script).await
}

/// The current device's agent fetches its login-window configuration from the control plane now (as it does periodically). What follows at once: admin binds and unbinds, directory states (R14, R63), and whether Sign in with JumpCloud is offered (a toggle turned off hides it); the window itself (JumpCloud or stock) and its text change only at the next presentation (R10, R17).
#[when(regex = r"^the agent checks in$")]
async fn check_in(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.agent_check_in().await?;
    w.snap(step);
    Ok(())
}

/// Reboots every device of the scenario; each shows its login window again.
#[when(regex = r"^every device (?:reboots|restarts)$")]
async fn reboot_all(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    for m in &mut w.machines {
        m.endpoint
            .reboot()
            .await
            .with_context(|| format!("rebooting {}", m.label))?;
    }
    w.snap(step);
    Ok(())
}

/// The web view from Sign in with JumpCloud to the password: the JumpCloud password step, or,
/// for a federated user, the identity provider's page (R46), where `password` is the IdP's.
pub(crate) async fn web_view(
    w: &mut SsapWorld,
    step: &Step,
    name: &str,
    password: &str,
) -> StepResult {
    let email = w.person(name)?.user.email.clone();
    open_password_page(w, step, email).await?;
    if at_notice(w)? {
        return Ok(());
    }
    let submit = if w.device()?.screen().kind == ScreenKind::IdentityProviderSignIn {
        "Sign In"
    } else {
        "Login"
    };
    play(
        w,
        step,
        vec![
            Action::Type("Password", password.to_string()),
            Action::Click(submit.into()),
        ],
    )
    .await
}

/// A notice left on screen (MFA enrolment required, a refusal) is closed with OK first, as a
/// user would before clicking their tile.
async fn dismiss_notice(w: &mut SsapWorld, step: &Step) -> StepResult {
    let screen = w.device()?.screen();
    if screen.kind == ScreenKind::Notice && screen.has_button("OK") {
        play(w, step, vec![Action::Click("OK".into())]).await?;
    }
    Ok(())
}

/// Whether the sign-in stopped at a refusal: a notice, or an error on a screen with nothing
/// left to type into (Windows shows "You're offline" on its sign-in screen). Steps that go on
/// through a sign-in stop there and leave it on screen.
fn at_notice(w: &SsapWorld) -> anyhow::Result<bool> {
    let screen = w.device()?.screen();
    Ok(screen.kind == ScreenKind::Notice
        || (screen.error_text().is_some() && screen.fields.is_empty()))
}

/// A sign-in starts at the login window: a web view left open (a password page) is cancelled
/// and a notice left on screen (a refusal, "Can't reach JumpCloud") is dismissed first, as a
/// user would.
async fn back_to_login_window(w: &mut SsapWorld, step: &Step) -> StepResult {
    for _ in 0..3 {
        let screen = w.device()?.screen();
        if screen.has_button("Sign in with JumpCloud") {
            break;
        }
        let leave = if screen.has_button("Cancel") {
            "Cancel"
        } else if screen.kind == ScreenKind::Notice && screen.has_button("OK") {
            "OK"
        } else {
            break;
        };
        play(w, step, vec![Action::Click(leave.into())]).await?;
    }
    Ok(())
}

/// Windows after the web view: re-confirm the password where asked (a federated user has
/// no JumpCloud password to re-confirm, R46), then create the PIN.
pub(crate) async fn windows_after_web_view(
    w: &mut SsapWorld,
    step: &Step,
    password: &str,
    pin: &str,
) -> StepResult {
    if at_notice(w)? {
        return Ok(());
    }
    let mut script = windows_finish(password, pin);
    if w.device()?.screen().kind != ScreenKind::ConfirmPassword {
        script.drain(..2);
    }
    play(w, step, script).await
}

/// Windows after the web view: re-confirm the password, then create the PIN.
fn windows_finish(password: &str, pin: &str) -> Vec<Action> {
    vec![
        Action::Type("Password", password.to_string()),
        Action::Click("Next".into()),
        Action::Type("PIN", pin.to_string()),
        Action::Type("Confirm PIN", pin.to_string()),
        Action::Click("OK".into()),
    ]
}

/// The PIN the Windows flow uses when a step does not name one.
pub const DEFAULT_PIN: &str = "482916";

/// Windows: sign in to the user's account with the PIN created during provisioning (a notice
/// left on screen is closed with OK first). Ends at
/// the desktop or at a refusal on screen; it asserts neither (`"X" is logged in` does).
#[when(regex = r#"^"([^"]+)" signs in to Windows with PIN "([^"]*)"$"#)]
async fn sign_in_pin(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    pin: String,
) -> StepResult {
    let tile = w.person(&name)?.user.display_name();
    dismiss_notice(w, step).await?;
    play(w, step, vec![Action::Click(tile)]).await?;
    let mut script = Vec::new();
    if !w.device()?.screen().has_field("PIN") {
        script.push(Action::Click("Sign-in options".into()));
    }
    script.extend([Action::Type("PIN", pin), Action::Click("Sign in".into())]);
    play(w, step, script).await
}

/// An attempt with an email the directory may not know (R40), from the login window (a web
/// view left open is cancelled first) up to and including Login; leaves the screen the
/// control plane's answer leads to.
#[when(regex = r#"^someone signs in with JumpCloud as "([^"]+)" using password "([^"]*)"$"#)]
async fn sign_in_as_email(
    w: &mut SsapWorld,
    #[step] step: &Step,
    email: String,
    password: String,
) -> StepResult {
    let email = w.real_email(&email);
    attempt_as_email(w, step, email, password).await
}

/// From the login window (an open web view is cancelled first), Sign in with JumpCloud with
/// this email (as the directory knows it) and password, up to and including Login.
pub(crate) async fn attempt_as_email(
    w: &mut SsapWorld,
    step: &Step,
    email: String,
    password: String,
) -> StepResult {
    open_password_page(w, step, email).await?;
    if at_notice(w)? {
        return Ok(());
    }
    play(
        w,
        step,
        vec![
            Action::Type("Password", password),
            Action::Click("Login".into()),
        ],
    )
    .await
}

/// Types the password N times at the user's password page of the web view and clicks Login
/// each time (R42); starts from the login window, or goes on from this user's password page
/// if it is open (another user's page is cancelled first).
#[when(regex = r#"^"([^"]+)" tries the password "([^"]*)" (\d+) times?$"#)]
async fn wrong_passwords(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
    times: u32,
) -> StepResult {
    let email = w.person(&name)?.user.email.clone();
    tries(w, step, email, password, times).await
}

/// Sign-in attempts with an email the directory may not know, N times in a row at its
/// password page (R42: unknown emails count against the device's throttle too); starts from
/// the login window, or goes on from that email's password page if it is open.
#[when(
    regex = r#"^someone tries to sign in with JumpCloud as "([^"]+)" using password "([^"]*)" (\d+) times?$"#
)]
async fn tries_as_email(
    w: &mut SsapWorld,
    #[step] step: &Step,
    email: String,
    password: String,
    times: u32,
) -> StepResult {
    let email = w.real_email(&email);
    tries(w, step, email, password, times).await
}

/// Types `password` `times` times at the password page of `email`, opening it first.
async fn tries(
    w: &mut SsapWorld,
    step: &Step,
    email: String,
    password: String,
    times: u32,
) -> StepResult {
    // Already at the password step (after an earlier wrong password): go on from there.
    // Only if that page is this user's ("Signing in as <email>"); another user's page is
    // cancelled first, so the tries count against the user the sentence names.
    let screen = w.device()?.screen();
    let at_password = screen.has_field("Password") && screen.has_button("Login");
    let theirs = screen
        .message_text()
        .is_some_and(|m| m.ends_with(&format!(" {email}")));
    if !(at_password && theirs) {
        open_password_page(w, step, email).await?;
        if at_notice(w)? {
            return Ok(());
        }
    }
    let mut script = Vec::new();
    for _ in 0..times {
        script.extend([
            Action::Type("Password", password.clone()),
            Action::Click("Login".into()),
        ]);
    }
    play(w, step, script).await
}

/// Spends the current device's failed sign-ins (R42): as many wrong-password attempts as the
/// throttle allows, with an email no directory user has, then Cancel. Leaves the login window;
/// the device's next sign-in is refused as "Too many failed sign-in attempts" until the
/// throttle window has passed (`When 61 seconds pass`). Asserts nothing.
#[given(regex = r"^the device has used up its failed sign-ins$")]
async fn used_up_sign_ins(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let email = w.real_email("nobody-known@example.com");
    let times = u32::try_from(ssap_api::limits::THROTTLE_MAX_FAILURES).unwrap_or(u32::MAX);
    tries(w, step, email, "not-the-password".into(), times).await?;
    play(w, step, vec![Action::Click("Cancel".into())]).await
}

/// Adds a supported device of the OS managed as named (R48): by the agent alone, also enrolled
/// in JumpCloud's MDM, or jointly with another vendor's MDM; powers it on at the login window.
#[given(
    regex = r"^an? (macOS|Windows) device (with the agent and no MDM|enrolled in JumpCloud's MDM|managed jointly with another vendor's MDM) at the login window$"
)]
async fn device_with_mdm(
    w: &mut SsapWorld,
    #[step] step: &Step,
    os: Os,
    management: String,
) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let mut spec = match os {
        Os::Macos => DeviceSpec::macos(n),
        Os::Windows => DeviceSpec::windows(n),
    };
    spec.mdm = mdm_named(&management);
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

/// The MDM a device step or check names.
pub(crate) fn mdm_named(text: &str) -> Mdm {
    if text.contains("JumpCloud") {
        Mdm::Jumpcloud
    } else if text.contains("another vendor") {
        Mdm::OtherVendor
    } else {
        Mdm::None
    }
}
