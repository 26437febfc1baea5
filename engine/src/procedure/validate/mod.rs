//! Semantic checks on a procedure that parsed: references, the shape of the process graph,
//! the legal conditions of full-process and partial services, expressions, legal-basis dates.
//! Every problem is collected; none stops the others from being found.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::expr::{Expression, ExpressionEngine, ExpressionKind, Variables};
use super::model::{Delivery, FieldKind, OnlineService, ProcedureDefinition};
use crate::located::{FieldPath, Problem, did_you_mean};

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
    fn problem(&mut self, path: FieldPath, message: String, fix: impl Into<String>) {
        self.problems.push(Problem::at(path, message, fix));
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
                    format!("`{key}` is empty"),
                    format!("write the {key} of the procedure as published"),
                );
            }
        }
        if let Some(class) = &definition.retention
            && !crate::retention::is_class_name(class)
        {
            self.problem(
                self.root.key("retention"),
                format!("`{class}` is not a retention class name"),
                "name a class of the retention schedule: lower-case letters, digits and `_`, e.g. \"civil_status_register\"",
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
                format!("`{}` is a local code, but an administrative procedure carries its national code", definition.code),
                "write the code of the National Database, e.g. \"1.001193\"; or, for citizen feedback (PAKN), set `kind = \"feedback\"`",
            ),
            (super::model::ProcedureKind::Feedback, true) => self.problem(
                self.root.key("code"),
                format!("`{}` is a national procedure code, but feedback (phản ánh, kiến nghị) has none", definition.code),
                "give feedback a local code such as \"PAKN.1\", so it is never mistaken for, or synced as, an administrative procedure",
            ),
            _ => {}
        }
    }

    fn service_kind(&mut self) {
        let definition = self.definition;
        match (definition.online_service, &definition.partial) {
            (OnlineService::Partial, None) => self.problem(
                self.root.key("online_service"),
                "a partial (một phần) online service must state why it is not full-process".to_owned(),
                "add a [partial] table with `reasons = [\"applicant_presence\"]` (or another allowed reason) and the published `explanation` (Decree 224/2026 Art. 14)",
            ),
            (OnlineService::Partial, Some(partial)) => {
                if partial.reasons.is_empty() {
                    self.problem(
                        self.root.key("partial").key("reasons"),
                        "a partial online service lists no reason".to_owned(),
                        "name at least one reason: applicant_presence, on_site_inspection, paper_original, technical_incident or other_technical",
                    );
                }
                if partial.explanation.trim().is_empty() {
                    self.problem(
                        self.root.key("partial").key("explanation"),
                        "the reason for a partial service is not explained".to_owned(),
                        "write the explanation published on the National Portal, with its legal basis",
                    );
                }
            }
            (OnlineService::FullProcess, Some(_)) => self.problem(
                self.root.key("partial"),
                "a full-process (toàn trình) service has a [partial] table".to_owned(),
                "remove [partial], or set `online_service = \"partial\"`",
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
                    format!(
                        "step `{}` needs the applicant in person, which a full-process (toàn trình) service cannot have",
                        step.id
                    ),
                    "do the step online, or set `online_service = \"partial\"` with reason \"applicant_presence\"",
                );
            }
        }
        let result = &definition.result;
        let reaches_home = result.delivery.contains(&Delivery::Postal)
            || (result.electronic && result.delivery.contains(&Delivery::Online));
        if self.lint && result.electronic && !result.delivery.is_empty() && !reaches_home {
            self.problem(
                self.root.key("result").key("delivery"),
                "a full-process (toàn trình) service returns its result online or by public post, but this result can only be collected at the counter".to_owned(),
                "add \"online\" (the electronic result) or \"postal\" to `delivery`, or make the service partial with reason \"paper_original\"",
            );
        }
        if !result.electronic && !result.delivery.contains(&Delivery::Postal) {
            self.problem(
                self.root.key("result").key("electronic"),
                "a full-process service returns its result online or by public post, but this result is paper-only, collected at the counter".to_owned(),
                "set `electronic = true` with delivery \"online\", add \"postal\" to `delivery`, or make the service partial with reason \"paper_original\"",
            );
        }
        match definition
            .channels
            .iter()
            .position(|channel| channel.channel == super::model::ChannelKind::Online)
        {
            None => self.problem(
                self.root.key("channels"),
                "a full-process service has no online channel".to_owned(),
                "add a [[channels]] entry with `channel = \"online\"`",
            ),
            Some(position) => {
                let online = &definition.channels[position];
                if !online.fees.is_empty() && !online.online_payment {
                    self.problem(
                        self.root.key("channels").index(position).key("fees"),
                        "a full-process service charges fees on its online channel but cannot take payment online".to_owned(),
                        "set `online_payment = true` on the online channel (Decree 224/2026 Art. 15.1.đ), or make the service partial",
                    );
                }
            }
        }
    }

    fn legal_basis(&mut self) {
        let bases = &self.definition.legal_basis;
        if bases.is_empty() {
            self.problem(
                self.root.key("legal_basis"),
                "the procedure names no legal basis".to_owned(),
                "add a [[legal_basis]] entry with `instrument`, `article` and `effective_from`",
            );
        }
        for (position, basis) in bases.iter().enumerate() {
            let path = self.root.key("legal_basis").index(position);
            if basis.instrument.trim().is_empty() {
                self.problem(
                    path.key("instrument"),
                    "`instrument` is empty".to_owned(),
                    "write the number and name of the legal document",
                );
            }
            if let Some(to) = basis.effective_to
                && to < basis.effective_from
            {
                self.problem(
                    path.key("effective_to"),
                    format!(
                        "legal basis \"{}\" runs backwards: it ends on {to} before it starts on {}",
                        basis.instrument, basis.effective_from
                    ),
                    "swap the dates, or correct `effective_to` so it is on or after `effective_from`",
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
                        format!(
                            "legal basis \"{}\" overlaps legal_basis[{earlier_position}], the same instrument and article, in force from {}",
                            basis.instrument, earlier.effective_from
                        ),
                        "end the earlier entry (`effective_to`) the day before this one starts, or merge the two",
                    );
                }
            }
        }
    }

    fn result(&mut self) {
        let result = &self.definition.result;
        let path = self.root.key("result");
        if result.name.trim().is_empty() {
            self.problem(
                path.key("name"),
                "`result.name` is empty".to_owned(),
                "write the name of the result paper, e.g. \"Giấy khai sinh\"",
            );
        }
        if result.delivery.is_empty() {
            self.problem(
                path.key("delivery"),
                "the result has no way to reach the applicant".to_owned(),
                "list at least one of \"online\", \"postal\", \"counter\"",
            );
        }
        if result.delivery.contains(&Delivery::Online) && !result.electronic {
            self.problem(
                path.key("delivery"),
                "the result is delivered online but is not electronic".to_owned(),
                "set `electronic = true`, or remove \"online\" from `delivery`",
            );
        }
        let kinds = &self.definition.applicants.kinds;
        let path = self.root.key("applicants").key("kinds");
        if kinds.is_empty() {
            self.problem(
                path,
                "the procedure accepts no kind of applicant".to_owned(),
                "list at least one of \"citizen\", \"organisation\", \"foreigner\"",
            );
        } else if kinds
            .iter()
            .enumerate()
            .any(|(position, kind)| kinds[..position].contains(kind))
        {
            self.problem(
                path,
                "a kind of applicant is listed twice".to_owned(),
                "list each kind once",
            );
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
                    format!("`{id}` is not a valid identifier"),
                    "use lowercase ASCII letters, digits and underscores, starting with a letter, e.g. \"tham_dinh\"",
                );
            }
            if let Some(first) = seen.get(id) {
                self.problem(
                    path,
                    format!(
                        "duplicate {} id `{id}`, already used by {list}[{first}]",
                        singular(list)
                    ),
                    format!("give each entry of [[{list}]] its own id"),
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
                        format!("`{}` is not a valid field id", field.id),
                        "use lowercase ASCII letters, digits and underscores, starting with a letter, e.g. \"so_ban_sao\"; it is also the variable name in expressions",
                    );
                } else if RESERVED_NAMES.contains(&field.id.as_str()) {
                    self.problem(
                        path.key("id"),
                        format!("`{}` is a built-in variable name", field.id),
                        "choose another field id",
                    );
                }
                if let Some((d, f)) = seen.get(field.id.as_str()) {
                    self.problem(
                        path.key("id"),
                        format!("duplicate field id `{}`, already used by documents[{d}].fields[{f}]", field.id),
                        "field ids are shared by all documents' e-forms (they are variables in expressions); rename one",
                    );
                } else {
                    seen.insert(&field.id, (document_position, position));
                }
                let numeric = matches!(field.kind, FieldKind::Integer | FieldKind::Decimal);
                if (field.min.is_some() || field.max.is_some()) && !numeric {
                    self.problem(
                        path.key("type"),
                        format!("field `{}` has `min`/`max` but is not a number", field.id),
                        "remove `min`/`max`, or use type \"integer\" or \"decimal\"",
                    );
                }
                if let (Some(min), Some(max)) = (field.min, field.max)
                    && min > max
                {
                    self.problem(
                        path.key("max"),
                        format!("field `{}` has `max` {max} below `min` {min}", field.id),
                        "swap `min` and `max`",
                    );
                }
                if field.max_length.is_some() && field.kind != FieldKind::Text {
                    self.problem(
                        path.key("max_length"),
                        format!("field `{}` has `max_length` but is not text", field.id),
                        "remove `max_length`, or use type \"text\"",
                    );
                }
                match (field.kind, field.choices.is_empty()) {
                    (FieldKind::Choice, true) => self.problem(
                        path.key("type"),
                        format!("choice field `{}` offers no choices", field.id),
                        "add `choices = [\"…\", \"…\"]`",
                    ),
                    (kind, false) if kind != FieldKind::Choice => self.problem(
                        path.key("choices"),
                        format!("field `{}` has `choices` but is not a choice", field.id),
                        "set `type = \"choice\"`, or remove `choices`",
                    ),
                    _ => {}
                }
                for value in field.choice_labels.keys() {
                    if !field.choices.contains(value) {
                        self.problem(
                            path.key("choice_labels").key(value),
                            format!(
                                "field `{}` labels \"{value}\", which is not one of its choices",
                                field.id
                            ),
                            match did_you_mean(value, field.choices.iter().map(String::as_str)) {
                                Some(close) => format!("did you mean \"{close}\"?"),
                                None => "label only values listed in `choices`, spelled the same"
                                    .to_owned(),
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
                if let (true, Some(first)) = (self.lint, unlabelled.first()) {
                    self.problem(
                        path.key("choices"),
                        format!(
                            "choices {} of field `{}` are codes that applicants would read as written",
                            quoted(&unlabelled),
                            field.id
                        ),
                        format!(
                            "name each for the people who read it, e.g. `choice_labels = {{ {first} = \"…\" }}`"
                        ),
                    );
                }
            }
        }
    }

    fn channels(&mut self) {
        let channels = &self.definition.channels;
        if channels.is_empty() {
            self.problem(self.root.key("channels"), "the procedure has no submission channel".to_owned(), "add a [[channels]] entry for each of direct, online, postal that the procedure allows");
        }
        let mut seen = HashMap::new();
        for (position, channel) in channels.iter().enumerate() {
            let path = self.root.key("channels").index(position);
            if let Some(first) = seen.insert(channel.channel, position) {
                self.problem(
                    path.key("channel"),
                    format!(
                        "channel \"{}\" is declared twice (first at channels[{first}])",
                        channel.channel.as_str()
                    ),
                    "keep one entry per channel",
                );
            }
            for (fee_position, fee) in channel.fees.iter().enumerate() {
                if fee.amount.is_some() == fee.formula.is_some() {
                    self.problem(
                        path.key("fees").index(fee_position),
                        format!("fee \"{}\" must have exactly one of `amount` or `formula`", fee.name),
                        "write `amount = 8000` for a fixed fee, or `formula = \"8000 * so_ban_sao\"`",
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
            self.problem(
                self.root.key("steps"),
                "the procedure has no steps".to_owned(),
                "add [[steps]] for the approved internal process, from receipt to result",
            );
        } else if !steps.contains(definition.start.as_str()) {
            self.unknown_reference(
                self.root.key("start"),
                "step",
                &definition.start,
                steps,
                "[[steps]]",
            );
        }
        for (position, step) in definition.steps.iter().enumerate() {
            let path = self.root.key("steps").index(position);
            if !roles.contains(step.role.as_str()) {
                self.unknown_reference(path.key("role"), "role", &step.role, roles, "[[roles]]");
            }
            if !units.contains(step.unit.as_str()) {
                self.unknown_reference(path.key("unit"), "unit", &step.unit, units, "[[units]]");
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
                self.unknown_reference(path.key("from"), "step", &action.from, steps, "[[steps]]");
            }
            match (&action.to, action.outcome) {
                (Some(to), None) => {
                    if !steps.contains(to.as_str()) {
                        resolves = false;
                        self.unknown_reference(path.key("to"), "step", to, steps, "[[steps]]");
                    }
                }
                (None, Some(_)) => {}
                (Some(_), Some(_)) => self.problem(
                    path.key("outcome"),
                    format!("action `{}` has both `to` and `outcome`", action.id),
                    "keep `to` to move to another step, or `outcome` to end with a decision",
                ),
                (None, None) => self.problem(
                    path.key("from"),
                    format!(
                        "action `{}` goes nowhere: it has neither `to` nor `outcome`",
                        action.id
                    ),
                    "add `to = \"<step id>\"` or `outcome = \"approved\"` / \"refused\"",
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
                    format!(
                        "action `{}` issues the result but does not approve the dossier, so the result would never be issued",
                        action.id
                    ),
                    "move \"issue_result\" to the action with `outcome = \"approved\"`, or give this action that outcome",
                );
            }
            if let Some(starts) = action.starts_time_limit {
                if action.sets_time_limit.is_some() {
                    self.problem(
                        path.key("starts_time_limit"),
                        format!("action `{}` both sets and starts the time limit", action.id),
                        "keep `starts_time_limit` to count the limit from this action, or `sets_time_limit` to count it from receipt",
                    );
                } else if action.outcome.is_some() {
                    self.problem(
                        path.key("starts_time_limit"),
                        format!(
                            "action `{}` decides the dossier, so a time limit of {starts} started by it would never run",
                            action.id
                        ),
                        "start the time limit at the action that accepts the dossier for processing",
                    );
                }
            }
            if action.roles.is_empty() {
                self.problem(
                    path.key("roles"),
                    format!("no role may take action `{}`", action.id),
                    "list the roles that may take it, e.g. `roles = [\"lanh_dao\"]`",
                );
            }
            for (role_position, role) in action.roles.iter().enumerate() {
                if !roles.contains(role.as_str()) {
                    self.unknown_reference(
                        path.key("roles").index(role_position),
                        "role",
                        role,
                        roles,
                        "[[roles]]",
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
            self.problem(
                self.root.key("actions"),
                "no action approves the dossier, so no result can ever be issued".to_owned(),
                "add an action with `outcome = \"approved\"` from the signing step",
            );
        }
        resolves
    }

    fn unknown_reference(
        &mut self,
        path: FieldPath,
        kind: &str,
        name: &str,
        known: &HashSet<&str>,
        table: &str,
    ) {
        let mut sorted: Vec<&str> = known.iter().copied().collect();
        sorted.sort_unstable();
        let fix = match did_you_mean(name, sorted.iter().copied()) {
            Some(close) => format!("did you mean `{close}`? or declare `{name}` in {table}"),
            None if sorted.is_empty() => format!("declare it in {table}"),
            None => format!(
                "declare it in {table}, or use one of: {}",
                sorted.join(", ")
            ),
        };
        self.problem(path, format!("{kind} `{name}` is not declared"), fix);
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
                    format!(
                        "step `{}` cannot be reached from the start step `{}`",
                        step.id, definition.start
                    ),
                    format!(
                        "add an action with `to = \"{}\"`, or remove the step",
                        step.id
                    ),
                );
            }
            if !can_finish.contains(step.id.as_str()) {
                self.problem(
                    path,
                    format!(
                        "from step `{}` no final decision (approved or refused) can be reached",
                        step.id
                    ),
                    format!(
                        "add an action from `{}` to a later step, or one with an `outcome`",
                        step.id
                    ),
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
                let mut problem = Problem::at(path, error.message, error.fix);
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

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|value| format!("\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn singular(list: &str) -> &str {
    list.strip_suffix('s').unwrap_or(list)
}
