//! Outbound TLS (OpenID Connect keys, SMTP, SMS, VNPAY queries, the national portal): one crypto
//! provider for every client in the process.

use std::sync::Once;

/// Installs the TLS crypto provider reqwest needs, once per process.
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
