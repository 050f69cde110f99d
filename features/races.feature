Feature: Two sign-ins at the same moment
  Provisioning is one-time (R44) even when two users' Login clicks reach the control plane
  together: the control plane, not the login window, decides, and exactly one of them gets the
  device. Where the Windows policy allows several users (R03), both do.

  @R44
  Scenario Outline: Two provisionings of one device at the same moment: exactly one wins (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Sales-2023!"
    And a <os> device at the login window
    When the device sends the provisioning of "Pam Beesly" and of "Jim Halpert" at the same moment
    Then exactly one of "Pam Beesly" and "Jim Halpert" is bound to the device
    And the control plane shows 1 user bound to the device
    And the audit log records "provision" with outcome "refused" and reason "device_has_managed_users"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R03 @R44 @windows
  Scenario: With the multiple-users policy both provisionings at the same moment succeed
    Given the Windows SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a directory user "Jim Halpert" with username "jim.halpert" and password "Sales-2023!"
    And a Windows device at the login window
    And the Windows SSAP policy "multiple users" is bound to the device
    When the device sends the provisioning of "Pam Beesly" and of "Jim Halpert" at the same moment
    Then the control plane shows 2 users bound to the device
