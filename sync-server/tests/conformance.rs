//! One storage contract, two databases: every rule of the relay's storage, checked the same way
//! on the embedded SQLite database and on PostgreSQL. `cargo test` runs the SQLite half;
//! `scripts/test` starts a PostgreSQL server and runs both (`--features postgres-tests`).

use automerge::transaction::Transactable;
use sync_core::DocumentId;
use sync_core::chunks::{self, SaveState};
use sync_server::Store;
use sync_server::accounts::{AuthError, DeviceId, Role, SchoolId};
use sync_server::backup::Backup;
use sync_server::store::{Quota, StoreError};

mod common;
#[cfg(feature = "postgres-tests")]
use common::fresh_database;

/// Runs each check against a fresh SQLite store and, with PostgreSQL, a fresh database.
macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $check() {
                    let dir = tempfile::tempdir().unwrap();
                    let fresh = || async { sync_server::Store::open_dir(&dir.path().join(uuid::Uuid::new_v4().to_string())).unwrap() };
                    super::$check(&fresh().await, fresh).await;
                }
            )*
        }
        #[cfg(feature = "postgres-tests")]
        mod postgres {
            $(
                #[tokio::test]
                async fn $check() {
                    let fresh = || async { sync_server::Store::open_postgres(&super::fresh_database().await).await.unwrap() };
                    super::$check(&fresh().await, fresh).await;
                }
            )*
        }
    };
}

conformance!(
    chunks_come_back_in_the_order_they_were_written,
    concurrent_new_documents_of_one_device_respect_its_daily_cap_exactly,
    a_compaction_replaces_exactly_the_chunks_it_names,
    documents_belong_to_their_school,
    an_erased_document_is_listed_and_never_stored_again,
    the_document_cap_refuses_only_new_documents,
    byte_quotas_charge_growth_per_school_and_per_device,
    an_actor_keeps_the_first_device_that_brought_it,
    an_invitation_joins_once_and_never_after_its_maker_is_revoked,
    curators_list_and_cancel_invitations_of_their_school_only,
    credentials_authenticate_until_revoked,
    the_root_document_is_recorded,
    a_backup_restores_documents_devices_tombstones_and_actors,
    concurrent_writes_are_each_stored_or_refused_alone,
);

struct Enrolled {
    school: SchoolId,
    device: DeviceId,
    token: String,
}

async fn school(store: &Store) -> Enrolled {
    let (_, invitation) = store.create_school("Школа").await.unwrap();
    let joined = store.redeem(&invitation.code, "куратор").await.unwrap();
    Enrolled {
        school: joined.school.id,
        device: joined.device.id,
        token: joined.token,
    }
}

async fn staff(store: &Store, of: &Enrolled) -> Enrolled {
    let invitation = store
        .invite(&of.school, Role::Staff, Some(&of.device))
        .await
        .unwrap();
    let joined = store.redeem(&invitation.code, "наставник").await.unwrap();
    Enrolled {
        school: joined.school.id,
        device: joined.device.id,
        token: joined.token,
    }
}

/// A document as a relay holds it while writing it: its save state and stored chunk keys.
struct Writer {
    doc: automerge::Automerge,
    state: SaveState,
    keys: Vec<String>,
}

impl Writer {
    fn new() -> Self {
        Self {
            doc: sync_core::new_document(),
            state: SaveState::default(),
            keys: Vec::new(),
        }
    }

    fn put(&mut self, key: &str, value: &str) {
        let mut tx = self.doc.transaction();
        tx.put(automerge::ROOT, key, value).unwrap();
        tx.commit();
    }

    async fn write(
        &mut self,
        store: &Store,
        who: &Enrolled,
        id: DocumentId,
        quota: &Quota,
    ) -> Result<(), StoreError> {
        let pending = self.state.pending(&self.doc).expect("something to write");
        store
            .save(&who.school, &who.device, id, &pending, &self.keys, quota)
            .await?;
        self.state.committed(&pending);
        if pending.replaces_all {
            self.keys.clear();
        }
        self.keys.push(pending.chunk.key.clone());
        Ok(())
    }
}

fn value(doc: &automerge::Automerge, key: &str) -> Option<String> {
    use automerge::ReadDoc;
    doc.get(automerge::ROOT, key)
        .unwrap()
        .and_then(|(v, _)| v.into_string().ok())
}

async fn stored(store: &Store, school: &SchoolId, id: DocumentId) -> automerge::Automerge {
    chunks::load(store.load(school, id).await.unwrap())
        .unwrap()
        .0
}

async fn chunks_come_back_in_the_order_they_were_written<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let who = school(store).await;
    let id = DocumentId::random();
    let mut w = Writer::new();
    for i in 0..5 {
        w.put("n", &i.to_string());
        w.write(store, &who, id, &Quota::default()).await.unwrap();
    }
    let chunks = store.load(&who.school, id).await.unwrap();
    assert_eq!(chunks.len(), 5);
    assert_eq!(
        chunks.iter().map(|c| c.key.clone()).collect::<Vec<_>>(),
        w.keys
    );
    assert_eq!(
        value(&stored(store, &who.school, id).await, "n").as_deref(),
        Some("4")
    );
    assert!(store.exists(&who.school, id).await.unwrap());
    assert_eq!(store.document_count().await.unwrap(), 1);
}

async fn a_compaction_replaces_exactly_the_chunks_it_names<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let who = school(store).await;
    let id = DocumentId::random();
    let mut w = Writer::new();
    for i in 0..=chunks::COMPACT_AFTER_INCREMENTALS {
        w.put("n", &i.to_string());
        w.write(store, &who, id, &Quota::default()).await.unwrap();
    }
    // Another writer (another relay instance) adds a chunk the compaction does not know.
    let mut other = Writer::new();
    other.doc = w.doc.fork();
    other.put("other", "instance");
    other.state = w.state.clone();
    let mut pending = other.state.pending(&other.doc).unwrap();
    pending.replaces_all = false;
    store
        .save(
            &who.school,
            &who.device,
            id,
            &pending,
            &[],
            &Quota::default(),
        )
        .await
        .unwrap();
    w.put("n", "compacted");
    w.write(store, &who, id, &Quota::default()).await.unwrap();
    let chunks = store.load(&who.school, id).await.unwrap();
    assert_eq!(chunks.len(), 2, "the snapshot and the unknown chunk");
    let doc = stored(store, &who.school, id).await;
    assert_eq!(value(&doc, "n").as_deref(), Some("compacted"));
    assert_eq!(value(&doc, "other").as_deref(), Some("instance"));
}

async fn documents_belong_to_their_school<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let (a, b) = (school(store).await, school(store).await);
    let id = DocumentId::random();
    let mut wa = Writer::new();
    wa.put("who", "a");
    wa.write(store, &a, id, &Quota::default()).await.unwrap();
    assert!(!store.exists(&b.school, id).await.unwrap());
    assert!(store.load(&b.school, id).await.unwrap().is_empty());
    let mut wb = Writer::new();
    wb.put("who", "b");
    wb.write(store, &b, id, &Quota::default()).await.unwrap();
    assert_eq!(
        value(&stored(store, &a.school, id).await, "who").as_deref(),
        Some("a")
    );
    assert_eq!(
        value(&stored(store, &b.school, id).await, "who").as_deref(),
        Some("b")
    );
    assert_eq!(
        store.document_count().await.unwrap(),
        2,
        "one id, two schools' documents"
    );
}

async fn an_erased_document_is_listed_and_never_stored_again<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let (who, other) = (school(store).await, school(store).await);
    let id = DocumentId::random();
    let mut w = Writer::new();
    w.put("name", "Иванова Мария");
    w.write(store, &who, id, &Quota::default()).await.unwrap();
    store
        .erase(&who.school, id, 1_700_000_000_000)
        .await
        .unwrap();
    assert!(store.load(&who.school, id).await.unwrap().is_empty());
    assert!(store.is_erased(&who.school, id).await.unwrap());
    assert_eq!(
        store.erasures(&who.school).await.unwrap(),
        vec![(id.to_string(), 1_700_000_000_000)]
    );
    assert!(store.erasures(&other.school).await.unwrap().is_empty());
    let mut again = Writer::new();
    again.put("name", "вернуть");
    assert!(matches!(
        again.write(store, &who, id, &Quota::default()).await,
        Err(StoreError::Erased)
    ));
    assert!(!store.exists(&who.school, id).await.unwrap());
}

async fn the_document_cap_refuses_only_new_documents<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let who = school(store).await;
    let quota = Quota {
        max_documents: 2,
        ..Quota::default()
    };
    let mut writers: Vec<(DocumentId, Writer)> = (0..3)
        .map(|_| (DocumentId::random(), Writer::new()))
        .collect();
    for (id, w) in &mut writers[..2] {
        w.put("k", "v");
        w.write(store, &who, *id, &quota).await.unwrap();
    }
    let (third, w) = &mut writers[2];
    w.put("k", "v");
    assert!(matches!(
        w.write(store, &who, *third, &quota).await,
        Err(StoreError::TooManyDocuments(2))
    ));
    // An existing document still takes changes.
    let (first, w) = &mut writers[0];
    w.put("k", "changed");
    w.write(store, &who, *first, &quota).await.unwrap();
}

async fn byte_quotas_charge_growth_per_school_and_per_device<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let curator = school(store).await;
    let mentor = staff(store, &curator).await;
    let text = |n: usize| -> String {
        (0..n)
            .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
            .collect()
    };
    let probe = {
        let mut w = Writer::new();
        w.put("k", &text(3000));
        w.state.pending(&w.doc).unwrap().chunk.data.len() as u64
    };
    let quota = Quota {
        max_device_bytes_per_day: probe * 2 + probe / 2,
        max_school_bytes: probe * 4 + probe / 2,
        ..Quota::default()
    };
    // The mentor's device may write two such documents today, not three.
    for expect_ok in [true, true, false] {
        let mut w = Writer::new();
        w.put("k", &text(3000));
        let result = w.write(store, &mentor, DocumentId::random(), &quota).await;
        assert_eq!(result.is_ok(), expect_ok, "{result:?}");
        if !expect_ok {
            assert!(
                matches!(result, Err(StoreError::DeviceQuota(_))),
                "{result:?}"
            );
        }
    }
    // The curator's device has its own quota, but the school's is shared: two more fit, not three.
    let mut results = Vec::new();
    for _ in 0..3 {
        let mut w = Writer::new();
        w.put("k", &text(3000));
        results.push(w.write(store, &curator, DocumentId::random(), &quota).await);
    }
    assert!(results[0].is_ok() && results[1].is_ok(), "{results:?}");
    assert!(
        matches!(
            results[2],
            Err(StoreError::SchoolFull(_)) | Err(StoreError::DeviceQuota(_))
        ),
        "{results:?}"
    );
    let rule = Quota {
        max_device_bytes_per_day: u64::MAX,
        ..quota
    };
    let mut w = Writer::new();
    w.put("k", &text(3000));
    assert!(matches!(
        w.write(store, &curator, DocumentId::random(), &rule).await,
        Err(StoreError::SchoolFull(_))
    ));
}

async fn an_actor_keeps_the_first_device_that_brought_it<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let curator = school(store).await;
    let mentor = staff(store, &curator).await;
    store
        .record_actors(
            &curator.school,
            &curator.device,
            &["aa".into(), "bb".into()],
        )
        .await
        .unwrap();
    store
        .record_actors(&mentor.school, &mentor.device, &["bb".into(), "cc".into()])
        .await
        .unwrap();
    let mut actors = store.actors(&curator.school).await.unwrap();
    actors.sort();
    assert_eq!(
        actors,
        vec![
            ("aa".into(), curator.device.0.clone()),
            ("bb".into(), curator.device.0.clone()),
            ("cc".into(), mentor.device.0.clone()),
        ]
    );
}

async fn an_invitation_joins_once_and_never_after_its_maker_is_revoked<
    F: Future<Output = Store>,
>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let curator = school(store).await;
    let once = store
        .invite(&curator.school, Role::Staff, Some(&curator.device))
        .await
        .unwrap();
    // Typed as people do: lower case, no dash.
    let typed = once.code.replace('-', "").to_lowercase();
    let joined = store.redeem(&typed, "  планшет  ").await.unwrap();
    assert_eq!(joined.device.name, "планшет");
    assert_eq!(joined.device.role, Role::Staff);
    assert!(matches!(
        store.redeem(&once.code, "x").await,
        Err(AuthError::BadInvitation)
    ));

    let second = staff(store, &curator).await;
    let by_second = store
        .invite(&curator.school, Role::Staff, Some(&second.device))
        .await
        .unwrap();
    store.revoke(&curator.school, &second.device).await.unwrap();
    assert!(matches!(
        store.redeem(&by_second.code, "x").await,
        Err(AuthError::BadInvitation)
    ));
    assert!(matches!(
        store.redeem("AAAAA-AAAAA", "x").await,
        Err(AuthError::BadInvitation)
    ));
}

async fn curators_list_and_cancel_invitations_of_their_school_only<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let (a, b) = (school(store).await, school(store).await);
    let invitation = store
        .invite(&a.school, Role::Staff, Some(&a.device))
        .await
        .unwrap();
    let open = store.invitations(&a.school).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, invitation.id);
    assert_eq!(open[0].created_by_name.as_deref(), Some("куратор"));
    assert!(store.invitations(&b.school).await.unwrap().is_empty());
    assert!(matches!(
        store.cancel_invitation(&b.school, &invitation.id).await,
        Err(AuthError::NoSuchInvitation)
    ));
    store
        .cancel_invitation(&a.school, &invitation.id)
        .await
        .unwrap();
    assert!(store.invitations(&a.school).await.unwrap().is_empty());
    assert!(store.redeem(&invitation.code, "x").await.is_err());
}

async fn credentials_authenticate_until_revoked<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let curator = school(store).await;
    let mentor = staff(store, &curator).await;
    assert_eq!(
        store.authenticate(&mentor.token).await.unwrap().id,
        mentor.device
    );
    let (id, _) = mentor.token.split_once('.').unwrap();
    assert!(matches!(
        store
            .authenticate(&format!("{id}.{}", "0".repeat(64)))
            .await,
        Err(AuthError::BadCredential)
    ));
    assert!(matches!(
        store.authenticate("garbage").await,
        Err(AuthError::BadCredential)
    ));
    let other = school(store).await;
    assert!(
        store.revoke(&other.school, &mentor.device).await.is_err(),
        "another school's curator"
    );
    store.revoke(&curator.school, &mentor.device).await.unwrap();
    assert!(matches!(
        store.authenticate(&mentor.token).await,
        Err(AuthError::Revoked)
    ));
    let devices = store.devices(&curator.school).await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(
        devices
            .iter()
            .any(|d| d.id == mentor.device && d.revoked_at.is_some())
    );
}

async fn the_root_document_is_recorded<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let curator = school(store).await;
    assert_eq!(store.school(&curator.school).await.unwrap().root_doc, None);
    let root = DocumentId::random().to_string();
    let school = store.set_root_doc(&curator.school, &root).await.unwrap();
    assert_eq!(school.root_doc.as_deref(), Some(root.as_str()));
    assert_eq!(
        store
            .school(&curator.school)
            .await
            .unwrap()
            .root_doc
            .as_deref(),
        Some(root.as_str())
    );
}

async fn a_backup_restores_documents_devices_tombstones_and_actors<F: Future<Output = Store>>(
    store: &Store,
    fresh: impl Fn() -> F,
) {
    let curator = school(store).await;
    let kept = DocumentId::random();
    let erased = DocumentId::random();
    for id in [kept, erased] {
        let mut w = Writer::new();
        w.put("k", "v");
        w.write(store, &curator, id, &Quota::default())
            .await
            .unwrap();
    }
    store.erase(&curator.school, erased, 42).await.unwrap();
    store
        .record_actors(&curator.school, &curator.device, &["aa".into()])
        .await
        .unwrap();
    let backup = store.backup(&curator.school).await.unwrap();
    let bytes = backup.to_bytes();

    let restored = fresh().await;
    restored
        .restore(Backup::from_bytes(&bytes).unwrap())
        .await
        .unwrap();
    assert_eq!(
        value(&stored(&restored, &curator.school, kept).await, "k").as_deref(),
        Some("v")
    );
    assert!(restored.is_erased(&curator.school, erased).await.unwrap());
    assert!(!restored.exists(&curator.school, erased).await.unwrap());
    assert_eq!(
        restored.erasures(&curator.school).await.unwrap(),
        vec![(erased.to_string(), 42)]
    );
    assert_eq!(
        restored.actors(&curator.school).await.unwrap(),
        vec![("aa".into(), curator.device.0.clone())]
    );
    // The devices come back with their credentials.
    assert_eq!(
        restored.authenticate(&curator.token).await.unwrap().id,
        curator.device
    );
    // A relay that has the school already refuses to restore it over itself.
    assert!(
        store
            .restore(Backup::from_bytes(&bytes).unwrap())
            .await
            .is_err()
    );
}

/// Two relay instances on one PostgreSQL database: an erasure racing writes of the same
/// documents never leaves a chunk behind its tombstone (the per-document advisory lock).
#[cfg(feature = "postgres-tests")]
#[tokio::test]
async fn postgres_an_erasure_racing_writes_on_another_instance_leaves_nothing_behind() {
    let url = fresh_database().await;
    let (one, two) = (
        Store::open_postgres(&url).await.unwrap(),
        Store::open_postgres(&url).await.unwrap(),
    );
    let who = school(&one).await;
    let ids: Vec<DocumentId> = (0..100).map(|_| DocumentId::random()).collect();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let (writer, eraser) = (one.clone(), two.clone());
        let (school, device) = (who.school.clone(), who.device.clone());
        tasks.push(tokio::spawn(async move {
            let mut w = Writer::new();
            for n in 0..3 {
                w.put("n", &format!("{i}.{n}"));
                let pending = w.state.pending(&w.doc).unwrap();
                if writer
                    .save(&school, &device, id, &pending, &w.keys, &Quota::default())
                    .await
                    .is_ok()
                {
                    w.state.committed(&pending);
                    w.keys.push(pending.chunk.key.clone());
                }
            }
        }));
        let school = who.school.clone();
        tasks.push(tokio::spawn(async move {
            eraser.erase(&school, id, 1).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for id in ids {
        assert!(one.is_erased(&who.school, id).await.unwrap());
        assert!(
            one.load(&who.school, id).await.unwrap().is_empty(),
            "a write committed after the erasure of {id}"
        );
    }
}

/// Writes arriving together (committed as one group on SQLite) are each admitted or refused on
/// their own: writes of erased documents fail, the others are all stored.
async fn concurrent_writes_are_each_stored_or_refused_alone<F: Future<Output = Store>>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let who = school(store).await;
    let ids: Vec<DocumentId> = (0..60).map(|_| DocumentId::random()).collect();
    for id in ids.iter().step_by(3) {
        store.erase(&who.school, *id, 1).await.unwrap();
    }
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let (store, school, device) = (store.clone(), who.school.clone(), who.device.clone());
        tasks.push(tokio::spawn(async move {
            let mut w = Writer::new();
            w.put("n", &i.to_string());
            let pending = w.state.pending(&w.doc).unwrap();
            store
                .save(&school, &device, id, &pending, &[], &Quota::default())
                .await
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        if i % 3 == 0 {
            assert!(matches!(result, Err(StoreError::Erased)), "{i}: {result:?}");
            assert!(!store.exists(&who.school, ids[i]).await.unwrap());
        } else {
            assert!(result.is_ok(), "{i}: {result:?}");
            assert_eq!(
                value(&stored(store, &who.school, ids[i]).await, "n"),
                Some(i.to_string())
            );
        }
    }
}

/// Forty new documents from one device at once, with a cap of five new documents a day:
/// exactly five are stored and the others are refused by the quota. Writes sharing a group
/// commit each see what the group's earlier writes charged the device; with a transaction per
/// write, concurrent writers each read the usage before the others' charges and all passed.
async fn concurrent_new_documents_of_one_device_respect_its_daily_cap_exactly<
    F: Future<Output = Store>,
>(
    store: &Store,
    _: impl Fn() -> F,
) {
    let who = school(store).await;
    let quota = Quota {
        max_device_documents_per_day: 5,
        ..Quota::default()
    };
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (store, school, device) = (store.clone(), who.school.clone(), who.device.clone());
        tasks.push(tokio::spawn(async move {
            let mut w = Writer::new();
            w.put("n", &i.to_string());
            let pending = w.state.pending(&w.doc).unwrap();
            store
                .save(
                    &school,
                    &device,
                    DocumentId::random(),
                    &pending,
                    &[],
                    &quota,
                )
                .await
        }));
    }
    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => stored += 1,
            Err(StoreError::DeviceQuota(_)) => {}
            Err(e) => panic!("only the quota may refuse: {e:?}"),
        }
    }
    assert_eq!(stored, 5);
}

/// With the server's certificate authority, the relay reaches PostgreSQL over TLS (the server
/// sees encrypted connections); `sslmode=require` with a certificate nobody vouches for is
/// refused rather than trusted; a plain connection string stays plain, as before.
#[cfg(feature = "postgres-tests")]
#[tokio::test]
async fn postgres_over_tls_verifies_the_server_certificate() {
    let ca = std::env::var("NASTAVNIK_TEST_POSTGRES_CA")
        .expect("NASTAVNIK_TEST_POSTGRES_CA names the test server's certificate (scripts/test)");
    let admin_url = std::env::var("NASTAVNIK_TEST_POSTGRES").unwrap();
    let (admin, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let encrypted = |db: String| {
        let admin = &admin;
        async move {
            let row = admin
                .query_one(
                    "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s
                     JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.datname = $1",
                    &[&db],
                )
                .await
                .unwrap();
            (row.get::<_, i64>(0), row.get::<_, i64>(1))
        }
    };
    let db_of = |url: &str| url.rsplit_once('/').unwrap().1.to_owned();

    let url = fresh_database().await;
    let store = Store::open_postgres_with(&url, Some(std::path::Path::new(&ca)))
        .await
        .unwrap();
    school(&store).await;
    let (tls, all) = encrypted(db_of(&url)).await;
    assert!(
        all > 0 && tls == all,
        "{tls} of {all} connections encrypted"
    );

    let unverified = Store::open_postgres(&format!("{url}?sslmode=require")).await;
    assert!(unverified.is_err(), "a self-signed certificate was trusted");

    let plain_url = fresh_database().await;
    let plain = Store::open_postgres(&plain_url).await.unwrap();
    school(&plain).await;
    let (tls, all) = encrypted(db_of(&plain_url)).await;
    assert!(all > 0 && tls == 0, "{tls} of {all}");
}
