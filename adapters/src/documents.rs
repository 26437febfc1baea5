//! Uploaded documents, stored content-addressed on disk: the file's SHA-256 is its name and is
//! carried in the dossier's events, so the hash chain covers the document. With document keys
//! (`--document-keys`) every file is sealed and named by a keyed hash instead ([`crate::sealing`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::sealing::DocumentKeys;

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

/// Documents on disk under `root/ab/cd/<name>`: the name is the SHA-256, or with keys its keyed
/// hash.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    root: PathBuf,
    keys: Option<Arc<DocumentKeys>>,
}

impl DocumentStore {
    /// A store rooted at `root` (created when first written).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            keys: None,
        }
    }

    /// The same store, sealing what it writes with `keys` and opening what they sealed.
    #[must_use]
    pub fn with_keys(mut self, keys: Arc<DocumentKeys>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Where a file of this name lives; `None` for a name that is not 64 lowercase hex digits.
    fn path(&self, name: &str) -> Option<PathBuf> {
        let valid = name.len() == 64
            && name
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase());
        valid.then(|| self.root.join(&name[..2]).join(&name[2..4]).join(name))
    }

    /// The name a document with this hash is written under.
    fn name_for(&self, sha256: &str) -> String {
        match &self.keys {
            Some(keys) => keys.names(sha256).swap_remove(0),
            None => sha256.to_owned(),
        }
    }

    /// The names a document with this hash may be found under: under each key, then plain
    /// (stored before keys were given, until `hoso documents rekey`).
    fn names_for(&self, sha256: &str) -> Vec<String> {
        let mut names = self
            .keys
            .as_ref()
            .map(|keys| keys.names(sha256))
            .unwrap_or_default();
        names.push(sha256.to_owned());
        names
    }

    /// What goes on disk for `content`.
    fn sealed(&self, content: &[u8]) -> std::io::Result<Vec<u8>> {
        match &self.keys {
            Some(keys) => keys.seal(content),
            None => Ok(content.to_vec()),
        }
    }

    /// The content of what is on disk.
    fn opened(&self, stored: Vec<u8>) -> std::io::Result<Vec<u8>> {
        match (&self.keys, DocumentKeys::is_sealed(&stored)) {
            (Some(keys), true) => keys.open(&stored),
            (None, true) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the document is sealed and no document keys were given (--document-keys)",
            )),
            (_, false) => Ok(stored),
        }
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
        let name = self.name_for(&sha256);
        let Some(target) = self.path(&name) else {
            return Err(std::io::Error::other("hash is not hex"));
        };
        let stored = self.sealed(bytes)?;
        let staging = self.staging();
        tokio::fs::create_dir_all(&staging).await?;
        let path = staging.join(format!("{name}.{}", uuid::Uuid::now_v7().simple()));
        let staged = Staged {
            path: Some(path.clone()),
            target,
            sha256,
        };
        // On failure `staged` is dropped, which removes the part written (a full disk leaves one).
        tokio::fs::write(&path, stored).await?;
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
        for entry in entries_older_than(&self.staging(), older_than).await? {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let name = file_name.split('.').next().unwrap_or_default().to_owned();
            // A sealed file's name is not its hash: the hash is that of what it opens to.
            let sha256 = match &self.keys {
                Some(_) => match self.opened(tokio::fs::read(entry.path()).await?) {
                    Ok(content) => hex::encode(Sha256::digest(&content)),
                    Err(_) => String::new(),
                },
                None => name.clone(),
            };
            match self.path(&name) {
                Some(target) if !sha256.is_empty() && referenced(sha256.clone()).await => {
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

    fn held_folder(&self) -> PathBuf {
        self.root.join("held")
    }

    /// The held file and its label for a well-formed handle (32 lowercase hex digits).
    fn held_paths(&self, handle: &str) -> Option<(PathBuf, PathBuf)> {
        let well_formed = handle.len() == 32
            && handle
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase());
        let folder = self.held_folder();
        well_formed.then(|| (folder.join(handle), folder.join(format!("{handle}.json"))))
    }

    /// Holds a checked upload of a form that came back with mistakes, so the applicant need not
    /// choose the file again: under a fresh random handle, given back only to `owner` (a digest
    /// of the visitor's session secret), removed once used or by the sweeper after an hour.
    pub async fn hold(
        &self,
        owner: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> std::io::Result<String> {
        let mut random = [0_u8; 16];
        getrandom::fill(&mut random).map_err(|error| std::io::Error::other(error.to_string()))?;
        let handle = hex::encode(random);
        let folder = self.held_folder();
        tokio::fs::create_dir_all(&folder).await?;
        let label = serde_json::json!({ "owner": owner, "name": file_name });
        tokio::fs::write(folder.join(&handle), self.sealed(bytes)?).await?;
        tokio::fs::write(folder.join(format!("{handle}.json")), label.to_string()).await?;
        Ok(handle)
    }

    /// The upload held under `handle` for `owner`: its file name and bytes; `None` for a handle
    /// that is malformed, unknown, swept, or someone else's.
    pub async fn held(
        &self,
        owner: &str,
        handle: &str,
    ) -> std::io::Result<Option<(String, Vec<u8>)>> {
        let Some((file, label)) = self.held_paths(handle) else {
            return Ok(None);
        };
        let label = match tokio::fs::read(label).await {
            Ok(label) => label,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let label: serde_json::Value = serde_json::from_slice(&label).unwrap_or_default();
        if label["owner"].as_str() != Some(owner) {
            return Ok(None);
        }
        let name = label["name"].as_str().unwrap_or("tep-dinh-kem").to_owned();
        match tokio::fs::read(file).await {
            Ok(stored) => Ok(Some((name, self.opened(stored)?))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Removes a held upload once the form that carried it was accepted.
    pub async fn release(&self, handle: &str) {
        if let Some((file, label)) = self.held_paths(handle) {
            let _ = tokio::fs::remove_file(file).await;
            let _ = tokio::fs::remove_file(label).await;
        }
    }

    /// Removes held uploads older than `older_than`: forms abandoned after a mistake.
    pub async fn sweep_held(&self, older_than: std::time::Duration) -> std::io::Result<usize> {
        let old = entries_older_than(&self.held_folder(), older_than).await?;
        for entry in &old {
            tokio::fs::remove_file(entry.path()).await?;
        }
        Ok(old.len())
    }

    /// The document with this SHA-256, if stored: opened, and checked to be that document.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        for name in self.names_for(sha256) {
            let Some(stored) = self.stored(&name).await? else {
                continue;
            };
            let content = self.opened(stored)?;
            if hex::encode(Sha256::digest(&content)) != sha256 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the file stored for {sha256} holds other content"),
                ));
            }
            return Ok(Some(content));
        }
        Ok(None)
    }

    /// The bytes on disk under a stored name (sealed, when keys seal), as a backup carries them.
    pub async fn stored(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(name) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Removes the document with this SHA-256 under every name it may have; whether one was
    /// there.
    pub async fn remove(&self, sha256: &str) -> std::io::Result<bool> {
        let mut removed = false;
        for name in self.names_for(sha256) {
            let Some(path) = self.path(&name) else {
                continue;
            };
            match tokio::fs::remove_file(&path).await {
                Ok(()) => removed = true,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
        Ok(removed)
    }

    /// Puts a file back under its stored name, as a backup carried it, after checking that
    /// it belongs there: a plain file's hash is its name; a sealed one opens with these keys
    /// to content whose keyed hash is its name.
    pub async fn put_stored(&self, name: &str, stored: &[u8]) -> std::io::Result<()> {
        let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
        let Some(target) = self.path(name) else {
            return Err(invalid(format!("`{name}` is not a document name")));
        };
        let content = self.opened(stored.to_vec())?;
        let sha256 = hex::encode(Sha256::digest(&content));
        let belongs = if DocumentKeys::is_sealed(stored) {
            self.keys
                .as_ref()
                .is_some_and(|keys| keys.names(&sha256).iter().any(|known| known == name))
        } else {
            sha256 == name
        };
        if !belongs {
            return Err(invalid(format!("the content does not belong under {name}")));
        }
        write_in_place(&target, stored).await
    }

    /// Moves every document onto the sealing key: plain ones are sealed, ones sealed under an
    /// older key get their data key sealed again, each renamed to its name under the sealing
    /// key. Returns how many moved and how many already were there.
    pub async fn rekey(&self) -> std::io::Result<(usize, usize)> {
        let Some(keys) = &self.keys else {
            return Err(std::io::Error::other("no document keys to move onto"));
        };
        let (mut moved, mut already) = (0, 0);
        for name in self.addresses().await? {
            let Some(stored) = self.stored(&name).await? else {
                continue;
            };
            let content = self.opened(stored.clone())?;
            let target_name = keys
                .names(&hex::encode(Sha256::digest(&content)))
                .swap_remove(0);
            let resealed = if DocumentKeys::is_sealed(&stored) {
                keys.reseal(&stored)?
            } else {
                Some(keys.seal(&content)?)
            };
            if resealed.is_none() && target_name == name {
                already += 1;
                continue;
            }
            let Some(target) = self.path(&target_name) else {
                continue;
            };
            write_in_place(&target, resealed.as_deref().unwrap_or(&stored)).await?;
            if target_name != name
                && let Some(old) = self.path(&name)
            {
                tokio::fs::remove_file(old).await?;
            }
            moved += 1;
        }
        Ok((moved, already))
    }

    /// The stored name of every document (not the staged or held uploads), sorted.
    pub async fn addresses(&self) -> std::io::Result<Vec<String>> {
        let mut found = Vec::new();
        for first in names_in(&self.root).await? {
            if first.len() != 2 {
                continue;
            }
            for second in names_in(&self.root.join(&first)).await? {
                for name in names_in(&self.root.join(&first).join(&second)).await? {
                    let in_place = name.get(..2) == Some(first.as_str())
                        && name.get(2..4) == Some(second.as_str());
                    if in_place && self.path(&name).is_some() {
                        found.push(name);
                    }
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Stores `bytes` at once (not waiting for a dossier's commit); returns their SHA-256.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let staged = self.stage(bytes).await?;
        let sha256 = staged.sha256().to_owned();
        staged.keep().await?;
        Ok(sha256)
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Writes `bytes` to `target` through a file beside it and a rename: a reader never sees half.
async fn write_in_place(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let Some(folder) = target.parent() else {
        return Err(std::io::Error::other("a document has a folder"));
    };
    tokio::fs::create_dir_all(folder).await?;
    let beside = folder.join(format!(".{}", uuid::Uuid::now_v7().simple()));
    tokio::fs::write(&beside, bytes).await?;
    tokio::fs::rename(&beside, target).await
}

/// The names in `folder`; none when it does not exist.
async fn names_in(folder: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut entries = match tokio::fs::read_dir(folder).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(names),
        Err(error) => return Err(error),
    };
    while let Some(entry) = entries.next_entry().await? {
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

/// The entries of `folder` last changed at least `older_than` ago; none when it does not exist.
async fn entries_older_than(
    folder: &Path,
    older_than: std::time::Duration,
) -> std::io::Result<Vec<tokio::fs::DirEntry>> {
    let mut entries = match tokio::fs::read_dir(folder).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let now = std::time::SystemTime::now();
    let mut old = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        let modified = entry.metadata().await?.modified()?;
        if now.duration_since(modified).unwrap_or_default() >= older_than {
            old.push(entry);
        }
    }
    Ok(old)
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

/// Every `interval`, settles the staged uploads a crash left behind more than a day ago and
/// removes uploads held for forms abandoned more than an hour ago.
pub async fn run_sweeper(
    documents: DocumentStore,
    service: std::sync::Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
    interval: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
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
        match documents.sweep_held(HOUR).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "abandoned held uploads removed"),
            Err(error) => tracing::warn!(%error, "held uploads not swept; trying again later"),
        }
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
    async fn a_held_upload_goes_back_only_to_its_owner_and_is_swept_or_released() {
        let root = std::env::temp_dir().join(format!("hoso-held-{}", uuid::Uuid::now_v7()));
        let store = DocumentStore::new(&root);
        let handle = store
            .hold("owner-a", "Giấy chứng sinh.pdf", b"%PDF-1.4 held")
            .await
            .unwrap();
        assert_eq!(
            store.held("owner-a", &handle).await.unwrap(),
            Some(("Giấy chứng sinh.pdf".to_owned(), b"%PDF-1.4 held".to_vec()))
        );
        assert_eq!(
            store.held("owner-b", &handle).await.unwrap(),
            None,
            "not another's"
        );
        for forged in [
            "../../etc/passwd",
            "",
            &handle.to_uppercase(),
            &handle[..31],
        ] {
            assert_eq!(
                store.held("owner-a", forged).await.unwrap(),
                None,
                "{forged}"
            );
        }
        assert_eq!(
            store
                .sweep_held(std::time::Duration::from_secs(3600))
                .await
                .unwrap(),
            0,
            "younger than an hour: left alone"
        );
        store.release(&handle).await;
        assert_eq!(store.held("owner-a", &handle).await.unwrap(), None);
        let abandoned = store.hold("owner-a", "x.pdf", b"%PDF-1.4 x").await.unwrap();
        assert_eq!(
            store.sweep_held(std::time::Duration::ZERO).await.unwrap(),
            2,
            "the file and its label"
        );
        assert_eq!(store.held("owner-a", &abandoned).await.unwrap(), None);
        let _ = std::fs::remove_dir_all(&root);
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
