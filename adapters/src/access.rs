//! Who is calling: staff and demo users with opaque bearer tokens, stored only as SHA-256.

use std::fmt;

use sha2::{Digest, Sha256};

pub use hoso_engine::ports::{NewWebSession, User, UserKind};

/// A bearer token in clear: shown once when created, never stored, never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh random token `hoso_<64 hex>` (256 bits from the operating system).
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("hoso_{}", hex::encode(bytes))))
    }

    /// Wraps a token received from a client.
    pub fn from_client(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The token, to show once to the person it was made for.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: SHA-256 of the token, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// An account `hoso serve --demo` made, offered on its sign-in page so a newcomer can click
/// through every role; a server on a real database never has any.
#[derive(Clone)]
pub struct DemoAccount {
    /// The person's name, as the pages show it.
    pub name: String,
    /// What the account is for, in Vietnamese: the role and, for officers, the unit's name.
    pub role: String,
    /// The account's token, posted by the sign-in button.
    pub token: Secret,
    /// The page its work starts on (the inbox, the citizen's own dossiers, …).
    pub home: String,
}

impl fmt::Debug for DemoAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoAccount")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_hash_stably() {
        let secret = Secret::generate().unwrap();
        assert!(secret.expose().starts_with("hoso_") && secret.expose().len() == 69);
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.hash(), Secret::from_client(secret.expose()).hash());
        assert_ne!(secret.hash(), Secret::generate().unwrap().hash());
    }
}
