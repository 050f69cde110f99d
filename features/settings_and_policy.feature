Feature: Admin settings and policies
  Two independent toggles, the permission level, password sync, the Windows SSAP policy, and
  the audit log of every change. The simulated endpoints run the device agent alone, with no
  MDM enrolment (R48).

  @smoke @R01 @macos @windows
  Scenario: The two toggles are independent
    Given the macOS SSAP toggle is on
    Then the org's macOS SSAP toggle is on
    And the org's Windows SSAP toggle is off
    Given a macOS device at the login window
    And a Windows device at the login window
    Then the screen shows no tile "Sign in with JumpCloud"
    When on device 1
    Then the login window offers "Sign in with JumpCloud"

  @R01 @R11
  Scenario Outline: With the toggle off the control plane itself refuses, whatever a device asks (<os>)
    Given a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    Then the control plane refuses to provision "Holly Flax" on the device with "ssap_disabled"
    And the control plane shows no user bound to the device

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @smoke @R02
  Scenario Outline: The permission level decides the local group of the provisioned account (<os>, <level>)
    Given the <os> SSAP toggle is on
    And the permission level is <level>
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the local account "holly.flax" is <expected>

    @macos
    Examples: macOS
      | os      | level         | expected          |
      | macOS   | Administrator | an administrator  |
      | macOS   | Standard      | a standard user   |

    @windows
    Examples: Windows
      | os      | level         | expected          |
      | Windows | Administrator | an administrator  |
      | Windows | Standard      | a standard user   |

  @smoke @R03 @windows
  Scenario: A "multiple users" policy keeps the tile after the first user provisions
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Dunder-2023!"
    And a Windows device at the login window
    And the Windows SSAP policy "multiple users" is bound to the device
    When the device restarts
    And "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    And the device restarts
    Then the "Sign in with JumpCloud" tile is at the bottom left
    When "Jim Halpert" signs in with JumpCloud using password "Dunder-2023!"
    Then "Jim Halpert" is logged in
    And the control plane shows 2 users bound to the device

  @R03 @windows
  Scenario: A "first user only" policy removes the tile after the first user
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Dunder-2023!"
    And a Windows device at the login window
    And the Windows SSAP policy "first user only" is bound to the device
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    And the device restarts
    Then the screen shows no tile "Sign in with JumpCloud"
    And the control plane refuses to provision "Jim Halpert" on the device with "device_has_managed_users"

  @R03 @windows
  Scenario: Binding a "multiple users" policy after the first user brings the tile back
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    And the device restarts
    Then the screen shows no tile "Sign in with JumpCloud"
    When the admin binds the Windows SSAP policy "multiple users" to the device
    And the device restarts
    Then the "Sign in with JumpCloud" tile is at the bottom left
    When the admin removes the Windows SSAP policy from the device
    And the device restarts
    Then the screen shows no tile "Sign in with JumpCloud"
    And the audit log records "policy.windows_ssap.delete" with outcome "success"

  @R03 @windows
  Scenario: Where bound, the policy wins over the org's Windows toggle being off
    Given a Windows device at the login window
    And the Windows SSAP policy "first user only" is bound to the device
    When the device restarts
    Then the "Sign in with JumpCloud" tile is at the bottom left

  @R03 @macos
  Scenario: The Windows policy never applies to macOS
    Given a macOS device at the login window
    Then binding a Windows SSAP policy to the macOS device is refused

  @smoke @R04
  Scenario Outline: Turning the toggle off removes nothing from the device (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the admin turns the <os> SSAP toggle off
    And the device restarts
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    And the control plane shows "Holly Flax" bound to the device by self-service
    When "Holly Flax" logs in with password "Sabre-2023!"
    Then "Holly Flax" is logged in

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R02 @R05
  Scenario Outline: An admin bind gives the level the admin chose (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a <os> device at the login window
    And the admin binds "Hank Declan" to the device as Administrator
    When the agent checks in
    Then the local account "hank" is an administrator

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R05
  Scenario Outline: An admin bind while SSAP is on removes the offer (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a <os> device at the login window
    When the admin binds "Hank Declan" to the device
    And the device restarts
    Then the screen does not offer "Sign in with JumpCloud"
    And the device has a managed local account "hank" for "Hank Declan"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @smoke @R06
  Scenario Outline: With password sync on, the directory password opens the account (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the password "Sabre-2023!" opens the local account "holly.flax"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R06 @macos
  Scenario: With password sync off, a Mac user creates a local password and the directory one does not open the account
    Given the macOS SSAP toggle is on
    And password sync is off
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a macOS device at the login window
    When "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    And "Holly Flax" creates the local password "Local-Only-1"
    Then the password "Local-Only-1" opens the local account "holly.flax"
    And the password "Sabre-2023!" does not open the local account "holly.flax"

  @R06 @windows
  Scenario: With password sync off, a Windows user creates a local password and a PIN
    Given the Windows SSAP toggle is on
    And password sync is off
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a Windows device at the login window
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!", local password "Local-Only-1" and PIN "975310"
    Then "Pam Beesly" is logged in
    And the password "Local-Only-1" opens the local account "pam.beesly"
    And the password "Reception-2023!" does not open the local account "pam.beesly"

  @R06
  Scenario Outline: With password sync off, the local password opens the account after a restart (<os>)
    Given the <os> SSAP toggle is on
    And password sync is off
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" signs in with JumpCloud using password "Sabre-2023!" and local password "Local-Only-1"
    And the admin sets the password of "Holly Flax" to "Sabre-2024!"
    And the device restarts
    And "Holly Flax" logs in with password "Local-Only-1"
    Then "Holly Flax" is logged in

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @smoke @R07
  Scenario Outline: Admin changes and provisioning attempts land in the audit log (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And a <os> device at the login window
    When "Holly Flax" tries the password "wrong-password" 1 times
    And they click "Cancel"
    And "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    And the admin sets the permission level to Administrator
    Then the audit log records "settings.update" with outcome "success"
    And the audit log records "settings.update" with outcome "success" and reason "permission_level: standard -> administrator"
    And the audit log records "user.create" with outcome "success"
    And the audit log records "authenticate" with outcome "refused" and reason "wrong_password"
    And the audit log records "provision" with outcome "success"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |
