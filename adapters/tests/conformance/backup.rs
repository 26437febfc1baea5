//! The recovery drill: a backup taken while 64 clients write, restored into a new database;
//! a backup cut short; a backup of the embedded SQLite file restored into PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hoso_adapters::backup::{self, BackupError};
use hoso_adapters::documents::DocumentStore;
use hoso_adapters::store::AnyStore;
use hoso_engine::case::DossierCode;
use hoso_engine::ports::{Delivery as _, DeliveryState, Dossiers as _, Timers as _};

use crate::harness::{TestDb, World, open_service};

/// Every topic the engine queues.
const TOPICS: &[&str] = &["portal", "data_store", "email", "sms"];

crate::conformance!(
    every_table_is_backed_up_or_named_as_left_out,
    an_archived_dossiers_documents_go_unless_another_dossier_names_them,
    a_backup_taken_while_64_clients_write_restores_every_acknowledged_dossier,
    a_backup_cut_short_never_looks_complete_and_a_restore_refuses_it,
);

/// A fresh database of the same kind as `url`'s.
async fn sibling(url: &str) -> TestDb {
    if url.starts_with("sqlite:") {
        TestDb::sqlite()
    } else {
        TestDb::postgres().await.expect("PostgreSQL is configured")
    }
}

fn key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7; 32])
}

/// The office's public key, which a restore trusts.
fn trusted() -> String {
    hoso_engine::audit::public_key(&key())
}

fn scratch(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("hoso-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("scratch folder");
    folder
}

/// A table a migration adds is in backups unless it is named as left out: a backup never
/// silently misses one.
async fn every_table_is_backed_up_or_named_as_left_out(world: World) {
    use hoso_adapters::store::copy::{BACKED_UP, NOT_BACKED_UP};
    let tables = world.service.store().tables().await.expect("tables");
    let known: BTreeSet<&str> = BACKED_UP.iter().chain(NOT_BACKED_UP).copied().collect();
    let present: BTreeSet<&str> = tables.iter().map(String::as_str).collect();
    assert_eq!(
        present, known,
        "every table is in copy::BACKED_UP or copy::NOT_BACKED_UP"
    );
}

/// Under retention an archived dossier's uploads leave the document folder with it, sealed or
/// not, except one that a dossier still in the store names.
async fn an_archived_dossiers_documents_go_unless_another_dossier_names_them(world: World) {
    let folder = scratch("archived-documents");
    let keys = Arc::new(
        hoso_adapters::sealing::DocumentKeys::parse(
            "k1 0808080808080808080808080808080808080808080808080808080808080808",
        )
        .expect("keys"),
    );
    let documents = DocumentStore::new(folder.join("documents")).with_keys(keys);
    let kept = documents
        .put(b"%PDF-1.7 still named")
        .await
        .expect("stored");
    let gone = documents
        .put(b"%PDF-1.7 named by no one now")
        .await
        .expect("stored");
    let mut submission = crate::harness::birth_submission();
    submission.documents[0].sha256 = Some(kept.clone());
    world
        .send(
            crate::harness::citizen(),
            hoso_engine::service::Target::New(
                hoso_engine::procedure::ProcedureCode::parse("1.001193").expect("code"),
            ),
            hoso_engine::case::Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .await
        .expect("submitted");
    let removed = hoso_adapters::archive::remove_documents(
        world.service.store(),
        &documents,
        &[kept.clone(), gone.clone()],
    )
    .await
    .expect("removed");
    assert_eq!(removed, 1);
    assert!(documents.get(&kept).await.expect("read").is_some());
    assert_eq!(documents.get(&gone).await.expect("read"), None);
    assert!(documents.addresses().await.expect("names").len() == 1);
    let _ = std::fs::remove_dir_all(&folder);
}

async fn a_backup_taken_while_64_clients_write_restores_every_acknowledged_dossier(world: World) {
    let folder = scratch("drill");
    // Documents sealed at rest: the backup carries them sealed.
    let keys = Arc::new(
        hoso_adapters::sealing::DocumentKeys::parse(
            "k1 0707070707070707070707070707070707070707070707070707070707070707",
        )
        .expect("keys"),
    );
    let documents = DocumentStore::new(folder.join("documents")).with_keys(Arc::clone(&keys));
    let id_card = b"%PDF-1.7 the citizen's ID card".to_vec();
    documents.put(&id_card).await.expect("document stored");
    // Some history before the drill: a dossier, a delivered notification, a checkpoint.
    let first = world.received_birth().await;
    let store = world.service.store().clone();
    let claimed = store
        .claim_outbox(
            chrono::Utc::now(),
            chrono::Utc::now() + chrono::Duration::minutes(5),
            100,
            TOPICS,
        )
        .await
        .expect("claim");
    assert!(!claimed.is_empty(), "the receipt queued a message");
    store
        .mark_delivered(claimed[0].id, "provider-1", chrono::Utc::now())
        .await
        .expect("delivered");
    let delivered = claimed[0].idempotency_key.clone();
    hoso_adapters::audit::take_checkpoint(&store, &key(), chrono::Utc::now())
        .await
        .expect("checkpoint");

    // 64 clients submit until told to stop; each remembers what was acknowledged.
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..64 {
        let world = world.clone();
        let stop = Arc::clone(&stop);
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let executed = world.submit_birth("2025-03-04T09:00:00+07:00").await;
                acknowledged.push((std::time::Instant::now(), executed.case.code));
            }
            acknowledged
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let out = folder.join("office.hosobak");
    let taken = backup::take(&store, Some(&documents), &key(), &out, |_| {})
        .await
        .expect("backup taken under load");
    stop.store(true, Ordering::Relaxed);
    let mut before = BTreeSet::from([first.clone()]);
    let mut during = 0;
    for client in clients {
        for (when, code) in client.await.expect("client") {
            if when < started {
                before.insert(code);
            } else {
                during += 1;
            }
        }
    }
    assert!(
        before.len() > 64,
        "the clients wrote before the backup: {}",
        before.len()
    );
    assert!(during > 0, "and went on writing while it was taken");
    assert!(!folder.join("office.hosobak.partial").exists());
    assert_eq!(taken.manifest.documents, 1);
    assert!(
        taken.manifest.checkpoint.is_some(),
        "the latest checkpoint is inside"
    );

    let target = sibling(&world.url).await;
    let restored_folder = scratch("restored");
    let restored_documents =
        DocumentStore::new(restored_folder.join("documents")).with_keys(Arc::clone(&keys));
    let body = {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(&out).expect("backup")),
            &mut text,
        )
        .expect("gzip");
        text
    };
    assert!(
        body.contains("\"document\""),
        "the document is in the backup"
    );
    assert!(
        !body.contains(&base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            &id_card
        )),
        "sealed, not in clear"
    );
    let target_url = target.url();
    let outcome = async move {
        let restored = open_service(&target_url).await;
        let restored_store = restored.store();
        backup::restore(
            &out,
            restored_store,
            Some(&restored_documents),
            &trusted(),
            |_, _| {},
        )
        .await
        .expect("restored");
        // Every dossier acknowledged before the backup began is there, whole.
        for code in &before {
            let original = store
                .load(code)
                .await
                .expect("load")
                .expect("in the source");
            let copy = restored_store
                .load(code)
                .await
                .expect("load")
                .expect("restored");
            assert_eq!(copy, original);
            assert_eq!(
                restored_store.events(code).await.expect("events").len(),
                usize::try_from(copy.version).expect("version")
            );
        }
        let report = hoso_adapters::audit::verify_store(
            restored_store,
            None,
            Some(&hoso_engine::audit::public_key(&key())),
            |_, _| {},
        )
        .await
        .expect("verify");
        assert!(
            report.intact(),
            "every chain and checkpoint verifies: {:?}",
            report.findings
        );
        assert!(report.checkpoints >= 1);
        assert_eq!(
            restored_documents
                .get(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                    &id_card
                )))
                .await
                .expect("read"),
            Some(id_card.clone())
        );
        // The delivered message stays delivered: a dispatcher on the restored store never sends it again.
        let again = restored_store
            .claim_outbox(
                chrono::Utc::now(),
                chrono::Utc::now() + chrono::Duration::minutes(5),
                10_000,
                TOPICS,
            )
            .await
            .expect("claim");
        assert!(again.iter().all(|entry| entry.idempotency_key != delivered));
        assert!(
            restored_store
                .outbox_entries(Some(DeliveryState::Delivered), 100)
                .await
                .expect("entries")
                .iter()
                .any(|entry| entry.idempotency_key == delivered)
        );
        // Timers resume: the first dossier's deadlines are there to fire.
        assert_eq!(
            restored_store.timers(&first).await.expect("timers"),
            store.timers(&first).await.expect("timers")
        );
        // A second restore into the same database is refused, and changes nothing.
        let again = backup::restore(
            &out,
            restored_store,
            Some(&restored_documents),
            &trusted(),
            |_, _| {},
        )
        .await;
        assert!(matches!(again, Err(BackupError::NotEmpty(_))), "{again:?}");
        // The restored office takes new work: the next code follows the restored ones.
        let next = World {
            service: Arc::new(restored),
            url: target_url,
        }
        .submit_birth("2025-03-04T09:00:00+07:00")
        .await
        .case
        .code;
        assert!(!before.contains(&next));
    };
    let outcome = tokio::spawn(outcome).await;
    target.drop_database().await;
    let _ = std::fs::remove_dir_all(&folder);
    let _ = std::fs::remove_dir_all(&restored_folder);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn a_backup_cut_short_never_looks_complete_and_a_restore_refuses_it(world: World) {
    let folder = scratch("cut");
    let store = world.service.store().clone();
    for _ in 0..20 {
        world.received_birth().await;
    }
    // Interrupted while writing: nothing at the name, and no partial file left behind.
    let out = folder.join("cut.hosobak");
    let interrupted = tokio::time::timeout(
        std::time::Duration::from_micros(1),
        backup::take(&store, None, &key(), &out, |_| {}),
    )
    .await;
    assert!(interrupted.is_err(), "the backup was cut short");
    // The writing thread notices the queue closed and removes its file.
    for _ in 0..250 {
        if !folder.join("cut.hosobak.partial").exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!out.exists());
    assert!(!folder.join("cut.hosobak.partial").exists());

    // A process killed midway leaves a truncated file: it is refused, and so is a tampered one.
    let whole = folder.join("whole.hosobak");
    backup::take(&store, None, &key(), &whole, |_| {})
        .await
        .expect("backup");
    let bytes = std::fs::read(&whole).expect("read");
    let truncated = folder.join("truncated.hosobak");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    assert!(matches!(
        backup::check(&truncated, &trusted()),
        Err(BackupError::Invalid { .. })
    ));
    let other_key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let untrusted = backup::check(&whole, &hoso_engine::audit::public_key(&other_key));
    assert!(
        matches!(untrusted, Err(BackupError::Untrusted { .. })),
        "{untrusted:?}"
    );
    let manifest = backup::check(&whole, &trusted()).expect("the whole file checks");
    assert_eq!(manifest.rows.get("dossiers"), Some(&20));

    let target = sibling(&world.url).await;
    let outcome = async move {
        let restored = AnyStore::open(&target.url()).await.expect("open");
        let refused = backup::restore(&truncated, &restored, None, &trusted(), |_, _| {}).await;
        assert!(
            matches!(refused, Err(BackupError::Invalid { .. })),
            "{refused:?}"
        );
        assert_eq!(
            restored.first_table_in_use().await.expect("empty"),
            None,
            "nothing written"
        );
        target
    };
    let target = match tokio::spawn(outcome).await {
        Ok(target) => target,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&folder);
            std::panic::resume_unwind(error.into_panic());
        }
    };
    target.drop_database().await;
    let _ = std::fs::remove_dir_all(&folder);
}

/// The documented way to outgrow the embedded default: an SQLite backup restored into
/// PostgreSQL holds every dossier, and its chains verify there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_backup_restores_into_postgresql() {
    let Some(target) = TestDb::postgres().await else {
        return;
    };
    let source = TestDb::sqlite();
    let folder = scratch("move");
    let outcome = {
        let source_url = source.url();
        let target_url = target.url();
        let folder = folder.clone();
        tokio::spawn(async move {
            let world = World {
                service: Arc::new(open_service(&source_url).await),
                url: source_url,
            };
            let mut codes: Vec<DossierCode> = Vec::new();
            for _ in 0..10 {
                codes.push(world.received_birth().await);
            }
            let store = world.service.store();
            hoso_adapters::audit::take_checkpoint(store, &key(), chrono::Utc::now())
                .await
                .expect("checkpoint");
            let out = folder.join("sqlite.hosobak");
            backup::take(store, None, &key(), &out, |_| {})
                .await
                .expect("backup");
            let postgres = open_service(&target_url).await;
            let manifest = backup::restore(&out, postgres.store(), None, &trusted(), |_, _| {})
                .await
                .expect("restored into PostgreSQL");
            assert_eq!(manifest.backend, "sqlite");
            for code in &codes {
                assert_eq!(
                    postgres.store().load(code).await.expect("load"),
                    store.load(code).await.expect("load")
                );
            }
            let report =
                hoso_adapters::audit::verify_store(postgres.store(), None, None, |_, _| {})
                    .await
                    .expect("verify");
            assert!(report.intact(), "{:?}", report.findings);
            assert_eq!(report.dossiers, 10);
            // PostgreSQL's outbox numbering goes on after the restored rows.
            let next = World {
                service: Arc::new(postgres),
                url: target_url,
            }
            .received_birth()
            .await;
            assert!(!codes.contains(&next));
        })
        .await
    };
    source.drop_database().await;
    target.drop_database().await;
    let _ = std::fs::remove_dir_all(&folder);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
