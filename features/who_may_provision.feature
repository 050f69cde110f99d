Feature: Who may provision
  Only existing, active directory users with a password, who know it, may provision; the
  login window never creates directory users.

  @smoke @R40
  Scenario Outline: An unknown email is refused and nothing is created anywhere (<os>)
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    When someone signs in with JumpCloud as "nobody@example.test" using password "Guess-2023!"
    Then the screen shows the error "Incorrect email or password"
    And the device holds only the local accounts the scenario created
    And the control plane shows no user bound to the device
    And the directory has no user with the email "nobody@example.test"
    And the audit log records "authenticate" with outcome "refused" and reason "unknown_user"
    And the audit log records no "provision" for "nobody@example.test"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R41 @R62
  Scenario Outline: A user without a password is refused as an unknown email is (<os>)
    No password can prove who is signing in, so the device learns no more than for an email
    the directory does not know; the audit log tells the admin the real reason.
    Given the <os> SSAP toggle is on
    And a directory user "Creed Bratton" with username "creed" and no password
    And a <os> device at the login window
    When someone signs in with JumpCloud as "creed@example.test" using password "anything-1"
    Then the screen says "Incorrect email or password"
    And the screen does not say "no password"
    And the device has no local account for "Creed Bratton"
    And the control plane shows no user bound to the device
    And the audit log records "authenticate" with outcome "refused" and reason "no_password"
    When someone tries to sign in with JumpCloud as "nobody@example.test" and as "Creed Bratton" using password "anything-1"
    Then both attempts end at the same screen
    And both attempts cost the control plane one password check each

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @smoke @R42
  Scenario Outline: A wrong password is refused and nothing is created (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" tries the password "wrong-password" 1 times
    Then the screen says "Incorrect email or password"
    And the device has no local account for "Holly Flax"
    And the control plane shows no user bound to the device
    And the audit log records "authenticate" with outcome "refused" and reason "wrong_password"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R42
  Scenario Outline: After the admin sets a new directory password, the old one is refused and the new one provisions (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And the admin sets the password of "Holly Flax" to "Sabre-2024!"
    And a <os> device at the login window
    When "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen shows the error "Incorrect email or password"
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2024!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R42
  Scenario Outline: Five wrong passwords lock the user, as the directory's own login does (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" tries the password "wrong-password" 5 times
    Then the control plane shows "Holly Flax" locked
    When "Holly Flax" tries the password "Sabre-2023!" 1 times
    Then the screen says "Your JumpCloud account is locked"
    And the device has no local account for "Holly Flax"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @smoke @R47
  Scenario Outline: Users who are not active are refused with the reason (<os>, <state>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" is <state>
    And a <os> device at the login window
    When "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "<message>"
    And the device has no local account for "Holly Flax"
    And the control plane shows no user bound to the device
    And the audit log records "authenticate" with outcome "refused" and reason "<reason>"

    @macos
    Examples: macOS
      | os      | state            | message                            | reason           |
      | macOS   | staged           | has not been activated yet         | user_staged      |
      | macOS   | suspended        | is suspended                       | user_suspended   |
      | macOS   | locked           | is locked                          | user_locked      |
      | macOS   | password-expired | password has expired               | password_expired |

    @windows
    Examples: Windows
      | os      | state            | message                            | reason           |
      | Windows | staged           | has not been activated yet         | user_staged      |
      | Windows | suspended        | is suspended                       | user_suspended   |
      | Windows | locked           | is locked                          | user_locked      |
      | Windows | password-expired | password has expired               | password_expired |

  @R62 @R47
  Scenario Outline: A wrong password tells nothing of the user's state (<os>, <state>)
    Before the password has proved who is signing in, a staged, suspended, locked or expired
    user gets the refusal an unknown email gets; only the audit log names the state.
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" is <state>
    And a <os> device at the login window
    When someone signs in with JumpCloud as "holly.flax@example.test" using password "wrong-password"
    Then the screen says "Incorrect email or password"
    And the screen does not say "<message>"
    And the device has no local account for "Holly Flax"
    And the audit log records "authenticate" with outcome "refused" and reason "<reason>"
    When someone tries to sign in with JumpCloud as "nobody@example.test" and as "Holly Flax" using password "wrong-password"
    Then both attempts end at the same screen
    And both attempts cost the control plane one password check each

    @macos
    Examples: macOS
      | os      | state            | message                    | reason           |
      | macOS   | staged           | has not been activated yet | user_staged      |
      | macOS   | suspended        | is suspended               | user_suspended   |
      | macOS   | locked           | is locked                  | user_locked      |
      | macOS   | password-expired | password has expired       | password_expired |

    @windows
    Examples: Windows
      | os      | state            | message                    | reason           |
      | Windows | staged           | has not been activated yet | user_staged      |
      | Windows | suspended        | is suspended               | user_suspended   |
      | Windows | locked           | is locked                  | user_locked      |
      | Windows | password-expired | password has expired       | password_expired |

  @R45
  Scenario Outline: MFA is not asked while provisioning; the next login asks for it (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" has MFA enforced but not enrolled
    And "Holly Flax" enrolls in MFA in the User Portal
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    And the screen does not ask for an MFA code
    When the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen asks for an MFA code
    And "Holly Flax" is not logged in
    When "Holly Flax" enters a wrong code
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

  @R45
  Scenario Outline: An MFA code opens one login only (<os>)
    A code from the authenticator app is checked by the control plane against the secret the
    User Portal issued; once it has let the user in, the same code is refused.
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
    And "Holly Flax" logs in with password "Sabre-2023!"
    And "Holly Flax" enters the same code again
    Then the screen says "That code didn't work"
    And "Holly Flax" is not logged in
    And the audit log records "mfa.verify" with outcome "refused" and reason "replayed_code"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R45
  Scenario Outline: A user not yet enrolled in MFA is sent to the User Portal (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" has MFA enforced but not enrolled
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    When the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen says "User Portal"
    And "Holly Flax" is not logged in
    When "Holly Flax" enrolls in MFA in the User Portal
    And the agent checks in
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen asks for an MFA code
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
  Scenario Outline: An MFA policy on the device is not asked while provisioning; the next login asks for it (<os>)
    MFA required by a device policy, for a user whose own account has no MFA enforced.
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" enrolls in MFA in the User Portal
    And a <os> device at the login window
    And an MFA policy is bound to the device
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    And the screen does not ask for an MFA code
    And the audit log records "policy.mfa.set" with outcome "success"
    When the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen asks for an MFA code
    And "Holly Flax" is not logged in
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
  Scenario Outline: A user not enrolled in MFA on a device with an MFA policy is sent to the User Portal (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    When the admin binds an MFA policy to the device
    And the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen says "User Portal"
    And "Holly Flax" is not logged in

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R45
  Scenario Outline: Once the admin removes the device's MFA policy, the next login does not ask (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And "Holly Flax" enrolls in MFA in the User Portal
    And a <os> device at the login window
    And the MFA policy is bound to the device
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the device restarts
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen asks for an MFA code
    When they click "Cancel"
    And the admin removes the MFA policy from the device
    And the agent checks in
    And "Holly Flax" logs in with password "Sabre-2023!"
    Then the screen does not ask for an MFA code
    And "Holly Flax" is logged in
    And the audit log records "policy.mfa.delete" with outcome "success"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R42
  Scenario Outline: Ten failed sign-ins from one device throttle it, even for a user with the right password (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When someone tries to sign in with JumpCloud as "nobody@example.test" using password "Guess-2023!" 10 times
    Then the screen shows the error "Incorrect email or password"
    When they click "Cancel"
    And "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Too many"
    And the device has no local account for "Holly Flax"
    And the control plane shows no user bound to the device
    And the audit log records "authenticate" with outcome "refused" and reason "too_many_attempts"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |
