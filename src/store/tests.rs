use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::clock::Timestamp;
use crate::error::Code;
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::UserId;
use crate::schema::*;

const COUNTERS: Table<u64, u64> = Table::new("test_counters");

fn user(email: &str, role: Role) -> UserRecord {
    UserRecord {
        id: UserId::generate(),
        email: email.into(),
        name: "Test".into(),
        role,
        password_hash: "x".into(),
        email_verified: false,
        locale: "en".into(),
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
        password_changed_at: None,
        bio_html: String::new(),
        locked_at: None,
        deleted_at: None,
        verified_at: None,
        last_active_at: None,
    }
}

#[tokio::test]
async fn writes_are_durable_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    store.write(|tx| Ok(tx.put(COUNTERS, &1, &41)?)).await.unwrap();
    store.close().await;
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let v = store.read(|rtx| Ok(COUNTERS.get(rtx, &1)?)).await.unwrap();
    assert_eq!(v, Some(41));
}

/// What a crash would leave: the database file as it is on disk now, opened elsewhere.
fn on_disk_now(dir: &std::path::Path) -> (tempfile::TempDir, Store) {
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join(DB_FILE), copy.path().join(DB_FILE)).unwrap();
    let store = Store::open(copy.path(), &SCHEMA).unwrap();
    (copy, store)
}

#[tokio::test]
async fn an_unsynced_write_is_seen_at_once_and_reaches_the_disk_with_the_next_durable_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    store.write(|tx| Ok(tx.put(COUNTERS, &1, &1)?)).await.unwrap();
    store.write_unsynced(|tx| Ok(tx.put(COUNTERS, &1, &2)?)).await.unwrap();
    let seen = store.read(|rtx| Ok(COUNTERS.get(rtx, &1)?)).await.unwrap();
    assert_eq!(seen, Some(2), "readers see an unsynced write as soon as it is acknowledged");
    let (_c, crashed) = on_disk_now(dir.path());
    let kept = crashed.read(|rtx| Ok(COUNTERS.get(rtx, &1)?)).await.unwrap();
    assert_eq!(kept, Some(1), "a crash now would lose the unsynced write");
    crashed.close().await;

    // Any durable write after it carries it to the disk.
    store.write(|tx| Ok(tx.put(COUNTERS, &2, &1)?)).await.unwrap();
    let (_c, crashed) = on_disk_now(dir.path());
    let kept = crashed.read(|rtx| Ok(COUNTERS.get(rtx, &1)?)).await.unwrap();
    assert_eq!(kept, Some(2));
    crashed.close().await;

    // A unit that records a change, or asks for it, is durable even when submitted unsynced.
    let pos = store.write_unsynced(|tx| Ok(tx.record_change("course", 7)?)).await.unwrap();
    let (_c, crashed) = on_disk_now(dir.path());
    assert_eq!(crashed.position().unwrap(), pos, "the change log never runs ahead of the disk");
    crashed.close().await;
    store
        .write_unsynced(|tx| {
            tx.sync();
            Ok(tx.put(COUNTERS, &3, &3)?)
        })
        .await
        .unwrap();
    let (_c, crashed) = on_disk_now(dir.path());
    let kept = crashed.read(|rtx| Ok(COUNTERS.get(rtx, &3)?)).await.unwrap();
    assert_eq!(kept, Some(3));
    crashed.close().await;
    store.close().await;
}

#[tokio::test]
async fn a_table_version_moves_after_a_commit_that_wrote_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let before = store.version_of(USERS);
    let teacher = user("t@school.test", Role::Teacher);
    store.write(move |tx| Ok(tx.put(USERS, &teacher.id.key(), &teacher)?)).await.unwrap();
    let after = store.version_of(USERS);
    assert!(after > before, "a commit that wrote USERS moved its version");
    store.write(|tx| Ok(tx.put(COUNTERS, &1, &1)?)).await.unwrap();
    // A unit that failed after writing is replayed without it: nothing of it committed.
    let failed = store
        .write(|tx| {
            tx.put(USERS, &UserId::generate().key(), &user("x@school.test", Role::Student))?;
            Err::<(), _>(crate::error::Error::NotFound)
        })
        .await;
    assert!(failed.is_err());
    // (Tables sharing a version slot move together; these two do not share one.)
    assert_ne!(TableVersions::bit(COUNTERS.name()), TableVersions::bit(USERS.name()));
    assert_eq!(store.version_of(USERS), after, "neither another table nor a failed unit moves it");
}

#[tokio::test]
async fn concurrent_units_share_commits_and_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let mut handles = Vec::new();
    for i in 0..500u64 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            s.write(move |tx| {
                let n = tx.get(COUNTERS, &0)?.unwrap_or(0);
                tx.put(COUNTERS, &0, &(n + 1))?;
                tx.put(COUNTERS, &(i + 1), &i)?;
                Ok(())
            })
            .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    let total = store.read(|rtx| Ok(COUNTERS.get(rtx, &0)?)).await.unwrap();
    assert_eq!(total, Some(500), "read-modify-write units never lose an update");
    let rows = store.read(|rtx| Ok(COUNTERS.len(rtx)?)).await.unwrap();
    assert_eq!(rows, 501);
}

#[tokio::test]
async fn a_unit_failing_after_writing_leaves_nothing_and_spares_its_batch_mates() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for i in 0..200u64 {
        let s = store.clone();
        let runs = runs.clone();
        handles.push(tokio::spawn(async move {
            s.write(move |tx| {
                runs.fetch_add(1, Ordering::Relaxed);
                tx.put(COUNTERS, &i, &i)?;
                if i % 10 == 3 {
                    return Err(Error::Conflict {
                        code: Code::SlugTaken,
                        detail: "fails after writing".into(),
                    });
                }
                if i % 10 == 7 {
                    panic!("a buggy unit");
                }
                Ok(i)
            })
            .await
        }));
    }
    let mut ok = 0;
    for (i, h) in handles.into_iter().enumerate() {
        match h.await.unwrap() {
            Ok(v) => {
                assert_eq!(v, i as u64);
                ok += 1;
            }
            Err(e) => assert!(i % 10 == 3 || i % 10 == 7, "unit {i} failed: {e}"),
        }
    }
    assert_eq!(ok, 160);
    for i in 0..200u64 {
        let v = store.read(move |rtx| Ok(COUNTERS.get(rtx, &i)?)).await.unwrap();
        if i % 10 == 3 || i % 10 == 7 {
            assert_eq!(v, None, "failed unit {i} left a write behind");
        } else {
            assert_eq!(v, Some(i), "unit {i} was lost");
        }
    }
    // The writer survived the panics.
    store.write(|tx| Ok(tx.put(COUNTERS, &999, &1)?)).await.unwrap();
}

#[tokio::test]
async fn a_clean_failure_does_not_replay_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..101).map(|_| AtomicUsize::new(0)).collect());
    let mut handles = Vec::new();
    for i in 0..101u64 {
        let (s, runs) = (store.clone(), runs.clone());
        handles.push(tokio::spawn(async move {
            s.write(move |tx| {
                runs[i as usize].fetch_add(1, Ordering::Relaxed);
                if i == 50 {
                    // Reads, then fails without writing.
                    if tx.get(COUNTERS, &12345)?.is_none() {
                        return Err(Error::NotFound);
                    }
                }
                tx.put(COUNTERS, &i, &i)?;
                Ok(())
            })
            .await
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        let r = h.await.unwrap();
        assert_eq!(r.is_err(), i == 50, "unit {i}");
    }
    for (i, n) in runs.iter().enumerate() {
        assert_eq!(n.load(Ordering::Relaxed), 1, "unit {i} ran more than once");
    }
}

#[tokio::test]
async fn change_log_positions_grow_with_each_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    assert_eq!(store.position().unwrap(), 0);
    store
        .write(|tx| {
            tx.record_change("user", 1)?;
            tx.record_change("user", 2)?;
            Ok(())
        })
        .await
        .unwrap();
    store.write(|tx| Ok(tx.record_change("course", 3)?)).await.unwrap();
    assert_eq!(store.position().unwrap(), 3);
    let after1 = store.changes_after(1, 10).unwrap();
    assert_eq!(after1.iter().map(|(p, c)| (*p, c.id)).collect::<Vec<_>>(), vec![(2, 2), (3, 3)]);
    let removed = store.write(|tx| Ok(tx.truncate_changes(2, 100)?)).await.unwrap();
    assert_eq!(removed, 2);
    assert_eq!(store.changes_after(0, 10).unwrap().len(), 1);
    assert_eq!(store.position().unwrap(), 3, "truncating the log does not move the position");
}

#[tokio::test]
async fn upgrades_a_version_1_database_and_backfills_the_role_index() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, student) = (user("a@x.org", Role::Admin), user("s@x.org", Role::Student));
    {
        let v1 = Store::open_at(dir.path(), &SCHEMA, 1).unwrap();
        let (a, s) = (admin.clone(), student.clone());
        v1.write(move |tx| {
            for u in [&a, &s] {
                tx.put(USERS, &u.id.key(), u)?;
                tx.put(USERS_BY_EMAIL, &u.email, &u.id.key())?;
            }
            Ok(())
        })
        .await
        .unwrap();
        let has_index = v1.read(|rtx| Ok(rtx.open_table(USERS_BY_ROLE.def()).is_ok())).await.unwrap();
        assert!(!has_index, "version 1 had no role index");
        v1.close().await;
    }
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let version = store.read(|rtx| Ok(META.get(rtx, &"schema_version".to_owned())?)).await.unwrap();
    assert_eq!(version, Some(SCHEMA_VERSION));
    let admin_key = admin.id.key();
    let found = store
        .read(move |rtx| Ok(USERS_BY_ROLE.range(rtx, (3u8, 0)..=(3u8, u128::MAX), false, 10)?))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, (3, admin_key));
    assert!(store.read_now(|rtx| Ok(crate::identity::repo::any_with_role(rtx, Role::Student)?)).unwrap());
}

#[tokio::test]
async fn version_6_gives_existing_active_enrollments_reminder_state() {
    use crate::learning::repo::{EnrollmentRecord, EnrollmentStatus};
    let dir = tempfile::tempdir().unwrap();
    let (active, done, course) = (UserId::generate().key(), UserId::generate().key(), 7u128);
    {
        let v5 = Store::open_at(dir.path(), &SCHEMA, 5).unwrap();
        v5.write(move |tx| {
            for (u, status) in [(active, EnrollmentStatus::Active), (done, EnrollmentStatus::Completed)] {
                let e = EnrollmentRecord {
                    status,
                    enrolled_at: Timestamp(1_000),
                    completed_at: None,
                    completed_lessons: 0,
                    last_activity_at: None,
                };
                tx.put(ENROLLMENTS, &(u, course), &e)?;
            }
            Ok(())
        })
        .await
        .unwrap();
        v5.close().await;
    }
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let (states, due) = store
        .read(move |rtx| Ok((REMINDERS.range(rtx, .., false, 10)?, REMINDERS_DUE.range(rtx, .., false, 10)?)))
        .await
        .unwrap();
    assert_eq!(states.len(), 1, "only the unfinished enrollment");
    assert_eq!(states[0].0, (active, course));
    assert_eq!((states[0].1.sent, states[0].1.due), (0, Some(1_000)));
    assert_eq!(due.iter().map(|(k, ())| *k).collect::<Vec<_>>(), vec![(1_000, active, course)]);
}

#[tokio::test]
async fn refuses_a_database_from_a_newer_version_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    store.write(|tx| Ok(tx.put(META, &"schema_version".to_owned(), &(SCHEMA_VERSION + 1))?)).await.unwrap();
    store.close().await;
    // Refused, and still refused: the first attempt changed nothing (no migration ran).
    for _ in 0..2 {
        match Store::open(dir.path(), &SCHEMA) {
            Err(StoreError::TooNew { found, supported }) => {
                assert_eq!(found, SCHEMA_VERSION + 1);
                assert_eq!(supported, SCHEMA_VERSION);
            }
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("opened a database from the future"),
        }
    }
}

#[tokio::test]
async fn a_second_process_cannot_open_the_same_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let _store = Store::open(dir.path(), &SCHEMA).unwrap();
    assert!(matches!(Store::open(dir.path(), &SCHEMA), Err(StoreError::InUse(_))));
}

#[tokio::test]
async fn range_reads_stop_at_the_limit_in_either_direction() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    store
        .write(|tx| {
            for i in 0..50u64 {
                tx.put(COUNTERS, &i, &i)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let (fwd, back) = store
        .read(|rtx| Ok((COUNTERS.range(rtx, 10.., false, 3)?, COUNTERS.range(rtx, ..10, true, 3)?)))
        .await
        .unwrap();
    assert_eq!(fwd.iter().map(|r| r.0).collect::<Vec<_>>(), vec![10, 11, 12]);
    assert_eq!(back.iter().map(|r| r.0).collect::<Vec<_>>(), vec![9, 8, 7]);
}

#[tokio::test]
async fn version_12_backfills_the_analytics_counters_from_the_records() {
    use crate::analytics::counters;
    use crate::commerce::ledger::{self, TxKind, entry};
    use crate::commerce::repo::{OrderRecord, OrderStatus, Provider};
    use crate::ids::{CourseId, OrderId, ReviewId};
    use crate::learning::repo::{EnrollmentRecord, EnrollmentStatus, ReviewRecord, ReviewStatus};
    const DAY: i64 = crate::clock::DAY_MS;
    let dir = tempfile::tempdir().unwrap();
    let (a, b, course, lesson) = (UserId::generate(), UserId::generate(), CourseId::generate(), 99u128);
    {
        let v10 = Store::open_at(dir.path(), &SCHEMA, 10).unwrap();
        v10.write(move |tx| {
            for (u, status, day) in [(a, EnrollmentStatus::Completed, 10), (b, EnrollmentStatus::Active, 11)]
            {
                let e = EnrollmentRecord {
                    status,
                    enrolled_at: Timestamp(day * DAY),
                    completed_at: (status == EnrollmentStatus::Completed).then_some(Timestamp(12 * DAY)),
                    completed_lessons: 1,
                    last_activity_at: None,
                };
                tx.put(ENROLLMENTS, &(u.key(), course.key()), &e)?;
                tx.put(ENROLLMENTS_BY_COURSE, &(course.key(), u.key()), &())?;
                tx.put(COMPLETIONS, &(u.key(), course.key(), lesson), &Timestamp(12 * DAY + 5))?;
                tx.put(COMPLETIONS_BY_LESSON, &(lesson, u.key()), &())?;
            }
            for (author, rating, status) in [(a, 5, ReviewStatus::Published), (b, 2, ReviewStatus::Hidden)] {
                let r = ReviewRecord {
                    id: ReviewId::generate(),
                    course_id: course,
                    author_id: author,
                    rating,
                    text_md: "ok".into(),
                    text_html: "ok".into(),
                    created_at: Timestamp(0),
                    updated_at: Timestamp(0),
                    status,
                    flags: Vec::new(),
                    evidence: Vec::new(),
                };
                tx.put(REVIEWS, &r.id.key(), &r)?;
            }
            let o = OrderRecord {
                id: OrderId::generate(),
                buyer_id: a,
                course_id: course,
                status: OrderStatus::PartiallyRefunded,
                amount_minor: 1000,
                discount_minor: 0,
                currency: "USD".into(),
                coupon: None,
                provider: Provider::Test,
                provider_ref: None,
                redirect_url: None,
                created_at: Timestamp(0),
                updated_at: Timestamp(0),
                paid_at: Some(Timestamp(10 * DAY)),
                refunded_minor: 300,
                refund_asked_minor: 300,
                payment_ref: None,
                share: None,
                refund_request: None,
                disputed: false,
            };
            tx.put(ORDERS, &o.id.key(), &o)?;
            let p = ledger::provider("test");
            let sale = vec![entry(p.clone(), "USD", 1000), entry(ledger::REVENUE, "USD", -1000)];
            ledger::post(tx, TxKind::Sale, Some(o.id), None, sale, Timestamp(10 * DAY + 1))?;
            let back = vec![entry(p, "USD", -300), entry(ledger::REVENUE, "USD", 300)];
            ledger::post(tx, TxKind::Refund, Some(o.id), None, back, Timestamp(13 * DAY))?;
            Ok(())
        })
        .await
        .unwrap();
        v10.close().await;
    }
    let store = Store::open(dir.path(), &SCHEMA).unwrap();
    let (problems, x) = store.read(|rtx| Ok((counters::verify(rtx)?, counters::stored(rtx)?))).await.unwrap();
    assert_eq!(problems, Vec::<String>::new());
    let c = course.key();
    assert_eq!(x.days[&(c, 10)].enrollments, 1);
    assert_eq!(x.days[&(c, 11)].enrollments, 1);
    assert_eq!(x.days[&(c, 12)].completions, 1);
    assert_eq!(x.lessons[&lesson], 2);
    assert_eq!(x.ratings.get(&(c, 5)), Some(&1));
    assert_eq!(x.ratings.get(&(c, 2)), None, "hidden reviews do not count");
    assert_eq!(x.money[&(c, 10, "USD".to_owned())].sales_minor, 1000);
    assert_eq!(x.money[&(c, 13, "USD".to_owned())].refunds_minor, 300);
    // The last activity is the last completion, in the record and in the index.
    assert!(x.activity.contains(&(c, 12 * DAY + 5, a.key())));
    let e =
        store.read(move |rtx| Ok(crate::learning::repo::enrollment(rtx, a, course)?)).await.unwrap().unwrap();
    assert_eq!(e.last_activity_at, Some(Timestamp(12 * DAY + 5)));
}
