//! Search and listing: a tantivy index derived from the store.
//!
//! - The index holds one document per *published* course (title, subtitle, description, lesson
//!   and module titles, teacher name; filter and sort columns).
//! - It records the store position it reflects in its commit payload. A single indexer task
//!   follows the store's position and applies the change log: after a write, search sees it
//!   within about a second (usually milliseconds).
//! - It is derived data: missing, unreadable or from another schema version, it is rebuilt from
//!   redb (`lectern reindex` does the same on demand). Deleting the directory loses nothing.

pub mod listing;
pub mod query;
pub mod routes;
pub mod schema;
pub mod snippet;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use tokio::sync::watch;

use crate::catalog::repo as catalog;
use crate::error::{Error, Result};
use crate::ids::{CourseId, UserId};
use crate::schema::COURSES;
use crate::store::{Store, position_in};
pub use query::{Facets, Filters, ListQuery, ListResult, Sort};
use schema::{Fields, SCHEMA_VERSION};

#[derive(Serialize, Deserialize)]
struct Payload {
    schema: u32,
    position: u64,
}

pub struct Search {
    dir: PathBuf,
    reader: IndexReader,
    fields: Fields,
    /// `None` once closed (see [`Search::run`]).
    writer: Mutex<Option<IndexWriter>>,
    indexed: AtomicU64,
    ready: AtomicBool,
    store: Store,
    /// Course descriptions tokenised for snippets (about 1 KB a course).
    pub snippet_sources: snippet::Sources,
    /// What queries remember for the index as it is now (counts of listings, typo forms).
    memos: query::Memos,
    /// `lectern_search_duration_seconds`, kept rather than looked up by name per search.
    timed: metrics::Histogram,
}

/// The indexing arena. A catalog's documents are small: 20 MB holds thousands, and memory held
/// here stays held (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 20_000_000;
/// Courses whose tokenised descriptions are kept for snippets.
const SNIPPET_SOURCES: usize = 20_000;
const CHANGES_PER_BATCH: usize = 20_000;

/// Every commit adds a small segment (a course edited, a student count moved), and every search
/// looks each term up in every segment: small segments are merged as soon as there are two of
/// them (tantivy's default waits for 8), and a segment with a fifth of its documents deleted is
/// rewritten. Segments under 1,000 documents count as one level, so the small ones merge with
/// each other, not each time with the big one.
fn merge_policy() -> tantivy::merge_policy::LogMergePolicy {
    let mut p = tantivy::merge_policy::LogMergePolicy::default();
    p.set_min_num_segments(2);
    p.set_min_layer_size(1_000);
    p.set_del_docs_ratio_before_merge(0.2);
    p
}

impl Search {
    /// Opens the index in `dir`, rebuilding it from the store when it is missing, unreadable or
    /// from another schema version, and catching it up with the store otherwise.
    pub fn open(dir: &Path, store: Store) -> anyhow::Result<Search> {
        match Search::open_with(dir, store.clone(), false) {
            Ok(search) => Ok(search),
            // Derived data: an index that cannot be opened (a crash left it half-written) is
            // rebuilt from the store rather than keeping the school offline.
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "the search index could not be opened: rebuilding it from the store");
                Search::open_with(dir, store, true)
            }
        }
    }

    /// Opens the index in `dir` (or, with `fresh`, or when it is missing or of another schema,
    /// replaces it with one built from the store) and brings it up to date.
    fn open_with(dir: &Path, store: Store, fresh: bool) -> anyhow::Result<Search> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let (schema, fields) = schema::schema();
        let existing = (!fresh).then(|| Index::open_in_dir(dir).ok()).flatten().and_then(|index| {
            let payload: Payload = serde_json::from_str(index.load_metas().ok()?.payload.as_deref()?).ok()?;
            (payload.schema == SCHEMA_VERSION && index.schema() == schema)
                .then_some((index, payload.position))
        });
        let (index, position, fresh) = match existing {
            Some((index, position)) => (index, position, false),
            None => {
                // Derived data: whatever is there is replaced.
                for entry in std::fs::read_dir(dir)? {
                    let p = entry?.path();
                    if p.is_dir() { std::fs::remove_dir_all(&p)? } else { std::fs::remove_file(&p)? }
                }
                (Index::create_in_dir(dir, schema)?, 0, true)
            }
        };
        schema::register(&index);
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::new(merge_policy()));
        if !fresh {
            // A process killed mid-commit leaves files no commit names (a `.del` file of an
            // opstamp that never became visible); writing them again would fail, so they go.
            writer.garbage_collect_files().wait()?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let search = Search {
            dir: dir.to_owned(),
            reader,
            fields,
            writer: Mutex::new(Some(writer)),
            indexed: AtomicU64::new(position),
            ready: AtomicBool::new(false),
            store,
            snippet_sources: snippet::Sources::new(SNIPPET_SOURCES),
            memos: query::Memos::default(),
            timed: metrics::histogram!("lectern_search_duration_seconds"),
        };
        if fresh {
            let t = Instant::now();
            let n = search.rebuild()?;
            tracing::info!(
                courses = n,
                ms = t.elapsed().as_millis() as u64,
                "search index built from the store"
            );
        } else {
            search.catch_up()?;
        }
        search.ready.store(true, Ordering::Release);
        Ok(search)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The store position the searchable index reflects.
    pub fn position(&self) -> u64 {
        self.indexed.load(Ordering::Acquire)
    }

    fn commit(&self, writer: &mut IndexWriter, position: u64) -> anyhow::Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&Payload { schema: SCHEMA_VERSION, position })?);
        prepared.commit()?;
        self.reader.reload()?;
        self.indexed.store(position, Ordering::Release);
        Ok(())
    }

    /// Replaces the whole index with the published courses in the store. Blocking.
    pub fn rebuild(&self) -> anyhow::Result<usize> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = guard.as_mut().context("the search index is closed")?;
        writer.delete_all_documents()?;
        let (position, n) = self.store.read_now(|rtx| {
            let position = position_in(rtx)?;
            let mut n = 0;
            let mut after: Option<u128> = None;
            loop {
                let chunk = match after {
                    None => COURSES.range(rtx, .., false, 1000)?,
                    Some(k) => COURSES.range(
                        rtx,
                        (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded),
                        false,
                        1000,
                    )?,
                };
                let Some((last, _)) = chunk.last() else { break };
                after = Some(*last);
                for (_, c) in chunk.into_iter().filter(|(_, c)| c.is_published()) {
                    let doc = self.document(rtx, &c)?;
                    writer.add_document(doc).map_err(|e| Error::Internal(e.into()))?;
                    n += 1;
                }
            }
            Ok((position, n))
        })?;
        self.commit(writer, position)?;
        Ok(n)
    }

    fn document(
        &self,
        rtx: &redb::ReadTransaction,
        c: &catalog::CourseRecord,
    ) -> Result<tantivy::TantivyDocument> {
        let cur = catalog::curriculum(rtx, c.id)?;
        let teacher = crate::identity::repo::user(rtx, c.teacher_id)?.map(|u| u.name).unwrap_or_default();
        Ok(schema::document(&self.fields, c, &cur, &teacher))
    }

    /// Applies the change log after the indexed position. Blocking. Returns the new position.
    pub fn catch_up(&self) -> anyhow::Result<u64> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = guard.as_mut().context("the search index is closed")?;
        loop {
            let from = self.position();
            let changes = self.store.changes_after(from, CHANGES_PER_BATCH)?;
            let Some((last, _)) = changes.last() else { return Ok(from) };
            let last = *last;
            let mut courses = BTreeSet::new();
            let mut teachers = BTreeSet::new();
            for (_, ch) in &changes {
                match ch.entity.as_str() {
                    "course" => {
                        courses.insert(ch.id);
                    }
                    "user" => {
                        teachers.insert(ch.id);
                    }
                    _ => {}
                }
            }
            self.store.read_now(|rtx| {
                for t in &teachers {
                    for c in catalog::teacher_course_ids(rtx, UserId::from_key(*t))? {
                        courses.insert(c.key());
                    }
                }
                for id in &courses {
                    let course_id = CourseId::from_key(*id);
                    writer.delete_term(Term::from_field_text(self.fields.id, &course_id.to_string()));
                    if let Some(c) = catalog::course(rtx, course_id)?
                        && c.is_published()
                    {
                        let doc = self.document(rtx, &c)?;
                        writer.add_document(doc).map_err(|e| Error::Internal(e.into()))?;
                    }
                }
                Ok(())
            })?;
            self.commit(writer, last)?;
        }
    }

    /// Follows the store until `stop`: every commit that moves the store position is applied.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut positions = self.store.subscribe();
        loop {
            let target = *positions.borrow_and_update();
            if target > self.position() {
                let this = self.clone();
                match tokio::task::spawn_blocking(move || this.catch_up()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "search indexing failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                    Err(e) => tracing::error!(error = %e, "search indexing task failed"),
                }
                continue;
            }
            tokio::select! {
                r = positions.changed() => if r.is_err() { break },
                _ = stop.changed() => break,
            }
        }
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || this.close()).await;
    }

    /// Stops indexing and lets the merges in progress finish, so the directory is left as a
    /// commit names it (a merge writing on after the process moved on raced with whatever
    /// came next, such as a restore replacing the directory).
    fn close(&self) {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = writer
            && let Err(e) = w.wait_merging_threads()
        {
            tracing::warn!(error = %e, "search index merges did not finish");
        }
    }

    /// Waits until the index reflects `position` (tests, and after bulk loads).
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.position() < position {
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    pub fn list(&self, q: &ListQuery) -> Result<ListResult> {
        let started = Instant::now();
        let r = query::run(&self.reader.searcher(), &self.fields, q, &self.memos);
        self.timed.record(started.elapsed().as_secs_f64());
        r
    }

    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<CourseId>> {
        query::suggest(&self.reader.searcher(), &self.fields, prefix, limit)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}
