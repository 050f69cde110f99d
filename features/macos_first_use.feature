@macos
Feature: macOS first-use provisioning
  A user at a managed Mac's login window clicks Sign in with JumpCloud, signs in with their
  existing directory account, and gets a local account bound to them: once, and only when the
  rules allow.

  The simulated Mac runs the device agent alone, with no MDM enrolment: provisioning needs
  nothing from an MDM (R48; the demo: "this has nothing to do with JumpCloud MDM").

  @smoke @R11 @R20 @R44 @R48
  Scenario: A new user provisions their account from the login window
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    Then the login window offers "Sign in with JumpCloud"
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the login window shows a tile "Holly Flax" with the JumpCloud badge
    And the login window does not offer "Sign in with JumpCloud"
    And the device has a managed local account "holly.flax" for "Holly Flax"
    And the control plane shows "Holly Flax" bound to the device by self-service
    And the control plane shows 1 user bound to the device
    When "Holly Flax" logs in with password "Sabre-2023!"
    Then "Holly Flax" is logged in

  @smoke @R01 @R11
  Scenario: No Sign in with JumpCloud while the macOS toggle is off
    Given a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    Then the org's macOS and Windows SSAP toggles are off
    And the login window does not offer "Sign in with JumpCloud"

  @R11 @R44
  Scenario: After one user provisions, nobody else is offered the button
    Given the macOS SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Dunder-2023!"
    And a macOS device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the login window does not offer "Sign in with JumpCloud"
    And the control plane refuses to provision "Jim Halpert" on the device with "device_has_managed_users"

  @smoke @R43
  Scenario Outline: A username matching an existing local account is refused, the account untouched ("<directory username>")
    Given the macOS SSAP toggle is on
    And a directory user "Hank Declan" with username "<directory username>" and password "Paper-2023!"
    And a macOS device at the login window
    And the device has a local account "hank" for "Hank the Local"
    When "Hank Declan" starts signing in with JumpCloud using password "Paper-2023!"
    Then the login window says "Account already exists"
    And the login window says "Hank Declan"
    And the login window says "Contact your admin"
    And the local account "hank" is unchanged and not managed
    And the device holds only the local accounts the scenario created
    And the control plane shows no user bound to the device
    And the audit log has a refused provisioning attempt with reason "account_exists"

    Examples: the directory name in other letter cases
      | directory username |
      | hank               |
      | Hank               |
      | HANK               |
