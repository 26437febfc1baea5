//! What actors ask of a dossier.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::applicant::{NotifyChannel, ResultDelivery};
use super::code::UnitId;
use super::event::Deadline;
use super::model::{Applicant, DocumentRef, MissingDocument, ResultDocument};
use crate::money::Money;
use crate::procedure::ChannelKind;

/// A new dossier as submitted (nộp hồ sơ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Channel: online by the citizen; direct or postal entered by a one-stop officer.
    pub channel: ChannelKind,
    /// The one-stop unit it is submitted to.
    pub receiving_unit: UnitId,
    /// The applicant.
    pub applicant: Applicant,
    /// E-form values by field id.
    #[serde(default)]
    pub form: Map<String, Value>,
    /// Documents, by upload or by reference.
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
    /// How the applicant wants the result; when absent, no choice is recorded (the desk asks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<ResultDelivery>,
    /// How the applicant wants to be told of changes; when absent, every contact given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Vec<NotifyChannel>>,
    /// The public lookup key, drawn by the application (never by the caller): the engine is pure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_key: Option<String>,
    /// The submitting account was authenticated through the national SSO (VNeID), as the
    /// application saw it (TaiKhoanDuocXacThucVoiVNeID on the portal).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vneid: bool,
}

/// A command on a dossier. Every command names its actor separately; `decide` refuses what that
/// actor may not do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Nộp hồ sơ: register a new dossier.
    Submit(Submission),
    /// Tiếp nhận: accept the dossier as complete; the legal clock starts.
    Receive,
    /// Từ chối tiếp nhận (Form 03).
    RefuseIntake {
        /// The specific reasons.
        reason: String,
    },
    /// Yêu cầu bổ sung (Form 02): once, completely.
    RequestSupplement {
        /// Every document to add or correct.
        missing: Vec<MissingDocument>,
        /// Why.
        reason: String,
    },
    /// The applicant sends what was asked for.
    SubmitSupplement {
        /// E-form values to add or correct.
        #[serde(default)]
        form: Map<String, Value>,
        /// Documents to add.
        #[serde(default)]
        documents: Vec<DocumentRef>,
    },
    /// A procedure-declared action: forward to a step or unit, approve, refuse to resolve.
    TakeAction {
        /// The action id.
        action: String,
        /// A reason or note (required to refuse).
        #[serde(default)]
        reason: Option<String>,
        /// Extra data.
        #[serde(default)]
        data: Map<String, Value>,
        /// The electronic result documents, for an action that issues the result.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        results: Vec<ResultDocument>,
    },
    /// Lấy ý kiến: ask another unit.
    Consult {
        /// The unit asked.
        unit: UnitId,
        /// The question.
        question: String,
    },
    /// The consulted unit answers.
    AnswerConsultation {
        /// Which consultation (0-based, in the order asked).
        consultation: usize,
        /// The answer.
        answer: String,
    },
    /// Issue the e-result after approval.
    IssueResult {
        /// The e-result code; generated from the dossier code when absent.
        #[serde(default)]
        result_code: Option<String>,
        /// The electronic result documents (PDF), uploaded with the command.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        results: Vec<ResultDocument>,
    },
    /// Trả kết quả.
    ReturnResult,
    /// The applicant withdraws the dossier.
    Withdraw {
        /// The applicant's reason.
        #[serde(default)]
        reason: String,
    },
    /// Dừng xử lý (Form 05).
    Stop {
        /// Why.
        reason: String,
    },
    /// Xin lỗi và hẹn lại (Form 04): once, before the appointment.
    ApologizeAndExtend {
        /// Why the appointment cannot be met.
        reason: String,
        /// The new appointment.
        new_appointment: DateTime<Utc>,
    },
    /// Gia hạn: a lawful extension of the time limit within the procedure's cap, with its own
    /// notice; not an apology for lateness.
    ExtendTimeLimit {
        /// The legal ground and reason.
        reason: String,
        /// The new appointment, at most the procedure's `up_to` after the current one.
        new_appointment: DateTime<Utc>,
    },
    /// A payment confirmed by the gateway (IPN) or the cashier.
    RecordPayment {
        /// Amount in đồng.
        amount: Money,
        /// Gateway transaction or receipt number.
        reference: String,
    },
    /// Recompute the appointment and step due time on the current calendars (after an operator
    /// corrected a calendar file). Deadlines never move without this command.
    RecomputeDeadlines {
        /// Why, e.g. "the 2026 notice confirmed 2/1 as a day off".
        reason: String,
    },
    /// An operator sends a dead (or stuck) side effect again.
    RetryEffect {
        /// The outbox message's idempotency key.
        idempotency_key: String,
    },
    /// An operator gives up on a side effect, with the reason on record.
    DropEffect {
        /// The outbox message's idempotency key.
        idempotency_key: String,
        /// Why.
        reason: String,
    },
    /// A timer fired for a deadline.
    RaiseDeadline {
        /// Which deadline.
        deadline: Deadline,
        /// True when it passed; false when it is near.
        passed: bool,
    },
}

impl Command {
    /// The command's name, as in the API.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submit(_) => "submit",
            Self::Receive => "receive",
            Self::RefuseIntake { .. } => "refuse_intake",
            Self::RequestSupplement { .. } => "request_supplement",
            Self::SubmitSupplement { .. } => "submit_supplement",
            Self::TakeAction { .. } => "take_action",
            Self::Consult { .. } => "consult",
            Self::AnswerConsultation { .. } => "answer_consultation",
            Self::IssueResult { .. } => "issue_result",
            Self::ReturnResult => "return_result",
            Self::Withdraw { .. } => "withdraw",
            Self::Stop { .. } => "stop",
            Self::ApologizeAndExtend { .. } => "apologize_and_extend",
            Self::ExtendTimeLimit { .. } => "extend_time_limit",
            Self::RecordPayment { .. } => "record_payment",
            Self::RecomputeDeadlines { .. } => "recompute_deadlines",
            Self::RetryEffect { .. } => "retry_effect",
            Self::DropEffect { .. } => "drop_effect",
            Self::RaiseDeadline { .. } => "raise_deadline",
        }
    }
}

/// What a person fills in to send a built-in command: the pages draw one form per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Nothing but the button.
    Plain,
    /// A reason, which the command requires.
    ReasonRequired,
    /// An optional note.
    Reason,
    /// The documents missing and a note for each (Form 02).
    SupplementRequest,
    /// The documents asked for.
    SupplementAnswer,
    /// A reason and the new appointment (Form 04).
    Extend,
    /// The unit asked and the question.
    Consult,
    /// The consultation answered and the answer.
    Answer,
    /// The amount paid and its reference.
    Payment,
}

impl Input {
    /// The form's name in the pages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::ReasonRequired => "reason_required",
            Self::Reason => "reason",
            Self::SupplementRequest => "supplement_request",
            Self::SupplementAnswer => "supplement_answer",
            Self::Extend => "extend",
            Self::Consult => "consult",
            Self::Answer => "answer",
            Self::Payment => "payment",
        }
    }
}

/// A built-in command a person sends by name — through the actions endpoint or a dossier page —
/// with what it is called and what it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltIn {
    /// Its name, as [`Command::name`] gives it and the API takes it.
    pub name: &'static str,
    /// What officers and citizens read, e.g. "Yêu cầu bổ sung".
    pub vietnamese: &'static str,
    /// The same in English.
    pub english: &'static str,
    /// What the sender fills in.
    pub input: Input,
    /// The fields it takes in an action request (the `reason` may also stand beside `data`).
    pub data: &'static [DataField],
}

/// One field of a built-in command's data, as docs/api.md lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataField {
    /// The JSON key.
    pub name: &'static str,
    /// What kind of value it takes.
    pub kind: &'static str,
    /// The command is refused without it.
    pub required: bool,
    /// What it means.
    pub meaning: &'static str,
}

/// The Markdown table of every built-in command's data, as docs/api.md carries it between its
/// `built-in commands` markers.
pub fn data_reference() -> String {
    let mut out = String::from(
        "| action | Vietnamese | field | kind | required | meaning |\n|---|---|---|---|---|---|\n",
    );
    for built_in in BUILT_IN {
        if built_in.data.is_empty() {
            out.push_str(&format!(
                "| `{}` | {} | — | | | no data |\n",
                built_in.name, built_in.vietnamese
            ));
        }
        for (position, field) in built_in.data.iter().enumerate() {
            let (name, vietnamese) = if position == 0 {
                (format!("`{}`", built_in.name), built_in.vietnamese)
            } else {
                (String::new(), "")
            };
            out.push_str(&format!(
                "| {name} | {vietnamese} | `{}` | {} | {} | {} |\n",
                field.name,
                field.kind,
                if field.required { "yes" } else { "no" },
                field.meaning
            ));
        }
    }
    out
}

/// Every command sent by name, in one place: the API, the pages and the docs read this list.
/// The others are not sent by name: `submit` creates a dossier, `take_action` carries one of the
/// procedure's own actions, `raise_deadline` comes from timers, and `retry_effect` and
/// `drop_effect` from operators' tools.
pub const BUILT_IN: [BuiltIn; 14] = [
    BuiltIn {
        name: "receive",
        vietnamese: "Tiếp nhận hồ sơ",
        english: "Receive",
        input: Input::Plain,
        data: &[],
    },
    BuiltIn {
        name: "refuse_intake",
        vietnamese: "Từ chối tiếp nhận",
        english: "Refuse intake",
        input: Input::ReasonRequired,
        data: &[DataField {
            name: "reason",
            kind: "text",
            required: true,
            meaning: "The specific reasons, which Form 03 quotes to the applicant.",
        }],
    },
    BuiltIn {
        name: "request_supplement",
        vietnamese: "Yêu cầu bổ sung",
        english: "Request a supplement",
        input: Input::SupplementRequest,
        data: &[
            DataField {
                name: "missing",
                kind: "list of `{document, note}`",
                required: true,
                meaning: "Every document to add or correct, once: a component id (or name) and what is wrong with it (Form 02).",
            },
            DataField {
                name: "reason",
                kind: "text",
                required: true,
                meaning: "Why the dossier is incomplete.",
            },
        ],
    },
    BuiltIn {
        name: "submit_supplement",
        vietnamese: "Nộp bổ sung",
        english: "Submit the supplement",
        input: Input::SupplementAnswer,
        data: &[
            DataField {
                name: "form",
                kind: "object",
                required: false,
                meaning: "E-form values to add or correct, by field id.",
            },
            DataField {
                name: "documents",
                kind: "list of document references",
                required: false,
                meaning: "Documents given by reference: `{component, name, provenance: \"data_store\" | \"database\", reference}`. Files are uploaded instead through the dossier page's supplement form (multipart, one part per component).",
            },
        ],
    },
    BuiltIn {
        name: "consult",
        vietnamese: "Lấy ý kiến",
        english: "Consult",
        input: Input::Consult,
        data: &[
            DataField {
                name: "unit",
                kind: "unit code",
                required: true,
                meaning: "The unit asked, e.g. `000.00.18.H21`; it must be in the unit directory and in service.",
            },
            DataField {
                name: "question",
                kind: "text",
                required: true,
                meaning: "The question.",
            },
        ],
    },
    BuiltIn {
        name: "answer_consultation",
        vietnamese: "Trả lời ý kiến",
        english: "Answer a consultation",
        input: Input::Answer,
        data: &[
            DataField {
                name: "consultation",
                kind: "whole number",
                required: true,
                meaning: "Which consultation, counted from 0 in the order asked.",
            },
            DataField {
                name: "answer",
                kind: "text",
                required: true,
                meaning: "The answer.",
            },
        ],
    },
    BuiltIn {
        name: "issue_result",
        vietnamese: "Ban hành kết quả",
        english: "Issue the result",
        input: Input::Plain,
        data: &[DataField {
            name: "result_code",
            kind: "text",
            required: false,
            meaning: "The e-result code; `KQ-<dossier code>` when absent. The result files come as multipart parts named `result`, never in `data`.",
        }],
    },
    BuiltIn {
        name: "return_result",
        vietnamese: "Trả kết quả",
        english: "Return the result",
        input: Input::Plain,
        data: &[],
    },
    BuiltIn {
        name: "withdraw",
        vietnamese: "Rút hồ sơ",
        english: "Withdraw",
        input: Input::Reason,
        data: &[DataField {
            name: "reason",
            kind: "text",
            required: false,
            meaning: "The applicant's reason.",
        }],
    },
    BuiltIn {
        name: "stop",
        vietnamese: "Dừng xử lý",
        english: "Stop processing",
        input: Input::ReasonRequired,
        data: &[DataField {
            name: "reason",
            kind: "text",
            required: true,
            meaning: "Why processing stops (Form 05).",
        }],
    },
    BuiltIn {
        name: "apologize_and_extend",
        vietnamese: "Xin lỗi và hẹn lại ngày trả",
        english: "Apologise and set a new date",
        input: Input::Extend,
        data: &[
            DataField {
                name: "reason",
                kind: "text",
                required: true,
                meaning: "Why the appointment cannot be met (Form 04). Only the officer at the dossier's current step may apologise, at least one working day before the appointment (Decree 61/2018 art. 19.9).",
            },
            DataField {
                name: "new_appointment",
                kind: "RFC 3339 instant",
                required: true,
                meaning: "The new appointment: after the current one, at most the procedure's `apology_up_to` (else its time limit once more) past it.",
            },
        ],
    },
    BuiltIn {
        name: "extend_time_limit",
        vietnamese: "Gia hạn thời hạn giải quyết",
        english: "Extend the time limit",
        input: Input::Extend,
        data: &[
            DataField {
                name: "reason",
                kind: "text",
                required: true,
                meaning: "The legal ground and reason, quoted in the applicant's notice.",
            },
            DataField {
                name: "new_appointment",
                kind: "RFC 3339 instant",
                required: true,
                meaning: "The new appointment: after the current one, at most the procedure's `[clock.extension] up_to` past it.",
            },
        ],
    },
    BuiltIn {
        name: "recompute_deadlines",
        vietnamese: "Tính lại thời hạn",
        english: "Recompute deadlines",
        input: Input::ReasonRequired,
        data: &[DataField {
            name: "reason",
            kind: "text",
            required: true,
            meaning: "Why, e.g. the corrected calendar notice.",
        }],
    },
    BuiltIn {
        name: "record_payment",
        vietnamese: "Ghi nhận nộp phí",
        english: "Record a payment",
        input: Input::Payment,
        data: &[
            DataField {
                name: "amount",
                kind: "whole number of đồng",
                required: true,
                meaning: "The amount paid.",
            },
            DataField {
                name: "reference",
                kind: "text",
                required: true,
                meaning: "The gateway transaction or receipt number.",
            },
        ],
    },
];

impl BuiltIn {
    /// The built-in command sent by this name, if there is one.
    pub fn named(name: &str) -> Option<&'static BuiltIn> {
        BUILT_IN.iter().find(|built_in| built_in.name == name)
    }
}

#[cfg(test)]
mod names {
    use super::{BUILT_IN, BuiltIn, Command};

    /// One command of every kind, as a client would send it.
    fn one_of_each() -> Vec<Command> {
        let unit = "000.00.17.H21";
        [
            serde_json::json!({ "command": "submit", "channel": "online", "receiving_unit": unit,
                "applicant": { "citizen_id": "001090000001", "name": "Nguyễn Văn An" },
                "form": {}, "documents": [] }),
            serde_json::json!({ "command": "receive" }),
            serde_json::json!({ "command": "refuse_intake", "reason": "r" }),
            serde_json::json!({ "command": "request_supplement", "missing": [], "reason": "r" }),
            serde_json::json!({ "command": "submit_supplement" }),
            serde_json::json!({ "command": "take_action", "action": "a" }),
            serde_json::json!({ "command": "consult", "unit": unit, "question": "q" }),
            serde_json::json!({ "command": "answer_consultation", "consultation": 0, "answer": "a" }),
            serde_json::json!({ "command": "issue_result" }),
            serde_json::json!({ "command": "return_result" }),
            serde_json::json!({ "command": "withdraw" }),
            serde_json::json!({ "command": "stop", "reason": "r" }),
            serde_json::json!({ "command": "apologize_and_extend", "reason": "r",
                "new_appointment": "2026-01-05T10:00:00Z" }),
            serde_json::json!({ "command": "extend_time_limit", "reason": "r",
                "new_appointment": "2026-01-05T10:00:00Z" }),
            serde_json::json!({ "command": "record_payment", "amount": 1000, "reference": "x" }),
            serde_json::json!({ "command": "recompute_deadlines", "reason": "r" }),
            serde_json::json!({ "command": "retry_effect", "idempotency_key": "k" }),
            serde_json::json!({ "command": "drop_effect", "idempotency_key": "k", "reason": "r" }),
            serde_json::json!({ "command": "raise_deadline", "deadline": "appointment", "passed": true }),
        ]
        .into_iter()
        .map(|value| {
            serde_json::from_value::<Command>(value.clone())
                .unwrap_or_else(|error| panic!("{value}: {error}"))
        })
        .collect()
    }

    #[test]
    fn every_built_in_name_is_a_command_the_api_reads_and_names_alike() {
        for built_in in BUILT_IN {
            let refused =
                serde_json::from_value::<Command>(serde_json::json!({ "command": built_in.name }))
                    .err()
                    .map(|error| error.to_string())
                    .unwrap_or_default();
            assert!(
                !refused.contains("unknown variant"),
                "{} is not a command: {refused}",
                built_in.name
            );
        }
        let commands = one_of_each();
        assert_eq!(commands.len(), 19, "every kind of command");
        for command in commands {
            let tag = serde_json::to_value(&command).expect("serialises")["command"].clone();
            assert_eq!(tag, command.name(), "the API's name and name() agree");
            let by_name = !matches!(
                command.name(),
                "submit" | "take_action" | "raise_deadline" | "retry_effect" | "drop_effect"
            );
            assert_eq!(
                BuiltIn::named(command.name()).is_some(),
                by_name,
                "{} is sent by name exactly when it is built in",
                command.name()
            );
        }
        let names: std::collections::BTreeSet<&str> = BUILT_IN.iter().map(|b| b.name).collect();
        assert_eq!(names.len(), BUILT_IN.len(), "no name twice");
        assert_eq!(
            BuiltIn::named("stop").map(|b| b.vietnamese),
            Some("Dừng xử lý")
        );
        let forms: Vec<&str> = BUILT_IN.iter().map(|b| b.input.as_str()).collect();
        assert_eq!(
            forms,
            [
                "plain",
                "reason_required",
                "supplement_request",
                "supplement_answer",
                "consult",
                "answer",
                "plain",
                "plain",
                "reason",
                "reason_required",
                "extend",
                "extend",
                "reason_required",
                "payment",
            ],
            "the pages' form names"
        );
        assert!(
            BuiltIn::named("submit").is_none(),
            "a submission is not an action"
        );
        assert!(
            BuiltIn::named("raise_deadline").is_none(),
            "timers raise deadlines"
        );
    }

    /// A sample value of a field's kind, as a client would send it.
    fn sample(field: &super::DataField) -> serde_json::Value {
        match field.kind {
            "whole number" | "whole number of đồng" => serde_json::json!(1),
            "RFC 3339 instant" => serde_json::json!("2026-01-05T10:00:00Z"),
            "unit code" => serde_json::json!("000.00.18.H21"),
            "object" => serde_json::json!({}),
            kind if kind.starts_with("list") => serde_json::json!([]),
            _ => serde_json::json!("x"),
        }
    }

    /// The table is the commands' real data: every listed field is one the command reads and
    /// writes back, every required one is refused when missing, and nothing else is taken.
    #[test]
    fn the_data_table_is_exactly_what_each_command_reads() {
        for built_in in BUILT_IN {
            let mut full = serde_json::Map::new();
            full.insert("command".to_owned(), built_in.name.into());
            for field in built_in.data {
                full.insert(field.name.to_owned(), sample(field));
            }
            let command: Command = serde_json::from_value(full.clone().into())
                .unwrap_or_else(|error| panic!("{}: {error}", built_in.name));
            let written = serde_json::to_value(&command).expect("serialises");
            let mut keys: Vec<&str> = written
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .filter(|key| *key != "command")
                .collect();
            keys.sort_unstable();
            let mut listed: Vec<&str> = built_in.data.iter().map(|field| field.name).collect();
            listed.sort_unstable();
            assert_eq!(keys, listed, "the fields of `{}`", built_in.name);
            for field in built_in.data {
                let mut without = full.clone();
                without.remove(field.name);
                let refused = serde_json::from_value::<Command>(without.into()).is_err();
                assert_eq!(
                    refused, field.required,
                    "`{}` of `{}` is required exactly when the table says",
                    field.name, built_in.name
                );
            }
        }
    }

    #[test]
    fn the_api_documentation_carries_the_generated_data_table() {
        let doc = include_str!("../../../docs/api.md");
        let start = "<!-- built-in commands: generated by hoso_engine::case::data_reference -->\n";
        let end = "<!-- end of built-in commands -->";
        let section = doc
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(section, _)| section)
            .expect("docs/api.md has the built-in commands section");
        assert_eq!(
            section,
            super::data_reference(),
            "docs/api.md's table is stale; put this between the markers:\n{}",
            super::data_reference()
        );
    }
}
