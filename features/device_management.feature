Feature: The device agent alone is enough, whatever MDM manages the device
  SSAP needs only the JumpCloud agent. A device with no MDM, one enrolled in JumpCloud's own
  MDM, and one managed jointly with another vendor's MDM behave the same (R48; the demo: "this
  has nothing to do with JumpCloud MDM", and joint management with another MDM vendor). The
  agent reports the MDM so the admin's view shows it; nothing the device is offered depends on
  it.

  @R48 @R11 @R20 @R31 @R44
  Scenario Outline: A user provisions and logs in on a <os> device <management>
    Given the <os> SSAP toggle is on
    And a directory user "Pam Beesly" with username "pam.beesly" and password "Reception-2023!"
    And a <os> device <management> at the login window
    Then the control plane shows the device <management>
    And the login window offers "Sign in with JumpCloud"
    When "Pam Beesly" signs in with JumpCloud using password "Reception-2023!"
    Then the device has a managed local account "pam.beesly" for "Pam Beesly"
    And the control plane shows "Pam Beesly" bound to the device by self-service
    When the device restarts
    Then the login window does not offer "Sign in with JumpCloud"
    When "Pam Beesly" logs in with password "Reception-2023!"
    Then "Pam Beesly" is logged in

    @macos
    Examples: macOS
      | os    | management                                 |
      | macOS | with the agent and no MDM                  |
      | macOS | enrolled in JumpCloud's MDM                |
      | macOS | managed jointly with another vendor's MDM  |

    @windows
    Examples: Windows
      | os      | management                                 |
      | Windows | with the agent and no MDM                  |
      | Windows | enrolled in JumpCloud's MDM                |
      | Windows | managed jointly with another vendor's MDM  |
