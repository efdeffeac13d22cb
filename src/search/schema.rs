//! The index schema, its analyzers and how a course becomes a document.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, TokenizerManager,
};
use tantivy::{Index, TantivyDocument};

use crate::catalog::repo::{CourseRecord, Curriculum};
use crate::catalog::types::Level;

/// Bumped whenever the schema or the analyzers change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Words are lower-cased, then stemmed as English, then as Russian. A school's courses may be in
/// either language; each stemmer leaves the other alphabet alone, so one field serves both.
pub const TEXT: &str = "lectern_text";
/// Lower-cased words, unstemmed: prefix completion and exact-word matching.
pub const WORDS: &str = "lectern_words";

pub fn tokenizers() -> TokenizerManager {
    let m = TokenizerManager::default();
    m.register(
        TEXT,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(Stemmer::new(tantivy::tokenizer::Language::English))
            .filter(Stemmer::new(tantivy::tokenizer::Language::Russian))
            .build(),
    );
    m.register(
        WORDS,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    m
}

#[derive(Clone, Copy)]
pub struct Fields {
    /// The course id as text: what an update deletes the old document by.
    pub id: Field,
    /// The course id as two fast columns: hits are turned into ids without the document store
    /// (nothing is stored; the store holds the records).
    pub id_hi: Field,
    pub id_lo: Field,
    /// Every searchable word of the course (title, subtitle, description, lesson and module
    /// titles, the teacher's name) in one field: a typo is expanded against it once.
    pub all: Field,
    pub title: Field,
    pub title_words: Field,
    pub subtitle: Field,
    pub language: Field,
    pub category: Field,
    pub level: Field,
    pub is_free: Field,
    pub price: Field,
    pub k_created: Field,
    pub k_rating: Field,
    pub k_price: Field,
    pub k_popularity: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    // Frequencies for BM25; no positions: there are no phrase queries, and snippets are cut
    // from the record.
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(IndexRecordOption::WithFreqs),
    )
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING),
        id_hi: b.add_u64_field("id_hi", FAST),
        id_lo: b.add_u64_field("id_lo", FAST),
        all: b.add_text_field("all", text(TEXT)),
        title: b.add_text_field("title", text(TEXT)),
        title_words: b.add_text_field("title_words", text(WORDS)),
        subtitle: b.add_text_field("subtitle", text(TEXT)),
        language: b.add_text_field("language", STRING),
        category: b.add_u64_field("category", INDEXED | FAST),
        level: b.add_u64_field("level", INDEXED | FAST),
        is_free: b.add_u64_field("is_free", INDEXED | FAST),
        price: b.add_u64_field("price", INDEXED | FAST),
        k_created: b.add_u64_field("k_created", INDEXED | FAST),
        k_rating: b.add_u64_field("k_rating", INDEXED | FAST),
        k_price: b.add_u64_field("k_price", INDEXED | FAST),
        k_popularity: b.add_u64_field("k_popularity", INDEXED | FAST),
    };
    (b.build(), fields)
}

pub fn level_code(l: Level) -> u64 {
    match l {
        Level::Beginner => 1,
        Level::Intermediate => 2,
        Level::Advanced => 3,
    }
}

/// The low 64 bits of a category id: a stable number for the facet column.
pub fn category_code(id: crate::ids::CategoryId) -> u64 {
    id.key() as u64
}

const SEQ_BITS: u32 = 24;

/// A listing order key: the sorted value in the high bits, the course's creation number in the
/// low 24, so every key is unique and a cursor (the last key served) is exact.
pub fn sort_key(value: u64, seq: u32) -> u64 {
    (value.min((1 << (64 - SEQ_BITS)) - 1) << SEQ_BITS) | u64::from(seq & ((1 << SEQ_BITS) - 1))
}

pub fn keys(c: &CourseRecord) -> [u64; 4] {
    let created_s = (c.created_at.millis().max(0) / 1000) as u64;
    let rating_x100 = (c.avg_rating() * 100.0).round() as u64;
    [
        sort_key(created_s, c.seq),
        sort_key(rating_x100, c.seq),
        sort_key(c.price_minor.max(0) as u64, c.seq),
        sort_key(c.student_count, c.seq),
    ]
}

pub fn document(f: &Fields, c: &CourseRecord, cur: &Curriculum, teacher: &str) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, c.id.to_string());
    let key = c.id.key();
    d.add_u64(f.id_hi, (key >> 64) as u64);
    d.add_u64(f.id_lo, key as u64);
    d.add_text(f.title, &c.title);
    d.add_text(f.title_words, &c.title);
    d.add_text(f.subtitle, &c.subtitle);
    // Everything searchable, the title and subtitle again among it.
    d.add_text(f.all, &c.title);
    d.add_text(f.all, &c.subtitle);
    d.add_text(f.all, crate::richtext::plain_text(&c.description_html));
    for l in cur.lessons() {
        d.add_text(f.all, &l.title);
    }
    for (m, _) in &cur.modules {
        d.add_text(f.all, &m.title);
    }
    d.add_text(f.all, teacher);
    d.add_text(f.language, &c.language);
    d.add_u64(f.category, category_code(c.category_id));
    d.add_u64(f.level, level_code(c.level));
    d.add_u64(f.is_free, u64::from(c.is_free()));
    d.add_u64(f.price, c.price_minor.max(0) as u64);
    let [k_created, k_rating, k_price, k_pop] = keys(c);
    d.add_u64(f.k_created, k_created);
    d.add_u64(f.k_rating, k_rating);
    d.add_u64(f.k_price, k_price);
    d.add_u64(f.k_popularity, k_pop);
    d
}

pub fn register(index: &Index) {
    let m = tokenizers();
    for name in [TEXT, WORDS] {
        if let Some(t) = m.get(name) {
            index.tokenizers().register(name, t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(text: &str) -> Vec<String> {
        let mut a = tokenizers().get(TEXT).unwrap();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = tantivy::tokenizer::TokenStream::next(&mut s) {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn english_and_russian_words_are_both_stemmed() {
        assert_eq!(analyze("Programming courses"), analyze("programmed course"));
        assert_eq!(analyze("программирования"), analyze("программированию"));
        assert_eq!(analyze("Python"), vec!["python"]);
    }

    #[test]
    fn sort_keys_order_by_value_then_creation() {
        assert!(sort_key(5, 1) > sort_key(4, 999));
        assert!(sort_key(5, 2) > sort_key(5, 1));
        assert_ne!(sort_key(0, 1), sort_key(0, 2));
    }
}
