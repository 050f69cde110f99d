@faults @R60
Feature: Control-plane faults never leave a half-made account
  The control plane fails at each call of the provisioning flow, on both OSes: error statuses
  (500, 503 with Retry-After), replies later than the device's timeout, dropped connections,
  malformed replies, and replies lost after the change was made. The user sees a clear
  message, and at rest the device and the control plane agree: the local account exists AND
  the association is recorded, or neither. A retry after a lost reply never provisions twice.

  Inferred behaviour checked here (R60): the agent re-sends provisioning with the same
  idempotency key (at most 4 tries, waiting Retry-After or 1, 2, 4 s on the device's clock);
  when no answer came it asks the control plane for the device's associations before giving
  up; the login window keeps working from its last configuration while the control plane
  cannot be reached.

  These scenarios script the control plane's replies. With --control-plane mock the mock's
  own wiremock server takes the script; in the embedded and remote modes the @faults tag puts
  a fault proxy (wiremock too) between the devices and the real control plane, so the same
  scenarios run against the reference server.

  Background:
    Given a directory user "Holly Flax" with username "holly.flax" and password "Sabre-2023!"

  @R21
  Scenario Outline: Authentication fails (<fault>) on <os>: a clear message, nothing created
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane answers "POST /api/device/authenticate" with <fault>
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Can't reach JumpCloud"
    And the screen says "Nothing was created"
    And "Holly Flax" has no local account and no association on the device
    And the device and the control plane agree about "Holly Flax"

    @macos
    Examples: macOS
      | os      | fault                           |
      | macOS   | status 500                      |
      | macOS   | status 503 and Retry-After 1    |
      | macOS   | a delay past the client timeout |
      | macOS   | a connection reset              |
      | macOS   | malformed JSON                  |

    @windows
    Examples: Windows
      | os      | fault                           |
      | Windows | status 500                      |
      | Windows | status 503 and Retry-After 1    |
      | Windows | a delay past the client timeout |
      | Windows | a connection reset              |
      | Windows | malformed JSON                  |

  @R13 @macos
  Scenario: The indicator tracks the internet, not JumpCloud: it stays green while the control plane is unreachable
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the control plane is unreachable
    When the device restarts
    Then the indicator is a green Wi-Fi indicator
    And the login window offers "Sign in with JumpCloud"

  @R21
  Scenario Outline: JumpCloud unreachable while the internet works (<os>): nothing is made, and the sign-in works once it is back
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    When the control plane becomes unreachable
    And "Holly Flax" starts signing in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Can't reach JumpCloud"
    And "Holly Flax" has no local account and no association on the device
    When the control plane recovers
    And "Holly Flax" signs in with JumpCloud using password "Sabre-2023!"
    Then the device has a managed local account "holly.flax" for "Holly Flax"
    And the control plane shows "Holly Flax" bound to the device by self-service

    @macos
    Examples: macOS
      | os      |
      | macOS   |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R44
  Scenario Outline: Provisioning keeps failing (<fault>) on <os>: nothing made, Try Again provisions once
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane answers "POST /api/device/provision" with <fault>
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Can't reach JumpCloud"
    And the screen says "Nothing was created"
    And the screen offers "Try Again"
    And "Holly Flax" has no local account and no association on the device
    When the control plane recovers
    And the user clicks "Try Again"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the control plane recorded exactly one provisioning of "Holly Flax"

    @macos
    Examples: macOS
      | os      | fault                           |
      | macOS   | status 500                      |
      | macOS   | status 503 and Retry-After 1    |
      | macOS   | a delay past the client timeout |
      | macOS   | a connection reset              |
      | macOS   | malformed JSON                  |

    @windows
    Examples: Windows
      | os      | fault                           |
      | Windows | status 500                      |
      | Windows | status 503 and Retry-After 1    |
      | Windows | a delay past the client timeout |
      | Windows | a connection reset              |
      | Windows | malformed JSON                  |

  Scenario Outline: One provisioning failure (<fault>) on <os> is retried without the user noticing
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane answers "POST /api/device/provision" with <fault> once
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the control plane recorded exactly one provisioning of "Holly Flax"
    And the screen does not offer "Try Again"

    @macos
    Examples: macOS
      | os      | fault                           |
      | macOS   | status 500                      |
      | macOS   | status 503 and Retry-After 1    |
      | macOS   | a delay past the client timeout |
      | macOS   | a connection reset              |
      | macOS   | malformed JSON                  |

    @windows
    Examples: Windows
      | os      | fault                           |
      | Windows | status 500                      |
      | Windows | status 503 and Retry-After 1    |
      | Windows | a delay past the client timeout |
      | Windows | a connection reset              |
      | Windows | malformed JSON                  |

  Scenario Outline: Replies to provisioning lost after the commit (<how>) on <os> do not provision twice
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane loses the reply to "POST /api/device/provision" after committing it <how>
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the device and the control plane agree about "Holly Flax"
    And the control plane recorded exactly one provisioning of "Holly Flax"

    @macos
    Examples: macOS
      | os      | how                          |
      | macOS   | by a connection reset once   |
      | macOS   | with malformed JSON once     |
      | macOS   | by answering too late once   |
      | macOS   | by a connection reset        |
      | macOS   | with malformed JSON          |

    @windows
    Examples: Windows
      | os      | how                          |
      | Windows | by a connection reset once   |
      | Windows | with malformed JSON once     |
      | Windows | by answering too late once   |
      | Windows | by a connection reset        |
      | Windows | with malformed JSON          |

  Scenario Outline: The association list fails too (<fault>) after lost replies on <os>: Try Again settles it once
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane loses the reply to "POST /api/device/provision" after committing it
    And the control plane answers "GET /api/device/associations" with <fault>
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then the screen says "Can't reach JumpCloud"
    And the screen offers "Try Again"
    When the control plane recovers
    And the user clicks "Try Again"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the device and the control plane agree about "Holly Flax"
    And the control plane recorded exactly one provisioning of "Holly Flax"

    @macos
    Examples: macOS
      | os      | fault                           |
      | macOS   | status 500                      |
      | macOS   | status 503 and Retry-After 1    |
      | macOS   | a delay past the client timeout |
      | macOS   | a connection reset              |
      | macOS   | malformed JSON                  |

    @windows
    Examples: Windows
      | os      | fault                           |
      | Windows | status 500                      |
      | Windows | status 503 and Retry-After 1    |
      | Windows | a delay past the client timeout |
      | Windows | a connection reset              |
      | Windows | malformed JSON                  |

  @R10 @R44
  Scenario Outline: The login-window configuration fails (<fault>) after provisioning on <os>: the device stays consistent
    Given the <os> SSAP toggle is on
    And a <os> device at the login window
    And the control plane answers "GET /api/device/login-window" with <fault>
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the device and the control plane agree about "Holly Flax"
    When the device restarts
    Then the screen shows a tile "Holly Flax" <badge> the JumpCloud badge
    And the screen does not offer "Sign in with JumpCloud"

    @macos
    Examples: macOS
      | os      | fault                           | badge   |
      | macOS   | status 500                      | with    |
      | macOS   | status 503 and Retry-After 1    | with    |
      | macOS   | a delay past the client timeout | with    |
      | macOS   | a connection reset              | with    |
      | macOS   | malformed JSON                  | with    |

    @windows
    Examples: Windows
      | os      | fault                           | badge   |
      | Windows | status 500                      | without |
      | Windows | status 503 and Retry-After 1    | without |
      | Windows | a delay past the client timeout | without |
      | Windows | a connection reset              | without |
      | Windows | malformed JSON                  | without |

  @macos @R14
  Scenario Outline: Refresh while the configuration fails (<fault>) says so and keeps the window
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the control plane answers "GET /api/device/login-window" with <fault>
    When the user clicks "Refresh"
    Then the screen says "Try again later"
    And the login window is the JumpCloud login window
    And the login window offers "Sign in with JumpCloud"

    Examples:
      | fault                           |
      | status 500                      |
      | status 503 and Retry-After 1    |
      | a delay past the client timeout |
      | a connection reset              |
      | malformed JSON                  |

  @smoke
  Scenario: Provisioning down for maintenance (a stub file script) is waited out
    Given the macOS SSAP toggle is on
    And a macOS device at the login window
    And the control plane follows the script "provision-maintenance"
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the control plane recorded exactly one provisioning of "Holly Flax"

  Scenario: Every provisioning reply lost (a stub file script) is confirmed from the association list
    Given the Windows SSAP toggle is on
    And a Windows device at the login window
    And the control plane follows the script "provision-lost-replies"
    When "Holly Flax" goes through Sign in with JumpCloud using password "Sabre-2023!"
    Then "Holly Flax" has a managed local account and exactly one association on the device
    And the control plane recorded exactly one provisioning of "Holly Flax"
    And "Holly Flax" is logged in
