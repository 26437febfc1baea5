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

    fn staging(&self) -> PathBuf {
        self.root.join("staging")
    }

    /// Keeps an upload aside until the dossier that names it is committed: [`Staged::keep`] then
    /// moves it to its content address; dropped without that (the submission was refused, or
    /// failed), it is removed at once. Files left by a crash are settled by
    /// [`DocumentStore::sweep_staging`].
    pub async fn stage(&self, bytes: &[u8]) -> std::io::Result<Staged> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let Some(target) = self.path(&sha256) else {
            return Err(std::io::Error::other("hash is not hex"));
        };
        let staging = self.staging();
        tokio::fs::create_dir_all(&staging).await?;
        let path = staging.join(format!("{sha256}.{}", uuid::Uuid::now_v7().simple()));
        let staged = Staged {
            path: Some(path.clone()),
            target,
            sha256,
        };
        // On failure `staged` is dropped, which removes the part written (a full disk leaves one).
        tokio::fs::write(&path, bytes).await?;
        Ok(staged)
    }

    /// Settles staged files older than `older_than`, which only a crash leaves behind: one whose
    /// hash a committed dossier names (`referenced`) is moved to its place, any other removed.
    pub async fn sweep_staging<F: std::future::Future<Output = bool>>(
        &self,
        older_than: std::time::Duration,
        mut referenced: impl FnMut(String) -> F,
    ) -> std::io::Result<Sweep> {
        let mut sweep = Sweep::default();
        let mut entries = match tokio::fs::read_dir(self.staging()).await {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(sweep),
            Err(error) => return Err(error),
        };
        let now = std::time::SystemTime::now();
        while let Some(entry) = entries.next_entry().await? {
            let modified = entry.metadata().await?.modified()?;
            if now.duration_since(modified).unwrap_or_default() < older_than {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let sha256 = name.split('.').next().unwrap_or_default().to_owned();
            match self.path(&sha256) {
                Some(target) if referenced(sha256.clone()).await => {
                    let staged = Staged {
                        path: Some(entry.path()),
                        target,
                        sha256,
                    };
                    staged.keep().await?;
                    sweep.kept += 1;
                }
                _ => {
                    tokio::fs::remove_file(entry.path()).await?;
                    sweep.removed += 1;
                }
            }
        }
        Ok(sweep)
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

/// An upload waiting for its dossier's commit; removed when dropped unless kept.
#[derive(Debug)]
pub struct Staged {
    path: Option<PathBuf>,
    target: PathBuf,
    sha256: String,
}

impl Staged {
    /// The content's SHA-256 (hex), as the dossier names it.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Leaves the file where it is staged, for the sweeper: when it is unknown whether the
    /// dossier naming it was committed (a COMMIT whose answer was lost), or moving it failed.
    pub fn leave_for_sweeper(mut self) {
        self.path = None;
    }

    /// Moves the file to its content address, once the dossier naming it is committed.
    pub async fn keep(mut self) -> std::io::Result<()> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        if tokio::fs::try_exists(&self.target).await? {
            tokio::fs::remove_file(&path).await?;
            return Ok(());
        }
        if let Some(folder) = self.target.parent() {
            tokio::fs::create_dir_all(folder).await?;
        }
        // A rename within one file system: a reader never sees half a file.
        tokio::fs::rename(&path, &self.target).await
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Every `interval`, settles the staged uploads a crash left behind more than a day ago.
pub async fn run_sweeper(
    documents: DocumentStore,
    service: std::sync::Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
    interval: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    tokio::pin!(shutdown);
    loop {
        let swept = documents
            .sweep_staging(DAY, |sha256| {
                let service = std::sync::Arc::clone(&service);
                // When the database cannot answer, keep the file rather than lose a document.
                async move {
                    service
                        .store()
                        .document_referenced(&sha256)
                        .await
                        .unwrap_or(true)
                }
            })
            .await;
        match swept {
            Ok(sweep) if sweep != Sweep::default() => {
                tracing::info!(
                    kept = sweep.kept,
                    removed = sweep.removed,
                    "staged uploads settled"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "staged uploads not swept; trying again later"),
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// What [`DocumentStore::sweep_staging`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Staged files a committed dossier names, moved to their place.
    pub kept: u64,
    /// Staged files nothing names, removed.
    pub removed: u64,
}

/// Whether an I/O error means the disk (or the user's quota) is full: the server cannot store
/// now, and a retry later may succeed.
pub fn is_disk_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
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
        let staged = store.stage(b"%PDF-1.4 test").await.unwrap();
        let hash = staged.sha256().to_owned();
        staged.keep().await.unwrap();
        assert_eq!(
            store.get(&hash).await.unwrap().as_deref(),
            Some(&b"%PDF-1.4 test"[..])
        );
        assert_eq!(store.stage(b"%PDF-1.4 test").await.unwrap().sha256(), hash);
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

    fn files_under(folder: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.flatten() {
                if entry.path().is_dir() {
                    found.extend(files_under(&entry.path()));
                } else {
                    found.push(entry.path());
                }
            }
        }
        found
    }

    #[tokio::test]
    async fn a_staged_upload_is_kept_only_when_its_dossier_commits() {
        let root = std::env::temp_dir().join(format!("hoso-staging-{}", uuid::Uuid::now_v7()));
        let store = DocumentStore::new(&root);
        let refused = store.stage(b"%PDF-1.4 refused").await.unwrap();
        assert_eq!(files_under(&root).len(), 1);
        drop(refused);
        assert!(
            files_under(&root).is_empty(),
            "a refused upload leaves nothing"
        );

        let committed = store.stage(b"%PDF-1.4 committed").await.unwrap();
        let hash = committed.sha256().to_owned();
        committed.keep().await.unwrap();
        assert_eq!(
            store.get(&hash).await.unwrap().as_deref(),
            Some(&b"%PDF-1.4 committed"[..])
        );
        // The same content again: kept once.
        store
            .stage(b"%PDF-1.4 committed")
            .await
            .unwrap()
            .keep()
            .await
            .unwrap();
        assert_eq!(files_under(&root).len(), 1);

        // A crash leaves two staged files: the one a dossier names is kept, the other removed.
        let named = store.stage(b"%PDF-1.4 named").await.unwrap();
        let orphan = store.stage(b"%PDF-1.4 orphan").await.unwrap();
        let named_hash = named.sha256().to_owned();
        std::mem::forget(named);
        std::mem::forget(orphan);
        let young = store
            .sweep_staging(std::time::Duration::from_secs(3600), |_| async { true })
            .await
            .unwrap();
        assert_eq!(young, Sweep::default(), "younger than a day: left alone");
        let wanted = named_hash.clone();
        let sweep = store
            .sweep_staging(std::time::Duration::ZERO, |hash| {
                let wanted = wanted.clone();
                async move { hash == wanted }
            })
            .await
            .unwrap();
        assert_eq!(
            sweep,
            Sweep {
                kept: 1,
                removed: 1
            }
        );
        assert!(store.get(&named_hash).await.unwrap().is_some());
        assert_eq!(files_under(&root.join("staging")), Vec::<PathBuf>::new());
        std::fs::remove_dir_all(root).unwrap();
    }
}
