@windows
Feature: Windows first-use provisioning through the credential provider
  Windows allows no new login window, so SSAP is a credential provider: a Sign in with
  JumpCloud tile at the bottom left that opens a web view, then re-confirms the password and
  creates a PIN.

  @smoke @R30 @R31 @R44 @R48
  Scenario: A new user provisions from the tile, confirms the password, creates a PIN, and is logged in
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    Then the "Sign in with JumpCloud" tile is at the bottom left
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!" and PIN "135790"
    Then "Pam Beesly" is logged in
    And the device has a managed local account "pam.beesly" for "Pam Beesly"
    And the control plane shows "Pam Beesly" bound to the device by self-service
    And the control plane shows 1 user bound to the device
    When the device restarts
    Then the screen shows no tile "Sign in with JumpCloud"
    When "Pam Beesly" signs in to Windows with PIN "135790"
    Then "Pam Beesly" is logged in

  @smoke @R30 @R01
  Scenario: No tile while the Windows toggle is off
    Given the macOS SSAP toggle is on
    And a Windows device at the login window
    Then the screen shows no tile "Sign in with JumpCloud"

  @R31
  Scenario: A mistyped re-confirmation lets the user try again
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" starts signing in with JumpCloud using password "Reception-2023!"
    And "Pam Beesly" re-confirms the password "not-my-password"
    Then the screen says "The password is incorrect. Try again."
    When "Pam Beesly" re-confirms the password "Reception-2023!"
    Then the screen offers "OK"
    And the screen says "Set up a PIN"

  @R32
  Scenario: PINs that do not match are refused without starting over
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" starts signing in with JumpCloud using password "Reception-2023!"
    And "Pam Beesly" re-confirms the password "Reception-2023!"
    And they type "246801" into "PIN"
    And they type "246810" into "Confirm PIN"
    And they click "OK"
    Then the screen says "The PINs don't match"
    And the device has no local account for "Pam Beesly"
    When "Pam Beesly" creates the PIN "246801"
    Then "Pam Beesly" is logged in

  @smoke @R32
  Scenario Outline: A PIN shorter than 6 characters is refused without starting over (PIN "<pin>")
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" starts signing in with JumpCloud using password "Reception-2023!"
    And "Pam Beesly" re-confirms the password "Reception-2023!"
    And "Pam Beesly" creates the PIN "<pin>"
    Then the screen says "Your PIN must be at least 6 characters"
    And the device has no local account for "Pam Beesly"
    When "Pam Beesly" creates the PIN "246801"
    Then "Pam Beesly" is logged in

    Examples:
      | pin   |
      |       |
      | 1     |
      | 12345 |

  @R33
  Scenario: With PIN sign-in blocked by a GPO the account is made but not signed in; after a restart the password opens it
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device where a GPO blocks PIN sign-in, at the login window
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    Then the screen says "PIN sign-in is blocked"
    And "Pam Beesly" is not logged in
    And the device has a managed local account "pam.beesly" for "Pam Beesly"
    When they click "Restart"
    And "Pam Beesly" logs in with password "Reception-2023!"
    Then "Pam Beesly" is logged in

  @smoke @R18
  Scenario Outline: Unsupported Windows devices never offer the tile (<edition> on <arch><join>)
    Given the Windows SSAP toggle is on
    And a Windows device running <edition> on <arch><join> at the login window
    Then the screen shows no tile "Sign in with JumpCloud"

    Examples:
      | edition    | arch   | join                        |
      | Home       | x86_64 |                             |
      | Server     | x86_64 |                             |
      | Pro        | arm64  |                             |
      | Enterprise | x86_64 | , joined to Active Directory |
      | Pro        | x86_64 | , joined to Entra ID        |

  @R18
  Scenario Outline: The control plane itself refuses unsupported Windows devices (<edition> on <arch><join>)
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device running <edition> on <arch><join> at the login window
    Then the control plane refuses to provision "Pam Beesly" on the device with "device_not_supported"

    Examples:
      | edition    | arch   | join                         |
      | Home       | x86_64 |                              |
      | Server     | x86_64 |                              |
      | Pro        | arm64  |                              |
      | Pro        | x86_64 | , joined to Entra ID         |

  @R18
  Scenario Outline: Supported Windows editions offer the tile (<edition>)
    Given the Windows SSAP toggle is on
    And a Windows device running <edition> on x86_64 at the login window
    Then the "Sign in with JumpCloud" tile is at the bottom left

    Examples:
      | edition    |
      | Pro        |
      | Enterprise |
      | Education  |
