//! Turning a catalog request into a tantivy query, and running it.

use std::hash::Hash;
use std::ops::Bound;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::index::SegmentReader;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Order, Score, Searcher, Term};

use super::schema::{Fields, TEXT, WORDS, level_code};
use super::snippet::Highlight;
use crate::cache::Memo;
use crate::catalog::types::Level;
use crate::error::{Error, Result};
use crate::ids::CourseId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Created,
    Rating,
    Price,
    Popularity,
    Relevance,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "created_at" | "newest" => Sort::Created,
            "avg_rating" | "rating" => Sort::Rating,
            "price" => Sort::Price,
            "popularity" => Sort::Popularity,
            "relevance" => Sort::Relevance,
            _ => return None,
        })
    }

    fn tag(self) -> u8 {
        match self {
            Sort::Created => b'c',
            Sort::Rating => b'r',
            Sort::Price => b'p',
            Sort::Popularity => b'n',
            Sort::Relevance => b's',
        }
    }

    fn key_field(self, f: &Fields) -> Option<Field> {
        match self {
            Sort::Created => Some(f.k_created),
            Sort::Rating => Some(f.k_rating),
            Sort::Price => Some(f.k_price),
            Sort::Popularity => Some(f.k_popularity),
            Sort::Relevance => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filters {
    pub category: Option<u64>,
    pub level: Option<Level>,
    pub is_free: Option<bool>,
    pub min_price: Option<u64>,
    pub max_price: Option<u64>,
    pub language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub q: Option<String>,
    pub filters: Filters,
    pub sort: Sort,
    pub descending: bool,
    pub limit: usize,
    pub cursor: Option<String>,
    pub facets: bool,
    pub snippets: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub categories: FxHashMap<u64, u64>,
    /// Courses per level code (1..=3).
    pub levels: [u64; 4],
    pub free: u64,
    pub paid: u64,
}

#[derive(Debug, Clone)]
pub struct ListResult {
    pub hits: Vec<CourseId>,
    pub next_cursor: Option<String>,
    pub total: usize,
    pub facets: Option<Facets>,
    /// What the query matched, to cut snippets from the courses shown (when asked for).
    pub highlight: Option<Highlight>,
}

/// How deep relevance-ordered results can be paged.
pub const MAX_RELEVANCE_OFFSET: usize = 1000;
/// Longest query text looked at, in characters, and most words.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_WORDS: usize = 12;

fn encode_cursor(sort: Sort, value: u64) -> String {
    let mut b = vec![sort.tag()];
    b.extend_from_slice(&value.to_be_bytes());
    URL_SAFE_NO_PAD.encode(b)
}

fn decode_cursor(sort: Sort, s: &str) -> Result<u64> {
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .filter(|b| b.len() == 9 && b[0] == sort.tag())
        .map(|b| u64::from_be_bytes(b[1..].try_into().expect("8 bytes")))
        .ok_or_else(|| Error::validation("cursor", "is not a cursor for this sort order"))
}

/// The analysed words of `text`, as `analyzer` indexes them.
fn words(searcher: &Searcher, analyzer: &str, text: &str) -> Vec<String> {
    let Some(mut a) = searcher.index().tokenizers().get(analyzer) else { return Vec::new() };
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let mut stream = a.token_stream(&text);
    let mut out = Vec::new();
    while let Some(t) = tantivy::tokenizer::TokenStream::next(&mut stream) {
        if !out.contains(&t.text) {
            out.push(t.text.clone());
            if out.len() == MAX_QUERY_WORDS {
                break;
            }
        }
    }
    out
}

/// Longest list of typo-tolerant forms one word expands to (the closest are not preferred:
/// the term dictionary is walked in order, and a word with this many neighbours is a short,
/// common one).
const MAX_EXPANSIONS: usize = 30;

/// The query's words (as the index holds them), each with the forms one typo away that the
/// index has: `words[i][0]` is the word itself. Words of 5+ letters are expanded, once each,
/// against the field that holds every word of a course.
fn expand(
    searcher: &Searcher,
    f: &Fields,
    q: &str,
    memo: &Memo<String, Arc<[String]>>,
) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for w in words(searcher, TEXT, q) {
        if let Some(forms) = memo.get(generation(searcher), w.as_str()) {
            out.push(forms.to_vec());
            continue;
        }
        let mut forms = vec![w.clone()];
        if w.chars().count() >= 5 {
            let automaton = FuzzyTermQuery::new(Term::from_field_text(f.all, &w), 1, true)
                .automaton()
                .map_err(internal)?;
            'segments: for segment in searcher.segment_readers() {
                let index = segment.inverted_index(f.all).map_err(internal)?;
                let mut terms =
                    index.terms().search(&automaton).into_stream().map_err(|e| Error::Internal(e.into()))?;
                while terms.advance() {
                    if let Ok(t) = std::str::from_utf8(terms.key())
                        && !forms.iter().any(|x| x == t)
                    {
                        forms.push(t.to_owned());
                        if forms.len() > MAX_EXPANSIONS {
                            break 'segments;
                        }
                    }
                }
            }
        }
        memo.put(generation(searcher), w, Arc::from(forms.as_slice()));
        out.push(forms);
    }
    Ok(out)
}

/// The text part: every word (with `all`; some word, without) must match. A word matches
/// exactly anywhere (BM25), more in the subtitle and most in the title, or through one of its
/// typo forms anywhere (weighted lower). Three fields rather than one per part of a course:
/// every clause is a term looked up per segment, and these were a fifth of a search.
fn text_query(f: &Fields, words: &[Vec<String>], all: bool) -> Option<Box<dyn Query>> {
    let weighted = [(f.title, 2.0), (f.subtitle, 1.0), (f.all, 1.0)];
    if words.is_empty() {
        return None;
    }
    let term = |field: Field, w: &str, boost: f32| -> (Occur, Box<dyn Query>) {
        let q = TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::WithFreqs);
        (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
    };
    let per_word: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|forms| {
            let (word, typos) = forms.split_first().expect("a word comes first");
            let mut alts: Vec<(Occur, Box<dyn Query>)> =
                weighted.iter().map(|&(field, boost)| term(field, word, boost)).collect();
            alts.extend(typos.iter().map(|t| term(f.all, t, 0.4)));
            let occur = if all { Occur::Must } else { Occur::Should };
            (occur, Box::new(BooleanQuery::new(alts)) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(per_word)))
}

fn filter_queries(f: &Fields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let term_u64 = |field: Field, v: u64| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_u64(field, v), IndexRecordOption::Basic))
    };
    if let Some(c) = filters.category {
        out.push(term_u64(f.category, c));
    }
    if let Some(l) = filters.level {
        out.push(term_u64(f.level, level_code(l)));
    }
    if let Some(free) = filters.is_free {
        out.push(term_u64(f.is_free, u64::from(free)));
    }
    if filters.min_price.is_some() || filters.max_price.is_some() {
        let lo =
            filters.min_price.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_u64(f.price, v)));
        let hi =
            filters.max_price.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_u64(f.price, v)));
        out.push(Box::new(RangeQuery::new(lo, hi)));
    }
    if let Some(lang) = &filters.language {
        out.push(Box::new(TermQuery::new(Term::from_field_text(f.language, lang), IndexRecordOption::Basic)));
    }
    out
}

fn combine(text: Option<Box<dyn Query>>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(t) = text {
        clauses.push((Occur::Must, t));
    }
    for q in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    match clauses.len() {
        0 => Box::new(AllQuery),
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

pub fn run(searcher: &Searcher, f: &Fields, q: &ListQuery, memos: &Memos) -> Result<ListResult> {
    let words = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => expand(searcher, f, t, &memos.expansions)?,
        None => Vec::new(),
    };
    let main = combine(text_query(f, &words, true), filter_queries(f, &q.filters));
    // A listing without words counts the same courses until the index changes.
    let counted =
        Counted { memo: words.is_empty().then_some(&memos.counts), filters: &q.filters, facets: q.facets };
    let mut found = page(searcher, f, q, &*main, &counted)?;
    // Nothing has every word? Show what has some of them.
    if found.total == 0
        && words.len() > 1
        && let Some(any) = text_query(f, &words, false)
    {
        let counted = Counted { memo: None, ..counted };
        found = page(searcher, f, q, &*combine(Some(any), filter_queries(f, &q.filters)), &counted)?;
    }
    let highlight = match (q.snippets, words.is_empty(), found.hits.is_empty()) {
        (true, false, false) => searcher.index().tokenizers().get(TEXT).map(|a| Highlight::new(&words, a)),
        _ => None,
    };
    Ok(ListResult {
        hits: ids(searcher, f, &found.hits)?,
        next_cursor: found.next_cursor,
        total: found.total,
        facets: found.facets,
        highlight,
    })
}

/// The course ids of `hits`, from the id columns (no document store).
fn ids(searcher: &Searcher, f: &Fields, hits: &[DocAddress]) -> Result<Vec<CourseId>> {
    let schema = searcher.schema();
    let mut out = Vec::with_capacity(hits.len());
    let mut columns: Option<(u32, Column, Column)> = None;
    for addr in hits {
        if columns.as_ref().is_none_or(|(s, _, _)| *s != addr.segment_ord) {
            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
            let hi = ff.u64(schema.get_field_name(f.id_hi)).map_err(internal)?;
            let lo = ff.u64(schema.get_field_name(f.id_lo)).map_err(internal)?;
            columns = Some((addr.segment_ord, hi, lo));
        }
        let (_, hi, lo) = columns.as_ref().expect("just set");
        if let (Some(hi), Some(lo)) = (hi.first(addr.doc_id), lo.first(addr.doc_id)) {
            out.push(CourseId::from_key(u128::from(hi) << 64 | u128::from(lo)));
        }
    }
    Ok(out)
}

/// One page of hits with the total (and facets): on a first page one pass over the matches
/// collects all of them; building a query's fuzzy automata and walking its postings is most of
/// a search's cost, so it is done once, not once per collector.
struct Found {
    hits: Vec<DocAddress>,
    next_cursor: Option<String>,
    total: usize,
    facets: Option<Facets>,
}

fn page(
    searcher: &Searcher,
    f: &Fields,
    q: &ListQuery,
    main: &dyn Query,
    counted: &Counted,
) -> Result<Found> {
    match q.sort.key_field(f) {
        Some(key) => {
            let order = if q.descending { Order::Desc } else { Order::Asc };
            let name = searcher.schema().get_field_name(key).to_owned();
            let top = TopDocs::with_limit(q.limit + 1).order_by_u64_field(name, order);
            let (mut docs, total, facets) = match &q.cursor {
                None => top_and_counts(searcher, f, main, top, counted)?,
                Some(c) => {
                    let v = decode_cursor(q.sort, c)?;
                    let bound = Bound::Excluded(Term::from_field_u64(key, v));
                    let range = if q.descending {
                        RangeQuery::new(Bound::Unbounded, bound)
                    } else {
                        RangeQuery::new(bound, Bound::Unbounded)
                    };
                    let after = BooleanQuery::new(vec![
                        (Occur::Must, main.box_clone()),
                        (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(range), 0.0))),
                    ]);
                    let docs = searcher.search(&after, &top).map_err(internal)?;
                    let (total, facets) = counts(searcher, f, main, counted)?;
                    (docs, total, facets)
                }
            };
            let more = docs.len() > q.limit;
            docs.truncate(q.limit);
            let next_cursor =
                if more { docs.last().and_then(|(k, _)| k.map(|k| encode_cursor(q.sort, k))) } else { None };
            Ok(Found { hits: docs.into_iter().map(|(_, d)| d).collect(), next_cursor, total, facets })
        }
        None => {
            // Relevance pages go by offset (scores move as the index changes); deep paging by
            // relevance is not a thing people do, and a forged huge offset must not allocate.
            let offset = match &q.cursor {
                Some(c) => usize::try_from(decode_cursor(q.sort, c)?)
                    .ok()
                    .filter(|o| *o <= MAX_RELEVANCE_OFFSET)
                    .ok_or_else(|| Error::validation("cursor", "is not a cursor for this sort order"))?,
                None => 0,
            };
            // Scores are compared at two decimals and ties go to the newest course, so the
            // order does not depend on where documents happen to sit in the index (a rebuilt
            // index answers the same).
            let top =
                TopDocs::with_limit(q.limit + 1).and_offset(offset).tweak_score(move |r: &SegmentReader| {
                    let created = r.fast_fields().u64("k_created").map(|c| c.first_or_default_col(0)).ok();
                    move |doc: tantivy::DocId, score: Score| {
                        ((score * 100.0).round() as i64, created.as_ref().map_or(0, |c| c.get_val(doc)))
                    }
                });
            let (mut docs, total, facets) = top_and_counts(searcher, f, main, top, counted)?;
            let more = docs.len() > q.limit;
            docs.truncate(q.limit);
            let next_cursor = more.then(|| encode_cursor(q.sort, (offset + q.limit) as u64));
            Ok(Found { hits: docs.into_iter().map(|(_, d)| d).collect(), next_cursor, total, facets })
        }
    }
}

/// What a page needs counted, and where counts of a listing without words are remembered.
#[derive(Clone, Copy)]
struct Counted<'a> {
    memo: Option<&'a Memo<Filters, (usize, Option<Facets>)>>,
    filters: &'a Filters,
    facets: bool,
}

impl Counted<'_> {
    /// The remembered total (and facets, when asked for and counted).
    fn remembered(&self, searcher: &Searcher) -> Option<(usize, Option<Facets>)> {
        match self.memo?.get(generation(searcher), self.filters)? {
            (_, None) if self.facets => None,
            (n, fc) => Some((n, fc.filter(|_| self.facets))),
        }
    }
}

fn top_and_counts<C: Collector>(
    searcher: &Searcher,
    f: &Fields,
    query: &dyn Query,
    top: C,
    counted: &Counted,
) -> Result<(C::Fruit, usize, Option<Facets>)> {
    if let Some((n, fc)) = counted.remembered(searcher) {
        let docs = searcher.search(query, &top).map_err(internal)?;
        return Ok((docs, n, fc));
    }
    let (docs, n, fc) = if counted.facets {
        let (docs, n, fc) =
            searcher.search(query, &(top, Count, FacetCollector { f: *f })).map_err(internal)?;
        (docs, n, Some(fc))
    } else {
        let (docs, n) = searcher.search(query, &(top, Count)).map_err(internal)?;
        (docs, n, None)
    };
    if let Some(m) = counted.memo {
        m.put(generation(searcher), counted.filters.clone(), (n, fc.clone()));
    }
    Ok((docs, n, fc))
}

fn counts(
    searcher: &Searcher,
    f: &Fields,
    q: &dyn Query,
    counted: &Counted,
) -> Result<(usize, Option<Facets>)> {
    if let Some(hit) = counted.remembered(searcher) {
        return Ok(hit);
    }
    let (n, fc) = if counted.facets {
        let (n, fc) = searcher.search(q, &(Count, FacetCollector { f: *f })).map_err(internal)?;
        (n, Some(fc))
    } else {
        (searcher.search(q, &Count).map_err(internal)?, None)
    };
    if let Some(m) = counted.memo {
        m.put(generation(searcher), counted.filters.clone(), (n, fc.clone()));
    }
    Ok((n, fc))
}

/// What queries may remember between searches, for the index as it is now (see [`Memo`]).
#[derive(Default)]
pub struct Memos {
    /// Totals and facets of listings without words, by filters. The catalog page counts every
    /// course for its facets (half of rendering it, measured), and those counts change only
    /// when the index does.
    counts: Memo<Filters, (usize, Option<Facets>)>,
    /// A word's typo forms in the index. Streaming the typo automaton over the term dictionary
    /// was a tenth of a search (measured), and students' words repeat.
    expansions: Memo<String, Arc<[String]>>,
}

/// What memos of search results are keyed by: the index generation they were computed from.
fn generation(searcher: &Searcher) -> u64 {
    searcher.generation().generation_id()
}

/// Up to `limit` course titles with a word starting as the last word of `prefix` does (and the
/// earlier words matching), most popular first.
pub fn suggest(searcher: &Searcher, f: &Fields, prefix: &str, limit: usize) -> Result<Vec<CourseId>> {
    let ws = words(searcher, WORDS, prefix);
    let Some((last, rest)) = ws.split_last() else { return Ok(Vec::new()) };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in rest {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(Term::from_field_text(f.title_words, w), IndexRecordOption::Basic)),
        ));
    }
    clauses.push((
        Occur::Must,
        Box::new(FuzzyTermQuery::new_prefix(Term::from_field_text(f.title_words, last), 0, false)),
    ));
    let query = BooleanQuery::new(clauses);
    let top = TopDocs::with_limit(limit).order_by_u64_field("k_popularity", Order::Desc);
    let docs: Vec<(Option<u64>, DocAddress)> = searcher.search(&query, &top).map_err(internal)?;
    let hits: Vec<DocAddress> = docs.into_iter().map(|(_, d)| d).collect();
    ids(searcher, f, &hits)
}

fn internal(e: tantivy::TantivyError) -> Error {
    Error::Internal(anyhow::anyhow!("search: {e}"))
}

/// Counts matching documents per category, level and free/paid in one pass over fast fields.
struct FacetCollector {
    f: Fields,
}

struct FacetSegment {
    category: Column,
    level: Column,
    is_free: Column,
    out: Facets,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _: u32, r: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = r.fast_fields();
        let name = |field: Field| r.schema().get_field_name(field).to_owned();
        Ok(FacetSegment {
            category: ff.u64(&name(self.f.category))?,
            level: ff.u64(&name(self.f.level))?,
            is_free: ff.u64(&name(self.f.is_free))?,
            out: Facets::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, parts: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets::default();
        for p in parts {
            for (k, v) in p.categories {
                *all.categories.entry(k).or_default() += v;
            }
            for (a, b) in all.levels.iter_mut().zip(p.levels) {
                *a += b;
            }
            all.free += p.free;
            all.paid += p.paid;
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Facets;

    fn collect(&mut self, doc: u32, _: Score) {
        if let Some(c) = self.category.first(doc) {
            *self.out.categories.entry(c).or_default() += 1;
        }
        if let Some(l) = self.level.first(doc)
            && let Some(n) = self.out.levels.get_mut(l as usize)
        {
            *n += 1;
        }
        match self.is_free.first(doc) {
            Some(1) => self.out.free += 1,
            Some(_) => self.out.paid += 1,
            None => {}
        }
    }

    fn harvest(self) -> Facets {
        self.out
    }
}
