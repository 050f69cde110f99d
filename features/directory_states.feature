Feature: Directory states reach devices
  A user suspended or locked in the directory after provisioning can no longer log in to the
  device once its agent has checked in: the account is disabled, never deleted, and nothing on
  the device is lost; reactivation restores it (R63). Until the agent checks in, the device
  acts on what it last heard, as a device offline would.

  @R63
  Scenario Outline: A user <state> after provisioning is shut out at the next check-in and let back in on reactivation (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the device restarts
    And "Holly Flax" is <state>
    Then the local account "holly.flax" is not disabled
    When the agent checks in
    Then the local account "holly.flax" is disabled
    And the device has a managed local account "holly.flax" for "Holly Flax"
    When "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen says "has been disabled"
    And "Holly Flax" is not logged in
    When "Holly Flax" is reactivated
    And the agent checks in
    Then the local account "holly.flax" is not disabled
    When "Holly Flax" logs in with password "Sabre-2023!"
    Then "Holly Flax" is logged in

    @macos
    Examples: macOS
      | os    | state     |
      | macOS | suspended |
      | macOS | locked    |

    @windows
    Examples: Windows
      | os      | state     |
      | Windows | suspended |
      | Windows | locked    |

  @R63 @R62
  Scenario Outline: A user removed from the directory after provisioning keeps the account, disabled, and is unknown to sign-ins (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the device restarts
    And "Holly Flax" is removed from the directory
    Then the local account "holly.flax" is not disabled
    And the audit log records "user.delete" for "Holly Flax" with outcome "success"
    When the agent checks in
    Then the local account "holly.flax" is disabled
    And the device has a managed local account "holly.flax" for "Holly Flax"
    And the control plane shows "Holly Flax" bound to the device by self-service
    When "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen says "has been disabled"
    And "Holly Flax" is not logged in
    And the login window does not offer "Sign in with JumpCloud"
    Given a <os> device at the login window
    When someone signs in with JumpCloud as "holly.flax@example.test" using password "Sabre-2023!"
    Then the screen shows the error "Incorrect email or password"
    And the audit log records "authenticate" with outcome "refused" and reason "unknown_user"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R63
  Scenario: A removed user's email and username are free for a new directory user
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" is removed from the directory
    And a macOS device at the login window
    When the admin creates a directory user "Holly Palmer" with username "holly.flax" and password "New-Hire-2024!"
    And "Holly Palmer" signs in with JumpCloud using password "New-Hire-2024!"
    Then the device has a managed local account "holly.flax" for "Holly Palmer"
    And the audit log records "user.delete" for "Holly Flax" with outcome "success"
    And the audit log records no "user.delete" for "Holly Palmer"
