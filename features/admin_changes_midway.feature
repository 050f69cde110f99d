Feature: Admin changes in the middle of a scenario
  What the admin changes while devices are in use reaches them at the right moment: settings
  apply to the next provisioning (R02, R06), and the login-window text appears and goes at the
  next presentation (R17).

  @R02 @R03 @windows
  Scenario: A permission-level change applies to the next account, not to the one made before
    Given the Windows SSAP toggle is on
    And the permission level is Standard
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Sales-2023!"
    And a Windows device at the login window
    And the Windows SSAP policy "multiple users" is bound to the device
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    And the admin sets the permission level to Administrator
    And the user signs out
    And "Jim Halpert" signs in with JumpCloud using password "Sales-2023!"
    Then the local account "jim.halpert" is an administrator
    And the local account "pam.beesly" is a standard user
    And the device has 2 managed local accounts
    And the control plane shows 2 users bound to the device

  @R06 @macos
  Scenario: Password sync turned off between two sign-ins changes what the next one asks
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When the admin turns password sync off
    And "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Create a local password"

  @R17 @macos
  Scenario: The login-window text appears at the next presentation and goes when removed
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When the admin sets the login-window text "Call the help desk at 555-0100" on the device
    And the device restarts
    Then the login window shows the text "Call the help desk at 555-0100"
    When the admin removes the login-window text from the device
    And the device restarts
    Then the login window does not say "Call the help desk at 555-0100"

  @R39 @R43 @macos
  Scenario: A system username set after the user exists names the account provisioning creates
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When the admin sets the system username of "Holly Flax" to "hflax"
    And "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "hflax" for "Holly Flax"
