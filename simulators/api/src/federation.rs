//! Federated sign-in (R46): the ID-token format every side of the harness agrees on, and the
//! small encodings it needs.
//!
//! The identity provider is OIDC-shaped but deliberately small: `{issuer}/authorize` takes the
//! user's credentials (form POST from the device's web view) and redirects to `redirect_uri`
//! with `code` and `state`; `{issuer}/token` exchanges the code (form POST with
//! `client_id`/`client_secret`) for `{"id_token": ...}`. The ID token is a JWT signed with
//! **HS256 keyed by the client secret**: verifiable without key discovery or an RSA crate, and
//! it still proves what matters here (only the IdP and the control plane hold the secret, so a
//! token from another IdP, or one edited in transit, fails the signature). HMAC-SHA256 is
//! written out on `sha2` (RFC 2104) rather than pulling another crate for twenty lines.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the identity provider sends the web view back: a scheme the JumpCloud web view
/// intercepts, so the code never leaves the device except to the control plane.
pub const REDIRECT_URI: &str = "jumpcloud-ssap://federation/callback";

/// Seconds of clock skew tolerated on `exp` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
pub fn b64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding; `None` for anything else.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero padding of the last character (and never a whole 6).
    (bits < 6 && acc == 0).then_some(out)
}

/// The claims of an ID token that the control plane checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// Issuer: the provider's base URL.
    pub iss: String,
    /// The client id the token was issued to.
    pub aud: String,
    /// Subject: the user's id at the provider.
    pub sub: String,
    /// The user's email, matched against the directory's.
    pub email: String,
    /// The nonce of the sign-in it answers.
    pub nonce: String,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, in seconds since the Unix epoch.
    pub exp: i64,
}

/// Signs `claims` as an HS256 JWT keyed by `secret`.
pub fn sign_id_token(claims: &IdTokenClaims, secret: &str) -> String {
    let header = b64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = b64url_encode(&serde_json::to_vec(claims).unwrap_or_default());
    let input = format!("{header}.{body}");
    let sig = hmac_sha256(secret.as_bytes(), input.as_bytes());
    format!("{input}.{}", b64url_encode(&sig))
}

/// What an ID token must say to be accepted.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// The expected issuer.
    pub issuer: &'a str,
    /// The expected audience.
    pub client_id: &'a str,
    /// The key of the HS256 signature.
    pub client_secret: &'a str,
    /// The nonce of this sign-in.
    pub nonce: &'a str,
    /// The email the sign-in is for.
    pub email: &'a str,
}

/// Why an ID token was refused; [`TokenProblem::reason`] goes into the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not three base64url parts of JSON.
    Malformed,
    /// Signed with another algorithm than HS256.
    UnsupportedAlgorithm,
    /// The signature does not match the client secret.
    BadSignature,
    /// Issued by another provider.
    WrongIssuer,
    /// Issued for another client.
    WrongAudience,
    /// Past its expiry.
    Expired,
    /// Issued for another sign-in.
    NonceMismatch,
    /// Issued for another user.
    EmailMismatch,
}

impl TokenProblem {
    /// Every problem, in the order the checks run.
    pub const ALL: [TokenProblem; 8] = [
        TokenProblem::Malformed,
        TokenProblem::UnsupportedAlgorithm,
        TokenProblem::BadSignature,
        TokenProblem::WrongIssuer,
        TokenProblem::WrongAudience,
        TokenProblem::Expired,
        TokenProblem::NonceMismatch,
        TokenProblem::EmailMismatch,
    ];

    /// Stable reason text for the audit log ("id_token_expired", ...).
    pub fn reason(self) -> &'static str {
        match self {
            TokenProblem::Malformed => "id_token_malformed",
            TokenProblem::UnsupportedAlgorithm => "id_token_algorithm",
            TokenProblem::BadSignature => "id_token_signature",
            TokenProblem::WrongIssuer => "id_token_issuer",
            TokenProblem::WrongAudience => "id_token_audience",
            TokenProblem::Expired => "id_token_expired",
            TokenProblem::NonceMismatch => "id_token_nonce",
            TokenProblem::EmailMismatch => "id_token_email",
        }
    }
}

impl std::fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn issuer_key(s: &str) -> &str {
    s.trim().trim_end_matches('/')
}

/// Verifies an HS256 ID token against `expected` at `now_secs` (Unix seconds): signature
/// first (nothing in an unsigned token is believed), then issuer, audience, expiry, nonce and
/// email (case-insensitive, as the directory compares emails).
pub fn validate_id_token(
    token: &str,
    expected: &Expected<'_>,
    now_secs: i64,
) -> Result<IdTokenClaims, TokenProblem> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(b), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenProblem::Malformed);
    };
    let header: serde_json::Value = b64url_decode(h)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or(TokenProblem::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenProblem::UnsupportedAlgorithm);
    }
    let sig = b64url_decode(s).ok_or(TokenProblem::Malformed)?;
    let want = hmac_sha256(
        expected.client_secret.as_bytes(),
        format!("{h}.{b}").as_bytes(),
    );
    if !same_bytes(&sig, &want) {
        return Err(TokenProblem::BadSignature);
    }
    let claims: IdTokenClaims = b64url_decode(b)
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or(TokenProblem::Malformed)?;
    if issuer_key(&claims.iss) != issuer_key(expected.issuer) {
        return Err(TokenProblem::WrongIssuer);
    }
    if claims.aud != expected.client_id {
        return Err(TokenProblem::WrongAudience);
    }
    if claims.exp + LEEWAY_SECS <= now_secs || claims.iat - LEEWAY_SECS > now_secs {
        return Err(TokenProblem::Expired);
    }
    if !same_bytes(claims.nonce.as_bytes(), expected.nonce.as_bytes()) {
        return Err(TokenProblem::NonceMismatch);
    }
    if !claims
        .email
        .trim()
        .eq_ignore_ascii_case(expected.email.trim())
    {
        return Err(TokenProblem::EmailMismatch);
    }
    Ok(claims)
}

/// `application/x-www-form-urlencoded` body of `pairs` (as browsers encode forms).
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(out: &mut String, s: &str) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        enc(&mut out, k);
        out.push('=');
        enc(&mut out, v);
    }
    out
}

/// Pairs of a form body or query string (`+` and `%XX` decoded).
pub fn form_decode(body: &str) -> Vec<(String, String)> {
    match reqwest::Url::parse(&format!("x:/?{body}")) {
        Ok(u) => u.query_pairs().into_owned().collect(),
        Err(_) => Vec::new(),
    }
}

/// The value of `key` in form pairs.
pub fn form_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 and test case 6 (key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn base64url_round_trips_and_refuses_junk() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(b64url_decode(&b64url_encode(&data)), Some(data));
        }
        assert_eq!(b64url_encode(b"\xfb\xff"), "-_8");
        assert_eq!(b64url_decode("a+b="), None);
        assert_eq!(b64url_decode("A"), None);
    }

    fn claims() -> IdTokenClaims {
        IdTokenClaims {
            iss: "http://idp.test/".into(),
            aud: "client-1".into(),
            sub: "u1".into(),
            email: "Ryan@Example.test".into(),
            nonce: "n1".into(),
            iat: 1_000,
            exp: 1_300,
        }
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "http://idp.test",
            client_id: "client-1",
            client_secret: "s3cret",
            nonce: "n1",
            email: "ryan@example.test",
        }
    }

    #[test]
    fn a_good_token_passes_and_each_problem_is_named() {
        let ok = sign_id_token(&claims(), "s3cret");
        assert_eq!(validate_id_token(&ok, &expected(), 1_100), Ok(claims()));
        let check = |c: IdTokenClaims, secret: &str, now: i64| {
            validate_id_token(&sign_id_token(&c, secret), &expected(), now).err()
        };
        use TokenProblem::*;
        assert_eq!(check(claims(), "other", 1_100), Some(BadSignature));
        let mut c = claims();
        c.iss = "http://evil.test".into();
        assert_eq!(check(c, "s3cret", 1_100), Some(WrongIssuer));
        let mut c = claims();
        c.aud = "client-2".into();
        assert_eq!(check(c, "s3cret", 1_100), Some(WrongAudience));
        assert_eq!(check(claims(), "s3cret", 1_400), Some(Expired));
        let mut c = claims();
        c.nonce = "n2".into();
        assert_eq!(check(c, "s3cret", 1_100), Some(NonceMismatch));
        let mut c = claims();
        c.email = "someone@example.test".into();
        assert_eq!(check(c, "s3cret", 1_100), Some(EmailMismatch));
        assert_eq!(validate_id_token("a.b", &expected(), 1_100), Err(Malformed));
        // alg "none" with no signature is never accepted.
        let none = format!(
            "{}.{}.",
            b64url_encode(br#"{"alg":"none"}"#),
            ok.split('.').nth(1).unwrap_or_default()
        );
        assert_eq!(
            validate_id_token(&none, &expected(), 1_100),
            Err(UnsupportedAlgorithm)
        );
        // A payload edited after signing fails the signature.
        let mut c = claims();
        c.email = "mallory@example.test".into();
        let forged = sign_id_token(&c, "s3cret");
        let mut parts: Vec<&str> = ok.split('.').collect();
        parts[1] = forged.split('.').nth(1).unwrap_or_default();
        assert_eq!(
            validate_id_token(&parts.join("."), &expected(), 1_100),
            Err(BadSignature)
        );
    }

    #[test]
    fn exchange_logs_hide_state_nonce_code_but_keep_a_users_state() {
        let fed = r#"{"method":"federated","authorize_url":"http://i/authorize?state=ssap_st_1&nonce=ssap_nc_1","state":"ssap_st_1","redirect_uri":"x:/cb","code":"c1"}"#;
        let shown = crate::client::redact_json(fed);
        for secret in ["ssap_st_1", "ssap_nc_1", "c1"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let user = crate::client::redact_json(r#"{"email":"a@b.c","state":"suspended"}"#);
        assert!(user.contains("suspended"), "{user}");
    }

    #[test]
    fn forms_round_trip() {
        let body = form_encode(&[("a b", "c&d=e"), ("p", "é+")]);
        let pairs = form_decode(&body);
        assert_eq!(form_value(&pairs, "a b"), Some("c&d=e"));
        assert_eq!(form_value(&pairs, "p"), Some("é+"));
    }
}
