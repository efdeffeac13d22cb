//! Search snippets: the part of a course's description around the words searched for, with
//! those words in `<b>`.
//!
//! Cut after the search, for the courses shown only, from each description's opening
//! tokenised once ([`Source`], cached per course record). Stemming every word of
//! every description was a quarter of a search's time; here a word is stemmed only when its
//! first letters could begin one of the searched terms, so most words cost a set lookup. Both
//! stemmers change endings, never beginnings, though the last letter of a stem may differ from
//! the word's ("happy" → "happi"): a term of four letters or more keeps its first three from the
//! word, a shorter one its first two.

use std::hash::Hasher;
use std::sync::{Arc, RwLock, Weak};

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::catalog::repo::CourseRecord;

/// Characters of a description a snippet is looked for in: the opening, where a course says
/// what it is.
pub const SOURCE_CHARS: usize = 280;
/// Longest snippet, in characters.
pub const MAX_CHARS: usize = 180;

/// The terms a query matched, as the index holds them (lower-cased stems), each with the query
/// word it stands for and whether it is that word or a typo-tolerant expansion of it.
#[derive(Clone)]
pub struct Highlight {
    /// FxHash: a few dozen keys from one query, looked up for every candidate word.
    terms: FxHashMap<String, Term>,
    /// Lower-cased first two letters of every term of up to three letters (one letter for
    /// one-letter terms). Every word of a description is checked against these sets, so sets
    /// rather than lists (a typo-tolerant query has dozens of terms).
    starts: FxHashSet<(char, Option<char>)>,
    /// Lower-cased first three letters of every term of four letters or more.
    long_starts: FxHashSet<(char, char, char)>,
    /// Whether a one-letter term is among them (it could begin any word with that letter).
    short: bool,
    analyzer: TextAnalyzer,
}

#[derive(Clone, Copy)]
struct Term {
    word: usize,
    exact: bool,
}

impl std::fmt::Debug for Highlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlight").field("terms", &self.terms.keys().collect::<Vec<_>>()).finish()
    }
}

/// `ё` and `е` are one letter to a Russian stemmer.
fn fold(c: char) -> char {
    match c {
        'ё' => 'е',
        c => c,
    }
}

fn lower(c: char) -> char {
    fold(c.to_lowercase().next().unwrap_or(c))
}

/// A word's first three letters, lower-cased (as many as it has).
type Start = (char, Option<char>, Option<char>);

/// A description's opening, split into words once.
pub struct Source {
    text: String,
    words: Vec<Word>,
}

struct Word {
    start: u16,
    end: u16,
    char_start: u16,
    char_end: u16,
    /// Lower-cased first three letters (as many as the word has).
    first: Start,
}

impl Source {
    pub fn new(description_html: &str) -> Source {
        let text = crate::richtext::plain_text_opening(description_html, SOURCE_CHARS);
        let mut words = Vec::new();
        let mut current: Option<(usize, usize)> = None;
        let ends = text.char_indices().chain(std::iter::once((text.len(), ' ')));
        for (chars, (i, c)) in ends.enumerate() {
            if c.is_alphanumeric() {
                current.get_or_insert((i, chars));
            } else if let Some((start, char_start)) = current.take() {
                let mut cs = text[start..i].chars().map(lower);
                let first = (cs.next().unwrap_or(' '), cs.next(), cs.next());
                // SOURCE_CHARS characters are at most 4 × 280 bytes: offsets fit in u16.
                words.push(Word {
                    start: start as u16,
                    end: i as u16,
                    char_start: char_start as u16,
                    char_end: chars as u16,
                    first,
                });
            }
        }
        Source { text, words }
    }

    fn word(&self, w: &Word) -> &str {
        &self.text[usize::from(w.start)..usize::from(w.end)]
    }
}

/// Course descriptions tokenised for snippets, by course.
///
/// An entry remembers the record it was cut from and a hash of that record's description. The
/// record cache hands out one `Arc` per course until the course changes, so a lookup is usually
/// a pointer comparison; another record of the course is hashed, and only an edited description
/// is tokenised again. The record is held weakly (the record cache decides how long records
/// live), and a `Weak` keeps its allocation: an equal address is the same record, never a new
/// one at a reused address.
///
/// A plain map behind a lock rather than the general cache: a search page looks up 20 of them.
/// When full it is emptied and fills again from the searches that follow (a school has fewer
/// courses than it holds).
pub struct Sources {
    map: RwLock<FxHashMap<u128, Entry>>,
    capacity: usize,
}

struct Entry {
    record: Weak<CourseRecord>,
    hash: u64,
    source: Arc<Source>,
}

impl Sources {
    pub fn new(capacity: usize) -> Sources {
        Sources { map: RwLock::default(), capacity }
    }

    /// How many courses' openings are kept.
    pub fn count(&self) -> usize {
        self.map.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn get(&self, course: &Arc<CourseRecord>) -> Arc<Source> {
        let id = course.id.key();
        let hash = {
            let map = self.map.read().unwrap_or_else(|p| p.into_inner());
            let entry = map.get(&id);
            if let Some(e) = entry
                && std::ptr::eq(e.record.as_ptr(), Arc::as_ptr(course))
            {
                return e.source.clone();
            }
            let mut h = rustc_hash::FxHasher::default();
            h.write(course.description_html.as_bytes());
            let hash = h.finish();
            if let Some(e) = entry.filter(|e| e.hash == hash) {
                // The same description in a newer record (its counters moved): remember that one.
                let source = e.source.clone();
                drop(map);
                self.put(id, Entry { record: Arc::downgrade(course), hash, source: source.clone() });
                return source;
            }
            hash
        };
        let source = Arc::new(Source::new(&course.description_html));
        self.put(id, Entry { record: Arc::downgrade(course), hash, source: source.clone() });
        source
    }

    fn put(&self, id: u128, entry: Entry) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity && !map.contains_key(&id) {
            map.clear();
        }
        map.insert(id, entry);
    }
}

impl Highlight {
    /// `words[i]` is the i-th query word with its expansions; the first term of each is the
    /// word itself.
    pub fn new(words: &[Vec<String>], analyzer: TextAnalyzer) -> Highlight {
        let mut terms = FxHashMap::default();
        let (mut starts, mut long_starts) = (FxHashSet::default(), FxHashSet::default());
        let mut short = false;
        for (word, forms) in words.iter().enumerate() {
            for (i, t) in forms.iter().enumerate() {
                let mut cs = t.chars().map(fold);
                match (cs.next(), cs.next(), cs.next(), cs.next()) {
                    (Some(a), Some(b), Some(c), Some(_)) => {
                        long_starts.insert((a, b, c));
                    }
                    (Some(a), b, _, _) => {
                        short |= b.is_none();
                        starts.insert((a, b));
                    }
                    (None, ..) => {}
                }
                terms.entry(t.clone()).or_insert(Term { word, exact: i == 0 });
            }
        }
        Highlight { terms, starts, long_starts, short, analyzer }
    }

    fn could_match(&self, (a, b, c): Start) -> bool {
        matches!((b, c), (Some(b), Some(c)) if self.long_starts.contains(&(a, b, c)))
            || self.starts.contains(&(a, b))
            || (self.short && self.starts.contains(&(a, None)))
    }

    fn term_of(&mut self, word: &str, first: Start) -> Option<Term> {
        // The index drops words of 40 bytes and more.
        if word.len() >= 40 || !self.could_match(first) {
            return None;
        }
        let mut stream = self.analyzer.token_stream(word);
        let mut found = None;
        while let Some(t) = stream.next() {
            found = self.terms.get(&t.text).copied();
        }
        found
    }

    /// The term each word of `source` matches, if any (in the order of `source.words`).
    fn terms_of(&mut self, source: &Source) -> Vec<Option<Term>> {
        source.words.iter().map(|w| self.term_of(source.word(w), w.first)).collect()
    }

    /// The best window of at most [`MAX_CHARS`] characters of `source`, as escaped HTML with
    /// the matched words in `<b>`; `None` when no searched word is there.
    pub fn snippet(&mut self, source: &Source) -> Option<String> {
        let text = source.text.as_str();
        let words = &source.words;
        let terms = self.terms_of(source);
        let matched: Vec<usize> = (0..terms.len()).filter(|&i| terms[i].is_some()).collect();
        if matched.is_empty() {
            return None;
        }
        // A window starts at the text's beginning or at a matched word; the best one covers
        // the most different query words, then the most matches (exact ones count double);
        // the earliest wins a tie.
        let mut best: Option<(u64, usize, usize)> = None;
        let starts = std::iter::once(0).chain(matched.iter().copied());
        for first in starts {
            let from = words[first].char_start;
            let mut covered = 0u64;
            let mut hits = 0u64;
            let mut last = first;
            for (i, (w, term)) in words.iter().zip(&terms).enumerate().skip(first) {
                if usize::from(w.char_end - from) > MAX_CHARS {
                    break;
                }
                last = i;
                if let Some(term) = term {
                    covered |= 1 << term.word.min(63);
                    hits += if term.exact { 2 } else { 1 };
                }
            }
            let score = u64::from(covered.count_ones()) << 32 | hits;
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, first, last));
            }
        }
        let (_, first, last) = best?;
        let mut html = String::with_capacity(MAX_CHARS + 32);
        let mut at = if first == 0 { 0 } else { usize::from(words[first].start) };
        for (w, term) in words[first..=last].iter().zip(&terms[first..=last]) {
            if term.is_some() {
                push_escaped(&mut html, &text[at..usize::from(w.start)]);
                html.push_str("<b>");
                push_escaped(&mut html, source.word(w));
                html.push_str("</b>");
                at = usize::from(w.end);
            }
        }
        push_escaped(&mut html, &text[at..usize::from(words[last].end)]);
        Some(html)
    }
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::schema::{TEXT, tokenizers};

    /// A description as the store holds it: sanitised HTML of the text.
    fn src(text: &str) -> Source {
        Source::new(&text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"))
    }

    fn highlight(words: &[&[&str]]) -> Highlight {
        let words: Vec<Vec<String>> =
            words.iter().map(|w| w.iter().map(|s| (*s).to_owned()).collect()).collect();
        Highlight::new(&words, tokenizers().get(TEXT).unwrap())
    }

    fn course(description: &str) -> CourseRecord {
        CourseRecord::for_tests(crate::ids::CourseId::from_key(7), description)
    }

    #[test]
    fn a_source_is_cut_again_only_when_the_description_changed() {
        let sources = Sources::new(10);
        let first = Arc::new(course("Learn to program"));
        let a = sources.get(&first);
        assert!(Arc::ptr_eq(&a, &sources.get(&first)), "the same record: the same source");
        // A new record of the course (its student count moved), same description.
        let mut counted = (*first).clone();
        counted.student_count = 1;
        let counted = Arc::new(counted);
        assert!(Arc::ptr_eq(&a, &sources.get(&counted)));
        drop(first);
        // Edited: the new opening, even for a record at the address of a dropped one.
        let edited = Arc::new(course("Learn to draw"));
        let b = sources.get(&edited);
        assert_eq!(b.text, "Learn to draw");
        assert_eq!(a.text, "Learn to program");
        assert_eq!(sources.count(), 1);
    }

    #[test]
    fn marks_inflected_forms_and_keeps_their_case() {
        let mut h = highlight(&[&["program"]]);
        assert_eq!(
            h.snippet(&src("Programming for everyone: programs & more")).unwrap(),
            "<b>Programming</b> for everyone: <b>programs</b> &amp; more"
        );
        let mut h = highlight(&[&["программирован"]]);
        assert_eq!(
            h.snippet(&src("Основы программирования на Python")).unwrap(),
            "Основы <b>программирования</b> на Python"
        );
    }

    #[test]
    fn marks_words_whose_stem_ends_in_another_letter() {
        // "happy" → "happi", "spy" → "spi": a long stem keeps three letters of its word, a
        // short one two.
        let mut h = highlight(&[&["happi"], &["spi"]]);
        assert_eq!(h.snippet(&src("A happy spy story")).unwrap(), "A <b>happy</b> <b>spy</b> story");
    }

    #[test]
    fn marks_typo_expansions() {
        let mut h = highlight(&[&["pyhton", "python"]]);
        assert_eq!(h.snippet(&src("Learn Python today")).unwrap(), "Learn <b>Python</b> today");
    }

    #[test]
    fn nothing_when_no_word_is_there() {
        let mut h = highlight(&[&["rust"]]);
        assert_eq!(h.snippet(&src("A course about gardening")), None);
        assert_eq!(h.snippet(&src("")), None);
    }

    #[test]
    fn prefers_the_window_with_more_of_the_words_and_escapes_everything_else() {
        let filler = "lorem ipsum dolor sit amet ".repeat(6);
        let text = format!("Data first. {filler}then data <i>analysis</i> together");
        let mut h = highlight(&[&["data"], &["analysi"]]);
        let s = h.snippet(&src(&text)).unwrap();
        assert!(s.starts_with("<b>data</b> &lt;i&gt;<b>analysis</b>"), "{s}");
        assert!(!s.contains("<i>"), "{s}");
        assert!(s.chars().count() <= MAX_CHARS + 40, "{s}");
    }
}
