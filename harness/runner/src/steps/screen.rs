//! Assertions on what a device shows (its screen model) and holds (its local accounts).

use cucumber::then;
use ssap_endpoint::ScreenKind;

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Asserts the current screen has a button or tile with that label; prints the screen if not.
#[then(regex = r#"^the (?:login window|screen) offers "([^"]+)"$"#)]
async fn offers(w: &mut SsapWorld, label: String) -> StepResult {
    let screen = w.device()?.screen();
    if !screen.has_button(&label) {
        fail!(
            "expected a {label:?} button; the screen shows:\n{}",
            screen.render_text()
        );
    }
    Ok(())
}

/// Asserts the current screen has no button or tile with that label.
#[then(regex = r#"^the (?:login window|screen) does not offer "([^"]+)"$"#)]
async fn does_not_offer(w: &mut SsapWorld, label: String) -> StepResult {
    let screen = w.device()?.screen();
    if screen.has_button(&label) {
        fail!(
            "expected no {label:?} button; the screen shows:\n{}",
            screen.render_text()
        );
    }
    Ok(())
}

/// Asserts the rendered screen contains that text (case-insensitive); prints the screen if not.
#[then(regex = r#"^the (?:login window|screen) says "([^"]+)"$"#)]
async fn says(w: &mut SsapWorld, text: String) -> StepResult {
    let screen = w.device()?.screen();
    let rendered = screen.render_text();
    if !rendered.to_lowercase().contains(&text.to_lowercase()) {
        fail!("expected the screen to say \"{text}\"; it shows:\n{rendered}");
    }
    Ok(())
}

/// Asserts the screen shows a user tile with that name, with or without the JumpCloud badge (R16: the macOS login window badges managed accounts; Windows tiles never carry a badge, so on Windows only "without" can hold).
#[then(
    regex = r#"^the (?:login window|screen) shows a tile "([^"]+)" (with|without) the JumpCloud badge$"#
)]
async fn tile(w: &mut SsapWorld, name: String, badge: String) -> StepResult {
    let screen = w.device()?.screen();
    let want = badge == "with";
    match screen.tiles.iter().find(|t| t.label == name) {
        None => fail!(
            "no tile {name:?}; the screen shows:\n{}",
            screen.render_text()
        ),
        Some(t) if t.managed != want => fail!(
            "tile {name:?} is {} the badge, expected {badge} it",
            if t.managed { "with" } else { "without" }
        ),
        Some(_) => Ok(()),
    }
}

/// Asserts the device has a local account with that short name, managed and bound to the user. Screen unchanged.
#[then(regex = r#"^the device has a managed local account "([^"]+)" for "([^"]+)"$"#)]
async fn managed_account(w: &mut SsapWorld, local: String, name: String) -> StepResult {
    let local = w.real_name(&local);
    let user_id = w.person(&name)?.user.id.clone();
    let accounts = w.device()?.accounts();
    let Some(a) = accounts.find(&local) else {
        fail!(
            "no local account {local:?}; the device has: {}",
            accounts
                .all()
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if a.name != local {
        fail!(
            "the account is named {:?}, expected exactly {local:?}",
            a.name
        );
    }
    if !a.managed || a.jumpcloud_user_id.as_deref() != Some(user_id.as_str()) {
        fail!(
            "local account {local:?} is not bound to {name:?} (managed: {}, user: {:?})",
            a.managed,
            a.jumpcloud_user_id
        );
    }
    Ok(())
}

/// Asserts a local account the scenario created is exactly as created (not managed, same groups, same password); other accounts are not looked at (`the device holds only the local accounts the scenario created` checks those).
#[then(regex = r#"^the local account "([^"]+)" is unchanged and not managed$"#)]
async fn unchanged(w: &mut SsapWorld, local: String) -> StepResult {
    let local = w.real_name(&local);
    let Some(before) = w.local_before(&local).cloned() else {
        fail!("the scenario did not create a local account {local:?} to compare with");
    };
    let accounts = w.device()?.accounts();
    let Some(now) = accounts.find(&local) else {
        fail!("local account {local:?} is gone");
    };
    if *now != before {
        fail!("local account {local:?} changed:\n  before: {before:?}\n  now:    {now:?}");
    }
    Ok(())
}

/// Asserts the user's local account is the one logged in on the current device (at the desktop).
#[then(regex = r#"^"([^"]+)" is logged in$"#)]
async fn logged_in(w: &mut SsapWorld, name: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device = w.device()?;
    let Some(account) = device.accounts().find_by_user_id(&user_id) else {
        fail!("{name:?} has no local account on the device");
    };
    match device.logged_in_user() {
        Some(u) if u == account.name => Ok(()),
        Some(u) => fail!("{u:?} is logged in, not {name:?} ({:?})", account.name),
        None => fail!(
            "nobody is logged in; the screen shows:\n{}",
            device.screen().render_text()
        ),
    }
}

/// Asserts the current device presents the JumpCloud or the stock login window.
#[then(regex = r"^the login window is the (JumpCloud|stock) login window$")]
async fn window_kind(w: &mut SsapWorld, which: String) -> StepResult {
    let screen = w.device()?.screen();
    let want = if which == "JumpCloud" {
        ScreenKind::MacJumpCloudLoginWindow
    } else {
        ScreenKind::MacStockLoginWindow
    };
    if screen.kind != want {
        fail!(
            "expected the {which} login window, the screen is {:?}:\n{}",
            screen.describe(),
            screen.render_text()
        );
    }
    Ok(())
}

/// Asserts the login window's connectivity indicator is a Wi-Fi indicator of that colour.
#[then(regex = r"^the indicator is a (green|red) Wi-Fi indicator$")]
async fn indicator(w: &mut SsapWorld, colour: String) -> StepResult {
    let screen = w.device()?.screen();
    let Some(ind) = &screen.indicator else {
        fail!("no connectivity indicator on:\n{}", screen.render_text());
    };
    if ind.kind != "Wi-Fi" || ind.colour.as_str() != colour {
        fail!(
            "expected a {colour} Wi-Fi indicator, found a {} {} indicator ({})",
            ind.colour.as_str(),
            ind.kind,
            ind.label
        );
    }
    Ok(())
}

/// Asserts the open info panel shows the device's own hostname, serial number, MAC address, IP address and OS version.
#[then(
    regex = r"^the info panel shows the device's hostname, serial number, MAC address, IP address and OS version$"
)]
async fn info_panel(w: &mut SsapWorld) -> StepResult {
    let device = w.device()?;
    let screen = device.screen();
    let Some(panel) = &screen.info_panel else {
        fail!("no info panel open:\n{}", screen.render_text());
    };
    let spec = device.spec();
    let want = [
        ("hostname", &spec.hostname, &panel.hostname),
        ("serial", &spec.serial, &panel.serial),
        ("MAC", &spec.mac, &panel.mac),
        ("IP", &spec.ip, &panel.ip),
        ("OS version", &spec.os_version, &panel.os_version),
    ];
    for (what, expected, shown) in want {
        if expected != shown || shown.is_empty() {
            fail!("info panel {what}: shows {shown:?}, the device's is {expected:?}");
        }
    }
    // And a person can read them on screen.
    let text = screen.render_text();
    for v in [&spec.hostname, &spec.serial, &spec.mac, &spec.ip] {
        if !text.contains(v.as_str()) {
            fail!("{v:?} is not visible on the rendered screen:\n{text}");
        }
    }
    Ok(())
}

/// Asserts the open Wireless menu lists that network (and marks it saved, if asked).
#[then(regex = r#"^the Wireless menu lists "([^"]+)"( as saved)?$"#)]
async fn menu_lists(w: &mut SsapWorld, ssid: String, saved: String) -> StepResult {
    let screen = w.device()?.screen();
    let Some(menu) = &screen.menu else {
        fail!("the Wireless menu is not open:\n{}", screen.render_text());
    };
    let Some(item) = menu.items.iter().find(|i| i.label == ssid) else {
        fail!(
            "{ssid:?} is not in the Wireless menu:\n{}",
            screen.render_text()
        );
    };
    if !saved.is_empty() && !item.detail.contains("saved") {
        fail!("{ssid:?} is listed but not as saved ({})", item.detail);
    }
    Ok(())
}

/// Asserts the open Wireless menu does not list that network (out of range, or never seen);
/// fails if the menu is not open.
#[then(regex = r#"^the Wireless menu does not list "([^"]+)"$"#)]
async fn menu_does_not_list(w: &mut SsapWorld, ssid: String) -> StepResult {
    let screen = w.device()?.screen();
    let Some(menu) = &screen.menu else {
        fail!("the Wireless menu is not open:\n{}", screen.render_text());
    };
    if menu.items.iter().any(|i| i.label == ssid) {
        fail!(
            "{ssid:?} is in the Wireless menu:\n{}",
            screen.render_text()
        );
    }
    Ok(())
}

/// Asserts the current device is joined to that Wi-Fi network. Screen unchanged.
#[then(regex = r#"^the device is joined to the Wi-Fi network "([^"]+)"$"#)]
async fn joined(w: &mut SsapWorld, ssid: String) -> StepResult {
    match w.device()?.network().joined() {
        Some(j) if j == ssid => Ok(()),
        other => fail!("expected the device on {ssid:?}, it is on {other:?}"),
    }
}

/// Asserts the current device no longer has that Wi-Fi network saved. Screen unchanged.
#[then(regex = r#"^the device does not remember the Wi-Fi network "([^"]+)"$"#)]
async fn not_saved(w: &mut SsapWorld, ssid: String) -> StepResult {
    if w.device()?.network().is_saved(&ssid) {
        fail!("{ssid:?} is still saved");
    }
    Ok(())
}

/// Asserts the login window shows exactly that login-window text.
#[then(regex = r#"^the login window shows the text "([^"]+)"$"#)]
async fn window_text(w: &mut SsapWorld, text: String) -> StepResult {
    let screen = w.device()?.screen();
    match &screen.login_window_text {
        Some(t) if *t == text => Ok(()),
        other => fail!("expected login-window text {text:?}, found {other:?}"),
    }
}

/// Asserts the current screen shows no user tile with that name.
#[then(regex = r#"^the (?:login window|screen) shows no tile "([^"]+)"$"#)]
async fn no_tile(w: &mut SsapWorld, name: String) -> StepResult {
    let screen = w.device()?.screen();
    if screen.has_tile(&name) {
        fail!("unexpected tile {name:?}:\n{}", screen.render_text());
    }
    Ok(())
}

/// Asserts the login window's bottom-left tile is Sign in with JumpCloud.
#[then(regex = r#"^the "Sign in with JumpCloud" tile is at the bottom left$"#)]
async fn tile_bottom_left(w: &mut SsapWorld) -> StepResult {
    // Windows lists user tiles bottom left in order; the provider's tile comes last.
    let screen = w.device()?.screen();
    match screen.tiles.last() {
        Some(t) if t.label == "Sign in with JumpCloud" && t.account.is_none() => Ok(()),
        _ => fail!(
            "the Sign in with JumpCloud tile is not the last bottom-left tile:\n{}",
            screen.render_text()
        ),
    }
}

/// Asserts the local account is in the administrators (or only the standard users) group. Screen unchanged.
#[then(regex = r#"^the local account "([^"]+)" is (an administrator|a standard user)$"#)]
async fn account_level(w: &mut SsapWorld, local: String, level: String) -> StepResult {
    let local = w.real_name(&local);
    let device = w.device()?;
    let Some(a) = device.accounts().find(&local) else {
        fail!("no local account {local:?}");
    };
    let admin = level == "an administrator";
    let (group_admin, group_std) = match device.os() {
        ssap_api::Os::Macos => ("admin", "staff"),
        ssap_api::Os::Windows => ("Administrators", "Users"),
    };
    let in_admin = a.groups.iter().any(|g| g == group_admin);
    let in_std = a.groups.iter().any(|g| g == group_std);
    if admin != in_admin || (!admin && !in_std) {
        fail!(
            "local account {local:?} has groups {:?}, expected {level}",
            a.groups
        );
    }
    Ok(())
}

/// Asserts the password does (or does not) open that local account, as the OS would check it. Screen unchanged.
#[then(regex = r#"^the password "([^"]*)" (opens|does not open) the local account "([^"]+)"$"#)]
async fn password_opens(
    w: &mut SsapWorld,
    password: String,
    how: String,
    local: String,
) -> StepResult {
    let local = w.real_name(&local);
    let Some(a) = w.device()?.accounts().find(&local) else {
        fail!("no local account {local:?}");
    };
    let opens = a.password.opens_with(&password);
    if opens != (how == "opens") {
        fail!(
            "the password {} the local account {local:?}",
            if opens { "opens" } else { "does not open" }
        );
    }
    Ok(())
}

/// Asserts the device has no local account bound to the user. Screen unchanged.
#[then(regex = r#"^the device has no local account for "([^"]+)"$"#)]
async fn no_account_for(w: &mut SsapWorld, name: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    if let Some(a) = w.device()?.accounts().find_by_user_id(&user_id) {
        fail!("{name:?} has a local account {:?}", a.name);
    }
    Ok(())
}

/// Asserts the device holds no local account besides those the scenario created (nothing provisioned). Screen unchanged.
#[then(regex = r"^the device holds only the local accounts the scenario created$")]
async fn only_scenario_accounts(w: &mut SsapWorld) -> StepResult {
    let n = w.device()?.accounts().all().len();
    if n != w.locals_created() {
        fail!(
            "the device holds {n} local accounts, the scenario created {}: {:?}",
            w.locals_created(),
            w.device()?
                .accounts()
                .all()
                .iter()
                .map(|a| &a.name)
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// Asserts the user is not the one logged in on the current device.
#[then(regex = r#"^"([^"]+)" is not logged in$"#)]
async fn not_logged_in(w: &mut SsapWorld, name: String) -> StepResult {
    let user_id = w.person(&name)?.user.id.clone();
    let device = w.device()?;
    let account = device
        .accounts()
        .find_by_user_id(&user_id)
        .map(|a| a.name.clone());
    if account.is_some() && device.logged_in_user() == account.as_deref() {
        fail!("{name:?} is logged in");
    }
    Ok(())
}

/// Asserts the current screen is the MFA prompt with a Verification code field.
#[then(regex = r"^the screen asks for (?:an MFA code|a verification code)$")]
async fn asks_mfa(w: &mut SsapWorld) -> StepResult {
    let screen = w.device()?.screen();
    if screen.kind != ScreenKind::MfaPrompt || !screen.has_field("Verification code") {
        fail!(
            "expected the MFA prompt, the screen shows:\n{}",
            screen.render_text()
        );
    }
    Ok(())
}

/// Asserts the current screen is not the MFA prompt (a sign-in or login that MFA did not stop,
/// R45); the screen stays as it is.
#[then(regex = r"^the screen does not ask for (?:an MFA code|a verification code)$")]
async fn does_not_ask_mfa(w: &mut SsapWorld) -> StepResult {
    let screen = w.device()?.screen();
    if screen.kind == ScreenKind::MfaPrompt || screen.has_field("Verification code") {
        fail!("the screen asks for an MFA code:\n{}", screen.render_text());
    }
    Ok(())
}

/// Asserts the current screen's text does not contain the text (case-insensitive); the screen
/// stays as it is.
#[then(regex = r#"^the (?:login window|screen) does not say "([^"]+)"$"#)]
async fn does_not_say(w: &mut SsapWorld, text: String) -> StepResult {
    let rendered = w.device()?.screen().render_text();
    if rendered.to_lowercase().contains(&text.to_lowercase()) {
        fail!("expected the screen not to say \"{text}\"; it shows:\n{rendered}");
    }
    Ok(())
}

/// Asserts whether the device keeps the managed local account disabled because the directory
/// no longer lets its user log in, as of the agent's last check-in (R63); the account must
/// exist either way.
#[then(regex = r#"^the local account "([^"]+)" is (disabled|not disabled)$"#)]
async fn account_disabled(w: &mut SsapWorld, name: String, state: String) -> StepResult {
    let device = w.device()?;
    if device.accounts().find(&name).is_none() {
        fail!("the device has no local account {name:?}");
    }
    let want = state == "disabled";
    if device.account_disabled(&name) != want {
        fail!(
            "the local account {name:?} is {}",
            if want { "not disabled" } else { "disabled" }
        );
    }
    Ok(())
}

/// Asserts the current device holds exactly N managed local accounts (accounts bound to a directory user), whoever they belong to. Screen unchanged.
#[then(regex = r"^the device has (\d+) managed local accounts?$")]
async fn managed_count(w: &mut SsapWorld, n: usize) -> StepResult {
    let managed: Vec<String> = w
        .device()?
        .accounts()
        .all()
        .iter()
        .filter(|a| a.managed)
        .map(|a| a.name.clone())
        .collect();
    if managed.len() != n {
        fail!(
            "expected {n} managed local accounts, the device holds {}: {managed:?}",
            managed.len()
        );
    }
    Ok(())
}

/// Asserts the current screen's error line contains the text (the error line only, not the screen's help or message text).
#[then(regex = r#"^the (?:login window|screen) shows the error "([^"]+)"$"#)]
async fn shows_error(w: &mut SsapWorld, text: String) -> StepResult {
    let screen = w.device()?.screen();
    match screen.error_text() {
        Some(e) if e.contains(&text) => Ok(()),
        other => fail!(
            "expected an error containing {text:?}, the error line is {other:?}:\n{}",
            screen.render_text()
        ),
    }
}
