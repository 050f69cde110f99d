//! What the API accepts in a request body: the rule of every text field, and the shape rules
//! of whole bodies (a patch changes something), held once here.
//!
//! The reference server and the mock's model refuse with these rules ([`Validate`], answered
//! as 400 `bad_request` with the sentence of [`InputError`]), and the OpenAPI document states
//! them: `minLength`, `maxLength` and `pattern` of each field in [`FIELDS`], `minProperties` of
//! the patches. A test in [`crate::openapi`] holds the document to this table, and another
//! holds each rule's `pattern` to its Rust check, character by character.
//!
//! Lengths count characters (Unicode scalar values), as JSON Schema does, never bytes.
//! Rules the document cannot state (a Windows policy on a Mac, a user bound twice) are not
//! here: they are refusals of the route with their own status and code, documented there.

use std::sync::LazyLock;

use crate::types::*;

/// Which characters a text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chars {
    /// Anything JSON carries: passwords, codes, the identity provider's values.
    Any,
    /// One line: no control character (Unicode category Cc: U+0000 to U+001F and U+007F to
    /// U+009F). Names, emails, keys and facts that are stored, logged and shown; NUL is also
    /// a text PostgreSQL cannot store.
    Line,
    /// Lines: no control character but tab, line feed and carriage return (the login-window
    /// text).
    Lines,
}

/// What a text must look like beyond its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// No shape beyond the characters.
    Free,
    /// Holds an `@`. Deliberately not RFC 5321 (`format: email`): a directory holds the
    /// addresses its admin typed, internationalized ones among them (RFC 6531), and the
    /// control plane only matches them; the document says exactly this rule, as a pattern.
    Email,
    /// An http(s) base URL the control plane can always call: `http://` or `https://`, a host
    /// that is a dotted IPv4 address or DNS labels whose last one starts with a letter, an
    /// optional port 0 to 65535, then path segments without `%`, `?` or `#`.
    HttpUrl,
}

/// The rule of one text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// Fewest characters.
    pub min: usize,
    /// Most characters, if bounded.
    pub max: Option<usize>,
    /// Which characters are allowed.
    pub chars: Chars,
    /// Whether a text of white space only (Rust's `char::is_whitespace`) is accepted; when it
    /// is not, the text needs one character that is neither white space nor control.
    pub blank_ok: bool,
    /// What the text must look like.
    pub shape: Shape,
}

impl Text {
    /// Any characters, `min` to `max` (white space only counts as characters).
    pub const fn any(min: usize, max: usize) -> Text {
        Text {
            min,
            max: Some(max),
            chars: Chars::Any,
            blank_ok: true,
            shape: Shape::Free,
        }
    }

    /// One line of 1 to `max` characters, not only white space.
    pub const fn name(max: usize) -> Text {
        Text {
            min: 1,
            max: Some(max),
            chars: Chars::Line,
            blank_ok: false,
            shape: Shape::Free,
        }
    }

    /// One line of at most `max` characters, possibly empty.
    pub const fn line(max: usize) -> Text {
        Text {
            min: 0,
            max: Some(max),
            chars: Chars::Line,
            blank_ok: true,
            shape: Shape::Free,
        }
    }

    /// The JSON-Schema `pattern` of this rule, if it has one: the same set of strings as
    /// [`Text::check`] accepts, lengths aside. Written with `\uXXXX` escapes and classes only,
    /// so that ECMA-262, Python's `re` and Rust's `regex` read it alike.
    pub fn pattern(&self) -> Option<String> {
        let control = match (self.shape, self.chars) {
            (Shape::HttpUrl, _) => return Some(HTTP_URL.to_string()),
            (Shape::Email, _) => return Some(format!("^[^{CONTROL}]*@[^{CONTROL}]*$")),
            (Shape::Free, Chars::Any) => return None,
            (Shape::Free, Chars::Line) => CONTROL,
            (Shape::Free, Chars::Lines) => CONTROL_BUT_LINES,
        };
        if self.blank_ok {
            return Some(format!("^[^{control}]*$"));
        }
        let lines = if self.chars == Chars::Lines {
            "\\u0009\\u000a\\u000d"
        } else {
            ""
        };
        Some(format!(
            "^[^{control}]*[^{control}{lines}{WHITE}][^{control}]*$"
        ))
    }

    /// Refuses `value` with a sentence naming `field` and the rule it breaks.
    pub fn check(&self, field: &str, value: &str) -> Result<(), InputError> {
        let n = value.chars().count();
        if n < self.min || (!self.blank_ok && value.trim().is_empty()) {
            return Err(if self.min <= 1 {
                InputError(format!("{field} must not be empty"))
            } else {
                InputError(format!("{field} must be at least {} characters", self.min))
            });
        }
        if let Some(max) = self.max {
            if n > max {
                return Err(InputError(format!(
                    "{field} is longer than {max} characters"
                )));
            }
        }
        let refused = |c: char| match self.chars {
            Chars::Any => false,
            Chars::Line => c.is_control(),
            Chars::Lines => c.is_control() && !matches!(c, '\t' | '\n' | '\r'),
        };
        if let Some(c) = value.chars().find(|&c| refused(c)) {
            return Err(InputError(format!(
                "{field} contains a control character ({c:?})"
            )));
        }
        match self.shape {
            Shape::Free => Ok(()),
            Shape::Email if value.contains('@') => Ok(()),
            Shape::Email => Err(InputError(format!(
                "{field} {value:?} is not an email address (it has no @)"
            ))),
            Shape::HttpUrl if HTTP_URL_RE.is_match(value) => Ok(()),
            Shape::HttpUrl => Err(InputError(format!(
                "{field} {value:?} is not an http(s) base URL (scheme http or https, a host \
                 name or IPv4 address, an optional port, a path without %, ? or #)"
            ))),
        }
    }
}

impl Text {
    /// Values this rule refuses, each with the words the refusal must hold: one per thing the
    /// rule says (empty, blank, too long, a control character, the shape). For tests that
    /// hold an implementation (the server, the mock's model) to the rules.
    pub fn refused_examples(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        if self.min > 0 {
            out.push((String::new(), "must not be empty"));
        }
        if !self.blank_ok {
            out.push((" \u{3000}\u{a0} ".to_string(), "must not be empty"));
        }
        let (head, filler) = match self.shape {
            Shape::Free => ("", "x"),
            Shape::Email => ("a@", "b"),
            Shape::HttpUrl => ("http://a/", "b"),
        };
        if let Some(max) = self.max {
            let long = format!("{head}{}", filler.repeat(max + 1 - head.len()));
            out.push((long, "is longer than"));
        }
        let with = |c: char| match self.shape {
            Shape::Free => format!("a{c}b"),
            Shape::Email => format!("a{c}@b"),
            Shape::HttpUrl => format!("http://a/{c}"),
        };
        match self.chars {
            Chars::Any => {}
            Chars::Line => {
                out.push((with('\0'), "control character"));
                out.push((with('\n'), "control character"));
                out.push((with('\u{85}'), "control character"));
            }
            Chars::Lines => {
                out.push((with('\u{1b}'), "control character"));
                out.push((with('\u{7f}'), "control character"));
            }
        }
        match self.shape {
            Shape::Free => {}
            Shape::Email => out.push(("no-at-sign".to_string(), "not an email")),
            Shape::HttpUrl => {
                for bad in [
                    "ftp://idp.test",
                    "http://idp.1",
                    "http://idp.test:65536",
                    "0",
                ] {
                    out.push((bad.to_string(), "not an http(s) base URL"));
                }
            }
        }
        out
    }
}

/// Control characters (Unicode Cc) as the inside of a regex class.
const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";
/// The same but tab, line feed and carriage return.
const CONTROL_BUT_LINES: &str = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";
/// White space (Unicode White_Space, what `str::trim` drops) that is not a control character.
const WHITE: &str = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// See [`Shape::HttpUrl`]. The last DNS label starts with a letter and no label holds `--`,
/// so that no host is read as a number or as punycode: every match parses as a URL.
const HTTP_URL: &str = concat!(
    "^https?://",
    "(",
    "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
    "|",
    "([A-Za-z0-9]+(-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*",
    ")",
    "(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0))?",
    "(/[A-Za-z0-9._~!$&'()*+,;=:@-]*)*$",
);

static HTTP_URL_RE: LazyLock<regex::Regex> = LazyLock::new(|| {
    // A constant pattern, compiled by a test of this module; a mistake there is a bug caught
    // before any release, never input.
    regex::Regex::new(HTTP_URL).unwrap_or_else(|e| panic!("HTTP_URL does not compile: {e}"))
});

/// Why a request body was refused; answered as 400 `bad_request` with this sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// A request body that can say whether it keeps the rules of the wire.
pub trait Validate {
    /// `Err` names the first field that breaks its rule.
    fn validate(&self) -> Result<(), InputError>;
}

// The rules, by field. Names, keys and ids are single lines; facts and display names may be
// empty; passwords and secrets of the identity provider's protocol are anything.
/// An organization's name.
pub const ORG_NAME: Text = Text::name(200);
/// A directory user's email, as an admin creates it.
pub const EMAIL: Text = Text {
    min: 1,
    max: Some(254),
    chars: Chars::Line,
    blank_ok: false,
    shape: Shape::Email,
};
/// An email a device types: one line, no `@` needed (an unknown one is refused as such).
pub const SIGN_IN_EMAIL: Text = Text::name(254);
/// A directory username.
pub const USERNAME: Text = Text::name(128);
/// The local account name an admin sets for a user.
pub const SYSTEM_USERNAME: Text = Text::name(128);
/// In a patch: empty or white space clears it.
pub const SYSTEM_USERNAME_PATCH: Text = Text::line(128);
/// A first or last name.
pub const PERSON_NAME: Text = Text::line(128);
/// A directory password an admin sets.
pub const PASSWORD: Text = Text::any(1, 1024);
/// A password typed at a sign-in: a wrong or empty one is refused as such, not as malformed.
pub const SIGN_IN_PASSWORD: Text = Text::any(0, 1024);
/// A device's hostname.
pub const HOSTNAME: Text = Text::name(255);
/// A device's CPU architecture.
pub const ARCHITECTURE: Text = Text::name(64);
/// Any other fact a device reports (edition, serial, MAC, IP, OS version).
pub const DEVICE_FACT: Text = Text::line(255);
/// The login-window text: several lines allowed.
pub const LOGIN_WINDOW_TEXT: Text = Text {
    min: 1,
    max: Some(2000),
    chars: Chars::Lines,
    blank_ok: false,
    shape: Shape::Free,
};
/// The local account name a device provisions.
pub const LOCAL_NAME: Text = Text::name(256);
/// A provisioning's idempotency key.
pub const IDEMPOTENCY_KEY: Text = Text::name(200);
/// The reason a device reports for a refused attempt.
pub const REASON: Text = Text::name(200);
/// The email a device reports with a refused attempt; may be empty.
pub const REPORTED_EMAIL: Text = Text::line(254);
/// An identity provider's display name.
pub const IDP_NAME: Text = Text::name(64);
/// An identity provider's issuer URL.
pub const ISSUER: Text = Text {
    min: 1,
    max: Some(512),
    chars: Chars::Line,
    blank_ok: false,
    shape: Shape::HttpUrl,
};
/// An identity provider client id.
pub const CLIENT_ID: Text = Text::name(256);
/// An identity provider client secret.
pub const CLIENT_SECRET: Text = Text::name(1024);
/// The authorization code an identity provider returned.
pub const FEDERATION_CODE: Text = Text::any(1, 2048);
/// The OAuth state a device echoes.
pub const FEDERATION_STATE: Text = Text::any(0, 512);
/// The redirect URI a device used.
pub const REDIRECT_URI: Text = Text::any(0, 512);
/// A one-time code a user types.
pub const MFA_CODE: Text = Text::any(0, 32);
/// A user id the device names; an unknown one is 404.
pub const USER_ID: Text = Text {
    min: 1,
    max: None,
    chars: Chars::Any,
    blank_ok: true,
    shape: Shape::Free,
};

/// Every text field of every request body: (schema in the document, property, rule). A
/// string property of a request schema that is not here fails the document's test.
pub const FIELDS: &[(&str, &str, Text)] = &[
    ("NewOrg", "name", ORG_NAME),
    ("NewUser", "email", EMAIL),
    ("NewUser", "username", USERNAME),
    ("NewUser", "system_username", SYSTEM_USERNAME),
    ("NewUser", "firstname", PERSON_NAME),
    ("NewUser", "lastname", PERSON_NAME),
    ("NewUser", "password", PASSWORD),
    ("UserPatch", "password", PASSWORD),
    ("UserPatch", "system_username", SYSTEM_USERNAME_PATCH),
    ("DeviceFacts", "hostname", HOSTNAME),
    ("DeviceFacts", "architecture", ARCHITECTURE),
    ("DeviceFacts", "edition", DEVICE_FACT),
    ("DeviceFacts", "serial", DEVICE_FACT),
    ("DeviceFacts", "mac", DEVICE_FACT),
    ("DeviceFacts", "ip", DEVICE_FACT),
    ("DeviceFacts", "os_version", DEVICE_FACT),
    ("NewAssociation", "user_id", USER_ID),
    ("LoginWindowText", "text", LOGIN_WINDOW_TEXT),
    ("AuthenticateRequest", "email", SIGN_IN_EMAIL),
    ("AuthenticateRequest", "password", SIGN_IN_PASSWORD),
    ("ProvisionRequest", "local_name", LOCAL_NAME),
    ("ProvisionRequest", "idempotency_key", IDEMPOTENCY_KEY),
    ("AttemptReport", "email", REPORTED_EMAIL),
    ("AttemptReport", "reason", REASON),
    ("MfaEnrollRequest", "password", SIGN_IN_PASSWORD),
    ("MfaVerifyRequest", "user_id", USER_ID),
    ("MfaVerifyRequest", "code", MFA_CODE),
    ("IdentityProviderConfig", "name", IDP_NAME),
    ("IdentityProviderConfig", "issuer", ISSUER),
    ("IdentityProviderConfig", "client_id", CLIENT_ID),
    ("IdentityProviderConfig", "client_secret", CLIENT_SECRET),
    ("SignInMethodRequest", "email", SIGN_IN_EMAIL),
    ("FederatedSignIn", "code", FEDERATION_CODE),
    ("FederatedSignIn", "state", FEDERATION_STATE),
    ("FederatedSignIn", "redirect_uri", REDIRECT_URI),
];

/// Request strings the server checks only as it uses them: a ticket that is empty, too long
/// or unknown is the same 401 `ticket_invalid`, so the document gives it no length.
pub const UNCHECKED: &[(&str, &str)] = &[("ProvisionRequest", "ticket")];

/// Patches that must change something (`minProperties: 1`): an empty one is refused rather
/// than answered as a change that did nothing.
pub const PATCHES: &[&str] = &["OrgSettingsPatch", "UserPatch"];

fn empty_patch() -> InputError {
    InputError("the patch is empty: give at least one field to change".into())
}

impl Validate for NewOrg {
    fn validate(&self) -> Result<(), InputError> {
        ORG_NAME.check("name", &self.name)
    }
}

impl Validate for OrgSettingsPatch {
    fn validate(&self) -> Result<(), InputError> {
        if *self == OrgSettingsPatch::default() {
            return Err(empty_patch());
        }
        Ok(())
    }
}

impl Validate for NewUser {
    fn validate(&self) -> Result<(), InputError> {
        EMAIL.check("email", &self.email)?;
        USERNAME.check("username", &self.username)?;
        if let Some(s) = &self.system_username {
            SYSTEM_USERNAME.check("system_username", s)?;
        }
        PERSON_NAME.check("firstname", &self.firstname)?;
        PERSON_NAME.check("lastname", &self.lastname)?;
        if let Some(p) = &self.password {
            PASSWORD.check("password", p).map_err(|e| {
                if p.is_empty() {
                    InputError(
                        "password must not be empty; omit it to create a user without a password"
                            .into(),
                    )
                } else {
                    e
                }
            })?;
        }
        Ok(())
    }
}

impl Validate for UserPatch {
    fn validate(&self) -> Result<(), InputError> {
        let UserPatch {
            state,
            locked,
            password_expired,
            mfa_enforced,
            mfa_enrolled,
            password,
            system_username,
            federated,
        } = self;
        if state.is_none()
            && locked.is_none()
            && password_expired.is_none()
            && mfa_enforced.is_none()
            && mfa_enrolled.is_none()
            && password.is_none()
            && system_username.is_none()
            && federated.is_none()
        {
            return Err(empty_patch());
        }
        if let Some(p) = password {
            PASSWORD.check("password", p)?;
        }
        if let Some(s) = system_username {
            SYSTEM_USERNAME_PATCH.check("system_username", s)?;
        }
        Ok(())
    }
}

impl Validate for DeviceFacts {
    fn validate(&self) -> Result<(), InputError> {
        HOSTNAME.check("hostname", &self.hostname)?;
        ARCHITECTURE.check("architecture", &self.architecture)?;
        for (name, v) in [
            ("edition", &self.edition),
            ("serial", &self.serial),
            ("mac", &self.mac),
            ("ip", &self.ip),
            ("os_version", &self.os_version),
        ] {
            DEVICE_FACT.check(name, v)?;
        }
        Ok(())
    }
}

impl Validate for NewAssociation {
    fn validate(&self) -> Result<(), InputError> {
        USER_ID.check("user_id", &self.user_id)
    }
}

impl Validate for ClockAdvance {
    fn validate(&self) -> Result<(), InputError> {
        let max = crate::limits::MAX_CLOCK_ADVANCE_SECS;
        if self.seconds == 0 || self.seconds > max {
            return Err(InputError(format!("seconds must be 1 to {max}")));
        }
        Ok(())
    }
}

impl Validate for LoginWindowText {
    fn validate(&self) -> Result<(), InputError> {
        LOGIN_WINDOW_TEXT.check("text", &self.text)
    }
}

impl Validate for WindowsSsapPolicy {
    fn validate(&self) -> Result<(), InputError> {
        Ok(())
    }
}

impl Validate for MfaPolicy {
    fn validate(&self) -> Result<(), InputError> {
        Ok(())
    }
}

impl Validate for AuthenticateRequest {
    fn validate(&self) -> Result<(), InputError> {
        SIGN_IN_EMAIL.check("email", &self.email)?;
        SIGN_IN_PASSWORD.check("password", &self.password)
    }
}

impl Validate for ProvisionRequest {
    fn validate(&self) -> Result<(), InputError> {
        IDEMPOTENCY_KEY.check("idempotency_key", &self.idempotency_key)?;
        LOCAL_NAME.check("local_name", &self.local_name)
    }
}

impl Validate for AttemptReport {
    fn validate(&self) -> Result<(), InputError> {
        REASON.check("reason", &self.reason)?;
        REPORTED_EMAIL.check("email", &self.email)
    }
}

impl Validate for MfaEnrollRequest {
    fn validate(&self) -> Result<(), InputError> {
        SIGN_IN_PASSWORD.check("password", &self.password)
    }
}

impl Validate for MfaVerifyRequest {
    fn validate(&self) -> Result<(), InputError> {
        USER_ID.check("user_id", &self.user_id)?;
        MFA_CODE.check("code", &self.code)
    }
}

impl Validate for IdentityProviderConfig {
    fn validate(&self) -> Result<(), InputError> {
        IDP_NAME.check("name", &self.name)?;
        ISSUER.check("issuer", &self.issuer)?;
        CLIENT_ID.check("client_id", &self.client_id)?;
        CLIENT_SECRET.check("client_secret", &self.client_secret)
    }
}

impl Validate for SignInMethodRequest {
    fn validate(&self) -> Result<(), InputError> {
        SIGN_IN_EMAIL.check("email", &self.email)
    }
}

impl Validate for FederatedSignIn {
    fn validate(&self) -> Result<(), InputError> {
        FEDERATION_CODE.check("code", &self.code)?;
        FEDERATION_STATE.check("state", &self.state)?;
        REDIRECT_URI.check("redirect_uri", &self.redirect_uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn re(t: &Text) -> Option<regex::Regex> {
        t.pattern()
            .map(|p| regex::Regex::new(&p).unwrap_or_else(|e| panic!("{p}: {e}")))
    }

    /// Lengths aside, a rule's check and its pattern (compiled: `re`) accept the same strings.
    fn agree(t: &Text, re: Option<&regex::Regex>, s: &str) -> Result<(), String> {
        let unbounded = Text {
            min: 0,
            max: None,
            ..*t
        };
        let by_check = unbounded.check("f", s).is_ok();
        let by_pattern = re.is_none_or(|r| r.is_match(s));
        if by_check == by_pattern {
            Ok(())
        } else {
            Err(format!(
                "{s:?}: check says {by_check}, pattern {:?} says {by_pattern}",
                t.pattern()
            ))
        }
    }

    /// One rule of each kind (lengths do not change the pattern).
    fn every_rule() -> Vec<Text> {
        let mut rules: Vec<Text> = Vec::new();
        for (_, _, t) in FIELDS {
            if !rules
                .iter()
                .any(|r| (r.chars, r.blank_ok, r.shape) == (t.chars, t.blank_ok, t.shape))
            {
                rules.push(*t);
            }
        }
        rules
    }

    #[test]
    fn check_and_pattern_agree_on_every_character() {
        for t in every_rule() {
            let re = re(&t);
            // Every character up to U+3100 (all controls and white space are below), then a
            // sample of the rest with the byte-order mark and the last code point.
            let chars = (0..=0x3100u32)
                .chain((0x3100..=0x10ffffu32).step_by(257))
                .chain([0xfeff, 0x10ffff])
                .filter_map(char::from_u32);
            for c in chars {
                for s in [
                    c.to_string(),
                    format!("a{c}"),
                    format!("{c}a"),
                    format!(" {c} "),
                    format!("{c}@"),
                ] {
                    if let Err(e) = agree(&t, re.as_ref(), &s) {
                        panic!("{t:?}: {e}");
                    }
                }
            }
            agree(&t, re.as_ref(), "").expect("empty");
        }
    }

    proptest! {
        #[test]
        fn check_and_pattern_agree_on_strings(s in "[ -~\\t\\n\\r\\u{0}-\\u{9f}\\u{a0}\\u{2000}-\\u{3000}é]{0,12}") {
            for t in every_rule() {
                let re = re(&t);
                let agreed = agree(&t, re.as_ref(), &s);
                prop_assert!(agreed.is_ok(), "{:?}", agreed);
            }
        }

        /// Every issuer the rule lets in is a URL the control plane can call.
        #[test]
        fn every_http_url_parses(s in HTTP_URL.trim_start_matches('^').trim_end_matches('$')) {
            prop_assert!(ISSUER.check("issuer", &s).is_ok() || s.chars().count() > 512);
            let url = reqwest::Url::parse(&s);
            prop_assert!(url.is_ok(), "{s:?}: {url:?}");
        }
    }

    #[test]
    fn refused_examples_are_refused_with_their_words() {
        for (schema, field, t) in FIELDS {
            for (value, says) in t.refused_examples() {
                let e = t
                    .check(field, &value)
                    .expect_err(&format!("{schema}.{field}: {value:?}"));
                assert!(
                    e.0.contains(says) && e.0.contains(field),
                    "{schema}.{field}: {e}"
                );
            }
        }
    }

    #[test]
    fn urls_in_and_out() {
        for ok in [
            "http://idp.test",
            "https://login.example.com/tenant/v2.0/",
            "http://127.0.0.1:41234",
            "http://localhost:0",
            "http://a-b.c:65535/x",
        ] {
            assert!(ISSUER.check("issuer", ok).is_ok(), "{ok}");
        }
        for bad in [
            "0",
            "ftp://idp.test",
            "HTTP://idp.test",
            "http://",
            "http://a.1",
            "http://1.2.3.4.5",
            "http://256.1.1.1",
            "http://xn--a",
            "http://a:65536",
            "http://a/%zz",
            "http://a/?q",
            "http://a#f",
            "http://user@a",
            " http://a",
        ] {
            assert!(ISSUER.check("issuer", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_name_the_field_and_the_rule() {
        let e = |t: Text, v: &str| t.check("f", v).expect_err(v).0;
        assert_eq!(e(USERNAME, "   "), "f must not be empty");
        assert_eq!(
            e(USERNAME, &"x".repeat(129)),
            "f is longer than 128 characters"
        );
        assert!(e(USERNAME, "a\u{1b}").contains("control character"));
        assert!(e(EMAIL, "nope").contains("not an email"));
        assert!(LOGIN_WINDOW_TEXT.check("text", "two\nlines\ttab\r").is_ok());
        assert!(e(LOGIN_WINDOW_TEXT, "\n\t ").contains("must not be empty"));
        // Characters, not bytes: 1024 four-byte characters are a valid password.
        assert!(PASSWORD.check("password", &"😀".repeat(1024)).is_ok());
        assert!(PASSWORD.check("password", &"😀".repeat(1025)).is_err());
        assert!(
            UserPatch::default().validate().is_err()
                && OrgSettingsPatch::default().validate().is_err()
        );
    }
}
