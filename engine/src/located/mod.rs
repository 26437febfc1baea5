//! Files people write by hand (procedures, calendars), read so that every mistake is reported at
//! its `file:line:column` with a way to fix it.
//!
//! Loading goes: TOML syntax (every error, recovered) → structure against the JSON Schema of the
//! target type (every unknown, missing or mistyped key) → serde into the type → the format's own
//! checks of meaning, whose [`Problem`]s carry field paths that [`Locator`] turns into lines.

mod diagnostic;
mod structure;

use std::fmt;

use serde::de::DeserializeOwned;
use toml::de::DeTable;

use crate::messages::DesignProblem;

pub use diagnostic::{Anchor, Diagnostic, FieldPath, PathSegment, Problem};
pub(crate) use diagnostic::{did_you_mean, quoted};

use diagnostic::{LineIndex, SpanIndex};
use structure::StructureCheck;

/// Why a file was refused: every problem found, each located, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The problems.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, diagnostic) in self.diagnostics.iter().enumerate() {
            if position > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Turns problems found after parsing into located diagnostics for one file.
pub struct Locator<'t> {
    source: String,
    lines: LineIndex<'t>,
    spans: SpanIndex,
}

impl Locator<'_> {
    /// Locates problems and sorts them into a [`LoadError`].
    pub fn locate(&self, problems: Vec<Problem>) -> LoadError {
        let diagnostics = problems
            .into_iter()
            .map(|problem| {
                let offset = self.spans.offset_of(&problem);
                self.diagnostic(offset, &problem.path, problem.said)
            })
            .collect();
        finish(diagnostics)
    }

    fn diagnostic(&self, offset: usize, path: &FieldPath, said: DesignProblem) -> Diagnostic {
        let (line, column) = self.lines.locate(offset);
        Diagnostic {
            source: self.source.clone(),
            line,
            column,
            path: path.to_string(),
            pointer: path.json_pointer(),
            said,
        }
    }
}

fn finish(mut diagnostics: Vec<Diagnostic>) -> LoadError {
    diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
    diagnostics.dedup();
    LoadError { diagnostics }
}

/// Parses `text` into `T`, checking its structure against `schema` (generated from `T`).
/// `guide` names the document that explains the format, for the rare serde-only error.
pub fn parse<'t, T: DeserializeOwned>(
    source: &str,
    text: &'t str,
    schema: &serde_json::Value,
    guide: &str,
) -> Result<(T, Locator<'t>), LoadError> {
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    let mut locator = Locator {
        source: source.to_owned(),
        lines: LineIndex::new(text),
        spans: SpanIndex::empty(),
    };
    if !syntax_errors.is_empty() {
        let diagnostics = syntax_errors
            .iter()
            .map(|error| {
                locator.diagnostic(
                    error.span().map_or(0, |span| span.start),
                    &FieldPath::root(),
                    DesignProblem::Syntax {
                        detail: error.message().trim_end().to_owned(),
                    },
                )
            })
            .collect();
        return Err(finish(diagnostics));
    }
    let findings = StructureCheck::run(schema, &document);
    if !findings.is_empty() {
        let diagnostics = findings
            .into_iter()
            .map(|finding| locator.diagnostic(finding.offset, &finding.path, finding.said))
            .collect();
        return Err(finish(diagnostics));
    }
    // The structure check accepts what the type accepts, so this rarely fails; when it does,
    // serde's own message is still located.
    let value: T = toml::from_str(text).map_err(|error| {
        finish(vec![locator.diagnostic(
            error.span().map_or(0, |span| span.start),
            &FieldPath::root(),
            DesignProblem::Unrepresentable {
                detail: error.message().trim_end().to_owned(),
                guide: guide.to_owned(),
            },
        )])
    })?;
    locator.spans = SpanIndex::new(&document);
    Ok((value, locator))
}
