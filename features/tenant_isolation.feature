Feature: Tenant isolation
  A device of one org can never read or provision a user of another org, and another org's
  admin cannot see or change it.

  @smoke @R61
  Scenario Outline: A user of another org cannot provision on this org's device (<os>)
    Given the <os> SSAP toggle is on
    And a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"
    And another org has a directory user "Eve Other" with username "eve" and password "Other-2023!"
    And a <os> device at the login window
    Then the device cannot authenticate "Eve Other" of the other org
    And the other org's admin can neither see nor change the device
    When someone signs in with JumpCloud as "eve@other.example.test" using password "Other-2023!"
    Then the screen says "Incorrect email or password"
    And the control plane shows no user bound to the device
    When "Eve Other" starts signing in with JumpCloud using password "Other-2023!"
    Then the screen says "Incorrect email or password"
    And the device has no local account for "Eve Other"

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |
