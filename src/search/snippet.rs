//! Search snippets: the part of a course's description around the words searched for, with
//! those words in `<b>`.
//!
//! Cut from the record of each course shown, after the search, so only the page shown pays
//! for it. Stemming every word of every description was a quarter of a search's time; here a
//! word is stemmed only when its first two letters could begin one of the searched terms
//! (both stemmers change endings, never beginnings), so most words cost a comparison.

use std::collections::HashMap;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Characters of a description a snippet is looked for in: the opening, where a course says
/// what it is.
pub const SOURCE_CHARS: usize = 280;
/// Longest snippet, in characters.
pub const MAX_CHARS: usize = 180;

/// The terms a query matched, as the index holds them (lower-cased stems), each with the query
/// word it stands for and whether it is that word or a typo-tolerant expansion of it.
#[derive(Clone)]
pub struct Highlight {
    terms: HashMap<String, Term>,
    /// Lower-cased first two letters of every term (one letter for one-letter terms).
    starts: Vec<(char, Option<char>)>,
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

struct Token {
    start: usize,
    end: usize,
    char_start: usize,
    char_end: usize,
    term: Option<Term>,
}

impl Highlight {
    /// `words[i]` is the i-th query word with its expansions; the first term of each is the
    /// word itself.
    pub fn new(words: &[Vec<String>], analyzer: TextAnalyzer) -> Highlight {
        let mut terms = HashMap::new();
        let mut starts = Vec::new();
        for (word, forms) in words.iter().enumerate() {
            for (i, t) in forms.iter().enumerate() {
                let mut cs = t.chars().map(fold);
                if let Some(a) = cs.next() {
                    let start = (a, cs.next());
                    if !starts.contains(&start) {
                        starts.push(start);
                    }
                }
                terms.entry(t.clone()).or_insert(Term { word, exact: i == 0 });
            }
        }
        Highlight { terms, starts, analyzer }
    }

    fn could_match(&self, word: &str) -> bool {
        let mut cs = word.chars().map(lower);
        let Some(a) = cs.next() else { return false };
        let b = cs.next();
        self.starts.iter().any(|&(x, y)| x == a && (y.is_none() || y == b))
    }

    fn term_of(&mut self, word: &str) -> Option<Term> {
        // The index drops words of 40 bytes and more.
        if word.len() >= 40 || !self.could_match(word) {
            return None;
        }
        let mut stream = self.analyzer.token_stream(word);
        let mut found = None;
        while let Some(t) = stream.next() {
            found = self.terms.get(&t.text).copied();
        }
        found
    }

    fn tokens(&mut self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut current: Option<(usize, usize)> = None;
        let mut chars = 0;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            if c.is_alphanumeric() {
                current.get_or_insert((i, chars));
            } else if let Some((start, char_start)) = current.take() {
                let term = self.term_of(&text[start..i]);
                out.push(Token { start, end: i, char_start, char_end: chars, term });
            }
            chars += 1;
        }
        out
    }

    /// The best window of at most [`MAX_CHARS`] characters of the opening of `text`, as
    /// escaped HTML with the matched words in `<b>`; `None` when no searched word is there.
    pub fn snippet(&mut self, text: &str) -> Option<String> {
        let end = text.char_indices().nth(SOURCE_CHARS).map_or(text.len(), |(i, _)| i);
        let text = &text[..end];
        let tokens = self.tokens(text);
        let matched: Vec<usize> = (0..tokens.len()).filter(|&i| tokens[i].term.is_some()).collect();
        if matched.is_empty() {
            return None;
        }
        // A window starts at the text's beginning or at a matched word; the best one covers
        // the most different query words, then the most matches (exact ones count double);
        // the earliest wins a tie.
        let mut best: Option<(u64, usize, usize)> = None;
        let starts = std::iter::once(0).chain(matched.iter().copied());
        for first in starts {
            let from = tokens[first].char_start;
            let mut words = 0u64;
            let mut hits = 0u64;
            let mut last = first;
            for (i, t) in tokens.iter().enumerate().skip(first) {
                if t.char_end - from > MAX_CHARS {
                    break;
                }
                last = i;
                if let Some(term) = t.term {
                    if words & (1 << term.word.min(63)) == 0 {
                        words |= 1 << term.word.min(63);
                    }
                    hits += if term.exact { 2 } else { 1 };
                }
            }
            let score = u64::from(words.count_ones()) << 32 | hits;
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, first, last));
            }
        }
        let (_, first, last) = best?;
        let from = if first == 0 { 0 } else { tokens[first].start };
        let mut html = String::with_capacity(MAX_CHARS + 32);
        let mut at = from;
        for t in &tokens[first..=last] {
            if t.term.is_some() {
                push_escaped(&mut html, &text[at..t.start]);
                html.push_str("<b>");
                push_escaped(&mut html, &text[t.start..t.end]);
                html.push_str("</b>");
                at = t.end;
            }
        }
        push_escaped(&mut html, &text[at..tokens[last].end]);
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

    fn highlight(words: &[&[&str]]) -> Highlight {
        let words: Vec<Vec<String>> =
            words.iter().map(|w| w.iter().map(|s| (*s).to_owned()).collect()).collect();
        Highlight::new(&words, tokenizers().get(TEXT).unwrap())
    }

    #[test]
    fn marks_inflected_forms_and_keeps_their_case() {
        let mut h = highlight(&[&["program"]]);
        assert_eq!(
            h.snippet("Programming for everyone: programs & more").unwrap(),
            "<b>Programming</b> for everyone: <b>programs</b> &amp; more"
        );
        let mut h = highlight(&[&["программирован"]]);
        assert_eq!(
            h.snippet("Основы программирования на Python").unwrap(),
            "Основы <b>программирования</b> на Python"
        );
    }

    #[test]
    fn marks_typo_expansions() {
        let mut h = highlight(&[&["pyhton", "python"]]);
        assert_eq!(h.snippet("Learn Python today").unwrap(), "Learn <b>Python</b> today");
    }

    #[test]
    fn nothing_when_no_word_is_there() {
        let mut h = highlight(&[&["rust"]]);
        assert_eq!(h.snippet("A course about gardening"), None);
        assert_eq!(h.snippet(""), None);
    }

    #[test]
    fn prefers_the_window_with_more_of_the_words_and_escapes_everything_else() {
        let filler = "lorem ipsum dolor sit amet ".repeat(6);
        let text = format!("Data first. {filler}then data <i>analysis</i> together");
        let mut h = highlight(&[&["data"], &["analysi"]]);
        let s = h.snippet(&text).unwrap();
        assert!(s.starts_with("<b>data</b> &lt;i&gt;<b>analysis</b>"), "{s}");
        assert!(!s.contains("<i>"), "{s}");
        assert!(s.chars().count() <= MAX_CHARS + 40, "{s}");
    }
}
