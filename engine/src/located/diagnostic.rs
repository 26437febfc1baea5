//! Problems found in a procedure file, located at `file:line:column` and phrased so a designer
//! knows what to change.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::messages::{DesignProblem, Lang};

/// One step of a path into a procedure file: a key of a table or an index into an array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A table key.
    Key(String),
    /// A position in an array, from 0.
    Index(usize),
}

/// Where in a procedure a value sits, e.g. `actions[3].to`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The path of the whole file.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path followed by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        Self(segments)
    }

    /// This path followed by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        Self(segments)
    }

    /// The path as a JSON pointer (RFC 6901), e.g. `/actions/3/to`, for API error bodies.
    pub fn json_pointer(&self) -> String {
        self.0
            .iter()
            .map(|segment| match segment {
                PathSegment::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
                PathSegment::Index(index) => format!("/{index}"),
            })
            .collect()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if position == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// What part of the entry at a path a problem points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The key itself (unknown or duplicate keys).
    Key,
    /// The value written after the key.
    Value,
}

/// A problem in a procedure file, before it is given a line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub path: FieldPath,
    /// What part of that entry it points at.
    pub anchor: Anchor,
    /// Extra bytes into the anchored text (for a position inside an expression string).
    pub offset: usize,
    /// What is wrong and how to fix it, worded by the message catalogue.
    pub said: DesignProblem,
}

impl Problem {
    /// A problem with the value at `path`.
    pub fn at(path: FieldPath, said: DesignProblem) -> Self {
        Self {
            path,
            anchor: Anchor::Value,
            offset: 0,
            said,
        }
    }

    /// A problem with the key at `path`.
    pub fn at_key(path: FieldPath, said: DesignProblem) -> Self {
        Self {
            anchor: Anchor::Key,
            ..Self::at(path, said)
        }
    }
}

/// A problem located in a file: what the validator prints and the API returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file name as the user gave it.
    pub source: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Where in the procedure, when the problem is about a value (empty for syntax errors).
    pub path: String,
    /// JSON pointer of `path`, for API clients.
    pub pointer: String,
    /// What is wrong and how to fix it, worded by the message catalogue.
    pub said: DesignProblem,
}

impl Diagnostic {
    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.said.message(lang)
    }

    /// How to fix it, in `lang`.
    pub fn fix(&self, lang: Lang) -> String {
        self.said.fix(lang)
    }
}

/// In English, as the CLI prints it: `file:line:column: message — fix`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} — {}",
            self.source,
            self.line,
            self.column,
            self.message(Lang::En),
            self.fix(Lang::En)
        )
    }
}

/// Turns byte offsets into line and column for one source text.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, line_starts }
    }

    /// 1-based (line, column in characters) of a byte offset, clamped to the text.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }
}

/// The spans of every key and value of a parsed file, by path.
pub(crate) struct SpanIndex {
    spans: HashMap<FieldPath, (Range<usize>, Range<usize>)>,
}

impl SpanIndex {
    pub(crate) fn empty() -> Self {
        Self {
            spans: HashMap::new(),
        }
    }

    pub(crate) fn new(document: &Spanned<DeTable<'_>>) -> Self {
        let mut spans = HashMap::new();
        spans.insert(
            FieldPath::root(),
            (
                document.span().start..document.span().start,
                document.span(),
            ),
        );
        index_table(document.get_ref(), &FieldPath::root(), &mut spans);
        Self { spans }
    }

    /// The byte offset a problem points at: the nearest enclosing entry that exists in the file.
    pub(crate) fn offset_of(&self, problem: &Problem) -> usize {
        let mut segments = problem.path.0.clone();
        let mut exact = true;
        loop {
            if let Some((key, value)) = self.spans.get(&FieldPath(segments.clone())) {
                let base = match problem.anchor {
                    Anchor::Key => key.start,
                    Anchor::Value => value.start,
                };
                return if exact { base + problem.offset } else { base };
            }
            if segments.pop().is_none() {
                return 0;
            }
            exact = false;
        }
    }
}

fn index_table(
    table: &DeTable<'_>,
    path: &FieldPath,
    spans: &mut HashMap<FieldPath, (Range<usize>, Range<usize>)>,
) {
    for (key, value) in table.iter() {
        let child = path.key(key.get_ref());
        spans.insert(child.clone(), (key.span(), value.span()));
        index_value(value, &child, spans);
    }
}

fn index_value(
    value: &Spanned<DeValue<'_>>,
    path: &FieldPath,
    spans: &mut HashMap<FieldPath, (Range<usize>, Range<usize>)>,
) {
    match value.get_ref() {
        DeValue::Table(table) => index_table(table, path, spans),
        DeValue::Array(items) => {
            for (position, item) in items.iter().enumerate() {
                let child = path.index(position);
                spans.insert(child.clone(), (item.span(), item.span()));
                index_value(item, &child, spans);
            }
        }
        _ => {}
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
/// Values in double quotes, comma-separated, as messages list the allowed words.
pub(crate) fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters, case-insensitive.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let index = LineIndex::new("tên = \"ả\"\nx = 1\n");
        assert_eq!(index.locate(0), (1, 1));
        assert_eq!(index.locate("tên".len()), (1, 4));
        assert_eq!(index.locate("tên = \"ả\"\n".len()), (2, 1));
    }

    #[test]
    fn typos_find_their_key_and_strangers_find_none() {
        let keys = ["allotted", "role", "unit", "name"];
        assert_eq!(did_you_mean("alloted", keys), Some("allotted"));
        assert_eq!(did_you_mean("rol", keys), Some("role"));
        assert_eq!(did_you_mean("deadline", keys), None);
    }

    #[test]
    fn paths_render_for_people_and_for_json_pointers() {
        let path = FieldPath::root().key("actions").index(3).key("to");
        assert_eq!(path.to_string(), "actions[3].to");
        assert_eq!(path.json_pointer(), "/actions/3/to");
    }
}
