//! Assertions on what a device shows (its screen model) and holds (its local accounts).

use cucumber::then;

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

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

#[then(regex = r#"^the (?:login window|screen) says "([^"]+)"$"#)]
async fn says(w: &mut SsapWorld, text: String) -> StepResult {
    let screen = w.device()?.screen();
    let rendered = screen.render_text();
    if !rendered.to_lowercase().contains(&text.to_lowercase()) {
        fail!("expected the screen to say {text:?}; it shows:\n{rendered}");
    }
    Ok(())
}

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

#[then(regex = r#"^the device has a managed local account "([^"]+)" for "([^"]+)"$"#)]
async fn managed_account(w: &mut SsapWorld, local: String, name: String) -> StepResult {
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

#[then(regex = r#"^the local account "([^"]+)" is unchanged and not managed$"#)]
async fn unchanged(w: &mut SsapWorld, local: String) -> StepResult {
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
    if accounts.all().len() != w.locals_created() {
        fail!(
            "the device holds {} local accounts, the scenario made {}: {:?}",
            accounts.all().len(),
            w.locals_created(),
            accounts.all().iter().map(|a| &a.name).collect::<Vec<_>>()
        );
    }
    Ok(())
}

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
