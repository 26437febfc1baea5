//! Procedure definitions: the file format, loading with located errors, validation, diagrams.
//!
//! A [`Procedure`] can only be obtained through [`Procedure::load`] (or
//! [`Procedure::from_definition`]), so every procedure the engine runs has passed every check
//! and has its guards and fee formulas compiled.

mod diagnostic;
mod expr;
mod graph;
mod model;
mod page;
mod structure;
mod validate;

use std::fmt;
use std::sync::OnceLock;

use toml::de::DeTable;

pub use diagnostic::{Diagnostic, FieldPath, PathSegment, Problem};
pub use expr::{Expression, ExpressionEngine, ExpressionError, ExpressionKind, Variables};
pub use graph::{GraphFormat, render_graph};
pub use model::*;
pub use page::render_page;

use diagnostic::{LineIndex, SpanIndex};
use structure::StructureCheck;
use validate::CompiledExpressions;

/// A validated procedure version with its expressions compiled.
#[derive(Debug, Clone)]
pub struct Procedure {
    definition: ProcedureDefinition,
    expressions: CompiledExpressions,
}

/// Why a procedure file was refused: every problem found, each located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The problems, in file order.
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

/// The JSON Schema of the procedure format, as editors and the structure check use it.
pub fn json_schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut schema = schemars::schema_for!(ProcedureDefinition);
        schema.insert(
            "$id".to_owned(),
            "https://hoso.vn/schema/procedure.schema.json".into(),
        );
        schema.insert("title".to_owned(), "hoso procedure file".into());
        schema.to_value()
    })
}

fn expression_engine() -> &'static ExpressionEngine {
    static ENGINE: OnceLock<ExpressionEngine> = OnceLock::new();
    ENGINE.get_or_init(ExpressionEngine::new)
}

impl Procedure {
    /// Loads and validates a procedure file. `source` names the file in messages.
    pub fn load(source: &str, text: &str) -> Result<Self, LoadError> {
        let lines = LineIndex::new(text);
        let locate = |offset: usize, path: &FieldPath, message: String, fix: String| {
            let (line, column) = lines.locate(offset);
            Diagnostic {
                source: source.to_owned(),
                line,
                column,
                path: path.to_string(),
                pointer: path.json_pointer(),
                message,
                fix,
            }
        };
        let finish = |mut diagnostics: Vec<Diagnostic>| {
            diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
            diagnostics.dedup();
            LoadError { diagnostics }
        };

        let (document, syntax_errors) = DeTable::parse_recoverable(text);
        if !syntax_errors.is_empty() {
            let diagnostics = syntax_errors
                .iter()
                .map(|error| {
                    let offset = error.span().map_or(0, |span| span.start);
                    locate(
                        offset,
                        &FieldPath::root(),
                        format!("TOML syntax error: {}", error.message().trim_end()),
                        "check quotes, brackets and `key = value` on this line".to_owned(),
                    )
                })
                .collect();
            return Err(finish(diagnostics));
        }

        let findings = StructureCheck::run(json_schema(), &document);
        if !findings.is_empty() {
            let diagnostics = findings
                .into_iter()
                .map(|finding| locate(finding.offset, &finding.path, finding.message, finding.fix))
                .collect();
            return Err(finish(diagnostics));
        }

        // The structure check accepts exactly what the types accept, so this rarely fails; when
        // it does, serde's own message is still located.
        let definition: ProcedureDefinition = toml::from_str(text).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            finish(vec![locate(
                offset,
                &FieldPath::root(),
                error.message().trim_end().to_owned(),
                "correct the value to the form described in docs/procedure-format.md".to_owned(),
            )])
        })?;

        let spans = SpanIndex::new(&document);
        Self::check(definition).map_err(|problems| {
            finish(
                problems
                    .into_iter()
                    .map(|problem| {
                        let offset = spans.offset_of(&problem);
                        locate(offset, &problem.path, problem.message, problem.fix)
                    })
                    .collect(),
            )
        })
    }

    /// Validates a definition that did not come from a file (e.g. stored JSON); problems carry
    /// field paths but no lines.
    pub fn from_definition(definition: ProcedureDefinition) -> Result<Self, Vec<Problem>> {
        Self::check(definition)
    }

    fn check(definition: ProcedureDefinition) -> Result<Self, Vec<Problem>> {
        let (problems, expressions) = validate::validate(&definition, expression_engine());
        if problems.is_empty() {
            Ok(Self {
                definition,
                expressions,
            })
        } else {
            Err(problems)
        }
    }

    /// The definition as written.
    pub fn definition(&self) -> &ProcedureDefinition {
        &self.definition
    }

    /// The national procedure code.
    pub fn code(&self) -> &ProcedureCode {
        &self.definition.code
    }

    /// The version number.
    pub fn version(&self) -> u32 {
        self.definition.version
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.definition.steps.iter().find(|step| step.id == id)
    }

    /// The actions that may be taken from a step.
    pub fn actions_from<'p>(&'p self, step: &'p str) -> impl Iterator<Item = &'p Action> + 'p {
        self.definition
            .actions
            .iter()
            .filter(move |action| action.from == step)
    }

    /// The compiled guard of an action, if it has one.
    pub fn guard(&self, action: &str) -> Option<&Expression> {
        self.expressions.guards.get(action)
    }

    /// The channel entry for a submission channel, if the procedure offers it.
    pub fn channel(&self, kind: ChannelKind) -> Option<&Channel> {
        self.definition
            .channels
            .iter()
            .find(|channel| channel.channel == kind)
    }
}
