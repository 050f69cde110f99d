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
