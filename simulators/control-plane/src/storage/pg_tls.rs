//! TLS to PostgreSQL, with rustls (ring as its crypto): `sslmode` and `sslrootcert` in the URL
//! mean what they mean to libpq, `psql` and every other PostgreSQL client.
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | - |
//! | `prefer` (the default) | when the server offers it, else plain | not checked, unless a CA file is given |
//! | `require` | always | not checked, unless a CA file is given (then as `verify-ca`, as libpq does) |
//! | `verify-ca` | always | signed by the CA file's certificates |
//! | `verify-full` | always | signed by them and naming the host of the URL |
//!
//! The CA file is `sslrootcert=PATH` in the URL (or `serve --db-ca-file PATH`, which adds it).
//! A CA file without `sslmode` means `verify-full`: whoever names a CA wants it checked.
//! `verify-ca` and `verify-full` without a CA file are refused at start-up, not downgraded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use postgres::config::SslMode as DriverMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error as TlsError, RootCertStore,
    SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode` values this backend honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full"
                ))
            }
        })
    }
}

/// The TLS part of a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TlsOptions {
    /// `None` when the URL does not say.
    pub mode: Option<SslMode>,
    pub ca_file: Option<PathBuf>,
}

impl TlsOptions {
    /// What is done: the URL's mode, or `verify-full` with a CA file and `prefer` without.
    pub fn effective(&self) -> SslMode {
        match (self.mode, &self.ca_file) {
            (None, Some(_)) => SslMode::VerifyFull,
            (None, None) => SslMode::Prefer,
            (Some(SslMode::Require), Some(_)) => SslMode::VerifyCa,
            (Some(m), _) => m,
        }
    }
}

/// Splits `sslmode` and `sslrootcert` off the URL's query (the driver knows neither
/// `verify-*` nor `sslrootcert`); the rest of the URL is left as written. A parameter given
/// twice counts by its last value.
pub(super) fn split_url(url: &str) -> Result<(String, TlsOptions), String> {
    let mut options = TlsOptions {
        mode: None,
        ca_file: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), options));
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => options.mode = Some(SslMode::parse(&percent_decode(value)?)?),
            "sslrootcert" => {
                let path = percent_decode(value)?;
                if path.is_empty() {
                    return Err("sslrootcert is empty".into());
                }
                options.ca_file = Some(PathBuf::from(path));
            }
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, options))
}

/// `%XX` escapes of a URL query value, as UTF-8.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad %-escape in the URL parameter {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the URL parameter {s:?} is not UTF-8"))
}

/// Escapes what a URL query value may not hold, for [`crate::Database::with_ca_file`].
pub(super) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The driver's mode and the connector for `options`. Errors name the CA file and what is
/// wrong with it.
pub(super) fn connector(options: &TlsOptions) -> Result<(DriverMode, MakeRustlsConnect), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mode = options.effective();
    let roots = match &options.ca_file {
        Some(path) if mode != SslMode::Disable => Some(load_roots(path)?),
        _ => None,
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            return Err(format!(
                "sslmode={} needs the CA that signed the server's certificate: add \
                 sslrootcert=PATH to the URL or pass --db-ca-file PATH",
                if mode == SslMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            ))
        }
        (_, Some(roots)) => {
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| format!("cannot use the CA file: {e}"))?;
            if mode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(AnyName(webpki))
            }
        }
        (_, None) => Arc::new(Unverified(provider.clone())),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let driver = match mode {
        SslMode::Disable => DriverMode::Disable,
        SslMode::Prefer => DriverMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => DriverMode::Require,
    };
    Ok((driver, MakeRustlsConnect::new(config)))
}

fn load_roots(path: &Path) -> Result<Arc<RootCertStore>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the CA file {shown}: {e}"))?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("the CA file {shown} is not PEM: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("the CA file {shown} holds a bad certificate: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("the CA file {shown} holds no certificate"));
    }
    Ok(Arc::new(roots))
}

/// `verify-ca`: the chain must lead to the CA file, whatever host the certificate names.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a CA file: encrypted, but the certificate is taken as it
/// comes (libpq does the same). The handshake's signatures are still checked.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(url: &str) -> (String, TlsOptions) {
        split_url(url).expect("parses")
    }

    #[test]
    fn ssl_parameters_leave_the_url_and_the_rest_stays() {
        let (rest, o) = opts("postgres://u:p@h:5/d?sslmode=verify-full&connect_timeout=3&sslrootcert=%2Ftmp%2Fca%20x.crt");
        assert_eq!(rest, "postgres://u:p@h:5/d?connect_timeout=3");
        assert_eq!(o.mode, Some(SslMode::VerifyFull));
        assert_eq!(o.ca_file, Some(PathBuf::from("/tmp/ca x.crt")));
        let (rest, o) = opts("postgres://u@h/d?sslmode=disable");
        assert_eq!(
            (rest.as_str(), o.effective()),
            ("postgres://u@h/d", SslMode::Disable)
        );
        let (rest, o) = opts("postgres://u@h/d");
        assert_eq!(
            (rest.as_str(), o.effective()),
            ("postgres://u@h/d", SslMode::Prefer)
        );
    }

    #[test]
    fn a_ca_file_means_checking_unless_disabled() {
        let ca = Some(PathBuf::from("ca.crt"));
        let with = |mode| TlsOptions {
            mode,
            ca_file: ca.clone(),
        };
        assert_eq!(with(None).effective(), SslMode::VerifyFull);
        assert_eq!(with(Some(SslMode::Require)).effective(), SslMode::VerifyCa);
        assert_eq!(with(Some(SslMode::VerifyCa)).effective(), SslMode::VerifyCa);
        assert_eq!(with(Some(SslMode::Disable)).effective(), SslMode::Disable);
    }

    #[test]
    fn bad_values_and_missing_cas_are_refused_with_the_reason() {
        let err = split_url("postgres://h/d?sslmode=allow").expect_err("allow is not honoured");
        assert!(err.contains("sslmode=allow"), "{err}");
        assert!(split_url("postgres://h/d?sslrootcert=%zz").is_err());
        assert!(split_url("postgres://h/d?sslrootcert=").is_err());
        let (_, o) = opts("postgres://h/d?sslmode=verify-full");
        let err = connector(&o).err().expect("no CA");
        assert!(err.contains("--db-ca-file"), "{err}");
        let (_, o) = opts("postgres://h/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.crt");
        let err = connector(&o).err().expect("missing file");
        assert!(err.contains("/nonexistent/ca.crt"), "{err}");
        let dir = tempfile::tempdir().expect("temp dir");
        let empty = dir.path().join("empty.crt");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let o = TlsOptions {
            mode: Some(SslMode::VerifyFull),
            ca_file: Some(empty),
        };
        let err = connector(&o).err().expect("no certificate in it");
        assert!(err.contains("no certificate"), "{err}");
        for mode in ["disable", "prefer", "require"] {
            let (_, o) = opts(&format!("postgres://h/d?sslmode={mode}"));
            assert!(connector(&o).is_ok(), "{mode}");
        }
    }

    #[test]
    fn paths_survive_encoding_and_decoding() {
        for path in [
            "/tmp/ca.crt",
            "/tmp/a b/ca&x=1.crt",
            "C:\\certs\\ca.pem",
            "/tmp/ü.pem",
        ] {
            assert_eq!(percent_decode(&percent_encode(path)).as_deref(), Ok(path));
        }
    }
}
