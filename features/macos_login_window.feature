@macos
Feature: macOS login window
  The JumpCloud login window replaces the stock one while the macOS toggle is on. It manages
  Wi-Fi with nobody logged in, shows connectivity and device facts, and pulls admin changes on
  Refresh.

  @smoke @R10
  Scenario: Turning the toggle on shows the JumpCloud window only at the next presentation
    Given a macOS device at the login window
    Then the login window is the stock login window
    When the admin turns the macOS SSAP toggle on
    And the agent checks in
    Then the login window is the stock login window
    When the device restarts
    Then the login window is the JumpCloud login window

  @R10
  Scenario: Turning the toggle off mid-session changes nothing until the user signs out
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And "Holly Flax" logs in with password "Sabre-2023!"
    And the admin turns the macOS SSAP toggle off
    And the agent checks in
    Then "Holly Flax" is logged in
    When the user signs out
    Then the login window is the stock login window
    And the login window shows a tile "Holly Flax" without the JumpCloud badge

  @smoke @R12
  Scenario: Joining a new network from the Wireless menu, remembered after a reboot
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the Wi-Fi network "Cafe" with password "latte-pass" is in range
    When they join the Wi-Fi network "Cafe" with password "latte-pass"
    Then the device is joined to the Wi-Fi network "Cafe"
    When the device restarts
    Then the device is joined to the Wi-Fi network "Cafe"
    When they click "Wireless"
    Then the Wireless menu lists "Cafe" as saved

  @R12
  Scenario: A wrong Wi-Fi password is refused in the join dialog
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the Wi-Fi network "Cafe" with password "latte-pass" is in range
    When they join the Wi-Fi network "Cafe" with password "wrong-pass"
    Then the login window says "incorrect"
    And the device is joined to the Wi-Fi network "Office"

  @R12
  Scenario: A forgotten network is not joined again after a reboot
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When they forget the Wi-Fi network "Office"
    And the device restarts
    Then the device does not remember the Wi-Fi network "Office"
    And the indicator is a red Wi-Fi indicator

  @R12
  Scenario: After forgetting one network, another is joined from the menu still open
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the Wi-Fi network "Cafe" with password "latte-pass" is in range
    When they forget the Wi-Fi network "Office"
    And they join the Wi-Fi network "Cafe" with password "latte-pass"
    Then the device is joined to the Wi-Fi network "Cafe"
    And the device does not remember the Wi-Fi network "Office"

  @smoke @R13
  Scenario: The indicator follows the internet
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    Then the indicator is a green Wi-Fi indicator
    When the device loses its internet connection
    Then the indicator is a red Wi-Fi indicator
    When the device's internet comes back
    Then the indicator is a green Wi-Fi indicator

  @R13
  Scenario: On Ethernet the indicator is still a Wi-Fi indicator
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When the device is on Ethernet with Wi-Fi off
    Then the indicator is a green Wi-Fi indicator

  @smoke @R14 @R16
  Scenario: Refresh pulls an admin bind: the badge appears and the button goes
    Given the macOS SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a macOS device at the login window
    Then the login window offers "Sign in with JumpCloud"
    When the admin binds "Hank Declan" to the device
    And they click "Refresh"
    Then the login window shows a tile "Hank Declan" with the JumpCloud badge
    And the login window does not offer "Sign in with JumpCloud"

  @R14
  Scenario: Refresh after an unbind to zero managed users brings the button back
    Given the macOS SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a macOS device at the login window
    And the admin binds "Hank Declan" to the device
    When they click "Refresh"
    Then the login window does not offer "Sign in with JumpCloud"
    When the admin unbinds "Hank Declan" from the device
    And they click "Refresh"
    Then the login window offers "Sign in with JumpCloud"

  @R16
  Scenario: Local-only accounts carry no badge
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the device has a local account "itadmin" for "IT Admin"
    Then the login window shows a tile "IT Admin" without the JumpCloud badge

  @smoke @R15
  Scenario: The info panel shows the device's facts
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When they click "Info"
    Then the info panel shows the device's hostname, serial number, MAC address, IP address and OS version

  @R17
  Scenario: The login-window-text policy shows its text
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the login-window-text policy "Login troubleshooting tip: Connect to hotspot or Wi-Fi" is bound to the device
    Then the login window shows the text "Login troubleshooting tip: Connect to hotspot or Wi-Fi"

  @smoke @R21
  Scenario: Offline, sign-in stops with a clear message and nothing is created anywhere
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When the device loses its internet connection
    And they click "Sign in with JumpCloud"
    Then the login window says "You're offline"
    And the login window says "Nothing was created"
    And the device has no local account for "Holly Flax"
    And the control plane shows no user bound to the device

  @R18
  Scenario Outline: A Mac joined to <join> never offers Sign in with JumpCloud, and the control plane refuses it too
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device joined to <join> at the login window
    Then the login window does not offer "Sign in with JumpCloud"
    And the control plane refuses to provision "Holly Flax" on the device with "device_not_supported"

    Examples:
      | join             |
      | Active Directory |
      | Entra ID         |
