@walk
Feature: People at simulated devices, walked screen by screen
  Written by a QA engineer from README and STEPS.md alone (no Rust, no source), with the
  sentences explore uses ("over the API, ..." and "on a simulated device, ..."): the screen and
  local accounts after a device action are checked with "Then over the API, the last answer
  is:", and every scenario ends by replaying on the second implementation.

  @windows @R31 @R32 @R20
  Scenario: A Windows user signs in with their password and a valid PIN and reaches the desktop
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user1 (password: yes, system username: no)
    And on a simulated device, a device starts: Windows Enterprise, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Click here to sign in" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Next" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "OK" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "User 1", "groups": ["Users"], "managed": true,
                     "name": "u1", "opens_with": "user1's password", "pin": true, "user": "user1"}],
       "screen": "screen: Windows — Windows desktop\nlogged in: u1\nbuttons: [Sign out] [Restart]\n"}
      """
    When over the API, device0 reads its associations
    Then over the API, the last answer is:
      """
      [{"device_id": "device0", "disabled": false, "display_name": "User 1", "local_name": "u1",
        "mfa_enforced": false, "mfa_enrolled": false, "password_sync": true,
        "permission": "standard", "source": "self_service", "system_username": null,
        "user_id": "user1", "username": "u1"}]
      """
    And the reference server and the mock model answer every action alike

  @windows @R32
  Scenario: A 5-character PIN is refused on the PIN page, then a 6-character one is accepted
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user1 (password: yes, system username: no)
    And on a simulated device, a device starts: Windows Pro, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Click here to sign in" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Next" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "OK" at device0 (right password, PIN 12345, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [],
       "screen": "screen: Windows — Set up a PIN\nfield: PIN []\nfield: Confirm PIN []\nbuttons: [OK] [Cancel]\nmessage: Create a PIN to use instead of your password. It must be at least 6 characters.\nerror: Your PIN must be at least 6 characters.\n"}
      """
    When on a simulated device, user1 presses "OK" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "User 1", "groups": ["Users"], "managed": true,
                     "name": "u1", "opens_with": "user1's password", "pin": true, "user": "user1"}],
       "screen": "screen: Windows — Windows desktop\nlogged in: u1\nbuttons: [Sign out] [Restart]\n"}
      """
    And the reference server and the mock model answer every action alike

  @windows @R39
  Scenario: A Windows user whose local name would be 21 characters is refused with the reason shown
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user1 (password: yes, system username: no, name: 21 characters)
    And on a simulated device, a device starts: Windows Enterprise, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Click here to sign in" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [],
       "screen": "screen: Windows — Can't create your account\nbuttons: [OK]\nerror: The account name \"u1xxxxxxxxxxxxxxxxxxx\" cannot be used on Windows: it is 21 characters long and Windows allows at most 20. Contact your admin.\n"}
      """
    When over the API, device0 reads its associations
    Then over the API, the last answer is:
      """
      []
      """
    And the reference server and the mock model answer every action alike

  @windows @R39
  Scenario: A Windows user whose local name is exactly 20 characters is provisioned
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user1 (password: yes, system username: no, name: 20 characters)
    And on a simulated device, a device starts: Windows Enterprise, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses the next button at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "User 1", "groups": ["Users"], "managed": true,
                     "name": "u1xxxxxxxxxxxxxxxxxx", "opens_with": "user1's password", "pin": true, "user": "user1"}],
       "screen": "screen: Windows — Windows desktop\nlogged in: u1xxxxxxxxxxxxxxxxxx\nbuttons: [Sign out] [Restart]\n"}
      """
    And the reference server and the mock model answer every action alike

  @macos @R39
  Scenario: A macOS user whose name starts with a digit is refused before anything is created
    When over the API, the admin turns macOS self-service on
    And over the API, the admin creates user2 (password: yes, system username: no, name: starting with a digit)
    And on a simulated device, a device starts: macOS, arm64, workgroup, no MDM
    And on a simulated device, user2 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user2 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user2 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [],
       "screen": "screen: macOS — Can't create your account\nindicator: Wi-Fi green (Online)\nbuttons: [OK]\nerror: The account name \"2u2\" cannot be used on macOS: it must start with a letter. Contact your admin.\n"}
      """
    And the reference server and the mock model answer every action alike

  @macos @R43
  Scenario: A local account named like the directory user blocks self-service on macOS and is left alone
    When over the API, the admin turns macOS self-service on
    And over the API, the admin creates user3 (password: yes, system username: no)
    And on a simulated device, a device starts: macOS, arm64, workgroup, no MDM
    And on a simulated device, someone at device0 creates a local account named like user3
    And on a simulated device, user3 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "Own u3", "groups": ["staff"], "managed": false,
                     "name": "u3", "opens_with": "its own password", "pin": false, "user": null}],
       "screen": "screen: macOS — Account already exists\nindicator: Wi-Fi green (Online)\nbuttons: [OK]\nerror: Account already exists. User 3. Contact your admin.\n"}
      """
    And the reference server and the mock model answer every action alike

  @windows @R43
  Scenario: A local account named like the directory user in capitals blocks self-service on Windows
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user3 (password: yes, system username: no)
    And on a simulated device, a device starts: Windows Pro, x86_64, workgroup, no MDM
    And on a simulated device, someone at device0 creates a local account named like user3, in capitals
    And on a simulated device, user3 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Click here to sign in" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "Own U3", "groups": ["Users"], "managed": false,
                     "name": "U3", "opens_with": "its own password", "pin": false, "user": null}],
       "screen": "screen: Windows — Account already exists\nbuttons: [OK]\nerror: Account already exists. User 3. Contact your admin.\n"}
      """
    When over the API, the admin reads the audit log
    Then over the API, the last answer is:
      """
      [{"action": "org.create", "actor": "operator", "outcome": "success", "reason": null, "target": "explore"},
       {"action": "settings.update", "actor": "admin", "outcome": "success", "reason": null, "target": "org settings"},
       {"action": "user.create", "actor": "admin", "outcome": "success", "reason": null, "target": "u3@explore.test"},
       {"action": "device.register", "actor": "device:device0", "outcome": "success", "reason": null, "target": "explore-0"},
       {"action": "authenticate", "actor": "device:device0", "outcome": "success", "reason": null, "target": "u3@explore.test"},
       {"action": "provision", "actor": "device:device0", "outcome": "refused", "reason": "account_exists", "target": "u3@explore.test"}]
      """
    And the reference server and the mock model answer every action alike

  @windows @R01
  Scenario: The Windows toggle turned off after Continue stops the sign-in at Login
    When over the API, the admin turns Windows self-service on
    And over the API, the admin creates user1 (password: yes, system username: no)
    And on a simulated device, a device starts: Windows Pro, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Click here to sign in" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And over the API, the admin turns Windows self-service off
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [],
       "screen": "screen: Windows — Not available\nbuttons: [OK]\nerror: Sign in with JumpCloud is turned off for this device. Contact your admin.\n"}
      """
    And the reference server and the mock model answer every action alike

  @macos @R21
  Scenario: A Mac that loses the internet mid-sign-in says so, creates nothing, and goes on once back online
    When over the API, the admin turns macOS self-service on
    And over the API, the admin creates user1 (password: yes, system username: no)
    And on a simulated device, a device starts: macOS, x86_64, workgroup, no MDM
    And on a simulated device, user1 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user1 presses "Continue" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, device0 loses the internet
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [],
       "screen": "screen: macOS — JumpCloud User Login\nindicator: Wi-Fi red (Offline)\nfield: Password []\nbuttons: [Login] [Cancel]\nmessage: Signing in as u1@explore.test\nerror: You're offline. Connect to the internet, then try again. Nothing was created.\n"}
      """
    When over the API, device0 reads its associations
    Then over the API, the last answer is:
      """
      []
      """
    When on a simulated device, device0 gets the internet back
    And on a simulated device, user1 presses "Login" at device0 (right password, PIN 123456, code: the current one)
    Then over the API, the last answer is:
      """
      {"accounts": [{"disabled": false, "full_name": "User 1", "groups": ["staff"], "managed": true,
                     "name": "u1", "opens_with": "user1's password", "pin": false, "user": "user1"}],
       "screen": "screen: macOS — macOS login window\nindicator: Wi-Fi green (Online)\ntile: User 1 (u1) [JumpCloud badge]\nbuttons: [Wireless] [Refresh] [Info]\nmessage: Your account is ready. Click your name and enter your password.\n"}
      """
    And the reference server and the mock model answer every action alike

  # Kept from explore (2026-12-02): with the agent no longer releasing an unbound account at
  # check-in, explore's R14 check failed at the restart; the suite had one scenario for it.
  @macos @explore @R14
  Scenario: An account the admin unbinds is released at the device's next restart
    When on a simulated device, a device starts: macOS, x86_64, workgroup, JumpCloud MDM
    And over the API, the admin turns macOS self-service on
    And over the API, the admin creates user3 (password: yes, system username: yes)
    And on a simulated device, device0 restarts
    And on a simulated device, user2 presses "Sign in with JumpCloud" at device0 (right password, PIN 123456, code: the current one)
    And on a simulated device, user3 presses "Continue" at device0 (right password, PIN 12345, code: the one they typed last)
    And on a simulated device, user3 presses "Login" at device0 (right password, PIN 123456, code: a wrong one)
    And over the API, the admin unbinds user3 from device0
    And on a simulated device, device0 restarts
    Then the reference server and the mock model answer every action alike

  # Kept from explore (2026-12-02): with the login window no longer showing the admin's text,
  # explore's R17 check failed at the restart.
  @macos @explore @R17
  Scenario: The login-window text shows once the login window is presented again
    When on a simulated device, a device starts: macOS, x86_64, workgroup, no MDM
    And over the API, the admin turns macOS self-service on
    And over the API, the admin sets device0's login-window text to text 1
    And on a simulated device, device0 restarts
    Then the reference server and the mock model answer every action alike
