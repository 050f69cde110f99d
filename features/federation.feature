Feature: Federated sign-in
  Users of a federated identity provider provision and log in through federation (R46). The
  identity provider is the scenario's own mock (wiremock), set up as the org's: the web view
  shows its page ("Sign in to Okta"), the device posts the credentials to its /authorize over
  HTTP and takes the code off the redirect; the control plane exchanges the code at its /token
  with the client credentials and checks the ID token (an HS256 JWT signed with the client
  secret: signature, issuer, audience = client id, expiry, nonce, email) before it gives the
  same ticket as a password, so provisioning is unchanged. The state in the authorize URL is
  single-use. MFA is not asked while provisioning (R45).

  Choices (inferred, kept the same in the simulators, the control plane and the mock):
  - A federated user has no directory password, so password sync has nothing to copy: with
    sync on the local account opens with no password; its tile offers "Sign in with Okta",
    which runs the identity provider's sign-in again and the control plane confirms that the
    user may still sign in and is bound to this device. With sync off the user creates a
    local password, as everyone does (R06).
  - On Windows there is no JumpCloud password to re-confirm: the identity provider confirmed
    the user moments before, so that step is skipped; the PIN is still required (R31, R32)
    and opens the account afterwards, as does "Sign in with Okta" under Sign-in options.
  - A wrong password at the identity provider stays on its page: the control plane never
    hears of it (the provider answers no code), so nothing is created or recorded there.

  @smoke @R46
  Scenario Outline: A federated user provisions through the identity provider (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And a <os> device at the login window
    When "Ryan Howard" signs in with JumpCloud using password "Temp-Hire-2009!"
    Then the device has a managed local account "ryan.howard" for "Ryan Howard"
    And the control plane shows "Ryan Howard" bound to the device by self-service
    And the control plane shows "Ryan Howard" as federated without a password
    And the password "Temp-Hire-2009!" does not open the local account "ryan.howard"
    And the identity provider was asked for 1 token
    And the audit log records "authenticate" with outcome "success" and reason "federated (Okta)"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R46
  Scenario Outline: The provisioned account logs in through the identity provider (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And a <os> device at the login window
    When "Ryan Howard" signs in with JumpCloud using password "Temp-Hire-2009!"
    And the device restarts
    And "Ryan Howard" logs in through the identity provider with password "Temp-Hire-2009!"
    Then "Ryan Howard" is logged in
    And the identity provider was asked for 2 tokens
    And the audit log records "login" with outcome "success" and reason "federated (Okta)"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R46
  Scenario Outline: A federated user's email leads to the identity provider's page, not JumpCloud's password (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And a <os> device at the login window
    When "Ryan Howard" starts signing in with JumpCloud
    Then the screen is the identity provider's sign-in page
    And the screen says "Okta"
    And the screen does not offer "Login"
    And the identity provider was asked for 0 tokens
    And the device has no local account for "Ryan Howard"
    And the control plane refuses to provision "Ryan Howard" on the device using password "Temp-Hire-2009!" with "use_federation"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R46
  Scenario Outline: A wrong password at the identity provider creates nothing (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And a <os> device at the login window
    When "Ryan Howard" starts signing in with JumpCloud using password "Guess-2009!"
    Then the screen is the identity provider's sign-in page
    And the screen says "Incorrect username or password"
    And the identity provider was asked for 0 tokens
    And the device has no local account for "Ryan Howard"
    And the control plane shows no user bound to the device

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R46 @R07
  Scenario Outline: An ID token signed with a foreign key is refused and audited (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And the identity provider signs its ID tokens with a foreign key
    And a <os> device at the login window
    When "Ryan Howard" starts signing in with JumpCloud using password "Temp-Hire-2009!"
    Then the screen says "could not be verified"
    And the device has no local account for "Ryan Howard"
    And the control plane shows no user bound to the device
    And the audit log records "authenticate" with outcome "refused" and reason "id_token_signature"

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |

  @R46 @R07
  Scenario Outline: A replayed identity-provider answer is refused and audited (<os>)
    Given the <os> SSAP toggle is on
    And the org federates sign-in to a mock identity provider "Okta"
    And a federated directory user "Ryan Howard" with username "ryan.howard" and IdP password "Temp-Hire-2009!"
    And a <os> device at the login window
    When "Ryan Howard" signs in with JumpCloud using password "Temp-Hire-2009!"
    Then replaying the identity provider's answer is refused with "federation_state_invalid"
    And the audit log records "authenticate" with outcome "refused" and reason "federation_state_invalid"
    And the control plane shows 1 user bound to the device

    @macos
    Examples: macOS
      | os    |
      | macOS |

    @windows
    Examples: Windows
      | os      |
      | Windows |
