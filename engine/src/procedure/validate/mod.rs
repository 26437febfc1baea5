//! Semantic checks on a procedure that parsed: references, the shape of the process graph,
//! the legal conditions of full-process and partial services, expressions, legal-basis dates.
//! Every problem is collected; none stops the others from being found.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::expr::{Expression, ExpressionEngine, ExpressionKind, Variables};
use super::model::{Delivery, FieldKind, OnlineService, ProcedureDefinition};
use crate::located::{FieldPath, Problem, did_you_mean};
use crate::messages::{Declared, DesignProblem};

mod comparisons;
mod deadlines;

/// Expressions compiled during validation, keyed by where they appear.
#[derive(Debug, Default, Clone)]
pub(crate) struct CompiledExpressions {
    pub(crate) guards: BTreeMap<String, Expression>,
    pub(crate) fee_formulas: BTreeMap<(usize, usize), Expression>,
    pub(crate) fee_exemptions: BTreeMap<(usize, usize), Expression>,
}

/// Built-in variable names that e-form fields may not shadow.
const RESERVED_NAMES: [&str; 1] = ["channel"];

/// How strictly a definition is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// A file being loaded or published: every rule.
    NewFile,
    /// A version already published and stored: the rules a dossier needs to run on it, not the
    /// later rules that only catch designers' mistakes (dossiers are pinned to these versions, so
    /// a newer rule must never stop them loading).
    Stored,
}

pub(crate) fn validate(
    definition: &ProcedureDefinition,
    engine: &ExpressionEngine,
    strictness: Strictness,
) -> (Vec<Problem>, CompiledExpressions) {
    let mut check = Check {
        definition,
        problems: Vec::new(),
        root: FieldPath::root(),
        lint: strictness == Strictness::NewFile,
    };
    check.texts();
    check.service_kind();
    check.legal_basis();
    check.result();
    let roles = check.unique_ids(
        "roles",
        definition.roles.iter().map(|role| role.id.as_str()),
    );
    let units = check.unique_ids(
        "units",
        definition.units.iter().map(|unit| unit.id.as_str()),
    );
    let steps = check.unique_ids(
        "steps",
        definition.steps.iter().map(|step| step.id.as_str()),
    );
    check.unique_ids(
        "actions",
        definition.actions.iter().map(|action| action.id.as_str()),
    );
    check.unique_ids(
        "documents",
        definition
            .documents
            .iter()
            .map(|document| document.id.as_str()),
    );
    check.form_fields();
    check.channels();
    check.kind_and_code();
    check.clock();
    let start_resolves = check.steps(&roles, &units, &steps);
    let actions_resolve = check.actions(&roles, &steps);
    check.windows();
    // Reachability over a broken reference would only repeat the same mistake in other words.
    if start_resolves && actions_resolve {
        check.graph();
        if check.lint {
            check.allotments_fit();
        }
    }
    let compiled = check.expressions(engine);
    (check.problems, compiled)
}

struct Check<'d> {
    definition: &'d ProcedureDefinition,
    problems: Vec<Problem>,
    root: FieldPath,
    /// Also the rules that catch designers' mistakes (see [`Strictness`]).
    lint: bool,
}

impl Check<'_> {
    fn problem(&mut self, path: FieldPath, said: DesignProblem) {
        self.problems.push(Problem::at(path, said));
    }

    fn texts(&mut self) {
        let definition = self.definition;
        for (key, text) in [
            ("name", &definition.name),
            ("field", &definition.field),
            ("start", &definition.start),
        ] {
            if text.trim().is_empty() {
                self.problem(
                    self.root.key(key),
                    DesignProblem::EmptyText {
                        key: key.to_owned(),
                    },
                );
            }
        }
        if let Some(class) = &definition.retention
            && !crate::retention::is_class_name(class)
        {
            self.problem(
                self.root.key("retention"),
                DesignProblem::BadRetentionClass {
                    class: class.clone(),
                },
            );
        }
    }

    /// An administrative procedure carries its national code; feedback has none and a local one.
    fn kind_and_code(&mut self) {
        let definition = self.definition;
        let national = definition.code.is_national();
        match (definition.kind, national) {
            (super::model::ProcedureKind::Administrative, false) => self.problem(
                self.root.key("code"),
                DesignProblem::LocalCodeForAdministrative {
                    code: definition.code.to_string(),
                },
            ),
            (super::model::ProcedureKind::Feedback, true) => self.problem(
                self.root.key("code"),
                DesignProblem::NationalCodeForFeedback {
                    code: definition.code.to_string(),
                },
            ),
            _ => {}
        }
    }

    fn service_kind(&mut self) {
        let definition = self.definition;
        match (definition.online_service, &definition.partial) {
            (OnlineService::Partial, None) => self.problem(
                self.root.key("online_service"),
                DesignProblem::PartialUnexplained,
            ),
            (OnlineService::Partial, Some(partial)) => {
                if partial.reasons.is_empty() {
                    self.problem(
                        self.root.key("partial").key("reasons"),
                        DesignProblem::PartialNoReason,
                    );
                }
                if partial.explanation.trim().is_empty() {
                    self.problem(
                        self.root.key("partial").key("explanation"),
                        DesignProblem::PartialNoExplanation,
                    );
                }
            }
            (OnlineService::FullProcess, Some(_)) => self.problem(
                self.root.key("partial"),
                DesignProblem::FullProcessWithPartial,
            ),
            (OnlineService::FullProcess, None) => self.full_process_conditions(),
        }
    }

    /// Decree 42/2022 (now Decree 224/2026): everything online, result online or by public post,
    /// fees payable online.
    fn full_process_conditions(&mut self) {
        let definition = self.definition;
        for (position, step) in definition.steps.iter().enumerate() {
            if step.in_person {
                self.problem(
                    self.root.key("steps").index(position).key("in_person"),
                    DesignProblem::InPersonStep {
                        step: step.id.clone(),
                    },
                );
            }
        }
        let result = &definition.result;
        let reaches_home = result.delivery.contains(&Delivery::Postal)
            || (result.electronic && result.delivery.contains(&Delivery::Online));
        if self.lint && result.electronic && !result.delivery.is_empty() && !reaches_home {
            self.problem(
                self.root.key("result").key("delivery"),
                DesignProblem::ResultOnlyAtCounter,
            );
        }
        if !result.electronic && !result.delivery.contains(&Delivery::Postal) {
            self.problem(
                self.root.key("result").key("electronic"),
                DesignProblem::ResultPaperOnly,
            );
        }
        match definition
            .channels
            .iter()
            .position(|channel| channel.channel == super::model::ChannelKind::Online)
        {
            None => self.problem(self.root.key("channels"), DesignProblem::NoOnlineChannel),
            Some(position) => {
                let online = &definition.channels[position];
                if !online.fees.is_empty() && !online.online_payment {
                    self.problem(
                        self.root.key("channels").index(position).key("fees"),
                        DesignProblem::FeesNotPayableOnline,
                    );
                }
            }
        }
    }

    fn legal_basis(&mut self) {
        let bases = &self.definition.legal_basis;
        if bases.is_empty() {
            self.problem(self.root.key("legal_basis"), DesignProblem::NoLegalBasis);
        }
        for (position, basis) in bases.iter().enumerate() {
            let path = self.root.key("legal_basis").index(position);
            if basis.instrument.trim().is_empty() {
                self.problem(path.key("instrument"), DesignProblem::NoInstrument);
            }
            if let Some(to) = basis.effective_to
                && to < basis.effective_from
            {
                self.problem(
                    path.key("effective_to"),
                    DesignProblem::LegalBasisBackwards {
                        instrument: basis.instrument.clone(),
                        from: basis.effective_from.to_string(),
                        to: to.to_string(),
                    },
                );
                continue;
            }
            for (earlier_position, earlier) in bases[..position].iter().enumerate() {
                let same = earlier.instrument.trim() == basis.instrument.trim()
                    && earlier.article == basis.article;
                let earlier_valid = earlier
                    .effective_to
                    .is_none_or(|to| to >= earlier.effective_from);
                let overlaps = earlier.effective_from
                    <= basis
                        .effective_to
                        .unwrap_or(super::model::Date(chrono::NaiveDate::MAX))
                    && basis.effective_from
                        <= earlier
                            .effective_to
                            .unwrap_or(super::model::Date(chrono::NaiveDate::MAX));
                if same && earlier_valid && overlaps {
                    self.problem(
                        path.key("effective_from"),
                        DesignProblem::LegalBasisOverlaps {
                            instrument: basis.instrument.clone(),
                            earlier: earlier_position,
                            earlier_from: earlier.effective_from.to_string(),
                        },
                    );
                }
            }
        }
    }

    fn result(&mut self) {
        let result = &self.definition.result;
        let path = self.root.key("result");
        if result.name.trim().is_empty() {
            self.problem(path.key("name"), DesignProblem::NoResultName);
        }
        if result.delivery.is_empty() {
            self.problem(path.key("delivery"), DesignProblem::ResultUndeliverable);
        }
        if result.delivery.contains(&Delivery::Online) && !result.electronic {
            self.problem(
                path.key("delivery"),
                DesignProblem::OnlineResultNotElectronic,
            );
        }
        let kinds = &self.definition.applicants.kinds;
        let path = self.root.key("applicants").key("kinds");
        if kinds.is_empty() {
            self.problem(path, DesignProblem::NoApplicantKind);
        } else if kinds
            .iter()
            .enumerate()
            .any(|(position, kind)| kinds[..position].contains(kind))
        {
            self.problem(path, DesignProblem::ApplicantKindTwice);
        }
    }

    /// Checks identifiers in one list are well-formed and unique; returns the valid set.
    fn unique_ids<'i>(
        &mut self,
        list: &str,
        ids: impl Iterator<Item = &'i str>,
    ) -> HashSet<&'i str> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (position, id) in ids.enumerate() {
            let path = self.root.key(list).index(position).key("id");
            if !is_identifier(id) {
                self.problem(
                    path.clone(),
                    DesignProblem::NotIdentifier { id: id.to_owned() },
                );
            }
            if let Some(first) = seen.get(id) {
                self.problem(
                    path,
                    DesignProblem::DuplicateId {
                        list: list.to_owned(),
                        id: id.to_owned(),
                        first: *first,
                    },
                );
            } else {
                seen.insert(id, position);
            }
        }
        seen.into_keys().collect()
    }

    fn form_fields(&mut self) {
        let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
        for (document_position, document) in self.definition.documents.iter().enumerate() {
            for (position, field) in document.fields.iter().enumerate() {
                let path = self
                    .root
                    .key("documents")
                    .index(document_position)
                    .key("fields")
                    .index(position);
                if !is_identifier(&field.id) {
                    self.problem(
                        path.key("id"),
                        DesignProblem::NotFieldId {
                            id: field.id.clone(),
                        },
                    );
                } else if RESERVED_NAMES.contains(&field.id.as_str()) {
                    self.problem(
                        path.key("id"),
                        DesignProblem::ReservedFieldId {
                            id: field.id.clone(),
                        },
                    );
                }
                if let Some((d, f)) = seen.get(field.id.as_str()) {
                    self.problem(
                        path.key("id"),
                        DesignProblem::DuplicateFieldId {
                            id: field.id.clone(),
                            document: *d,
                            field: *f,
                        },
                    );
                } else {
                    seen.insert(&field.id, (document_position, position));
                }
                let numeric = matches!(field.kind, FieldKind::Integer | FieldKind::Decimal);
                if (field.min.is_some() || field.max.is_some()) && !numeric {
                    self.problem(
                        path.key("type"),
                        DesignProblem::BoundsOnNonNumber {
                            field: field.id.clone(),
                        },
                    );
                }
                if let (Some(min), Some(max)) = (field.min, field.max)
                    && min > max
                {
                    self.problem(
                        path.key("max"),
                        DesignProblem::MaxBelowMin {
                            field: field.id.clone(),
                            min,
                            max,
                        },
                    );
                }
                if field.max_length.is_some() && field.kind != FieldKind::Text {
                    self.problem(
                        path.key("max_length"),
                        DesignProblem::MaxLengthOnNonText {
                            field: field.id.clone(),
                        },
                    );
                }
                match (field.kind, field.choices.is_empty()) {
                    (FieldKind::Choice, true) => self.problem(
                        path.key("type"),
                        DesignProblem::NoChoices {
                            field: field.id.clone(),
                        },
                    ),
                    (kind, false) if kind != FieldKind::Choice => self.problem(
                        path.key("choices"),
                        DesignProblem::ChoicesOnNonChoice {
                            field: field.id.clone(),
                        },
                    ),
                    _ => {}
                }
                for value in field.choice_labels.keys() {
                    if !field.choices.contains(value) {
                        self.problem(
                            path.key("choice_labels").key(value),
                            DesignProblem::LabelForUnknownChoice {
                                field: field.id.clone(),
                                value: value.clone(),
                                close: did_you_mean(
                                    value,
                                    field.choices.iter().map(String::as_str),
                                )
                                .map(str::to_owned),
                            },
                        );
                    }
                }
                // A code such as `khai_sinh` is for machines: people read its label. A new file
                // only: versions stored before labels existed still load.
                let unlabelled: Vec<&str> = field
                    .choices
                    .iter()
                    .filter(|value| {
                        value
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                            && !field.choice_labels.contains_key(*value)
                    })
                    .map(String::as_str)
                    .collect();
                if self.lint && !unlabelled.is_empty() {
                    self.problem(
                        path.key("choices"),
                        DesignProblem::UnlabelledChoices {
                            field: field.id.clone(),
                            codes: unlabelled.iter().map(|code| (*code).to_owned()).collect(),
                        },
                    );
                }
            }
        }
    }

    fn channels(&mut self) {
        let channels = &self.definition.channels;
        if channels.is_empty() {
            self.problem(self.root.key("channels"), DesignProblem::NoChannel);
        }
        let mut seen = HashMap::new();
        for (position, channel) in channels.iter().enumerate() {
            let path = self.root.key("channels").index(position);
            if let Some(first) = seen.insert(channel.channel, position) {
                self.problem(
                    path.key("channel"),
                    DesignProblem::ChannelTwice {
                        channel: channel.channel,
                        first,
                    },
                );
            }
            for (fee_position, fee) in channel.fees.iter().enumerate() {
                if fee.amount.is_some() == fee.formula.is_some() {
                    self.problem(
                        path.key("fees").index(fee_position),
                        DesignProblem::FeeAmountOrFormula {
                            fee: fee.name.clone(),
                        },
                    );
                }
            }
        }
    }

    /// Checks the steps' references; returns whether `start` names a step.
    fn steps(
        &mut self,
        roles: &HashSet<&str>,
        units: &HashSet<&str>,
        steps: &HashSet<&str>,
    ) -> bool {
        let definition = self.definition;
        let start_resolves = steps.contains(definition.start.as_str());
        if definition.steps.is_empty() {
            self.problem(self.root.key("steps"), DesignProblem::NoSteps);
        } else if !steps.contains(definition.start.as_str()) {
            self.unknown_reference(
                self.root.key("start"),
                Declared::Step,
                &definition.start,
                steps,
            );
        }
        for (position, step) in definition.steps.iter().enumerate() {
            let path = self.root.key("steps").index(position);
            if !roles.contains(step.role.as_str()) {
                self.unknown_reference(path.key("role"), Declared::Role, &step.role, roles);
            }
            if !units.contains(step.unit.as_str()) {
                self.unknown_reference(path.key("unit"), Declared::Unit, &step.unit, units);
            }
        }
        start_resolves
    }

    /// Checks the actions' references; returns whether every step they name exists.
    fn actions(&mut self, roles: &HashSet<&str>, steps: &HashSet<&str>) -> bool {
        let definition = self.definition;
        let mut resolves = true;
        for (position, action) in definition.actions.iter().enumerate() {
            let path = self.root.key("actions").index(position);
            if !steps.contains(action.from.as_str()) {
                resolves = false;
                self.unknown_reference(path.key("from"), Declared::Step, &action.from, steps);
            }
            match (&action.to, action.outcome) {
                (Some(to), None) => {
                    if !steps.contains(to.as_str()) {
                        resolves = false;
                        self.unknown_reference(path.key("to"), Declared::Step, to, steps);
                    }
                }
                (None, Some(_)) => {}
                (Some(_), Some(_)) => self.problem(
                    path.key("outcome"),
                    DesignProblem::ToAndOutcome {
                        action: action.id.clone(),
                    },
                ),
                (None, None) => self.problem(
                    path.key("from"),
                    DesignProblem::GoesNowhere {
                        action: action.id.clone(),
                    },
                ),
            }
            if let Some(position) = action
                .effects
                .iter()
                .position(|effect| *effect == super::model::Effect::IssueResult)
                && action.outcome != Some(super::model::Outcome::Approved)
                && self.lint
            {
                self.problem(
                    path.key("effects").index(position),
                    DesignProblem::IssuesWithoutApproving {
                        action: action.id.clone(),
                    },
                );
            }
            if let Some(starts) = action.starts_time_limit {
                if action.sets_time_limit.is_some() {
                    self.problem(
                        path.key("starts_time_limit"),
                        DesignProblem::SetsAndStartsLimit {
                            action: action.id.clone(),
                        },
                    );
                } else if action.outcome.is_some() {
                    self.problem(
                        path.key("starts_time_limit"),
                        DesignProblem::DecidingStartsLimit {
                            action: action.id.clone(),
                            limit: starts,
                        },
                    );
                }
            }
            if action.roles.is_empty() {
                self.problem(
                    path.key("roles"),
                    DesignProblem::NoRoleMayAct {
                        action: action.id.clone(),
                    },
                );
            }
            for (role_position, role) in action.roles.iter().enumerate() {
                if !roles.contains(role.as_str()) {
                    self.unknown_reference(
                        path.key("roles").index(role_position),
                        Declared::Role,
                        role,
                        roles,
                    );
                }
            }
        }
        if !definition.actions.is_empty()
            && !definition
                .actions
                .iter()
                .any(|action| action.outcome == Some(super::model::Outcome::Approved))
        {
            self.problem(self.root.key("actions"), DesignProblem::NoApproval);
        }
        resolves
    }

    fn unknown_reference(
        &mut self,
        path: FieldPath,
        kind: Declared,
        name: &str,
        known: &HashSet<&str>,
    ) {
        let mut sorted: Vec<&str> = known.iter().copied().collect();
        sorted.sort_unstable();
        self.problem(
            path,
            DesignProblem::Undeclared {
                kind,
                name: name.to_owned(),
                close: did_you_mean(name, sorted.iter().copied()).map(str::to_owned),
                known: sorted.into_iter().map(str::to_owned).collect(),
            },
        );
    }

    /// Every step must be reachable from `start` and must lead to a final decision.
    fn graph(&mut self) {
        let definition = self.definition;
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut previous: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut deciding: VecDeque<&str> = VecDeque::new();
        for action in &definition.actions {
            if let Some(to) = &action.to {
                next.entry(action.from.as_str()).or_default().push(to);
                previous.entry(to.as_str()).or_default().push(&action.from);
            }
            if action.outcome.is_some() {
                deciding.push_back(&action.from);
            }
        }
        let reachable = closure(VecDeque::from([definition.start.as_str()]), &next);
        let can_finish = closure(deciding, &previous);
        for (position, step) in definition.steps.iter().enumerate() {
            let path = self.root.key("steps").index(position).key("id");
            if !reachable.contains(step.id.as_str()) {
                self.problem(
                    path.clone(),
                    DesignProblem::Unreachable {
                        step: step.id.clone(),
                        start: definition.start.clone(),
                    },
                );
            }
            if !can_finish.contains(step.id.as_str()) {
                self.problem(
                    path,
                    DesignProblem::NoWayToDecision {
                        step: step.id.clone(),
                    },
                );
            }
        }
    }

    fn expressions(&mut self, engine: &ExpressionEngine) -> CompiledExpressions {
        let definition = self.definition;
        let variables = Variables::of(definition);
        let mut compiled = CompiledExpressions::default();
        for (position, action) in definition.actions.iter().enumerate() {
            if let Some(guard) = &action.guard {
                let path = self.root.key("actions").index(position).key("guard");
                if let Some(expression) = self.compile(
                    engine,
                    guard,
                    &variables,
                    ExpressionKind::Condition,
                    path.clone(),
                ) {
                    compiled.guards.insert(action.id.clone(), expression);
                    if self.lint {
                        self.impossible_comparisons(guard, &path);
                    }
                }
            }
        }
        for (channel_position, channel) in definition.channels.iter().enumerate() {
            for (position, fee) in channel.fees.iter().enumerate() {
                let path = self
                    .root
                    .key("channels")
                    .index(channel_position)
                    .key("fees")
                    .index(position);
                if let Some(formula) = &fee.formula
                    && let Some(expression) = self.compile(
                        engine,
                        formula,
                        &variables,
                        ExpressionKind::Amount,
                        path.key("formula"),
                    )
                {
                    if self.lint {
                        self.fractional_fee(engine, &expression, &variables, path.key("formula"));
                    }
                    compiled
                        .fee_formulas
                        .insert((channel_position, position), expression);
                }
                if let Some(exemption) = &fee.exempt_when
                    && let Some(expression) = self.compile(
                        engine,
                        exemption,
                        &variables,
                        ExpressionKind::Condition,
                        path.key("exempt_when"),
                    )
                {
                    if self.lint {
                        self.impossible_comparisons(exemption, &path.key("exempt_when"));
                    }
                    compiled
                        .fee_exemptions
                        .insert((channel_position, position), expression);
                }
            }
        }
        compiled
    }

    fn compile(
        &mut self,
        engine: &ExpressionEngine,
        text: &str,
        variables: &Variables,
        kind: ExpressionKind,
        path: FieldPath,
    ) -> Option<Expression> {
        match engine.compile(text, variables, kind) {
            Ok(expression) => Some(expression),
            Err(error) => {
                let mut problem = Problem::at(path, error.said);
                // Point inside the quoted string: one byte for the opening quote.
                problem.offset = error.offset + 1;
                self.problems.push(problem);
                None
            }
        }
    }
}

fn closure<'a>(
    mut queue: VecDeque<&'a str>,
    edges: &HashMap<&'a str, Vec<&'a str>>,
) -> HashSet<&'a str> {
    let mut seen: HashSet<&str> = queue.iter().copied().collect();
    while let Some(node) = queue.pop_front() {
        for &neighbour in edges.get(node).into_iter().flatten() {
            if seen.insert(neighbour) {
                queue.push_back(neighbour);
            }
        }
    }
    seen
}

/// Lowercase ASCII snake case starting with a letter, at most 64 characters.
pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && text.len() <= 64
}
