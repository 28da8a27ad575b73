//! Client-side search: a per-language index split into small files, so a query on a large site
//! downloads a few shards instead of the whole index. The theme's `search.js` reads it; the format
//! and the reasons for it are in docs/search.md.
//!
//! Files, under `search/<lang>/`:
//! - `manifest.json`: `{ v, lang, stem, docs, chunk, sections, shards }`, where `shards` is the
//!   first term of each term shard, in UTF-16 order (the order JavaScript compares strings in).
//! - `t/<n>.json`: term shard `n`: `{ "term": "postings" }`; each posting is one number,
//!   `doc_delta * 16 + score` (doc ids ascending, the first one absolute; `score` is `8` when the
//!   term is in the title plus the number of times it is in the text, at most 7), written as a
//!   varint in [`DIGITS`]: 5 bits per character, low bits first, `+32` on all but the last. A posting
//!   of a frequent term is one character.
//! - `d/<n>.json`: documents `n * chunk ..`:
//!   `[[title, url, section, status, expires, text, description], ...]`; `status` is `""` for a
//!   section page.
//!
//! Text becomes terms the same way here and in `search.js` ([`terms`]): lowercase, NFKD, accents and
//! a few optional marks dropped, words as runs of letters, digits and marks, scripts written without
//! spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) as character bigrams, and for English a
//! light stemmer and a short stop-word list. Queries match terms by prefix.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::sink::{OutData, OutFile};

/// The 64 characters postings are written with (`A` = 0 ... `_` = 63).
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn push_varint(out: &mut String, mut v: u64) {
    loop {
        let low = (v & 31) as usize;
        v >>= 5;
        if v == 0 {
            out.push(DIGITS[low] as char);
            return;
        }
        out.push(DIGITS[low | 32] as char);
    }
}

/// Postings as `(doc, score)`, from their written form.
pub fn decode_postings(s: &str) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    let (mut doc, mut v, mut shift) = (0usize, 0u64, 0u32);
    for b in s.bytes() {
        let d = DIGITS.iter().position(|&x| x == b).unwrap_or(0) as u64;
        v |= (d & 31) << shift;
        if d & 32 != 0 {
            shift += 5;
        } else {
            doc += (v >> 4) as usize;
            out.push((doc, (v & 15) as u8));
            v = 0;
            shift = 0;
        }
    }
    out
}

/// Aimed-for size of a term shard in bytes (a shard with one very common term can be larger).
const SHARD_TARGET: usize = 24 * 1024;
/// Documents per metadata file on a large site.
const CHUNK_DOCS: usize = 4;
/// At most this much of an article's text goes into the index, for snippets.
const TEXT_CAP: usize = 600;
/// Longer "words" (hashes, base64) are not indexed.
const MAX_TERM_CHARS: usize = 40;

/// What search indexes of one article's text: its terms with their scores, and the start of its
/// text for snippets. It depends only on the article's language, front matter and HTML, so a build
/// computes it while history is read, and `serve` recomputes it for the article that changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Terms {
    /// Plain text of the article for snippets, at most [`TEXT_CAP`] bytes: its start, then the
    /// sentences that hold its main words (see [`snippet_text`]).
    text: String,
    /// The front matter's `description`, for snippets when the text has none of the query's words.
    description: String,
    /// Terms of this article, sorted, each followed by `\0`. One string per article, not one per
    /// term: at 100,000 articles that was half a GiB of small allocations.
    terms: Box<str>,
    /// The score of each term, in the same order: 8 for a title hit, plus the hits in the text (at
    /// most 7).
    scores: Box<[u8]>,
}

/// What a page gives search besides its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    pub title: &'a str,
    /// Weighed like the title: `keywords`/`synonyms` and `tags`.
    pub boost: &'a [String],
    pub also_boost: &'a [String],
    /// Counted as two hits in the text.
    pub description: &'a str,
}

impl Terms {
    /// The terms of a page from its rendered HTML.
    pub fn of_html(lang: &str, fields: Fields<'_>, html: &str) -> Terms {
        Terms::new(lang, fields, &html_text(html))
    }

    /// `text` is the page's whole plain text; all of it is indexed, a part is kept for snippets.
    pub fn new(lang: &str, fields: Fields<'_>, text: &str) -> Terms {
        let english = is_english(lang);
        // While counting, two more bits of a term's score: a main word, and seen in the text.
        const MAIN: u8 = 16;
        const SEEN: u8 = 32;
        let title_norm = normalize(fields.title);
        let boost_norm: Vec<String> = (fields.boost.iter().chain(fields.also_boost))
            .map(|b| normalize(b))
            .collect();
        let desc_norm = normalize(fields.description);
        // The text sentence by sentence (normalising each on its own gives the same as the whole),
        // so that one pass counts its terms and finds the sentences the snippet keeps.
        let sentences: Vec<(&str, String)> = sentences(text).map(|s| (s, normalize(s))).collect();
        // Keys borrow from the normalised texts: most terms (and most stems) are slices of them.
        let mut counts: HashMap<Cow<'_, str>, u8> = HashMap::new();
        let mut title_hit = |t| *counts.entry(t).or_insert(0) |= 8;
        for_each_term(&title_norm, english, &mut title_hit);
        for b in &boost_norm {
            for_each_term(b, english, &mut title_hit);
        }
        // Main words, those a reader searches with: in the title, keywords, tags or description.
        // Each sentence that holds one no earlier sentence held is kept for snippets.
        for_each_term(&desc_norm, english, |t| {
            let e = counts.entry(t).or_insert(0);
            *e = (*e & 8) | ((*e & 7) + 2).min(7) | MAIN;
        });
        let long = text.len() > TEXT_CAP;
        let mut keep = vec![!long; sentences.len()];
        for (k, (_, norm)) in sentences.iter().enumerate() {
            for_each_term(norm, english, |t| {
                let e = counts.entry(t).or_insert(0);
                if long && *e & (8 | MAIN) != 0 && *e & SEEN == 0 {
                    keep[k] = true;
                }
                *e = (*e & !7) | ((*e & 7) + 1).min(7) | SEEN;
            });
        }
        let snippet = if long {
            snippet_text(&sentences, &keep)
        } else {
            text.to_string()
        };
        let mut sorted: Vec<(Cow<'_, str>, u8)> = counts.into_iter().collect();
        sorted.sort_unstable();
        let mut terms = String::with_capacity(sorted.iter().map(|(t, _)| t.len() + 1).sum());
        for (t, _) in &sorted {
            terms.push_str(t);
            terms.push('\0');
        }
        Terms {
            text: snippet,
            description: fields.description.to_string(),
            terms: terms.into_boxed_str(),
            scores: sorted.iter().map(|&(_, s)| s & 15).collect(),
        }
    }

    /// Each term with its score.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.terms
            .split_terminator('\0')
            .zip(self.scores.iter().copied())
    }
}

/// One article as search shows it: what the page says of it now, and its [`Terms`].
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc<'a> {
    pub title: &'a str,
    pub section: &'a str,
    pub url: String,
    /// `fresh`, `expiring`, `stale` or `unknown` when the site was built; `""` for a section page.
    pub status: &'static str,
    /// The day after which the article counts as stale (`YYYY-MM-DD`), for readers who come later.
    pub expires: Option<String>,
    pub terms: Cow<'a, Terms>,
}

fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // End on a word boundary when there is one near.
    match s[..end].rfind(' ') {
        Some(sp) if sp + 40 > end => &s[..sp],
        _ => &s[..end],
    }
}

/// The part of a long text kept for snippets: its first sentences, then, in order, the sentences
/// `keep` marks (they hold a main word no earlier sentence held), joined by `…`, up to
/// [`TEXT_CAP`] bytes. Readers search with the main words, so the snippet usually shows the match.
fn snippet_text(sentences: &[(&str, String)], keep: &[bool]) -> String {
    let mut out = String::with_capacity(TEXT_CAP + 8);
    let mut joined = true;
    for (k, (sentence, _)) in sentences.iter().enumerate() {
        let lead = out.len() < TEXT_CAP / 2;
        if !lead && !keep[k] {
            joined = false;
            continue;
        }
        let sentence = sentence.trim();
        let room = TEXT_CAP.saturating_sub(out.len() + 5);
        if room < 40 {
            break;
        }
        if !out.is_empty() {
            out.push_str(if joined { " " } else { " … " });
        }
        out.push_str(cap(sentence, if lead { room } else { room.min(240) }));
        joined = true;
    }
    out
}

/// The sentences of `s`, each through its `.`, `!`, `?` (or CJK and Arabic forms) and the space
/// after it; together they are all of `s`.
fn sentences(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len();
        let mut chars = rest.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if matches!(c, '.' | '!' | '?' | '。' | '؟' | '！' | '？')
                && let Some(&(j, n)) = chars.peek()
                && n.is_whitespace()
            {
                end = j + n.len_utf8();
                break;
            }
        }
        let (sentence, after) = rest.split_at(end);
        rest = after;
        Some(sentence)
    })
}

/// Characters that are dropped before splitting into words.
fn dropped(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks (accents)
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{064B}'..='\u{065F}' // Arabic short vowels and other optional marks
        | '\u{0670}'
        | '\u{0640}'              // tatweel
        | '\u{00AD}'              // soft hyphen
        | '\u{200C}' | '\u{200D}' // zero-width non-joiner and joiner (Persian half-spaces)
        | '\'' | '\u{2019}' | '\u{02BB}' | '\u{02BC}' // apostrophes: don't, Uzbek oʻ
    )
}

/// Letters written differently with the same meaning.
fn folded(c: char) -> char {
    match c {
        'ς' => 'σ',
        // Arabic yeh and kaf as Persian writes them.
        '\u{064A}' | '\u{0649}' => '\u{06CC}',
        '\u{0643}' => '\u{06A9}',
        _ => c,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Scripts written without spaces between words: indexed as character bigrams.
pub fn is_bigram_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}' // Han
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}'
        | '\u{0E00}'..='\u{0EFF}' // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
    )
}

const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "if", "in", "into",
    "is", "it", "its", "of", "on", "or", "so", "than", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "were", "will", "with",
];

/// Words of a question that say nothing of what is asked ("how do I …", "wie kann ich …"): a query
/// does not require them (they still add to the score), unless it has no other words. The index
/// keeps them, and `search.js` gets them from the manifest, normalised.
fn question_words(lang: &str) -> &'static [&'static str] {
    match lang.split(['-', '_']).next() {
        Some("en") => &[
            "how", "do", "does", "did", "doing", "i", "im", "ive", "my", "me", "mine", "what",
            "whats", "why", "when", "where", "which", "who", "whom", "can", "cant", "could",
            "should", "would", "we", "our", "us", "you", "your", "is", "am", "get", "please",
            "way", "possible", "want", "need", "help",
        ],
        Some("de") => &[
            "wie", "was", "warum", "wann", "wo", "woher", "wohin", "welche", "welcher", "welches",
            "wer", "ich", "mein", "meine", "meinen", "meinem", "meiner", "kann", "können",
            "kannst", "man", "mich", "mir", "wir", "unser", "unsere", "der", "die", "das", "den",
            "dem", "des", "ein", "eine", "einen", "einem", "einer", "und", "oder", "ist", "sind",
            "zu", "zum", "zur", "im", "in", "an", "am", "auf", "für", "mit", "von", "bei", "es",
            "bitte", "geht", "gibt",
        ],
        Some("fa") => &[
            "چگونه",
            "چطور",
            "چطوری",
            "چرا",
            "کجا",
            "کی",
            "چه",
            "چی",
            "آیا",
            "من",
            "را",
            "به",
            "از",
            "در",
            "که",
            "و",
            "با",
            "این",
            "آن",
            "است",
            "یک",
            "برای",
            "می",
            "کنم",
            "کنیم",
            "میتوانم",
            "میتوان",
            "چیست",
            "کدام",
        ],
        _ => &[],
    }
}

fn is_english(lang: &str) -> bool {
    lang.split(['-', '_']).next() == Some("en")
}

/// The normalised form of a text: lowercase, NFKD, accents and optional marks dropped.
fn normalize(text: &str) -> String {
    // Runs of ASCII (most of most help centres) only need lowercasing: NFKD leaves ASCII alone, and
    // as every ASCII character is a starter, decomposing the other runs on their own gives the same
    // result as decomposing the whole text.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        out.extend(
            rest[..ascii]
                .bytes()
                .filter(|&b| b != b'\'')
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        rest = &rest[ascii..];
        let other = rest
            .bytes()
            .position(|b| b.is_ascii())
            .unwrap_or(rest.len());
        out.extend(
            rest[..other]
                .to_lowercase()
                .nfkd()
                .filter(|&c| !dropped(c))
                .map(folded),
        );
        rest = &rest[other..];
    }
    out
}

/// The terms of a text, in order, as the index stores them and as `search.js` makes them of a query.
pub fn terms(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(&normalize(text), is_english(lang), |t| {
        out.push(t.into_owned())
    });
    out
}

/// Calls `f` with each term of an already normalised text, in order. Words are slices of `norm`, and
/// so are bigrams and most stems: nothing is allocated per word.
fn for_each_term<'n>(norm: &'n str, english: bool, mut f: impl FnMut(Cow<'n, str>)) {
    let mut start = None;
    for (i, c) in norm.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                word_terms(&norm[s..i], english, &mut f);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        word_terms(&norm[s..], english, &mut f);
    }
}

fn word_terms<'n>(word: &'n str, english: bool, f: &mut impl FnMut(Cow<'n, str>)) {
    let mut rest = word;
    while let Some(first) = rest.chars().next() {
        let bigram = is_bigram_script(first);
        let end = rest
            .char_indices()
            .find(|&(_, c)| is_bigram_script(c) != bigram)
            .map_or(rest.len(), |(i, _)| i);
        let seg = &rest[..end];
        rest = &rest[end..];
        if bigram {
            // Each pair of neighbouring characters; a lone character on its own.
            let bounds: Vec<usize> = seg
                .char_indices()
                .map(|(i, _)| i)
                .chain([seg.len()])
                .collect();
            if bounds.len() == 2 {
                f(Cow::Borrowed(seg));
            } else {
                for w in bounds.windows(3) {
                    f(Cow::Borrowed(&seg[w[0]..w[2]]));
                }
            }
        } else if seg.len() <= MAX_TERM_CHARS || seg.chars().count() <= MAX_TERM_CHARS {
            if !english {
                f(Cow::Borrowed(seg));
            } else if !EN_STOP.contains(&seg) {
                f(stem_en(seg));
            }
        }
    }
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|b| b"aeiouy".contains(&b))
}

/// A light English stemmer (plurals, -ing, -ed, -ly, final e), the same rules as `stemEn` in
/// search.js: queries and articles meet at the same stem, and a word being typed still prefix-matches.
/// Every rule but `-ies` to `-y` only shortens the word, so the stem is usually a slice of it.
fn stem_en(w: &str) -> Cow<'_, str> {
    if w.len() <= 3 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return Cow::Borrowed(w);
    }
    if w.ends_with("ies") && w.len() > 4 {
        let mut s = format!("{}y", &w[..w.len() - 3]);
        s.truncate(stem_suffixes(&s));
        return Cow::Owned(s);
    }
    let plural = if w.ends_with("sses") {
        2
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        1
    } else {
        0
    };
    let s = &w[..w.len() - plural];
    Cow::Borrowed(&s[..stem_suffixes(s)])
}

/// The length of `s` once -ing or -ed (with a doubled consonant), -ly and a final e are taken off.
fn stem_suffixes(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = b.len();
    for suffix in ["ing", "ed"] {
        if s.ends_with(suffix) && n - suffix.len() >= 3 && has_vowel(&s[..n - suffix.len()]) {
            n -= suffix.len();
            if n >= 2 && b[n - 1] == b[n - 2] && !b"aeioulsz".contains(&b[n - 1]) {
                n -= 1;
            }
            break;
        }
    }
    if s[..n].ends_with("ly") && n >= 5 {
        n -= 2;
    }
    if s[..n].ends_with('e') && n > 4 {
        n -= 1;
    }
    n
}

/// UTF-16 order, the order JavaScript compares strings in.
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The folder of one language's index files, relative to the output folder.
pub fn index_dir(lang: &str) -> String {
    format!("search/{lang}")
}

/// The index files for one language, under [`index_dir`].
pub fn index_files(lang: &str, docs: &[SearchDoc<'_>]) -> Vec<OutFile> {
    let dir = index_dir(lang);
    // Postings per term, doc ids ascending (docs are visited in order).
    let mut postings: HashMap<&str, Vec<u64>> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (t, score) in doc.terms.iter() {
            postings
                .entry(t)
                .or_default()
                .push(((d as u64) << 4) | u64::from(score));
        }
    }
    let mut terms: Vec<(&str, Vec<u64>)> = postings.into_iter().collect();
    terms.sort_by(|a, b| utf16_cmp(a.0, b.0));

    // Term shards: contiguous ranges of the sorted terms, each about SHARD_TARGET bytes.
    let mut files = Vec::new();
    let mut firsts: Vec<&str> = Vec::new();
    let mut shard = String::new();
    let flush = |shard: &mut String, files: &mut Vec<OutFile>| {
        if !shard.is_empty() {
            shard.push('}');
            files.push(OutFile {
                path: format!("{dir}/t/{}.json", files.len()),
                data: OutData::Bytes(std::mem::take(shard).into_bytes()),
            });
        }
    };
    for (term, list) in &terms {
        let mut entry = String::with_capacity(term.len() + list.len() * 2 + 8);
        entry.push_str(&serde_json::to_string(term).unwrap_or_default());
        entry.push_str(":\"");
        let mut prev = 0u64;
        for p in list {
            let doc = p >> 4;
            push_varint(&mut entry, ((doc - prev) << 4) | (p & 15));
            prev = doc;
        }
        entry.push('"');
        if !shard.is_empty() && shard.len() + entry.len() > SHARD_TARGET {
            flush(&mut shard, &mut files);
        }
        if shard.is_empty() {
            shard.push('{');
            firsts.push(term);
        } else {
            shard.push(',');
        }
        shard.push_str(&entry);
    }
    flush(&mut shard, &mut files);

    // Document metadata and text for snippets, in chunks (one chunk on a small site).
    let mut sections: Vec<&str> = Vec::new();
    let mut section_ids: HashMap<&str, usize> = HashMap::new();
    let rows: Vec<Value> = docs
        .iter()
        .map(|d| {
            let s = *section_ids.entry(d.section).or_insert_with(|| {
                sections.push(d.section);
                sections.len() - 1
            });
            json!([
                d.title,
                d.url,
                s,
                d.status,
                d.expires.clone().unwrap_or_default(),
                d.terms.text,
                d.terms.description
            ])
        })
        .collect();
    let total_text: usize = docs
        .iter()
        .map(|d| d.terms.text.len() + d.terms.description.len() + d.title.len() + 64)
        .sum();
    let chunk = if total_text <= 64 * 1024 {
        docs.len().max(1)
    } else {
        CHUNK_DOCS
    };
    for (n, rows) in rows.chunks(chunk).enumerate() {
        files.push(OutFile {
            path: format!("{dir}/d/{n}.json"),
            data: OutData::Bytes(
                crate::html::script_safe(serde_json::to_string(rows).unwrap_or_default())
                    .into_bytes(),
            ),
        });
    }
    let manifest = json!({
        "v": 1,
        "lang": lang,
        "stem": if is_english(lang) { Some("en") } else { None },
        "docs": docs.len(),
        "chunk": chunk,
        "ignore": question_words(lang).iter().map(|w| normalize(w)).collect::<Vec<_>>(),
        "sections": sections,
        "shards": firsts,
    });
    files.push(OutFile {
        path: format!("{dir}/manifest.json"),
        data: OutData::Bytes(crate::html::script_safe(manifest.to_string()).into_bytes()),
    });
    files
}

/// Plain text of rendered article HTML: tags dropped (heading anchors too), entities decoded,
/// whitespace collapsed.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut space = true;
    let push_space = |out: &mut String, space: &mut bool| {
        if !*space {
            out.push(' ');
            *space = true;
        }
    };
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            let tag = &rest[..end];
            rest = &rest[end..];
            let skip_to = if tag.starts_with("<a class=\"heading-anchor\"") {
                Some("</a>")
            } else if tag.starts_with("<script") {
                Some("</script>")
            } else if tag.starts_with("<style") {
                Some("</style>")
            } else {
                None
            };
            if let Some(close) = skip_to {
                rest = rest
                    .find(close)
                    .map(|e| &rest[e + close.len()..])
                    .unwrap_or("");
            }
            // Inline tags join words; block tags separate them.
            let name = tag
                .trim_start_matches(['<', '/'])
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("");
            if !matches!(
                name,
                "a" | "em"
                    | "strong"
                    | "code"
                    | "b"
                    | "i"
                    | "span"
                    | "del"
                    | "sup"
                    | "sub"
                    | "mark"
                    | "kbd"
            ) {
                push_space(&mut out, &mut space);
            }
            continue;
        }
        // Bytes, not a string slice: the twelfth byte may fall inside a character (`&日本`).
        if c == '&'
            && let Some(semi) = rest.as_bytes()[..rest.len().min(12)]
                .iter()
                .position(|&b| b == b';')
        {
            let ent = &rest[1..semi];
            let decoded = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            if let Some(d) = decoded {
                rest = &rest[semi + 1..];
                if d.is_whitespace() {
                    push_space(&mut out, &mut space);
                } else {
                    out.push(d);
                    space = false;
                }
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() {
            push_space(&mut out, &mut space);
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII fast path changes nothing: the same as normalising the whole text at once.
        #[test]
        fn normalize_by_runs_is_normalize_whole(
            text in "([a-zA-Z' .,-]|[\u{80}-\u{52F}]|\u{0301}|\u{0130}|Σ|ς|[\u{0600}-\u{06FF}]|[\u{3040}-\u{30FF}]){0,40}"
        ) {
            let whole: String = text
                .to_lowercase()
                .nfkd()
                .filter(|&c| !dropped(c))
                .map(folded)
                .collect();
            proptest::prop_assert_eq!(normalize(&text), whole);
        }

        /// Terms as slices of the text give what the per-character version gave (kept below as
        /// the reference), stems and bigrams included.
        #[test]
        fn terms_by_slices_are_terms_by_characters(
            text in "([a-z ]|ies|sses|ss|us|is|ing|ed|ly|e|s|bb|ll|[A-Z]|\u{e9}|\u{3b1}|[\u{4e00}-\u{4e08}]|[\u{0e01}-\u{0e05}]|\u{5d0}|[0-9]){0,30}",
            english in proptest::bool::ANY,
        ) {
            let lang = if english { "en" } else { "de" };
            proptest::prop_assert_eq!(terms(&text, lang), reference::terms(&text, lang));
        }
    }

    #[test]
    fn accents_case_and_stems_fold() {
        assert_eq!(terms("Café Refunds", "en"), ["cafe", "refund"]);
        assert_eq!(terms("Übersicht Straße", "de"), ["ubersicht", "straße"]);
        assert_eq!(
            terms("How to update the billing address", "en"),
            ["how", "updat", "bill", "address"]
        );
        for (w, s) in [
            ("refunds", "refund"),
            ("refunding", "refund"),
            ("refunded", "refund"),
            ("policies", "policy"),
            ("running", "run"),
            ("quickly", "quick"),
            ("updates", "updat"),
            ("updating", "updat"),
            ("using", "using"),
            ("status", "status"),
            ("class", "class"),
        ] {
            assert_eq!(stem_en(w), s, "{w}");
        }
    }

    #[test]
    fn scripts() {
        // Persian: the half-space (ZWNJ) and Arabic letter forms fold.
        assert_eq!(terms("می‌خواهم", "fa"), terms("میخواهم", "fa"));
        assert_eq!(terms("كتاب", "fa"), terms("کتاب", "fa"));
        // Armenian, Georgian, Tamil (vowel signs kept), Uzbek Latin and Cyrillic.
        assert_eq!(terms("Բարեւ Ձեզ", "hy"), ["բարեւ", "ձեզ"]);
        assert_eq!(terms("გამარჯობა", "ka"), ["გამარჯობა"]);
        assert_eq!(terms("வணக்கம் உலகம்", "ta"), ["வணக்கம்", "உலகம்"]);
        assert_eq!(terms("Oʻzbekiston o'zbek", "uz"), ["ozbekiston", "ozbek"]);
        assert_eq!(terms("Ўзбекистон", "uz"), ["узбекистон"]);
        // Chinese, Japanese and Thai: bigrams.
        assert_eq!(terms("退款申请", "zh"), ["退款", "款申", "申请"]);
        assert_eq!(terms("返金", "ja"), ["返金"]);
        assert_eq!(terms("คืนเงิน", "th").len(), "คืนเงิน".chars().count() - 1);
        assert_eq!(terms("a 中", "zh"), ["a", "中"]);
    }

    #[test]
    fn an_ampersand_before_wide_characters_is_text() {
        assert_eq!(html_text("<p>&a日本語テスト</p>"), "&a日本語テスト");
        assert_eq!(html_text("&amp;日本"), "&日本");
    }

    #[test]
    fn a_long_texts_snippet_keeps_the_sentences_with_its_main_words() {
        let filler = "Open the menu and choose an option from the list. ".repeat(20);
        let text = format!(
            "Start here. {filler}Stale articles get a banner. {filler}Refunds take a week. End."
        );
        let keywords = ["refund".to_string()];
        let t = Terms::new(
            "en",
            Fields {
                title: "Why an article is stale",
                boost: &keywords,
                ..Fields::default()
            },
            &text,
        );
        assert!(t.text.len() <= TEXT_CAP, "{}", t.text.len());
        assert!(
            t.text.starts_with("Start here. Open the menu"),
            "{}",
            t.text
        );
        assert!(
            t.text
                .contains(" … Stale articles get a banner. … Refunds take a week."),
            "{}",
            t.text
        );
        // The filler's words are counted all the same, at most 7.
        assert_eq!(
            t.iter().find(|(w, _)| *w == "menu").map(|(_, s)| s),
            Some(7)
        );
        assert_eq!(
            t.iter().find(|(w, _)| *w == "stal").map(|(_, s)| s),
            Some(9)
        );
        let short = Terms::new("en", Fields::default(), "One. Two.");
        assert_eq!(short.text, "One. Two.");
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_text(
                "<h2 id=\"x\">Set up<a class=\"heading-anchor\" href=\"#x\">#</a></h2><p>A &amp; <em>b</em>c&#39;s</p>"
            ),
            "Set up A & bc's"
        );
    }

    #[test]
    fn shards_and_postings() {
        let titles: Vec<String> = (0..2000).map(|i| format!("Refund {i}")).collect();
        let terms: Vec<Terms> = (0..2000)
            .map(|i| {
                Terms::new(
                    "en",
                    Fields {
                        title: &titles[i],
                        ..Fields::default()
                    },
                    &format!(
                        "word{i} common text about refunds and invoices {}",
                        "filler ".repeat(100)
                    ),
                )
            })
            .collect();
        let docs: Vec<SearchDoc<'_>> = (0..2000)
            .map(|i| SearchDoc {
                title: &titles[i],
                section: "Billing",
                url: format!("/billing/r{i}/"),
                status: "fresh",
                expires: None,
                terms: Cow::Borrowed(&terms[i]),
            })
            .collect();
        let files = index_files("en", &docs);
        let manifest: Value = match &files.last().unwrap().data {
            OutData::Bytes(b) => serde_json::from_slice(b).unwrap(),
            _ => unreachable!(),
        };
        let shards = manifest["shards"].as_array().unwrap();
        assert!(shards.len() > 1, "a larger index is split");
        assert_eq!(manifest["chunk"], CHUNK_DOCS);
        let refund = files
            .iter()
            .find_map(|f| match &f.data {
                OutData::Bytes(b) if f.path.contains("/t/") => {
                    let v: Value = serde_json::from_slice(b).unwrap();
                    v.get("refund").cloned()
                }
                _ => None,
            })
            .unwrap();
        let list = decode_postings(refund.as_str().unwrap());
        assert_eq!(list.len(), 2000);
        // Every doc has it in the title (8) and once in the text.
        assert_eq!(list[0], (0, 9));
        assert_eq!(list[1999], (1999, 9));
        // A posting one doc after the last is one character.
        assert_eq!(refund.as_str().unwrap().len(), 2000);
    }

    #[test]
    fn varints_round_trip() {
        let mut s = String::new();
        let list = [(0u64, 3u64), (5, 8), (1_000_000, 15), (1_000_001, 0)];
        let mut prev = 0;
        for (d, sc) in list {
            push_varint(&mut s, ((d - prev) << 4) | sc);
            prev = d;
        }
        let back: Vec<(usize, u8)> = list.iter().map(|&(d, sc)| (d as usize, sc as u8)).collect();
        assert_eq!(decode_postings(&s), back);
    }

    /// The per-character term splitter and allocating stemmer that `for_each_term` and `stem_en`
    /// replaced, kept as the reference they are tested against.
    mod reference {
        use super::super::*;

        pub fn terms(text: &str, lang: &str) -> Vec<String> {
            let english = is_english(lang);
            let mut out = Vec::new();
            let mut word: Vec<char> = Vec::new();
            for c in normalize(text).chars().chain([' ']) {
                if is_word_char(c) {
                    word.push(c);
                } else if !word.is_empty() {
                    word_terms(&word, english, &mut out);
                    word.clear();
                }
            }
            out
        }

        fn word_terms(word: &[char], english: bool, out: &mut Vec<String>) {
            let mut i = 0;
            while i < word.len() {
                let bigram = is_bigram_script(word[i]);
                let mut j = i;
                while j < word.len() && is_bigram_script(word[j]) == bigram {
                    j += 1;
                }
                let seg = &word[i..j];
                if bigram {
                    if seg.len() == 1 {
                        out.push(seg[0].to_string());
                    } else {
                        for w in seg.windows(2) {
                            out.push(w.iter().collect());
                        }
                    }
                } else if seg.len() <= MAX_TERM_CHARS {
                    let s: String = seg.iter().collect();
                    if !english {
                        out.push(s);
                    } else if !EN_STOP.contains(&s.as_str()) {
                        out.push(stem_en(&s));
                    }
                }
                i = j;
            }
        }

        fn stem_en(w: &str) -> String {
            if w.len() <= 3 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
                return w.to_string();
            }
            let mut s = w.to_string();
            if s.ends_with("ies") && s.len() > 4 {
                s.truncate(s.len() - 3);
                s.push('y');
            } else if s.ends_with("sses") {
                s.truncate(s.len() - 2);
            } else if s.ends_with('s')
                && !s.ends_with("ss")
                && !s.ends_with("us")
                && !s.ends_with("is")
            {
                s.truncate(s.len() - 1);
            }
            for suffix in ["ing", "ed"] {
                if s.ends_with(suffix)
                    && s.len() - suffix.len() >= 3
                    && has_vowel(&s[..s.len() - suffix.len()])
                {
                    s.truncate(s.len() - suffix.len());
                    let b = s.as_bytes();
                    let n = b.len();
                    if n >= 2 && b[n - 1] == b[n - 2] && !b"aeioulsz".contains(&b[n - 1]) {
                        s.truncate(n - 1);
                    }
                    break;
                }
            }
            if s.ends_with("ly") && s.len() >= 5 {
                s.truncate(s.len() - 2);
            }
            if s.ends_with('e') && s.len() > 4 {
                s.truncate(s.len() - 1);
            }
            s
        }
    }
}
