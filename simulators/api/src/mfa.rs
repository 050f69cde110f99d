//! TOTP codes (RFC 6238) for the next-login MFA prompt (R45), as the User Portal's authenticator
//! and every control plane agree on them: HMAC-SHA1, 6 digits, 30-second steps, and one step of
//! clock drift either way. A code opens one login only: a control plane remembers the last
//! step it accepted for a user and refuses that step and earlier ones (replay).
//!
//! Secrets travel as unpadded RFC 4648 base32, the form authenticator apps take.

use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds a code stays current.
pub const STEP_SECS: u64 = 30;
/// Steps of drift accepted either side of the verifier's clock.
pub const SKEW_STEPS: u64 = 1;
/// Bytes of a secret the User Portal issues (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// Why a secret cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    #[error("the MFA secret is not base32")]
    /// The secret is not base32.
    NotBase32,
    #[error("the MFA secret is shorter than 128 bits")]
    /// The secret is shorter than TOTP allows.
    TooShort,
}

fn totp(secret: &str) -> Result<TOTP, MfaError> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|_| MfaError::NotBase32)?;
    TOTP::new(Algorithm::SHA1, 6, SKEW_STEPS as u8, STEP_SECS, bytes)
        .map_err(|_| MfaError::TooShort)
}

/// The base32 text of raw secret bytes.
pub fn encode_secret(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s.trim_end_matches('=').to_string(),
        Secret::Raw(_) => String::new(),
    }
}

/// Seconds since the Unix epoch (0 if the clock is set before it): the time TOTP codes are
/// computed for, by the control plane that checks them and by the harness that types them.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The code an authenticator app shows at `unix_secs` for `secret`.
pub fn code_at(secret: &str, unix_secs: u64) -> Result<String, MfaError> {
    Ok(totp(secret)?.generate(unix_secs))
}

/// The step (`unix_secs / STEP_SECS`) whose code `code` is, among the steps within the allowed
/// drift of `unix_secs`; `None` when it is none of them. The caller refuses a step at or below
/// the last one it accepted (replay).
pub fn matching_step(secret: &str, code: &str, unix_secs: u64) -> Result<Option<u64>, MfaError> {
    let t = totp(secret)?;
    let now = unix_secs / STEP_SECS;
    let first = now.saturating_sub(SKEW_STEPS);
    Ok((first..=now + SKEW_STEPS).find(|step| t.generate(step * STEP_SECS) == code.trim()))
}

/// The `otpauth://` URI an authenticator app scans (issuer and account name, no QR here).
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    let account: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@.-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "otpauth://totp/JumpCloud:{account}?secret={secret}&issuer=JumpCloud&algorithm=SHA1&digits=6&period={STEP_SECS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 are the 6-digit code).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = encode_secret(b"12345678901234567890");
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(
                code_at(&secret, t).ok().as_deref(),
                Some(&eight[2..]),
                "t={t}"
            );
        }
    }

    #[test]
    fn a_code_matches_its_own_step_and_its_neighbours_only() {
        let secret = encode_secret(&[7u8; SECRET_BYTES]);
        let t = 1_700_000_000;
        let code = code_at(&secret, t).unwrap_or_default();
        assert_eq!(matching_step(&secret, &code, t), Ok(Some(t / STEP_SECS)));
        assert_eq!(
            matching_step(&secret, &code, t + STEP_SECS),
            Ok(Some(t / STEP_SECS))
        );
        assert_eq!(matching_step(&secret, &code, t + 3 * STEP_SECS), Ok(None));
        assert_eq!(matching_step(&secret, "000000x", t), Ok(None));
    }

    #[test]
    fn bad_secrets_are_errors_not_panics() {
        assert_eq!(code_at("not base32!", 0), Err(MfaError::NotBase32));
        assert_eq!(
            code_at(&encode_secret(&[1u8; 8]), 0),
            Err(MfaError::TooShort)
        );
    }
}
