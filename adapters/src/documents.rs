//! Uploaded documents, stored content-addressed on disk: the file's SHA-256 is its name and is
//! carried in the dossier's events, so the hash chain covers the document.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Types the API accepts, recognised by their first bytes (a name or a declared type is not
/// trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    /// PDF.
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
}

impl DocumentType {
    /// Recognises a document by its content.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// The media type to serve it with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Documents on disk under `root/ab/cd/<sha256>`.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    root: PathBuf,
}

impl DocumentStore {
    /// A store rooted at `root` (created when first written).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase());
        valid.then(|| {
            self.root
                .join(&sha256[..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }

    /// Stores bytes; returns their SHA-256 (hex). Writing the same content twice is harmless.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let Some(path) = self.path(&sha256) else {
            return Err(std::io::Error::other("hash is not hex"));
        };
        if tokio::fs::try_exists(&path).await? {
            return Ok(sha256);
        }
        if let Some(folder) = path.parent() {
            tokio::fs::create_dir_all(folder).await?;
        }
        // Write to a temporary name, then rename: a reader never sees half a file.
        let partial = path.with_extension(format!("partial-{}", uuid::Uuid::now_v7()));
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(sha256)
    }

    /// The bytes stored under a hash, if any.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(sha256) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_content_not_by_name() {
        assert_eq!(
            DocumentType::sniff(b"%PDF-1.7\n..."),
            Some(DocumentType::Pdf)
        );
        assert_eq!(
            DocumentType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(DocumentType::Png)
        );
        assert_eq!(
            DocumentType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(DocumentType::Jpeg)
        );
        assert_eq!(
            DocumentType::sniff(b"MZ\x90\x00 this is an .exe named scan.pdf"),
            None
        );
        assert_eq!(DocumentType::sniff(b""), None);
    }

    #[tokio::test]
    async fn documents_are_stored_under_their_hash_and_paths_cannot_escape() {
        let root = std::env::temp_dir().join(format!("hoso-documents-{}", uuid::Uuid::now_v7()));
        let store = DocumentStore::new(&root);
        let hash = store.put(b"%PDF-1.4 test").await.unwrap();
        assert_eq!(
            store.get(&hash).await.unwrap().as_deref(),
            Some(&b"%PDF-1.4 test"[..])
        );
        assert_eq!(store.put(b"%PDF-1.4 test").await.unwrap(), hash);
        for trick in [
            "../../etc/passwd",
            "",
            "ab",
            &"A".repeat(64),
            &format!("{}/..", &hash[..61]),
        ] {
            assert_eq!(store.get(trick).await.unwrap(), None, "{trick}");
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}
