//! Network states a real fleet has (R12, R13): a network in range without internet, one that
//! goes out of range and comes back, a cable unplugged and plugged back in. Wi-Fi is joined
//! from the Mac login window's Wireless menu; the simulated Windows sign-in screen has none, so
//! a Windows device keeps the networks it booted with (Ethernet) and the Wi-Fi steps there
//! only change what is in range. Each changes the
//! current device's links only; the indicator on screen follows at once, as a device's own
//! network check notices.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ssap_endpoint::WifiNetwork;

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Puts a password-protected Wi-Fi network that leads nowhere (no internet beyond it, like a
/// phone hotspot without data) in range of the current device. Fails if a network of that
/// name is already in range. Screen unchanged.
#[given(
    regex = r#"^the Wi-Fi network "([^"]+)" with password "([^"]*)" is in range without internet$"#
)]
#[when(
    regex = r#"^the Wi-Fi network "([^"]+)" with password "([^"]*)" comes in range without internet$"#
)]
async fn in_range_without_internet(
    w: &mut SsapWorld,
    ssid: String,
    password: String,
) -> StepResult {
    add_new_network(
        w,
        WifiNetwork {
            ssid,
            password: Some(password),
            has_internet: false,
        },
    )
}

/// Puts a password-protected Wi-Fi network with internet in range of the current device.
/// Fails if a network of that name is already in range (the built-in ones are listed under
/// Test data). Screen unchanged.
#[given(regex = r#"^the Wi-Fi network "([^"]+)" with password "([^"]*)" is in range$"#)]
async fn in_range(w: &mut SsapWorld, ssid: String, password: String) -> StepResult {
    add_new_network(
        w,
        WifiNetwork {
            ssid,
            password: Some(password),
            has_internet: true,
        },
    )
}

fn add_new_network(w: &mut SsapWorld, net: WifiNetwork) -> StepResult {
    let network = w.device_mut()?.network_mut();
    if let Some(there) = network.scan().into_iter().find(|n| n.ssid == net.ssid) {
        fail!(
            "the Wi-Fi network {:?} is already in range ({} internet; a new device's built-in \
             networks are listed under Test data): pick another name",
            net.ssid,
            if there.has_internet {
                "with"
            } else {
                "without"
            }
        );
    }
    network.add_in_range(net);
    Ok(())
}

/// Takes the Wi-Fi network out of range of the current device (the device leaves it if it
/// was joined, and keeps it saved). Fails if it is not in range.
#[when(regex = r#"^the Wi-Fi network "([^"]+)" goes out of range$"#)]
async fn out_of_range(w: &mut SsapWorld, #[step] step: &Step, ssid: String) -> StepResult {
    let machine = w.machine_mut()?;
    let network = machine.endpoint.network_mut();
    let Some(net) = network.scan().into_iter().find(|n| n.ssid == ssid).cloned() else {
        fail!("the Wi-Fi network {ssid:?} is not in range of the device");
    };
    network.remove_from_range(&ssid);
    machine.out_of_range.push(net);
    w.snap(step);
    Ok(())
}

/// Brings back in range a Wi-Fi network that went out of range, as it was; the device joins
/// it again by itself if it is saved and no other Wi-Fi network is joined, as the OS does.
#[when(regex = r#"^the Wi-Fi network "([^"]+)" comes back in range$"#)]
async fn back_in_range(w: &mut SsapWorld, #[step] step: &Step, ssid: String) -> StepResult {
    let machine = w.machine_mut()?;
    let Some(at) = machine.out_of_range.iter().position(|n| n.ssid == ssid) else {
        fail!("the Wi-Fi network {ssid:?} did not go out of range in this scenario");
    };
    let net = machine.out_of_range.remove(at);
    let network = machine.endpoint.network_mut();
    network.add_in_range(net);
    if network.joined().is_none() {
        network.auto_join();
    }
    w.snap(step);
    Ok(())
}

/// Unplugs the current device's Ethernet cable (Wi-Fi is left as it is).
#[when(regex = r"^the Ethernet cable is unplugged$")]
async fn unplug(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let network = w.device_mut()?.network_mut();
    if !network.ethernet_plugged() {
        fail!("the device has no Ethernet cable plugged in");
    }
    network.set_ethernet(false);
    w.snap(step);
    Ok(())
}

/// Plugs an Ethernet cable into the current device (Wi-Fi is left as it is).
#[given(regex = r"^an Ethernet cable is plugged in$")]
#[when(regex = r"^the Ethernet cable is plugged (?:back )?in$")]
async fn plug(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let network = w.device_mut()?.network_mut();
    if network.ethernet_plugged() {
        fail!("an Ethernet cable is already plugged in");
    }
    network.set_ethernet(true);
    w.snap(step);
    Ok(())
}

/// Asserts the current device is joined to no Wi-Fi network (Ethernet does not count). Screen
/// unchanged.
#[then(regex = r"^the device is not joined to any Wi-Fi network$")]
async fn not_joined(w: &mut SsapWorld) -> StepResult {
    if let Some(ssid) = w.device()?.network().joined() {
        fail!("the device is joined to the Wi-Fi network {ssid:?}");
    }
    Ok(())
}
