//! Who may be offered Sign in with JumpCloud: pure functions, shared by the login-window
//! config, authentication and provisioning so the three can never disagree.

use ssap_api::{codes, DeviceFacts, JoinState, MfaFactor, OrgSettings, Os, WindowsSsapMode};

/// Why a device cannot offer self-service provisioning right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The SSAP toggle for the device's OS is off (and no Windows policy enables it).
    Disabled,
    /// Windows Home/Server/ARM or an AD/Entra-joined device (R18).
    NotSupported,
    /// The device already has a managed user and nothing allows more (R11, R44, R03).
    HasManagedUsers,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Disabled => codes::SSAP_DISABLED,
            Refusal::NotSupported => codes::DEVICE_NOT_SUPPORTED,
            Refusal::HasManagedUsers => codes::DEVICE_HAS_MANAGED_USERS,
        }
    }

    pub fn message(self, os: Os) -> String {
        match self {
            Refusal::Disabled => {
                format!("Self-service account provisioning is turned off for {os} devices")
            }
            Refusal::NotSupported => {
                "This device does not support self-service account provisioning \
                 (Windows Home, Server or ARM, or joined to Active Directory or Entra ID)"
                    .to_string()
            }
            Refusal::HasManagedUsers => {
                "This device already has a JumpCloud-managed user; ask your admin to bind you to it"
                    .to_string()
            }
        }
    }
}

/// R18: Windows Home, Server or ARM, or any device joined to Active Directory or Entra ID.
pub(crate) fn device_supported(f: &DeviceFacts) -> bool {
    if matches!(
        f.join_state,
        JoinState::ActiveDirectory | JoinState::EntraId
    ) {
        return false;
    }
    if f.os == Os::Windows {
        let edition = f.edition.to_ascii_lowercase();
        if edition.contains("home") || edition.contains("server") {
            return false;
        }
        let arch = f.architecture.trim().to_ascii_lowercase();
        if arch == "arm64" || arch == "aarch64" {
            return false;
        }
    }
    true
}

/// Whether SSAP is on for this device.
///
/// *Inferred* (R03): a Windows SSAP policy bound to a Windows device takes precedence over the
/// org-wide Windows toggle, so where a policy is bound SSAP is on for that device, in the
/// policy's mode, even with the org toggle off. The policy never applies to macOS (binding one
/// to a macOS device is refused, and a stray one is ignored here).
pub(crate) fn ssap_enabled(
    os: Os,
    settings: &OrgSettings,
    policy: Option<WindowsSsapMode>,
) -> bool {
    match os {
        Os::Macos => settings.macos_ssap,
        Os::Windows => policy.is_some() || settings.windows_ssap,
    }
}

/// Whether Sign in with JumpCloud may be offered on the device: SSAP on, device supported, and
/// zero managed users, or a Windows policy in `multiple_users` mode (R11, R18, R30, R03).
pub(crate) fn eligibility(
    f: &DeviceFacts,
    settings: &OrgSettings,
    policy: Option<WindowsSsapMode>,
    managed_users: usize,
) -> Result<(), Refusal> {
    if !ssap_enabled(f.os, settings, policy) {
        return Err(Refusal::Disabled);
    }
    if !device_supported(f) {
        return Err(Refusal::NotSupported);
    }
    let many_allowed = f.os == Os::Windows && policy == Some(WindowsSsapMode::MultipleUsers);
    if managed_users > 0 && !many_allowed {
        return Err(Refusal::HasManagedUsers);
    }
    Ok(())
}

/// Whether a user bound to a device answers MFA at their next login there (R45): MFA enforced
/// on the user, or an MFA policy bound to the device, on macOS and Windows alike. Never asked
/// while provisioning: this is what the device learns for the logins after it.
pub(crate) fn mfa_enforced(user_enforced: bool, device_policy: Option<MfaFactor>) -> bool {
    user_enforced || device_policy.is_some()
}

#[cfg(test)]
mod tests {
    // rstest tables: one argument per column reads better than a struct per row.
    #![allow(clippy::too_many_arguments)]
    use super::*;
    use rstest::rstest;
    use ssap_api::PermissionLevel;

    fn facts(os: Os, edition: &str, arch: &str, join: JoinState) -> DeviceFacts {
        DeviceFacts {
            os,
            edition: edition.into(),
            architecture: arch.into(),
            join_state: join,
            mdm: Default::default(),
            hostname: "h".into(),
            serial: "s".into(),
            mac: "m".into(),
            ip: "i".into(),
            os_version: "v".into(),
        }
    }

    fn settings(macos: bool, windows: bool) -> OrgSettings {
        OrgSettings {
            macos_ssap: macos,
            windows_ssap: windows,
            permission_level: PermissionLevel::Standard,
            password_sync: true,
        }
    }

    use JoinState::{ActiveDirectory as Ad, EntraId as Entra, Workgroup as Wg};
    use Refusal::{Disabled, HasManagedUsers as Managed, NotSupported};
    use WindowsSsapMode::{FirstUserOnly as First, MultipleUsers as Many};

    #[rstest]
    // macOS: toggle and managed count only.
    #[case::mac_on_empty(Os::Macos, "", "arm64", Wg, true, false, 0, None, Ok(()))]
    #[case::mac_off(Os::Macos, "", "arm64", Wg, false, true, 0, None, Err(Disabled))]
    #[case::mac_managed(Os::Macos, "", "x86_64", Wg, true, false, 1, None, Err(Managed))]
    #[case::mac_ad_bound(Os::Macos, "", "x86_64", Ad, true, false, 0, None, Err(NotSupported))]
    #[case::mac_policy_ignored(
        Os::Macos,
        "",
        "x86_64",
        Wg,
        false,
        false,
        0,
        Some(Many),
        Err(Disabled)
    )]
    #[case::mac_policy_no_many(
        Os::Macos,
        "",
        "x86_64",
        Wg,
        true,
        false,
        2,
        Some(Many),
        Err(Managed)
    )]
    // Windows: editions, architecture, join state.
    #[case::win_pro(Os::Windows, "Pro", "x86_64", Wg, false, true, 0, None, Ok(()))]
    #[case::win_off(Os::Windows, "Pro", "x86_64", Wg, true, false, 0, None, Err(Disabled))]
    #[case::win_home(
        Os::Windows,
        "Home",
        "x86_64",
        Wg,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_home_lower(
        Os::Windows,
        "windows 11 home",
        "x86_64",
        Wg,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_server(
        Os::Windows,
        "Server 2022",
        "x86_64",
        Wg,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_arm(
        Os::Windows,
        "Pro",
        "ARM64",
        Wg,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_aarch64(
        Os::Windows,
        "Enterprise",
        "aarch64",
        Wg,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_ad(
        Os::Windows,
        "Enterprise",
        "x86_64",
        Ad,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_entra(
        Os::Windows,
        "Enterprise",
        "x86_64",
        Entra,
        false,
        true,
        0,
        None,
        Err(NotSupported)
    )]
    #[case::win_managed(Os::Windows, "Pro", "x86_64", Wg, false, true, 1, None, Err(Managed))]
    // Windows policy: precedence over the toggle, and the multiple-users mode.
    #[case::policy_first_toggle_off(Os::Windows, "Pro", "x86_64", Wg, false, false, 0, Some(First), Ok(()))]
    #[case::policy_first_managed(
        Os::Windows,
        "Pro",
        "x86_64",
        Wg,
        false,
        true,
        1,
        Some(First),
        Err(Managed)
    )]
    #[case::policy_many_managed(Os::Windows, "Pro", "x86_64", Wg, false, false, 3, Some(Many), Ok(()))]
    #[case::policy_many_home(
        Os::Windows,
        "Home",
        "x86_64",
        Wg,
        false,
        false,
        0,
        Some(Many),
        Err(NotSupported)
    )]
    #[case::disabled_before_unsupported(
        Os::Windows,
        "Home",
        "arm64",
        Ad,
        false,
        false,
        5,
        None,
        Err(Disabled)
    )]
    fn eligibility_table(
        #[case] os: Os,
        #[case] edition: &str,
        #[case] arch: &str,
        #[case] join: JoinState,
        #[case] macos_toggle: bool,
        #[case] windows_toggle: bool,
        #[case] managed: usize,
        #[case] policy: Option<WindowsSsapMode>,
        #[case] expected: Result<(), Refusal>,
    ) {
        let f = facts(os, edition, arch, join);
        let s = settings(macos_toggle, windows_toggle);
        assert_eq!(eligibility(&f, &s, policy, managed), expected);
    }

    #[rstest]
    #[case(Os::Macos, false, false, None, false)]
    #[case(Os::Macos, true, false, None, true)]
    #[case(Os::Macos, false, true, Some(Many), false)]
    #[case(Os::Windows, false, false, None, false)]
    #[case(Os::Windows, false, true, None, true)]
    #[case(Os::Windows, false, false, Some(First), true)]
    fn ssap_enabled_table(
        #[case] os: Os,
        #[case] macos_toggle: bool,
        #[case] windows_toggle: bool,
        #[case] policy: Option<WindowsSsapMode>,
        #[case] expected: bool,
    ) {
        assert_eq!(
            ssap_enabled(os, &settings(macos_toggle, windows_toggle), policy),
            expected
        );
    }
}
