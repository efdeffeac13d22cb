//! Turning a catalog request into a tantivy query, and running it.

use std::collections::HashMap;
use std::ops::Bound;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::index::SegmentReader;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Score, Searcher, TantivyDocument, Term};

use super::schema::{Fields, TEXT, WORDS, level_code};
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

#[derive(Debug, Clone, Default)]
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

#[derive(Debug, Clone)]
pub struct Hit {
    pub id: CourseId,
    /// HTML: the matched words in `<b>`, everything else escaped.
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub categories: HashMap<u64, u64>,
    pub levels: HashMap<u64, u64>,
    pub free: u64,
    pub paid: u64,
}

#[derive(Debug, Clone)]
pub struct ListResult {
    pub hits: Vec<Hit>,
    pub next_cursor: Option<String>,
    pub total: usize,
    pub facets: Option<Facets>,
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

/// The text part: every word must match some field (AND); each word matches exactly (BM25,
/// boosted by field) or, in words of 5+ letters, with one typo.
fn text_query(searcher: &Searcher, f: &Fields, q: &str, all: bool) -> Option<Box<dyn Query>> {
    let weighted =
        [(f.title, 3.0), (f.subtitle, 2.0), (f.lessons, 1.5), (f.teacher, 1.5), (f.description, 1.0)];
    let ws = words(searcher, TEXT, q);
    if ws.is_empty() {
        return None;
    }
    let per_word: Vec<(Occur, Box<dyn Query>)> = ws
        .iter()
        .map(|w| {
            let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in weighted {
                let term = Term::from_field_text(field, w);
                alts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                if w.chars().count() >= 5 {
                    let fuzzy = FuzzyTermQuery::new(term, 1, true);
                    alts.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), boost * 0.3))));
                }
            }
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

pub fn run(searcher: &Searcher, f: &Fields, q: &ListQuery) -> Result<ListResult> {
    let text_q = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut main =
        combine(text_q.and_then(|t| text_query(searcher, f, t, true)), filter_queries(f, &q.filters));
    let mut found = page(searcher, f, q, &*main)?;
    // Nothing has every word? Show what has some of them.
    if let Some(t) = text_q
        && found.total == 0
        && let Some(any) = text_query(searcher, f, t, false)
    {
        main = combine(Some(any), filter_queries(f, &q.filters));
        found = page(searcher, f, q, &*main)?;
    }
    finish(searcher, f, q, &*main, found)
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

fn page(searcher: &Searcher, f: &Fields, q: &ListQuery, main: &dyn Query) -> Result<Found> {
    match q.sort.key_field(f) {
        Some(key) => {
            let order = if q.descending { Order::Desc } else { Order::Asc };
            let name = searcher.schema().get_field_name(key).to_owned();
            let top = TopDocs::with_limit(q.limit + 1).order_by_u64_field(name, order);
            let (mut docs, total, facets) = match &q.cursor {
                None => top_and_counts(searcher, f, main, top, q.facets)?,
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
                    let (total, facets) = counts(searcher, f, main, q.facets)?;
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
            let (mut docs, total, facets) = top_and_counts(searcher, f, main, top, q.facets)?;
            let more = docs.len() > q.limit;
            docs.truncate(q.limit);
            let next_cursor = more.then(|| encode_cursor(q.sort, (offset + q.limit) as u64));
            Ok(Found { hits: docs.into_iter().map(|(_, d)| d).collect(), next_cursor, total, facets })
        }
    }
}

fn top_and_counts<C: Collector>(
    searcher: &Searcher,
    f: &Fields,
    query: &dyn Query,
    top: C,
    facets: bool,
) -> Result<(C::Fruit, usize, Option<Facets>)> {
    if facets {
        let (docs, n, fc) =
            searcher.search(query, &(top, Count, FacetCollector { f: *f })).map_err(internal)?;
        Ok((docs, n, Some(fc)))
    } else {
        let (docs, n) = searcher.search(query, &(top, Count)).map_err(internal)?;
        Ok((docs, n, None))
    }
}

/// Characters of a description searched for a snippet: the opening, where a course says what it
/// is. Tokenising and stemming whole descriptions for every hit was a quarter of a search's time.
const SNIPPET_SOURCE_CHARS: usize = 280;

fn finish(
    searcher: &Searcher,
    f: &Fields,
    q: &ListQuery,
    main: &dyn Query,
    found: Found,
) -> Result<ListResult> {
    let snippets = match (q.snippets, found.hits.is_empty()) {
        (true, false) => {
            let mut g = SnippetGenerator::create(searcher, main, f.description).map_err(internal)?;
            g.set_max_num_chars(180);
            Some(g)
        }
        _ => None,
    };
    let mut out = Vec::with_capacity(found.hits.len());
    for addr in found.hits {
        let doc: TantivyDocument = searcher.doc(addr).map_err(internal)?;
        let Some(id) = doc.get_first(f.id).and_then(|v| v.as_str()).and_then(|s| s.parse().ok()) else {
            continue;
        };
        let snippet = snippets.as_ref().and_then(|g| {
            let text = doc.get_first(f.description).and_then(|v| v.as_str()).unwrap_or("");
            let end = text.char_indices().nth(SNIPPET_SOURCE_CHARS).map_or(text.len(), |(i, _)| i);
            let s = g.snippet(&text[..end]);
            (!s.is_empty()).then(|| s.to_html())
        });
        out.push(Hit { id, snippet });
    }
    Ok(ListResult { hits: out, next_cursor: found.next_cursor, total: found.total, facets: found.facets })
}

fn counts(searcher: &Searcher, f: &Fields, q: &dyn Query, facets: bool) -> Result<(usize, Option<Facets>)> {
    if facets {
        let (n, fc) = searcher.search(q, &(Count, FacetCollector { f: *f })).map_err(internal)?;
        Ok((n, Some(fc)))
    } else {
        Ok((searcher.search(q, &Count).map_err(internal)?, None))
    }
}

/// Up to `limit` course titles with a word starting as the last word of `prefix` does (and the
/// earlier words matching), most popular first.
pub fn suggest(
    searcher: &Searcher,
    f: &Fields,
    prefix: &str,
    limit: usize,
) -> Result<Vec<(CourseId, String)>> {
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
    let mut out = Vec::new();
    for (_, addr) in docs {
        let doc: TantivyDocument = searcher.doc(addr).map_err(internal)?;
        let id = doc.get_first(f.id).and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
        let title = doc.get_first(f.title).and_then(|v| v.as_str()).map(str::to_owned);
        if let (Some(id), Some(title)) = (id, title) {
            out.push((id, title));
        }
    }
    Ok(out)
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
            for (k, v) in p.levels {
                *all.levels.entry(k).or_default() += v;
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
        if let Some(l) = self.level.first(doc) {
            *self.out.levels.entry(l).or_default() += 1;
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
