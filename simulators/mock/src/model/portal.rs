//! User Portal.

use ssap_api::{codes, mfa, MfaEnrollRequest, MfaEnrollment};
use wiremock::Request;

use super::rules::state_refusal;
use super::wire::body;
use super::{Answer, Model, State};
use crate::reply::Reply;

impl Model {
    /// The User Portal's MFA enrolment (R45): the user proves who they are with their password
    /// and gets a fresh TOTP secret.
    pub(super) fn enroll_mfa(&self, st: &mut State, req: &Request, user_id: &str) -> Answer {
        let r: MfaEnrollRequest = body(req)?;
        let refused = || Reply::error(401, codes::INVALID_CREDENTIALS, "The password is incorrect");
        let found = st.orgs.iter().enumerate().find_map(|(o, org)| {
            let u = org.users.iter().position(|u| u.user.id == user_id)?;
            Some((o, u))
        });
        let Some((o, u)) = found else {
            return Err(refused());
        };
        let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        bytes.truncate(mfa::SECRET_BYTES);
        let secret = mfa::encode_secret(&bytes);
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        let rec = &mut org.users[u];
        if rec.password.as_deref() != Some(r.password.as_str()) {
            return Err(refused());
        }
        if let Some(e) = state_refusal(rec) {
            return Err(e);
        }
        rec.mfa = Some((secret.clone(), 0));
        rec.user.mfa_enrolled = true;
        let email = rec.user.email.clone();
        org.audit(
            clock,
            &format!("user:{user_id}"),
            "mfa.enroll",
            &email,
            true,
            None,
        );
        Ok(Reply::json(
            200,
            &MfaEnrollment {
                otpauth_uri: mfa::otpauth_uri(&secret, &email),
                secret,
            },
        ))
    }
}
