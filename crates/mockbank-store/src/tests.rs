use super::*;
use mockbank_core::trace::{CheckSummary, HttpRecord};
use serde_json::json;

fn open(dir: &Path, retention: u64) -> Store {
    Store::open(
        dir,
        StoreConfig {
            trace_retention: retention,
            on_trace: None,
        },
    )
    .unwrap()
}

fn client(id: &str) -> ClientRow {
    ClientRow {
        client_id: id.into(),
        profile: "generic".into(),
        metadata: json!({"client_name": "demo"}).as_object().cloned().unwrap(),
        secret_hash: Some(vec![1, 2, 3]),
        secret_sealed: Some(vec![4, 5, 6]),
        secret_expires_at: 0,
        issued_at: 100,
        updated_at: 100,
    }
}

fn token(hash: u8, client_id: &str) -> TokenRow {
    TokenRow {
        hash: vec![hash; 32],
        kind: TokenKind::Registration,
        client_id: client_id.into(),
        profile: "generic".into(),
        scope: None,
        issued_at: 100,
        expires_at: None,
        revoked_at: None,
        cnf: None,
        uses_left: None,
    }
}

fn trace(id: &str, profile: &str, fail: u32) -> mockbank_core::Trace {
    mockbank_core::Trace {
        seq: 0,
        id: id.into(),
        time: "2026-11-23T00:00:00Z".into(),
        time_ms: 1,
        profile: profile.into(),
        method: "POST".into(),
        path: format!("/{profile}/register"),
        status: 201,
        client_id: Some("c1".into()),
        client_cert: None,
        request: HttpRecord::default(),
        response: HttpRecord::default(),
        checks: vec![],
        summary: CheckSummary {
            pass: 1,
            fail,
            skip: 0,
        },
        failed_check: None,
        duration_us: 5,
    }
}

#[tokio::test]
async fn clients_and_tokens_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(7, "c1"))
        .await
        .unwrap();
    store.close().await.unwrap();
    drop(store);

    let store = open(dir.path(), 100);
    assert_eq!(store.client("c1").unwrap().unwrap(), client("c1"));
    assert_eq!(store.token(&[7; 32]).unwrap().unwrap().client_id, "c1");
    assert!(store.client("nope").unwrap().is_none());
    assert_eq!(store.clients(Some("generic")).unwrap().len(), 1);
    assert_eq!(
        store
            .count_clients_with("generic", "client_name", "demo")
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_clients_with("generic", "client_name", "other")
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_clients_with("stet", "client_name", "demo")
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn check_overrides_are_set_replaced_reverted_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let o = |profile: &str, check: &str, enabled| CheckOverride {
        profile: profile.into(),
        check: check.into(),
        enabled,
    };
    store
        .set_check_override("generic", "a", Some(false), 1)
        .await
        .unwrap();
    store
        .set_check_override("generic", "a", Some(true), 2)
        .await
        .unwrap();
    store
        .set_check_override("generic", "b", Some(false), 3)
        .await
        .unwrap();
    store
        .set_check_override("stet", "c", Some(false), 4)
        .await
        .unwrap();
    store.close().await.unwrap();
    drop(store);

    let store = open(dir.path(), 100);
    assert_eq!(
        store.check_overrides().unwrap(),
        vec![
            o("generic", "a", true),
            o("generic", "b", false),
            o("stet", "c", false)
        ]
    );
    store
        .set_check_override("generic", "a", None, 5)
        .await
        .unwrap();
    assert_eq!(store.check_overrides().unwrap().len(), 2);
    store.clear_check_overrides("generic").await.unwrap();
    assert_eq!(
        store.check_overrides().unwrap(),
        vec![o("stet", "c", false)]
    );
}

#[tokio::test]
async fn rotation_is_compare_and_swap() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(1, "c1"))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        store.rotate_token(&[1; 32], token(2, "c1")),
        store.rotate_token(&[1; 32], token(3, "c1")),
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|x| **x).count(), 1);
    assert!(store.token(&[1; 32]).unwrap().unwrap().revoked_at.is_some());
    let live = [2u8, 3]
        .iter()
        .filter(|h| store.token(&[**h; 32]).unwrap().is_some())
        .count();
    assert_eq!(live, 1, "only the winner's token exists");
}

#[tokio::test]
async fn an_update_with_a_stale_token_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(1, "c1"))
        .await
        .unwrap();
    let mut updated = client("c1");
    updated.metadata.insert("client_name".into(), json!("new"));
    assert!(store
        .replace_client(updated.clone(), &[1; 32], Some(token(2, "c1")))
        .await
        .unwrap());
    updated
        .metadata
        .insert("client_name".into(), json!("newer"));
    assert!(!store
        .replace_client(updated, &[1; 32], Some(token(3, "c1")))
        .await
        .unwrap());
    assert_eq!(
        store.client("c1").unwrap().unwrap().metadata["client_name"],
        "new"
    );
    assert!(store.token(&[3; 32]).unwrap().is_none());
}

#[tokio::test]
async fn deleting_a_client_revokes_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(1, "c1"))
        .await
        .unwrap();
    assert!(store
        .delete_client("c1", Some(&[1; 32]), 200)
        .await
        .unwrap());
    assert!(store.client("c1").unwrap().is_none());
    assert_eq!(
        store.token(&[1; 32]).unwrap().unwrap().revoked_at,
        Some(200)
    );
    assert!(
        !store.delete_client("c1", None, 300).await.unwrap(),
        "a second DELETE finds nothing to delete"
    );
}

#[tokio::test]
async fn an_update_never_brings_back_a_deleted_client() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(1, "c1"))
        .await
        .unwrap();
    // The update was decided while the client existed; the DELETE commits first.
    assert!(store.delete_client("c1", None, 200).await.unwrap());
    for rotation in [None, Some(token(2, "c1"))] {
        assert!(!store
            .replace_client(client("c1"), &[1; 32], rotation)
            .await
            .unwrap());
        assert!(store.client("c1").unwrap().is_none());
    }
    assert!(store.token(&[2; 32]).unwrap().is_none());
}

#[tokio::test]
async fn a_delete_with_a_rotated_away_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_client(client("c1"), token(1, "c1"))
        .await
        .unwrap();
    assert!(store
        .replace_client(client("c1"), &[1; 32], Some(token(2, "c1")))
        .await
        .unwrap());
    assert!(!store
        .delete_client("c1", Some(&[1; 32]), 200)
        .await
        .unwrap());
    assert!(store.client("c1").unwrap().is_some());
    assert!(store
        .delete_client("c1", Some(&[2; 32]), 200)
        .await
        .unwrap());
}

#[tokio::test]
async fn jti_replays_are_detected_until_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let now = 1_000_000_000_000;
    assert!(store.remember_jti("iss", "j1", now + 1000, now));
    assert!(!store.remember_jti("iss", "j1", now + 1000, now + 10));
    assert!(store.remember_jti("other", "j1", now + 1000, now + 10));
    assert!(
        store.remember_jti("iss", "j1", now + 3000, now + 2000),
        "expired entry no longer blocks"
    );
    // Stored with the next commit, and in force again after a restart.
    store.insert_trace(trace("t1", "generic", 0)).await.unwrap();
    assert!(store.remember_jti("iss", "j2", now + 1000, now));
    store.close().await.unwrap();
    drop(store);
    let store = open(dir.path(), 100);
    assert!(!store.remember_jti("iss", "j1", now + 5000, now + 2500));
    assert!(
        !store.remember_jti("iss", "j2", now + 5000, now + 20),
        "saved at close"
    );
    assert!(store.remember_jti("iss", "j3", now + 5000, now + 20));
}

#[tokio::test]
async fn a_forgotten_jti_is_free_again_saved_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let now = 1_000_000_000_000;
    // Given back before the writer saved it.
    assert!(store.remember_jti("iss", "a", now + 1000, now));
    store.forget_jti("iss", "a");
    assert!(store.remember_jti("iss", "a", now + 1000, now));
    // Given back after a commit saved it: gone from the database too.
    assert!(store.remember_jti("iss", "b", now + 1000, now));
    store.insert_trace(trace("t1", "generic", 0)).await.unwrap();
    store.forget_jti("iss", "b");
    store.close().await.unwrap();
    drop(store);
    let store = open(dir.path(), 100);
    assert!(!store.remember_jti("iss", "a", now + 1000, now), "kept");
    assert!(store.remember_jti("iss", "b", now + 1000, now), "forgotten");
}

#[tokio::test]
async fn concurrent_requests_with_one_jti_get_one_yes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path(), 100));
    let now = 1_000_000_000_000;
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || store.remember_jti("iss", "same", now + 60, now))
        })
        .collect();
    let yes = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|fresh| *fresh)
        .count();
    assert_eq!(yes, 1);
}

#[tokio::test]
async fn traces_are_listed_newest_first_filtered_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 10);
    for i in 0..25 {
        let profile = if i % 2 == 0 { "generic" } else { "stet" };
        let stored = store
            .insert_trace(trace(&format!("t{i}"), profile, (i % 3 == 0) as u32))
            .await
            .unwrap();
        assert_eq!(stored.seq, i + 1);
    }
    assert!(
        store.trace_count().unwrap() <= 11,
        "retention keeps about 10"
    );
    let all = store
        .traces(&TraceFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all[0].id, "t24");
    assert_eq!(all[0].seq, 25);
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq));
    let generic = store
        .traces(&TraceFilter {
            limit: 100,
            profile: Some("generic".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(generic.iter().all(|t| t.profile == "generic"));
    let failed = store
        .traces(&TraceFilter {
            limit: 100,
            outcome: Some("fail".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(!failed.is_empty() && failed.iter().all(|t| t.summary.fail > 0));
    let text = store
        .traces(&TraceFilter {
            limit: 100,
            text: Some("t23".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(text.len(), 1);
    let page = store
        .traces(&TraceFilter {
            limit: 2,
            before: Some(24),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.iter().map(|t| t.seq).collect::<Vec<_>>(), [23, 22]);
    let after = store.traces_after(22, 10).unwrap();
    assert_eq!(
        after.iter().map(|t| t.seq).collect::<Vec<_>>(),
        [23, 24, 25]
    );
    assert_eq!(store.trace("t20").unwrap().unwrap().seq, 21);
}

#[tokio::test]
async fn the_trace_hook_sees_every_trace_in_sequence_order() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            trace_retention: 1000,
            on_trace: Some(Arc::new(move |t| sink.lock().unwrap().push(t.seq))),
        },
    )
    .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .insert_trace(trace(&format!("t{i}"), "generic", 0))
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, (1..=50).collect::<Vec<u64>>());
}

#[tokio::test]
async fn directory_entries_and_their_status_persist() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let row = |id: &str, org: &str| DirectoryRow {
        id: id.into(),
        org_id: org.into(),
        status: DirectoryStatus::Active,
        record: json!({"name": id}),
        created_at: 5,
    };
    store
        .commit(
            vec![
                Write::Directory(DirKind::Org, row("o1", "o1")),
                Write::Directory(DirKind::Software, row("s1", "o1")),
                Write::Directory(DirKind::Software, row("s2", "o2")),
            ],
            trace("t1", "directory", 0),
        )
        .await
        .unwrap();
    store
        .commit(
            vec![Write::DirectoryStatus(
                DirKind::Software,
                "s1".into(),
                DirectoryStatus::Revoked,
            )],
            trace("t2", "directory", 0),
        )
        .await
        .unwrap();
    store.close().await.unwrap();
    let store = open(dir.path(), 100);
    assert_eq!(
        store
            .directory_entry(DirKind::Software, "s1")
            .unwrap()
            .unwrap()
            .status,
        DirectoryStatus::Revoked
    );
    assert_eq!(
        store
            .directory_entry(DirKind::Org, "o1")
            .unwrap()
            .unwrap()
            .record["name"],
        "o1"
    );
    assert_eq!(
        store
            .directory_entries(DirKind::Software, Some("o1"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .directory_entries(DirKind::Software, None)
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .directory_entry(DirKind::Certificate, "x")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn consuming_tokens_counts_down_and_spends_access_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let mut iat = token(9, "");
    iat.kind = TokenKind::Initial;
    iat.uses_left = Some(2);
    store.insert_token(iat).await.unwrap();
    assert!(store.consume_token(&[9; 32], 10).await.unwrap());
    assert!(store.consume_token(&[9; 32], 11).await.unwrap());
    assert!(!store.consume_token(&[9; 32], 12).await.unwrap(), "used up");
    assert_eq!(store.token(&[9; 32]).unwrap().unwrap().revoked_at, Some(11));
    let mut unlimited = token(8, "");
    unlimited.kind = TokenKind::Initial;
    store.insert_token(unlimited).await.unwrap();
    for now in 0..3 {
        assert!(store.consume_token(&[8; 32], now).await.unwrap());
    }
    let mut access = token(7, "c1");
    access.kind = TokenKind::Access;
    store.insert_token(access).await.unwrap();
    let (a, b) = tokio::join!(
        store.consume_token(&[7; 32], 5),
        store.consume_token(&[7; 32], 5)
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|x| **x).count(),
        1,
        "single use"
    );
}

#[tokio::test]
async fn traces_read_back_whatever_dictionary_they_were_compressed_with() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store
        .insert_trace(trace("current", "generic", 0))
        .await
        .unwrap();
    store.close().await.unwrap();
    drop(store);

    // Rows as an older mockbank wrote them: no dictionary, or another catalogue's.
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let old_dict = b"{\"id\":\"an.old.check\",\"title\":\"Old\"".to_vec();
    conn.execute(
        "INSERT INTO trace_dicts (id, content) VALUES (42, ?1)",
        rusqlite::params![old_dict],
    )
    .unwrap();
    let insert = |id: &str, body: Vec<u8>, dict: Option<i64>| {
        conn.execute(
            "INSERT INTO traces (id, time_ms, profile, method, path, status, client_id, failed, search, body, dict)
             VALUES (?1, 1, 'generic', 'POST', '/generic/register', 201, NULL, 0, '', ?2, ?3)",
            rusqlite::params![id, body, dict],
        )
        .unwrap();
    };
    let json = |id: &str| serde_json::to_vec(&trace(id, "generic", 0)).unwrap();
    insert(
        "plain",
        lz4_flex::compress_prepend_size(&json("plain")),
        None,
    );
    insert(
        "older",
        lz4_flex::block::compress_prepend_size_with_dict(&json("older"), &old_dict),
        Some(42),
    );
    drop(conn);

    let store = open(dir.path(), 100);
    for id in ["current", "plain", "older"] {
        assert_eq!(store.trace(id).unwrap().unwrap().id, id);
    }
    assert_eq!(
        store
            .traces(&TraceFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn the_dictionary_makes_stored_traces_smaller() {
    // A trace as the server writes them: every check that ran, with its catalogue texts.
    let mut t = trace("size", "generic", 0);
    t.checks = mockbank_core::checks::catalogue()
        .take(45)
        .map(|def| mockbank_core::trace::CheckResult {
            id: def.id.into(),
            title: def.title.into(),
            spec: def.spec.into(),
            outcome: mockbank_core::trace::OutcomeKind::Pass,
            detail: format!("{} holds", def.id),
            values: Default::default(),
            severity: Default::default(),
            duration_us: 0,
        })
        .collect();
    // What is stored: the storage form, compressed with the dictionary…
    let stored = mockbank_core::trace::in_storage_form(|| serde_json::to_vec(&t)).unwrap();
    let without_dict = lz4_flex::compress_prepend_size(&stored).len();
    let full = lz4_flex::compress_prepend_size(&serde_json::to_vec(&t).unwrap()).len();
    let with_dict = writer::TraceRow::new(t).unwrap().body.len();
    // …is smaller than the full JSON compressed, and than the storage form alone.
    assert!(
        with_dict * 2 < full,
        "{with_dict} bytes stored, {full} for the full JSON"
    );
    assert!(
        with_dict < without_dict,
        "{with_dict} bytes with the dictionary, {without_dict} without"
    );
}

#[tokio::test]
async fn cached_directory_reads_see_every_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let row = |status: DirectoryStatus| DirectoryRow {
        id: "s1".into(),
        org_id: "o1".into(),
        status,
        record: json!({"name": "s1"}),
        created_at: 5,
    };
    // Absent, and cached as absent…
    assert!(store
        .directory_entry(DirKind::Software, "s1")
        .unwrap()
        .is_none());
    assert!(store
        .directory_entry(DirKind::Software, "s1")
        .unwrap()
        .is_none());
    // …until it is written: the next read sees it.
    store
        .commit(
            vec![Write::Directory(
                DirKind::Software,
                row(DirectoryStatus::Active),
            )],
            trace("t1", "directory", 0),
        )
        .await
        .unwrap();
    for _ in 0..2 {
        let got = store.directory_entry(DirKind::Software, "s1").unwrap();
        assert_eq!(got.unwrap().status, DirectoryStatus::Active);
    }
    store
        .commit(
            vec![Write::DirectoryStatus(
                DirKind::Software,
                "s1".into(),
                DirectoryStatus::Revoked,
            )],
            trace("t2", "directory", 0),
        )
        .await
        .unwrap();
    let got = store.directory_entry(DirKind::Software, "s1").unwrap();
    assert_eq!(got.unwrap().status, DirectoryStatus::Revoked);
}

#[test]
fn a_read_that_started_before_a_write_does_not_cache_its_old_answer() {
    let cache = dir_cache::DirCache::default();
    let generation = cache.get(DirKind::Org, "o1").unwrap_err();
    // A write commits while the read is at the database.
    cache.invalidate();
    cache.put(generation, DirKind::Org, "o1", None);
    assert!(
        cache.get(DirKind::Org, "o1").is_err(),
        "a stale answer was cached"
    );
}

#[tokio::test]
async fn a_failed_commit_stores_nothing_and_gives_the_trace_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    store.insert_token(token(9, "c1")).await.unwrap();
    // The same token hash again: the commit fails, with the trace of the request.
    let failed = store
        .commit(
            vec![Write::Token(token(9, "c1"))],
            trace("t-failed", "generic", 0),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(failed.error, StoreError::Sqlite(_)),
        "{:?}",
        failed.error
    );
    assert_eq!(failed.trace.unwrap().id, "t-failed");
    assert!(
        store.trace("t-failed").unwrap().is_none(),
        "half a commit was stored"
    );
    // The writer goes on.
    store
        .insert_trace(trace("t-next", "generic", 0))
        .await
        .unwrap();
    assert!(store.trace("t-next").unwrap().is_some());
}

#[test]
fn the_search_text_keeps_the_start_of_long_bodies_whole_characters_only() {
    let mut t = trace("t-long", "generic", 0);
    t.response.body = serde_json::Value::String("é".repeat(10_000));
    let row = crate::writer::TraceRow::new(t).unwrap();
    // id, method, path, status, (no client), (no check), request body, response body
    let response_part = row.search.rsplit(' ').next().unwrap();
    assert!(
        response_part.starts_with("\"éé"),
        "{}",
        &response_part[..10]
    );
    assert!(response_part.len() <= 4096 && response_part.len() > 4090);
}

#[tokio::test]
async fn leftovers_are_listed_while_they_exist_and_cleared_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 100);
    let row = |id: &str, org: &str| DirectoryRow {
        id: id.into(),
        org_id: org.into(),
        status: DirectoryStatus::Active,
        record: json!({"name": id}),
        created_at: 5,
    };
    let leftover = |kind, id: &str| Write::Leftover {
        kind,
        id: id.into(),
        tool: "compare".into(),
        now: 6,
    };
    store
        .commit(
            vec![
                Write::Client(client("made"), Some(token(1, "made"))),
                Write::Client(client("kept"), Some(token(2, "kept"))),
                Write::Directory(DirKind::Org, row("o1", "o1")),
                Write::Directory(DirKind::Software, row("s1", "o1")),
                Write::Bundle("s1".into(), json!({"software_id": "s1"})),
                Write::Directory(DirKind::Org, row("o2", "o2")),
                Write::Directory(DirKind::Software, row("s2", "o2")),
                leftover(LeftoverKind::Client, "made"),
                leftover(LeftoverKind::Client, "gone-already"),
                leftover(LeftoverKind::Org, "o1"),
            ],
            trace("t1", "admin", 0),
        )
        .await
        .unwrap();
    assert_eq!(
        store.leftovers().unwrap(),
        Leftovers {
            clients: vec!["made".into()],
            software: vec!["s1".into()],
        },
        "only what still exists"
    );
    store
        .commit(
            vec![Write::ClearLeftovers { now: 7 }],
            trace("t2", "admin", 0),
        )
        .await
        .unwrap();
    assert_eq!(store.leftovers().unwrap(), Leftovers::default());
    assert!(store.client("made").unwrap().is_none());
    assert_eq!(store.token(&[1; 32]).unwrap().unwrap().revoked_at, Some(7));
    assert!(
        store.client("kept").unwrap().is_some(),
        "untagged clients stay"
    );
    assert!(store.directory_entry(DirKind::Org, "o1").unwrap().is_none());
    assert!(store
        .directory_entry(DirKind::Software, "s1")
        .unwrap()
        .is_none());
    assert!(store.directory_bundle("s1").unwrap().is_none());
    assert!(store
        .directory_entry(DirKind::Software, "s2")
        .unwrap()
        .is_some());
}
