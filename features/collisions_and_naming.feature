Feature: Local account names and collisions
  The local account name is the system username if set, else the username, and must fit the
  OS. Self-service never takes over an existing local account; an admin bind does.

  @windows @smoke @R43
  Scenario Outline: On Windows a username matching a local account in any letter case is refused ("<directory username>")
    Given the Windows SSAP toggle is on
    And a directory user "Hank Declan" with username "<directory username>" and password "Paper-2023!"
    And a Windows device at the login window
    And the device has a local account "hank" for "Hank the Local"
    When "Hank Declan" starts signing in with JumpCloud using password "Paper-2023!"
    Then the screen says "Account already exists"
    And the screen says "Hank Declan"
    And the screen says "Contact your admin"
    And the local account "hank" is unchanged and not managed
    And the device holds only the local accounts the scenario created
    And the control plane shows no user bound to the device
    And the audit log has a refused provisioning attempt with reason "account_exists"

    Examples:
      | directory username |
      | hank               |
      | HANK               |
      | Hank               |

  @macos @R43
  Scenario: On macOS a system username matching a local account is refused too
    Given the macOS SSAP toggle is on
    And a directory user "Hank Declan" with username "hank.declan" and password "Paper-2023!"
    And "Hank Declan" has the system username "hank"
    And a macOS device at the login window
    And the device has a local account "hank" for "Hank the Local"
    When "Hank Declan" starts signing in with JumpCloud using password "Paper-2023!"
    Then the login window says "Account already exists"
    And the local account "hank" is unchanged and not managed
    And the device holds only the local accounts the scenario created

  @R39
  Scenario Outline: The system username, when set, names the local account (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Dwight Schrute" with username "dwight.schrute" and password "Beets-2023!"
    And "Dwight Schrute" has the system username "<system>"
    And a <os> device at the login window
    When "Dwight Schrute" signs in with JumpCloud using password "Beets-2023!"
    Then the device has a managed local account "<local>" for "Dwight Schrute"

    @macos
    Examples: macOS
      | os      | system  | local   |
      | macOS   | dschrute | dschrute |

    @windows
    Examples: Windows
      | os      | system  | local   |
      | Windows | DSchrute | DSchrute |

  @R39 @smoke
  Scenario Outline: A name the OS cannot hold is refused with the reason before anything is created (<os>, "<username>")
    Given the <os> SSAP toggle is on
    And a directory user "Dwight Schrute" with username "<username>" and password "Beets-2023!"
    And a <os> device at the login window
    When "Dwight Schrute" starts signing in with JumpCloud using password "Beets-2023!"
    Then the screen says "cannot be used on <os>"
    And the screen says "<reason>"
    And the device has no local account for "Dwight Schrute"
    And the control plane shows no user bound to the device
    And the audit log has a refused provisioning attempt with reason "invalid_local_name"

    @windows
    Examples: Windows: at most 20 characters, no " / \ [ ] : | < > + = ; ? * , and no trailing period
      | os      | username                  | reason          |
      | Windows | dwight.k.schrute.beets.ar | 20              |
      | Windows | dwight/schrute            | /               |
      | Windows | dwight:schrute            | :               |
      | Windows | dwight*schrute            | *               |
      | Windows | dwight\\schrute           | allow '\\' in   |
      | Windows | dwight,schrute            | ,               |
      | Windows | dwight.                   | period          |
    @macos
    Examples: macOS: letters, digits, - _ . and starting with a letter
      | os      | username                  | reason          |
      | macOS   | dwight schrute            | ' '             |
      | macOS   | 1dwight                   | letter          |
      | macOS   | dwight+schrute            | '+'             |

  @R39 @windows
  Scenario: A double quote in the username is refused on Windows
    A quoted step value cannot hold a `"`; the table form of the directory-user step can.
    Given the Windows SSAP toggle is on
    And a directory user with these fields:
      | name     | Dwight Schrute |
      | username | dwight"schrute |
      | password | Beets-2023!    |
    And a Windows device at the login window
    When "Dwight Schrute" starts signing in with JumpCloud using password "Beets-2023!"
    Then the screen says "cannot be used on Windows"
    And the device has no local account for "Dwight Schrute"
    And the audit log has a refused provisioning attempt with reason "invalid_local_name"

  @R39 @macos
  Scenario: A new hire whose username holds a double quote provisions on a Mac under their system username
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    When the admin creates a directory user with these fields:
      | name          | Nellie Bertram   |
      | username      | nellie"bertram   |
      | password      | Tallahassee-2024 |
      | system username | nellie.b       |
    And "Nellie Bertram" signs in with JumpCloud using password "Tallahassee-2024"
    Then the device has a managed local account "nellie.b" for "Nellie Bertram"

  @smoke @R49 @macos
  Scenario: An admin bind converts the same-named local account to managed, which self-service never does
    Given the macOS SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a macOS device at the login window
    And the device has a local account "hank" for "Hank the Local" with password "Hank-Local-1"
    When the admin binds "Hank Declan" to the device
    And they click "Refresh"
    Then the device has a managed local account "hank" for "Hank Declan"
    And the password "Hank-Local-1" opens the local account "hank"
    And the audit log records "association.create" for "Hank Declan" with outcome "success"
    And the login window shows a tile "Hank the Local" with the JumpCloud badge
    And the login window does not offer "Sign in with JumpCloud"
    And the control plane shows "Hank Declan" bound to the device by an admin

  @R49 @windows
  Scenario: On Windows an admin bind converts the same-named local account at the agent's next check-in
    Given the Windows SSAP toggle is on
    And a directory user "Hank Declan" with username "hank" and password "Paper-2023!"
    And a Windows device at the login window
    And the device has a local account "hank" for "Hank the Local"
    When the admin binds "Hank Declan" to the device
    And the agent checks in
    Then the device has a managed local account "hank" for "Hank Declan"
