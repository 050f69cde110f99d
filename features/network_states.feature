Feature: Network states a real fleet has
  A network in range that leads nowhere, a network that goes out of range and comes back, a
  cable pulled out: the indicator follows the internet (R13), saved networks are joined again
  (R12), and offline nobody gets half an account (R21).

  @R12 @R13 @macos
  Scenario: Joining a network without internet turns the indicator red
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the Wi-Fi network "Cafe" with password "latte-pass" is in range without internet
    When they join the Wi-Fi network "Cafe" with password "latte-pass"
    Then the device is joined to the Wi-Fi network "Cafe"
    And the indicator is a red Wi-Fi indicator
    When they click "Sign in with JumpCloud"
    Then the login window says "You're offline"

  @R12 @R13 @macos
  Scenario: The office network goes out of range and comes back: the Mac joins it again by itself
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When the Wi-Fi network "Office" goes out of range
    Then the device is not joined to any Wi-Fi network
    And the indicator is a red Wi-Fi indicator
    When they open the Wireless menu
    Then the Wireless menu does not list "Office"
    And the Wireless menu lists "Guest"
    When the Wi-Fi network "Office" comes back in range
    Then the device is joined to the Wi-Fi network "Office"
    And the indicator is a green Wi-Fi indicator

  @R13 @R21 @macos
  Scenario: A Mac on Ethernet alone goes offline when the cable is pulled, and nothing is created
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    And the device is on Ethernet with Wi-Fi off
    When the Ethernet cable is unplugged
    Then the indicator is a red Wi-Fi indicator
    When they click "Sign in with JumpCloud"
    Then the login window says "You're offline"
    And the device has no local account for "Holly Flax"
    And the control plane shows no user bound to the device
    When the Ethernet cable is plugged back in
    Then the indicator is a green Wi-Fi indicator

  @R21 @windows
  Scenario: A Windows PC whose cable is pulled signs nobody in, and does once it is back
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When the Ethernet cable is unplugged
    And "Pam Beesly" starts signing in with JumpCloud using password "Reception-2023!"
    Then the screen says "You're offline"
    And the device has no local account for "Pam Beesly"
    And the control plane shows no user bound to the device
    When the Ethernet cable is plugged back in
    And the device restarts
    And "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    Then "Pam Beesly" is logged in
    And the control plane shows "Pam Beesly" bound to the device by self-service

  @R12 @R13 @macos
  Scenario: A Mac on Wi-Fi and Ethernet stays online whatever happens to the Wi-Fi
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And an Ethernet cable is plugged in
    When the Wi-Fi network "Office" goes out of range
    Then the indicator is a green Wi-Fi indicator
    When the Wi-Fi network "Cafe" with password "latte-pass" comes in range without internet
    And they join the Wi-Fi network "Cafe" with password "latte-pass"
    Then the device is joined to the Wi-Fi network "Cafe"
    And the indicator is a green Wi-Fi indicator

  @R21 @windows
  Scenario: The internet works but JumpCloud does not answer: nothing is made, and the sign-in works once it is back
    A fault step works in any scenario, tagged @faults or not: the runner puts a fault proxy
    in front of the control plane for a scenario that uses one.
    Given the Windows SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a Windows device at the login window
    When the control plane becomes unreachable
    And "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Can't reach JumpCloud"
    And the device has no local account for "Holly Flax"
    When they click "OK"
    Then the screen offers "Sign in with JumpCloud"
    When the control plane recovers
    And "Holly Flax" signs in with JumpCloud using password "Sabre-2023!" and PIN "135790"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
