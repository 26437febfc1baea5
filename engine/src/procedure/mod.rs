//! Procedure definitions: the file format, loading with located errors, validation, diagrams.
//!
//! A [`Procedure`] can only be obtained through [`Procedure::load`] (or
//! [`Procedure::from_definition`]), so every procedure the engine runs has passed every check
//! and has its guards and fee formulas compiled.

mod expr;
mod graph;
mod model;
mod page;
mod simulate;
mod validate;

use std::sync::OnceLock;

pub use crate::located::{Diagnostic, FieldPath, LoadError, PathSegment, Problem};
pub use expr::{Expression, ExpressionEngine, ExpressionError, ExpressionKind, Variables};
pub use graph::{GraphFormat, render_graph};
pub use model::*;
pub use page::render_page;
pub use simulate::{SimulateError, SimulatedPath, SimulatedStep, SimulatedWindow, simulate};

use validate::{CompiledExpressions, Strictness};

use crate::messages::DesignProblem;

/// A validated procedure version with its expressions compiled.
#[derive(Debug, Clone)]
pub struct Procedure {
    definition: ProcedureDefinition,
    expressions: CompiledExpressions,
}

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
        Self::load_with(source, text, None)
    }

    /// Loads and validates a procedure file, also checking that its retention class is one the
    /// agency's retention schedule defines (an unknown class would stop every archive run).
    pub fn load_with(
        source: &str,
        text: &str,
        schedule: Option<&crate::retention::RetentionSchedule>,
    ) -> Result<Self, LoadError> {
        let (definition, locator) = crate::located::parse::<ProcedureDefinition>(
            source,
            text,
            json_schema(),
            "docs/procedure-format.md",
        )?;
        // Required of every file, but not of versions stored before the field existed.
        let no_retention = definition.retention.is_none().then(|| {
            Problem::at(
                FieldPath::root().key("retention"),
                DesignProblem::NoRetentionClass,
            )
        });
        let no_retention = no_retention
            .or_else(|| Self::undefined_class(definition.retention.as_deref(), schedule?));
        match (Self::check(definition, Strictness::NewFile), no_retention) {
            (Ok(procedure), None) => Ok(procedure),
            (Ok(_), Some(problem)) => Err(locator.locate(vec![problem])),
            (Err(mut problems), no_retention) => {
                problems.extend(no_retention);
                Err(locator.locate(problems))
            }
        }
    }

    /// The problem of a well-formed retention class the schedule does not define (a malformed
    /// one has its own problem from the validator).
    fn undefined_class(
        class: Option<&str>,
        schedule: &crate::retention::RetentionSchedule,
    ) -> Option<Problem> {
        let class = class.filter(|class| crate::retention::is_class_name(class))?;
        schedule.keep(class).is_none().then(|| {
            Problem::at(
                FieldPath::root().key("retention"),
                DesignProblem::UndefinedRetentionClass {
                    class: class.to_owned(),
                    known: schedule.class_names().map(str::to_owned).collect(),
                },
            )
        })
    }

    /// The problem with this procedure's retention class under `schedule`, if it has one.
    pub fn retention_problem(
        &self,
        schedule: &crate::retention::RetentionSchedule,
    ) -> Option<Problem> {
        Self::undefined_class(self.definition.retention.as_deref(), schedule)
    }

    /// Validates a definition that did not come from a file (e.g. stored JSON); problems carry
    /// field paths but no lines.
    pub fn from_definition(definition: ProcedureDefinition) -> Result<Self, Vec<Problem>> {
        Self::check(definition, Strictness::NewFile)
    }

    /// Loads a version already published and stored: dossiers pinned to it must keep running,
    /// so only the rules they need apply, not later checks of designers' mistakes.
    pub fn from_stored(definition: ProcedureDefinition) -> Result<Self, Vec<Problem>> {
        Self::check(definition, Strictness::Stored)
    }

    fn check(
        definition: ProcedureDefinition,
        strictness: Strictness,
    ) -> Result<Self, Vec<Problem>> {
        let (problems, expressions) =
            validate::validate(&definition, expression_engine(), strictness);
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

    /// The kinds of applicant the procedure accepts.
    pub fn applicant_kinds(&self) -> &[crate::case::ApplicantKind] {
        &self.definition.applicants.kinds
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

    /// The dossier component (thành phần hồ sơ) with this id.
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.definition
            .documents
            .iter()
            .find(|document| document.id == id)
    }

    /// The window with this id.
    pub fn window(&self, id: &str) -> Option<&Window> {
        self.definition
            .windows
            .iter()
            .find(|window| window.id == id)
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

    /// A unit kind by id.
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.definition.units.iter().find(|unit| unit.id == id)
    }

    /// Whether a unit kind belongs to the agency that receives dossiers (the agency of the start
    /// step's unit): such a kind stays at the receiving unit when no route names it.
    pub fn is_receiving_agency(&self, kind: &str) -> bool {
        let agency_of = |kind: &str| self.unit(kind).map(|unit| unit.agency.as_str());
        let receiving = self
            .step(&self.definition.start)
            .and_then(|step| agency_of(&step.unit));
        receiving.is_some() && agency_of(kind) == receiving
    }

    /// The role of the start step: the one-stop role that receives, refuses, asks for
    /// supplements and returns results.
    pub fn intake_role(&self) -> &str {
        self.step(&self.definition.start)
            .map_or("", |step| step.role.as_str())
    }

    /// A role as people read it: its declared name, or its id when the procedure has no such role.
    pub fn role_name<'p>(&'p self, id: &'p str) -> &'p str {
        self.definition
            .roles
            .iter()
            .find(|role| role.id == id)
            .map_or(id, |role| role.name.as_str())
    }

    /// A step as people read it: its declared name, or its id when the procedure has no such step.
    pub fn step_name<'p>(&'p self, id: &'p str) -> &'p str {
        self.step(id).map_or(id, |step| step.name.as_str())
    }

    /// Whether an action's guard holds for a dossier's form (true when it has no guard).
    pub fn guard_allows(
        &self,
        action: &str,
        channel: ChannelKind,
        form: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<bool, String> {
        match self.guard(action) {
            None => Ok(true),
            Some(guard) => {
                let values = Variables::bind(&self.definition, channel.as_str(), form);
                expression_engine().evaluate_condition(guard, &values)
            }
        }
    }

    /// The fees a dossier on `channel` with `form` is charged, exemptions applied; amounts are
    /// rounded to the nearest đồng.
    pub fn charge(
        &self,
        channel: ChannelKind,
        form: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Vec<crate::case::FeeLine>, String> {
        let Some(channel_position) = self
            .definition
            .channels
            .iter()
            .position(|entry| entry.channel == channel)
        else {
            return Ok(Vec::new());
        };
        let values = Variables::bind(&self.definition, channel.as_str(), form);
        let engine = expression_engine();
        let mut lines = Vec::new();
        for (position, fee) in self.definition.channels[channel_position]
            .fees
            .iter()
            .enumerate()
        {
            let key = (channel_position, position);
            let exempt = match self.expressions.fee_exemptions.get(&key) {
                Some(condition) => engine.evaluate_condition(condition, &values)?,
                None => false,
            };
            let amount = match (fee.amount, self.expressions.fee_formulas.get(&key)) {
                (Some(amount), _) => crate::money::Money::dong(amount),
                (None, Some(formula)) => {
                    let exact = engine.evaluate_amount(formula, &values)?;
                    crate::money::Money::from_decimal(exact).ok_or_else(|| {
                        format!(
                            "the fee \"{}\" came to {exact} đồng, which is not a payable amount",
                            fee.name
                        )
                    })?
                }
                (None, None) => crate::money::Money::ZERO,
            };
            lines.push(crate::case::FeeLine {
                name: fee.name.clone(),
                amount: if exempt {
                    crate::money::Money::ZERO
                } else {
                    amount
                },
                exempt,
            });
        }
        Ok(lines)
    }

    /// The channel entry for a submission channel, if the procedure offers it.
    pub fn channel(&self, kind: ChannelKind) -> Option<&Channel> {
        self.definition
            .channels
            .iter()
            .find(|channel| channel.channel == kind)
    }
}
