//! Documents encrypted at rest: uploaded ID cards and certificates are personal data (Decree
//! 356/2025), so with a key file the document folder holds only ciphertext under names that do
//! not give away the content's hash.
//!
//! Envelope encryption: each document is sealed with its own random data key
//! (XChaCha20-Poly1305), and that data key is sealed with the office's key, named in the file's
//! header. Rotating the office's key (`hoso documents rekey`) re-seals the data keys only. A
//! document's file name is an HMAC of its SHA-256 under a key derived from the office's key, so
//! someone holding a copy of the folder cannot tell whether a known document is in it.

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::Mac as _;
use zeroize::Zeroizing;

/// What every sealed file starts with.
const MAGIC: &[u8] = b"hoso-sealed/1\n";
/// Associated data of a sealed data key and of sealed content: a sealed piece is never taken
/// for the other.
const KEY_CONTEXT: &[u8] = b"hoso document data key/1";
const CONTENT_CONTEXT: &[u8] = b"hoso document content/1";
/// What the naming key is derived under.
const NAMING_CONTEXT: &[u8] = b"hoso document name/1";
const NONCE: usize = 24;
const SEALED_KEY: usize = 32 + 16;

/// A sealed file taken apart: key id, key nonce, sealed data key, and the content (nonce, then
/// ciphertext).
type Parts<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8]);

/// The office's document keys: the first seals, all of them open (older ones until `hoso
/// documents rekey` has moved every document onto the first).
pub struct DocumentKeys {
    keys: Vec<NamedKey>,
}

struct NamedKey {
    id: String,
    secret: Zeroizing<[u8; 32]>,
    naming: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DocumentKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|key| key.id.as_str()).collect();
        formatter
            .debug_struct("DocumentKeys")
            .field("ids", &ids)
            .finish()
    }
}

fn error(why: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.into())
}

fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|why| std::io::Error::other(why.to_string()))?;
    Ok(bytes)
}

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.into())
}

impl DocumentKeys {
    /// Reads a key file: one key per line, `ID HEX` (64 hexadecimal digits), the sealing key
    /// first; `#` starts a comment.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|why| format!("{}: {why}", path.display()))?;
        Self::parse(&text).map_err(|why| format!("{}: {why}", path.display()))
    }

    /// Keys from the text of a key file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let (id, hex_key) = line.split_once(char::is_whitespace).ok_or_else(|| {
                format!(
                    "line {}: expected `ID HEX` (run `hoso documents keygen`)",
                    number + 1
                )
            })?;
            let secret = hex::decode(hex_key.trim())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
                .ok_or_else(|| {
                    format!("line {}: the key must be 64 hexadecimal digits", number + 1)
                })?;
            if keys.iter().any(|key: &NamedKey| key.id == id) {
                return Err(format!("line {}: key `{id}` appears twice", number + 1));
            }
            let mut naming = <hmac::Hmac<sha2::Sha256>>::new_from_slice(&secret)
                .map_err(|why| why.to_string())?;
            naming.update(NAMING_CONTEXT);
            keys.push(NamedKey {
                id: id.to_owned(),
                secret: Zeroizing::new(secret),
                naming: Zeroizing::new(naming.finalize().into_bytes().into()),
            });
        }
        if keys.is_empty() {
            return Err("no key in the file (run `hoso documents keygen`)".to_owned());
        }
        Ok(Self { keys })
    }

    /// A new key file's line: `ID HEX`, the id the moment and a random tail (two keys made in
    /// one second still differ).
    pub fn new_line() -> std::io::Result<String> {
        let secret = Zeroizing::new(random::<32>()?);
        let id = format!(
            "k{}-{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S"),
            hex::encode(random::<3>()?)
        );
        Ok(format!("{id} {}", hex::encode(*secret)))
    }

    /// The id of the key that seals.
    pub fn sealing_id(&self) -> &str {
        &self.keys[0].id
    }

    /// A document's file name under each key, the sealing key's first.
    pub fn names(&self, sha256: &str) -> Vec<String> {
        self.keys
            .iter()
            .map(|key| {
                let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(&*key.naming)
                    .expect("HMAC takes a key of any length");
                mac.update(sha256.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            })
            .collect()
    }

    /// Seals `content` under a new data key, itself sealed with the sealing key.
    pub fn seal(&self, content: &[u8]) -> std::io::Result<Vec<u8>> {
        let data_key = Zeroizing::new(random::<32>()?);
        let content_nonce = random::<NONCE>()?;
        let sealed_content = cipher(&data_key)
            .encrypt(
                &XNonce::from(content_nonce),
                Payload {
                    msg: content,
                    aad: CONTENT_CONTEXT,
                },
            )
            .map_err(|_| error("the document could not be sealed"))?;
        let mut out = self.header(&data_key)?;
        out.extend_from_slice(&content_nonce);
        out.extend_from_slice(&sealed_content);
        Ok(out)
    }

    /// A sealed file's header: the magic, the sealing key's id, and `data_key` sealed with it.
    fn header(&self, data_key: &[u8; 32]) -> std::io::Result<Vec<u8>> {
        let sealing = &self.keys[0];
        let key_nonce = random::<NONCE>()?;
        let sealed_key = cipher(&sealing.secret)
            .encrypt(
                &XNonce::from(key_nonce),
                Payload {
                    msg: data_key,
                    aad: KEY_CONTEXT,
                },
            )
            .map_err(|_| error("the data key could not be sealed"))?;
        let mut out = Vec::with_capacity(MAGIC.len() + 1 + sealing.id.len() + NONCE + SEALED_KEY);
        out.extend_from_slice(MAGIC);
        out.push(u8::try_from(sealing.id.len()).map_err(|_| error("key id too long"))?);
        out.extend_from_slice(sealing.id.as_bytes());
        out.extend_from_slice(&key_nonce);
        out.extend_from_slice(&sealed_key);
        Ok(out)
    }

    /// The parts of a sealed file: the key id, the sealed data key with its nonce, and where
    /// the content (nonce, then ciphertext) begins.
    fn parts<'a>(&self, sealed: &'a [u8]) -> std::io::Result<Parts<'a>> {
        let rest = sealed
            .strip_prefix(MAGIC)
            .ok_or_else(|| error("not a sealed document"))?;
        let (&length, rest) = rest.split_first().ok_or_else(|| error("cut short"))?;
        let length = usize::from(length);
        if rest.len() < length + NONCE + SEALED_KEY + NONCE {
            return Err(error("cut short"));
        }
        let (id, rest) = rest.split_at(length);
        let id = std::str::from_utf8(id).map_err(|_| error("malformed key id"))?;
        let (key_nonce, rest) = rest.split_at(NONCE);
        let (sealed_key, content) = rest.split_at(SEALED_KEY);
        Ok((id, key_nonce, sealed_key, content))
    }

    fn data_key(
        &self,
        id: &str,
        key_nonce: &[u8],
        sealed_key: &[u8],
    ) -> std::io::Result<Zeroizing<[u8; 32]>> {
        let key = self.keys.iter().find(|key| key.id == id).ok_or_else(|| {
            error(format!(
                "sealed with key `{id}`, which is not in the key file"
            ))
        })?;
        let nonce = XNonce::try_from(key_nonce).map_err(|_| error("malformed nonce"))?;
        let opened = Zeroizing::new(
            cipher(&key.secret)
                .decrypt(
                    &nonce,
                    Payload {
                        msg: sealed_key,
                        aad: KEY_CONTEXT,
                    },
                )
                .map_err(|_| error(format!("the data key does not open with key `{id}`")))?,
        );
        <[u8; 32]>::try_from(opened.as_slice())
            .map(Zeroizing::new)
            .map_err(|_| error("malformed data key"))
    }

    /// Opens a sealed file; an altered or foreign file is refused.
    pub fn open(&self, sealed: &[u8]) -> std::io::Result<Vec<u8>> {
        let (id, key_nonce, sealed_key, content) = self.parts(sealed)?;
        let data_key = self.data_key(id, key_nonce, sealed_key)?;
        let (nonce, ciphertext) = content.split_at(NONCE);
        let nonce = XNonce::try_from(nonce).map_err(|_| error("malformed nonce"))?;
        cipher(&data_key)
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: CONTENT_CONTEXT,
                },
            )
            .map_err(|_| error("the document has been altered or does not belong here"))
    }

    /// The same file with its data key sealed again under the sealing key (the content is
    /// untouched); `None` when it already is.
    pub fn reseal(&self, sealed: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
        let (id, key_nonce, sealed_key, content) = self.parts(sealed)?;
        if id == self.sealing_id() {
            return Ok(None);
        }
        let data_key = self.data_key(id, key_nonce, sealed_key)?;
        let mut out = self.header(&data_key)?;
        out.extend_from_slice(content);
        Ok(Some(out))
    }

    /// Whether a file's bytes are sealed (else a document stored before keys were given).
    pub fn is_sealed(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }
}

#[cfg(test)]
mod tests {
    use super::DocumentKeys;

    const OLD: &str = "k1 0101010101010101010101010101010101010101010101010101010101010101";
    const NEW: &str = "k2 0202020202020202020202020202020202020202020202020202020202020202";

    #[test]
    fn a_sealed_document_opens_only_whole_and_with_its_key() {
        let keys = DocumentKeys::parse(OLD).expect("keys");
        let content = b"%PDF-1.7 CCCD 001090000001 Nguyen Van Binh";
        let sealed = keys.seal(content).expect("sealed");
        assert!(DocumentKeys::is_sealed(&sealed));
        assert!(
            !sealed.windows(8).any(|window| window == b"CCCD 001"),
            "no plaintext on disk"
        );
        assert_eq!(keys.open(&sealed).expect("opens"), content);
        assert_ne!(
            keys.seal(content).expect("again"),
            sealed,
            "a fresh data key each time"
        );
        for at in [20, sealed.len() / 2, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[at] ^= 1;
            assert!(
                keys.open(&altered).is_err(),
                "a flipped byte at {at} is refused"
            );
        }
        assert!(keys.open(&sealed[..sealed.len() - 1]).is_err());
        let other = DocumentKeys::parse(NEW).expect("keys");
        assert!(
            other.open(&sealed).is_err(),
            "another office's key does not open it"
        );
    }

    #[test]
    fn rekeying_moves_the_data_key_and_keeps_the_content() {
        let old = DocumentKeys::parse(OLD).expect("keys");
        let sealed = old.seal(b"giay chung sinh").expect("sealed");
        let both = DocumentKeys::parse(&format!("{NEW}\n{OLD}\n")).expect("keys");
        assert_eq!(both.sealing_id(), "k2");
        let moved = both.reseal(&sealed).expect("resealed").expect("moved");
        assert_eq!(
            both.reseal(&moved).expect("again"),
            None,
            "already under k2"
        );
        let only_new = DocumentKeys::parse(NEW).expect("keys");
        assert_eq!(only_new.open(&moved).expect("opens"), b"giay chung sinh");
        assert!(only_new.open(&sealed).is_err(), "the old file needed k1");
    }

    #[test]
    fn names_hide_the_hash_and_differ_by_key() {
        let both = DocumentKeys::parse(&format!("{NEW}\n{OLD}\n")).expect("keys");
        let sha = "ab".repeat(32);
        let names = both.names(&sha);
        assert_eq!(names.len(), 2);
        assert_ne!(names[0], names[1]);
        assert!(names.iter().all(|name| name.len() == 64 && *name != sha));
        assert_eq!(
            DocumentKeys::parse(NEW).expect("keys").names(&sha)[0],
            names[0]
        );
    }

    #[test]
    fn keys_made_in_the_same_second_differ() {
        let file = format!(
            "{}\n{}\n",
            DocumentKeys::new_line().expect("key"),
            DocumentKeys::new_line().expect("key")
        );
        let keys = DocumentKeys::parse(&file).expect("both load");
        assert_eq!(keys.names(&"ab".repeat(32)).len(), 2);
    }

    #[test]
    fn a_bad_key_file_says_which_line_and_what_to_do() {
        for (text, said) in [
            ("", "no key in the file"),
            ("k1", "line 1: expected `ID HEX`"),
            (
                "# comment\nk1 abcd",
                "line 2: the key must be 64 hexadecimal digits",
            ),
            (&format!("{OLD}\n{OLD}"), "line 2: key `k1` appears twice"),
        ] {
            let error = DocumentKeys::parse(text).expect_err(text);
            assert!(error.contains(said), "{text:?}: {error}");
        }
    }
}
