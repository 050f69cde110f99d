Feature: Toggle rollback across a fleet
  Admins may flip the toggles at will. Each flip shows at the next login-window presentation
  on every device of that OS; nothing on any device is lost and users keep logging in.

  @R50 @macos @windows
  Scenario: On, off and on again across macOS and Windows devices, with reboots and logins between
    Given the macOS SSAP toggle is on
    And the Windows SSAP toggle is on
    And a fleet of 2 macOS and 2 Windows devices at the login window
    Then every device offers Sign in with JumpCloud
    And every Windows device offers Sign in with JumpCloud
    When each device's own user signs in with JumpCloud
    Then every user logs in to their own device
    And every device still has its managed user bound on the control plane
    When the admin turns the macOS SSAP toggle off
    And the admin turns the Windows SSAP toggle off
    And every device restarts
    Then every macOS device shows the stock login window
    And every user logs in to their own device
    And every device still has its managed user bound on the control plane
    When the admin turns the macOS SSAP toggle on
    And the admin turns the Windows SSAP toggle on
    And every device restarts
    Then every macOS device shows the JumpCloud login window
    And no device offers Sign in with JumpCloud
    And every user logs in to their own device
    And every device still has its managed user bound on the control plane

  @R50 @R10 @macos
  Scenario: A flip during a session shows only after sign-out, and the user keeps working
    Given the macOS SSAP toggle is on
    And a fleet of 2 macOS and 0 Windows devices at the login window
    When each device's own user signs in with JumpCloud
    And the admin turns the macOS SSAP toggle off
    And every user logs in to their own device
    Then every device still has its managed user bound on the control plane
    When every device restarts
    Then every macOS device shows the stock login window

  @R50 @R01 @macos @windows
  Scenario: Turning only the Windows toggle off is picked up by the Windows devices alone
    Given the macOS SSAP toggle is on
    And the Windows SSAP toggle is on
    And a fleet of 1 macOS and 2 Windows devices at the login window
    When the admin turns the Windows SSAP toggle off
    And every device restarts
    Then no Windows device offers Sign in with JumpCloud
    And every macOS device offers Sign in with JumpCloud
    When the admin turns the Windows SSAP toggle on
    And every device restarts
    Then every device offers Sign in with JumpCloud
