@api
Feature: Sequences of API calls, answer by answer
  The steps `When over the API, ...` are the actions of `ssap-harness explore`: admin changes,
  a device's calls and reads, time passing, in an org of the scenario's own, with users named
  user0..user5 and devices numbered as they register. Each scenario states answers a rule
  decides, and ends by replaying its actions on the second implementation of the contract
  (the mock's model, or the reference server in mock mode), which must answer every one alike.
  Counterexamples that `explore` finds are written with the same steps.

  @R44 @R60
  Scenario: A sign-in ticket provisions once; a replay under a new key is refused
    When over the API, the admin turns Windows self-service on
    And over the API, a device registers: Windows Pro, x86_64, workgroup, no MDM
    And over the API, the admin creates user2 (password: yes, system username: no)
    And over the API, device0 signs in user2 with the right password
    And over the API, device0 provisions with its own ticket and a fresh key
    And over the API, device0 provisions with its own ticket and a fresh key
    Then over the API, the last answer is a refusal 401 "ticket_invalid"
    And the reference server and the mock model answer every action alike

  @R44
  Scenario: A ticket issued to one device is refused on another
    When over the API, the admin turns macOS self-service on
    And over the API, a device registers: macOS, arm64, workgroup, no MDM
    And over the API, a device registers: macOS, x86_64, workgroup, no MDM
    And over the API, the admin creates user1 (password: yes, system username: no)
    And over the API, device0 signs in user1 with the right password
    And over the API, device1 provisions with device0's ticket and a fresh key
    Then over the API, the last answer is a refusal 401 "ticket_invalid"
    And the reference server and the mock model answer every action alike

  @R05 @R45 @R39
  Scenario: A device's MFA policy shows on the associations an admin bound there
    When over the API, the admin turns macOS self-service on
    And over the API, a device registers: macOS, arm64, workgroup, JumpCloud MDM
    And over the API, the admin creates user1 (password: yes, system username: yes)
    And over the API, the admin binds user1 to device0
    And over the API, the admin binds an MFA policy to device0
    And over the API, device0 reads its associations
    Then over the API, the last answer is:
      """
      [{"device_id": "device0", "disabled": false, "display_name": "User 1", "local_name": null,
        "mfa_enforced": true, "mfa_enrolled": false, "password_sync": true,
        "permission": "standard", "source": "admin", "system_username": "sys1",
        "user_id": "user1", "username": "u1"}]
      """
    And the reference server and the mock model answer every action alike

  @R45
  Scenario: An MFA code opens the next login once; the same code again is a replay
    When over the API, the admin turns macOS self-service on
    And over the API, a device registers: macOS, arm64, workgroup, no MDM
    And over the API, the admin creates user3 (password: yes, system username: no)
    And over the API, the admin binds user3 to device0
    And over the API, user3 enrols in MFA at the User Portal with the right password
    And over the API, device0 checks user3's MFA code: the one from two minutes ago
    Then over the API, the last answer is a refusal 401 "mfa_code_invalid"
    When over the API, device0 checks user3's MFA code: the current one
    Then over the API, the last answer is:
      """
      null
      """
    When over the API, device0 checks user3's MFA code: the one they typed last
    Then over the API, the last answer is a refusal 401 "mfa_code_invalid"
    And the reference server and the mock model answer every action alike

  # Kept from explore: with association removals left out of the audit log (a break made on
  # purpose), `explore --seed 1` disagreed after 128 actions and shrank it to these five.
  @R07 @R05 @explore
  Scenario: Removing an association is audited like binding one
    When over the API, a device registers: macOS, arm64, workgroup, no MDM
    And over the API, the admin creates user2 (password: yes, system username: no)
    And over the API, the admin binds user2 to device0
    And over the API, the admin unbinds user2 from device0
    And over the API, the admin reads the audit log
    Then over the API, the last answer is:
      """
      [{"action": "org.create", "actor": "operator", "outcome": "success", "reason": null, "target": "explore"},
       {"action": "device.register", "actor": "device:device0", "outcome": "success", "reason": null, "target": "explore-0"},
       {"action": "user.create", "actor": "admin", "outcome": "success", "reason": null, "target": "u2@explore.test"},
       {"action": "association.create", "actor": "admin", "outcome": "success", "reason": null, "target": "device device0 / user u2@explore.test"},
       {"action": "association.delete", "actor": "admin", "outcome": "success", "reason": null, "target": "device device0 / user u2@explore.test"}]
      """
    And the reference server and the mock model answer every action alike

  # Kept from explore: with the idempotency check loosened to any valid ticket (a break made on
  # purpose), the suite stayed green and `explore --seed 1` disagreed after 11,038 actions,
  # shrunk to these nine: the server answered the retry with user0's stored reply.
  @R44 @R60 @explore
  Scenario: A provisioning key reused with another user's ticket is refused, not answered with the first reply
    When over the API, the admin creates user0 (password: yes, system username: yes)
    And over the API, the admin turns Windows self-service on
    And over the API, a device registers: Windows Enterprise, x86_64, workgroup, no MDM
    And over the API, device0 signs in user0 with the right password
    And over the API, the admin creates user3 (password: yes, system username: yes)
    And over the API, device0 provisions with its own ticket and a fresh key
    And over the API, the admin unbinds user0 from device0
    And over the API, device0 signs in user3 with the right password
    And over the API, device0 provisions with its own ticket and its previous key
    Then over the API, the last answer is a refusal 409 "idempotency_mismatch"
    And the reference server and the mock model answer every action alike

  # Kept from explore (seed 1, 6,000 actions, shrunk to 9): the agent's check-in converted a
  # local-only account into a managed one for a self-service association it had not made.
  @R43 @R49
  Scenario: A self-service association made with the device's own credential takes over no local account
    When over the API, the admin creates user3 (password: yes, system username: no)
    And on a simulated device, a device starts: Windows Enterprise, x86_64, workgroup, no MDM
    And on a simulated device, someone at device0 creates a local account named like user3
    And over the API, the admin turns Windows self-service on
    And over the API, device0 signs in user3 with the right password
    And over the API, device0 provisions with its own ticket and a fresh key
    And on a simulated device, device0 restarts
    Then the reference server and the mock model answer every action alike

  # Kept from explore (2026-12-02, seed 1, 49,950 actions, shrunk to 6): with the ticket still
  # taken at exactly 600 s, the reference server provisioned where the model refused. Only a
  # clock that stands still lands exactly on the limit; the suite had no scenario for it.
  @R60 @virtual-clock
  Scenario: A sign-in's ticket is refused at exactly ten minutes
    When over the API, a device registers: Windows Enterprise, x86_64, workgroup, another vendor's MDM
    And over the API, the admin creates user1 (password: yes, system username: yes)
    And over the API, the admin turns Windows self-service on
    And over the API, device0 signs in user1 with the right password
    And over the API, 600 seconds pass on the control plane's clock
    And over the API, device0 provisions with its own ticket and a fresh key
    Then over the API, the last answer is a refusal 401 "ticket_invalid"
    And the reference server and the mock model answer every action alike

  # Found by explore's federation actions (2026-12-02, seed 3, 45,577 actions, shrunk to 10):
  # the mock's model let a federated sign-in through on a device the throttle had stopped, and
  # did not count refused identity-provider answers towards it; the reference server does both
  # (R42 holds for every way of signing in). The model was mended.
  @R42 @R46
  Scenario: A device the throttle stopped cannot sign in through the identity provider either
    When over the API, the admin turns Windows self-service on
    And over the API, the admin federates sign-in to the identity provider
    And over the API, a device registers: Windows Enterprise, x86_64, workgroup, no MDM
    And over the API, the admin creates user4 (password: yes, system username: no)
    And over the API, device0 signs in user1 with a wrong password 6 times
    And over the API, device0 signs in user4 with a wrong password 4 times
    And over the API, the admin sets user4 to federated
    And over the API, device0 signs in user4 through the identity provider, with an honest token
    Then over the API, the last answer is a refusal 429 "too_many_attempts"
    And the reference server and the mock model answer every action alike

  # A replayed answer of the identity provider is refused (R46): the state is single-use.
  @R46
  Scenario: An identity provider's answer redeemed twice is refused the second time
    When over the API, the admin turns Windows self-service on
    And over the API, the admin federates sign-in to the identity provider
    And over the API, a device registers: Windows Enterprise, x86_64, workgroup, no MDM
    And over the API, the admin creates user2 (password: yes, system username: no)
    And over the API, the admin sets user2 to federated
    And over the API, device0 signs in user2 through the identity provider, with its answer replayed
    Then over the API, the last answer is a refusal 401 "federation_state_invalid"
    And the reference server and the mock model answer every action alike
