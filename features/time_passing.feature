@virtual-clock
Feature: Time passing
  What a clock governs, tested without waiting: the control plane's clock for the scenario's org
  moves forward with `When N seconds pass` (embedded and mock mode, or `serve --virtual-clock`;
  against any other control plane, leave these out with `--tags 'not @virtual-clock'`).
  The sign-in throttle counts failures in a sliding window of 60 seconds (R42); a sign-in is
  good for ten minutes before the account must be made (single-use tickets); MFA codes follow
  the control plane's clock (R45).

  @R42
  Scenario Outline: The throttle lifts once its window has passed (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    And the device has used up its failed sign-ins
    When 59 seconds pass
    And "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Too many"
    And the device has no local account for "Holly Flax"
    When they click "Cancel"
    And 2 seconds pass
    And "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    And the audit log records "provision" with outcome "success"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R60 @macos
  Scenario: A sign-in left open for more than ten minutes expires before the account is made (macOS)
    Given the macOS SSAP toggle is on
    And password sync is off
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    And 601 seconds pass
    And "Holly Flax" creates the local password "Local-Only-1"
    Then the screen says "Sign-in expired"
    And "Holly Flax" has no local account and no association on the device
    And the audit log records "provision" with outcome "refused" and reason "ticket_invalid"

  @R60 @macos
  Scenario: A sign-in finished just inside ten minutes still makes the account (macOS)
    Given the macOS SSAP toggle is on
    And password sync is off
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    And 598 seconds pass
    And "Holly Flax" creates the local password "Local-Only-1"
    Then the device has a managed local account "holly.flax" for "Holly Flax"

  @R60 @windows
  Scenario: A sign-in left open for more than ten minutes expires before the account is made (Windows)
    Given the Windows SSAP toggle is on
    And password sync is off
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" starts signing in with JumpCloud using password "Reception-2023!"
    And "Pam Beesly" creates the local password "Local-Only-1"
    And 601 seconds pass
    And "Pam Beesly" creates the PIN "975310"
    Then the screen says "Sign-in expired"
    And "Pam Beesly" has no local account and no association on the device
    And "Pam Beesly" is not logged in
    And the audit log records "provision" for "Pam Beesly" with outcome "refused" and reason "ticket_invalid"

  @R45
  Scenario Outline: A code the authenticator showed two minutes ago has expired, though never used (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" has MFA enforced
    And "Holly Flax" enrolls in MFA in the User Portal
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    And "Holly Flax" enters the code their authenticator app showed 120 seconds ago
    Then the screen says "That code didn't work"
    And "Holly Flax" is not logged in
    And the audit log records "mfa.verify" for "Holly Flax" with outcome "refused" and reason "wrong_code"
    When "Holly Flax" enters the code from their authenticator app
    Then "Holly Flax" is logged in

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R45
  Scenario Outline: An hour later the authenticator's new code opens the login and the old one does not (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And "Holly Flax" has MFA enforced
    And the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    And "Holly Flax" enters the code from their authenticator app
    Then "Holly Flax" is logged in
    When the device restarts
    And 3600 seconds pass
    And "Holly Flax" logs in with password "Sabre-2023!"
    And "Holly Flax" enters the same code again
    Then the screen says "That code didn't work"
    And "Holly Flax" is not logged in
    And the audit log records "mfa.verify" with outcome "refused" and reason "wrong_code"
    When "Holly Flax" enters the code from their authenticator app
    Then "Holly Flax" is logged in

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |
