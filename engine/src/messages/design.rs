//! What hoso tells the people who write its files by hand — procedure designers, and the
//! operators who keep the calendars and the retention schedule — about a mistake: what is wrong
//! and how to fix it, in Vietnamese for the designer's page and the API, in English for the CLI.
//!
//! Names written in the file (keys, ids, codes) stay as written, in backticks: they are what the
//! designer searches the file for.

use chrono::Weekday;

use super::Lang;
use crate::clock::weekday_vi;
use crate::located::quoted;
use crate::procedure::{ChannelKind, ExpressionKind, TimeLimit};

/// A mistake in a procedure file, a calendar or the retention schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesignProblem {
    // --- Reading the file: syntax and structure. ---
    /// No file was sent to be checked.
    NoFile,
    /// The file could not be read from disk.
    Unreadable {
        /// The operating system's reason.
        detail: String,
    },
    /// The file is not UTF-8 text.
    NotUtf8 {
        /// Where the first bad byte is, when known.
        offset: Option<usize>,
    },
    /// A TOML syntax error, worded by the TOML reader.
    Syntax {
        /// The reader's own words.
        detail: String,
    },
    /// A value the structure check let through but the type refused, worded by serde.
    Unrepresentable {
        /// Serde's own words.
        detail: String,
        /// The document that describes the format.
        guide: String,
    },
    /// A date written without quotes.
    BareDate {
        /// Where.
        path: String,
        /// The date as written.
        written: String,
    },
    /// A value of the wrong TOML type.
    WrongType {
        /// Where.
        path: String,
        /// The JSON type wanted (`string`, `integer`, …).
        expected: String,
        /// The TOML type written.
        found: String,
    },
    /// A key the table does not have.
    UnknownKey {
        /// The key.
        key: String,
        /// The table it is in; empty for the file's top level.
        within: String,
        /// A known key spelt alike.
        close: Option<String>,
        /// The keys the table has.
        allowed: Vec<String>,
    },
    /// A required key left out.
    MissingKey {
        /// The key.
        key: String,
        /// The table it belongs in; empty for the file's top level.
        within: String,
        /// What the key is, from the format's own description (English).
        hint: Option<String>,
    },
    /// A word that is not one of the allowed ones.
    NotAChoice {
        /// Where.
        path: String,
        /// What was written.
        written: String,
        /// An allowed word spelt alike.
        close: Option<String>,
        /// The allowed words.
        choices: Vec<String>,
    },
    /// Something other than a quoted word where one of a list is wanted.
    ChoiceNotWord {
        /// Where.
        path: String,
        /// The TOML type written.
        found: String,
        /// The allowed words.
        choices: Vec<String>,
    },
    /// Something other than a table where a one-key table (`{ working_days = 3 }`) is wanted.
    TaggedNotTable {
        /// Where.
        path: String,
        /// The TOML type written.
        found: String,
        /// The keys one of which is wanted.
        tags: Vec<String>,
    },
    /// A one-key table with none of the wanted keys.
    TaggedNone {
        /// Where.
        path: String,
        /// The keys one of which is wanted.
        tags: Vec<String>,
        /// A wanted key spelt like one written.
        close: Option<String>,
    },
    /// A one-key table with several of the wanted keys.
    TaggedMany {
        /// Where.
        path: String,
        /// The wanted keys written.
        present: Vec<String>,
    },
    /// Text that is not a date.
    NotADate {
        /// Where.
        path: String,
        /// What was written.
        written: String,
    },
    /// Text that is not a procedure code.
    NotAProcedureCode {
        /// What was written.
        written: String,
    },
    /// A whole number outside its range.
    OutOfRange {
        /// Where.
        path: String,
        /// The lowest allowed.
        minimum: Option<i64>,
        /// The highest allowed.
        maximum: Option<i64>,
    },
    /// Two files define the same version of one procedure.
    VersionTwice {
        /// The procedure's code.
        code: String,
        /// The version.
        version: u32,
        /// The file that defined it first.
        first: String,
    },

    // --- A procedure's texts, kind and legal conditions. ---
    /// `name`, `field` or `start` left empty.
    EmptyText {
        /// The key.
        key: String,
    },
    /// A retention class (thời hạn bảo quản) that is not a class name.
    BadRetentionClass {
        /// What was written.
        class: String,
    },
    /// No retention class named.
    NoRetentionClass,
    /// A retention class the agency's schedule does not define.
    UndefinedRetentionClass {
        /// The class.
        class: String,
        /// The classes the schedule defines.
        known: Vec<String>,
    },
    /// An administrative procedure (thủ tục hành chính) with a local code.
    LocalCodeForAdministrative {
        /// The code.
        code: String,
    },
    /// Feedback (phản ánh, kiến nghị) with a national code.
    NationalCodeForFeedback {
        /// The code.
        code: String,
    },
    /// A partial (một phần) service that does not say why.
    PartialUnexplained,
    /// A partial service listing no reason.
    PartialNoReason,
    /// A partial service whose reason is not explained.
    PartialNoExplanation,
    /// A full-process (toàn trình) service with a `[partial]` table.
    FullProcessWithPartial,
    /// A full-process service with a step that needs the applicant in person.
    InPersonStep {
        /// The step.
        step: String,
    },
    /// A full-process service whose electronic result can only be collected at the counter.
    ResultOnlyAtCounter,
    /// A full-process service whose result is paper collected at the counter.
    ResultPaperOnly,
    /// A full-process service without an online channel.
    NoOnlineChannel,
    /// A full-process service charging fees it cannot take online.
    FeesNotPayableOnline,
    /// No legal basis (căn cứ pháp lý).
    NoLegalBasis,
    /// A legal basis without its instrument.
    NoInstrument,
    /// A legal basis that ends before it starts.
    LegalBasisBackwards {
        /// The instrument.
        instrument: String,
        /// When it starts.
        from: String,
        /// When it ends.
        to: String,
    },
    /// Two entries for one article of one instrument in force at once.
    LegalBasisOverlaps {
        /// The instrument.
        instrument: String,
        /// The earlier entry's position.
        earlier: usize,
        /// When the earlier entry starts.
        earlier_from: String,
    },
    /// The result (kết quả) has no name.
    NoResultName,
    /// The result has no delivery.
    ResultUndeliverable,
    /// A result delivered online that is not electronic.
    OnlineResultNotElectronic,
    /// No kind of applicant.
    NoApplicantKind,
    /// A kind of applicant listed twice.
    ApplicantKindTwice,

    // --- Ids, e-form fields, channels and fees. ---
    /// An id that is not snake case.
    NotIdentifier {
        /// The id.
        id: String,
    },
    /// An id used twice in one list.
    DuplicateId {
        /// The list (`steps`, `actions`, …).
        list: String,
        /// The id.
        id: String,
        /// Where it was first used.
        first: usize,
    },
    /// An e-form field id that is not snake case.
    NotFieldId {
        /// The id.
        id: String,
    },
    /// An e-form field id that is a built-in variable.
    ReservedFieldId {
        /// The id.
        id: String,
    },
    /// An e-form field id used twice across documents.
    DuplicateFieldId {
        /// The id.
        id: String,
        /// The document of its first use.
        document: usize,
        /// The field of its first use.
        field: usize,
    },
    /// `min`/`max` on a field that is not a number.
    BoundsOnNonNumber {
        /// The field.
        field: String,
    },
    /// `max` below `min`.
    MaxBelowMin {
        /// The field.
        field: String,
        /// Its `min`.
        min: i64,
        /// Its `max`.
        max: i64,
    },
    /// `max_length` on a field that is not text.
    MaxLengthOnNonText {
        /// The field.
        field: String,
    },
    /// A choice field with no choices.
    NoChoices {
        /// The field.
        field: String,
    },
    /// `choices` on a field that is not a choice.
    ChoicesOnNonChoice {
        /// The field.
        field: String,
    },
    /// A label for a value that is not a choice.
    LabelForUnknownChoice {
        /// The field.
        field: String,
        /// The labelled value.
        value: String,
        /// A choice spelt alike.
        close: Option<String>,
    },
    /// Choices that are codes with no label for people.
    UnlabelledChoices {
        /// The field.
        field: String,
        /// The codes.
        codes: Vec<String>,
    },
    /// No submission channel.
    NoChannel,
    /// A channel declared twice.
    ChannelTwice {
        /// The channel.
        channel: ChannelKind,
        /// Where it was first declared.
        first: usize,
    },
    /// A fee with both or neither of `amount` and `formula`.
    FeeAmountOrFormula {
        /// The fee's name.
        fee: String,
    },

    // --- Steps, actions and the process graph. ---
    /// No steps.
    NoSteps,
    /// A reference to a step, role or unit that is not declared.
    Undeclared {
        /// What kind of thing is named.
        kind: Declared,
        /// The name.
        name: String,
        /// A declared name spelt alike.
        close: Option<String>,
        /// The declared names, sorted.
        known: Vec<String>,
    },
    /// An action with both `to` and `outcome`.
    ToAndOutcome {
        /// The action.
        action: String,
    },
    /// An action with neither `to` nor `outcome`.
    GoesNowhere {
        /// The action.
        action: String,
    },
    /// An action that issues the result without approving.
    IssuesWithoutApproving {
        /// The action.
        action: String,
    },
    /// An action that both sets and starts the time limit.
    SetsAndStartsLimit {
        /// The action.
        action: String,
    },
    /// A deciding action that starts a time limit.
    DecidingStartsLimit {
        /// The action.
        action: String,
        /// The limit it would start.
        limit: TimeLimit,
    },
    /// An action no role may take.
    NoRoleMayAct {
        /// The action.
        action: String,
    },
    /// No action approves.
    NoApproval,
    /// A step not reachable from the start.
    Unreachable {
        /// The step.
        step: String,
        /// The start step.
        start: String,
    },
    /// A step from which no decision can be reached.
    NoWayToDecision {
        /// The step.
        step: String,
    },

    // --- The clock: caps, windows and allotments. ---
    /// An extension (gia hạn) of no time.
    ExtensionAllowsNoTime,
    /// An apology (Form 04) cap of no time.
    ApologyAllowsNoTime,
    /// A window without a name.
    WindowUnnamed {
        /// The window.
        window: String,
    },
    /// A window for no command.
    WindowForNothing {
        /// The window.
        window: String,
    },
    /// A window counting from something that is neither an anchor nor an action.
    WindowFromUnknown {
        /// The window.
        window: String,
        /// What it counts from.
        from: String,
        /// An anchor or action spelt alike.
        close: Option<String>,
        /// The anchors and actions.
        anchors: Vec<String>,
    },
    /// A window for something that is neither a built-in command nor an action.
    WindowForUnknown {
        /// The window.
        window: String,
        /// The command named.
        command: String,
        /// A command or action spelt alike.
        close: Option<String>,
        /// The built-in commands.
        built_in: Vec<String>,
    },
    /// A window counting from an anchor that comes after its command.
    WindowAfterCommand {
        /// The window.
        window: String,
        /// What it counts from.
        from: String,
        /// The command.
        command: String,
    },
    /// A window that would refuse a command the dossier cannot do without.
    WindowRefusesDuty {
        /// The window.
        window: String,
        /// The command.
        command: String,
    },
    /// Steps whose allotments add up to more than the legal time limit.
    AllotmentsExceedLimit {
        /// The channel.
        channel: ChannelKind,
        /// The steps of the longest path, in order.
        steps: Vec<String>,
        /// Their allotments, in office hours.
        hours: u32,
        /// The legal limit.
        limit: TimeLimit,
    },

    // --- Expressions. ---
    /// An expression naming a variable that does not exist.
    UndefinedVariable {
        /// The name.
        name: String,
        /// A variable spelt alike.
        close: Option<String>,
        /// The variables.
        known: Vec<String>,
    },
    /// An expression that does not compile, worded by the expression engine.
    NotAnExpression {
        /// The engine's own words.
        detail: String,
    },
    /// An expression calling an operator on types that do not go together.
    MixedTypes {
        /// The call, e.g. `+ (string, i64)`.
        signature: String,
    },
    /// An expression combining two types that do not go together.
    MixedTypePair {
        /// One type.
        left: String,
        /// The other.
        right: String,
    },
    /// An expression giving the wrong kind of value.
    WrongResult {
        /// What it gives.
        found: String,
        /// What it is for.
        wanted: ExpressionKind,
    },
    /// A comparison of `channel` with a channel the procedure does not have.
    ChannelNeverMatches {
        /// The value compared with.
        value: String,
        /// The procedure's channels.
        offered: Vec<String>,
    },
    /// A comparison of a choice field with a value that is not a choice.
    ChoiceNeverMatches {
        /// The field.
        field: String,
        /// The value compared with.
        value: String,
        /// A choice spelt alike.
        close: Option<String>,
        /// The choices.
        choices: Vec<String>,
    },
    /// A comparison of a number field that its range makes impossible.
    NumberNeverHolds {
        /// The field.
        field: String,
        /// The operator.
        operator: String,
        /// The number compared with.
        value: String,
        /// The field's `min`.
        min: Option<i64>,
        /// The field's `max`.
        max: Option<i64>,
    },
    /// A fee formula giving a fraction of a đồng.
    FractionalFee {
        /// The amount on sample values.
        amount: String,
    },

    // --- Calendars (lịch làm việc). ---
    /// A zone other than Vietnam's.
    UnsupportedZone {
        /// The zone written.
        zone: String,
        /// The zone hoso counts in.
        supported: String,
    },
    /// Office hours that end before they start.
    OfficeHoursBackwards {
        /// The interval.
        written: String,
    },
    /// Text that is not an office-hours interval.
    NotOfficeHours {
        /// What was written.
        written: String,
    },
    /// No office hours.
    NoOfficeHours,
    /// Office-hours intervals that overlap.
    OfficeHoursOverlap,
    /// Text that is not a time of day.
    NotTimeOfDay {
        /// What was written.
        written: String,
    },
    /// Two calendar files for one year.
    YearTwice {
        /// The year.
        year: i32,
        /// The file that covers it first.
        first: String,
    },
    /// A weekly rest day listed twice.
    RestDayTwice {
        /// The day.
        day: Weekday,
    },
    /// A date outside the calendar's year.
    OutsideYear {
        /// The date.
        date: String,
        /// The calendar's year.
        year: i32,
        /// The date's year.
        its_year: i32,
    },
    /// A holiday that ends before it starts.
    HolidayBackwards {
        /// The holiday.
        name: String,
        /// Its first day.
        from: String,
        /// Its last day.
        to: String,
    },
    /// A holiday with neither a date nor a range.
    HolidayUndated {
        /// The holiday.
        name: String,
    },
    /// A day both a holiday and a swapped working day.
    HolidayAndWorkingDay {
        /// The day.
        date: String,
        /// The holiday.
        holiday: String,
    },
    /// A swapped working day that is already a working day.
    AlreadyWorkingDay {
        /// The day.
        date: String,
        /// Its day of the week.
        weekday: Weekday,
    },

    // --- The retention schedule (bảng thời hạn bảo quản). ---
    /// A class name that is not snake case.
    NotClassName {
        /// The name.
        name: String,
    },
    /// A class with no description.
    ClassUndescribed {
        /// The class.
        name: String,
    },
    /// A class kept for 0 years.
    ClassZeroYears {
        /// The class.
        name: String,
    },
    /// A class both permanent and kept for years.
    ClassPermanentAndYears {
        /// The class.
        name: String,
    },
    /// A class with no term.
    ClassNoTerm {
        /// The class.
        name: String,
    },
}

/// What kind of declared thing a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// A step (bước).
    Step,
    /// A role (vai trò).
    Role,
    /// A unit (đơn vị).
    Unit,
}

impl Declared {
    fn english(self) -> &'static str {
        match self {
            Self::Step => "step",
            Self::Role => "role",
            Self::Unit => "unit",
        }
    }

    fn vietnamese(self) -> &'static str {
        match self {
            Self::Step => "bước",
            Self::Role => "vai trò",
            Self::Unit => "đơn vị",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Step => "[[steps]]",
            Self::Role => "[[roles]]",
            Self::Unit => "[[units]]",
        }
    }
}

/// A message and its fix, in both languages, before one is chosen.
struct Worded {
    vi: (String, String),
    en: (String, String),
}

fn worded(vi: (String, String), en: (String, String)) -> Worded {
    Worded { vi, en }
}

impl DesignProblem {
    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.in_lang(lang).0
    }

    /// How to fix it, in `lang`.
    pub fn fix(&self, lang: Lang) -> String {
        self.in_lang(lang).1
    }

    fn in_lang(&self, lang: Lang) -> (String, String) {
        let worded = self.worded();
        match lang {
            Lang::Vi => worded.vi,
            Lang::En => worded.en,
        }
    }

    /// Every variant's words, in one match so a variant without them does not compile.
    fn worded(&self) -> Worded {
        match self {
            // Reading the file: syntax and structure.
            Self::NoFile => worded(
                (
                    "chưa chọn tệp nào".into(),
                    "chọn một tệp thủ tục (.toml) rồi kiểm tra lại".into(),
                ),
                (
                    "no file was chosen".into(),
                    "choose a procedure file (.toml) and check it again".into(),
                ),
            ),
            Self::Unreadable { detail } => worded(
                (
                    format!("không đọc được tệp: {detail}"),
                    "kiểm tra đường dẫn và quyền đọc tệp".into(),
                ),
                (
                    format!("cannot read the file: {detail}"),
                    "check the path and its permissions".into(),
                ),
            ),
            Self::NotUtf8 { offset } => worded(
                (
                    match offset {
                        Some(offset) => {
                            format!("tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {offset})")
                        }
                        None => "tệp không phải văn bản UTF-8".into(),
                    },
                    "lưu tệp dưới dạng UTF-8 (trình soạn thảo nào cũng có lựa chọn này) rồi kiểm tra lại".into(),
                ),
                (
                    match offset {
                        Some(offset) => {
                            format!("the file is not UTF-8 (bad byte at offset {offset})")
                        }
                        None => "the file is not UTF-8 text".into(),
                    },
                    "save the file as UTF-8".into(),
                ),
            ),
            Self::Syntax { detail } => worded(
                (
                    format!("lỗi cú pháp TOML: {detail}"),
                    "kiểm tra dấu ngoặc kép, dấu ngoặc và dạng `khóa = giá trị` trên dòng này".into(),
                ),
                (
                    format!("TOML syntax error: {detail}"),
                    "check quotes, brackets and `key = value` on this line".into(),
                ),
            ),
            Self::Unrepresentable { detail, guide } => worded(
                (
                    format!("giá trị không đúng dạng: {detail}"),
                    format!("sửa giá trị theo dạng mô tả trong {guide}"),
                ),
                (
                    detail.clone(),
                    format!("correct the value to the form described in {guide}"),
                ),
            ),
            Self::BareDate { path, written } => worded(
                (
                    format!("`{path}` là ngày TOML không có dấu ngoặc kép"),
                    format!("viết ngày trong dấu ngoặc kép: `{path} = \"{written}\"`"),
                ),
                (
                    format!("`{path}` is a bare TOML date"),
                    format!("write dates in quotes: `{path} = \"{written}\"`"),
                ),
            ),
            Self::WrongType {
                path,
                expected,
                found,
            } => worded(
                (
                    format!(
                        "`{path}` phải là {}, không phải {}",
                        kind_vi(expected),
                        kind_vi(found)
                    ),
                    match expected.as_str() {
                        "string" => "đặt văn bản trong dấu ngoặc kép".into(),
                        "integer" => "viết một số nguyên không có dấu ngoặc kép, ví dụ 3".into(),
                        "boolean" => "viết true hoặc false, không có dấu ngoặc kép".into(),
                        "array" => "viết danh sách trong ngoặc vuông, ví dụ [\"a\", \"b\"]".into(),
                        _ => "viết một bảng, ví dụ { khoa = gia_tri } hoặc một mục [ten_muc]".into(),
                    },
                ),
                (
                    format!(
                        "`{path}` must be {}, not {}",
                        kind_en(expected),
                        kind_en(found)
                    ),
                    match expected.as_str() {
                        "string" => "put the text in double quotes".into(),
                        "integer" => "write a whole number without quotes, e.g. 3".into(),
                        "boolean" => "write true or false without quotes".into(),
                        "array" => "write a list in square brackets, e.g. [\"a\", \"b\"]".into(),
                        _ => "write a table, e.g. { key = value } or a [section]".into(),
                    },
                ),
            ),
            Self::UnknownKey {
                key,
                within,
                close,
                allowed,
            } => {
                let allowed = backticked(allowed);
                worded(
                    (
                        format!("{} không có khóa `{key}`", within_vi(within)),
                        match close {
                            Some(close) => format!("có phải ý bạn là `{close}`?"),
                            None => format!("các khóa được dùng ở đây: {allowed}"),
                        },
                    ),
                    (
                        format!("unknown key `{key}` in {}", within_en(within)),
                        match close {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => format!("the keys allowed here are {allowed}"),
                        },
                    ),
                )
            }
            Self::MissingKey { key, within, hint } => worded(
                (
                    format!("{} thiếu khóa bắt buộc `{key}`", within_vi(within)),
                    format!("thêm `{key} = …`"),
                ),
                (
                    format!("missing required key `{key}` in {}", within_en(within)),
                    match hint {
                        Some(hint) => format!("add `{key} = …` ({hint})"),
                        None => format!("add `{key} = …`"),
                    },
                ),
            ),
            Self::NotAChoice {
                path,
                written,
                close,
                choices,
            } => {
                let listed = quoted(choices);
                worded(
                    (
                        format!("`{path}` không thể là \"{written}\""),
                        match close {
                            Some(close) => {
                                format!("có phải ý bạn là \"{close}\"? (một trong {listed})")
                            }
                            None => format!("viết một trong {listed}"),
                        },
                    ),
                    (
                        format!("`{path}` cannot be \"{written}\""),
                        match close {
                            Some(close) => format!("did you mean \"{close}\"? (one of {listed})"),
                            None => format!("write one of {listed}"),
                        },
                    ),
                )
            }
            Self::ChoiceNotWord {
                path,
                found,
                choices,
            } => worded(
                (
                    format!(
                        "`{path}` phải là một từ trong dấu ngoặc kép, không phải {}",
                        kind_vi(found)
                    ),
                    format!("viết một trong {}", quoted(choices)),
                ),
                (
                    format!("`{path}` must be a quoted word, not {}", kind_en(found)),
                    format!("write one of {}", quoted(choices)),
                ),
            ),
            Self::TaggedNotTable { path, found, tags } => worded(
                (
                    format!("`{path}` phải là một bảng, không phải {}", kind_vi(found)),
                    format!("viết {}", tag_examples(tags, "hoặc")),
                ),
                (
                    format!("`{path}` must be a table, not {}", kind_en(found)),
                    format!("write {}", tag_examples(tags, "or")),
                ),
            ),
            Self::TaggedNone { path, tags, close } => worded(
                (
                    format!("`{path}` cần một trong các khóa {}", backticked(tags)),
                    match close {
                        Some(close) => format!(
                            "có phải ý bạn là `{close}`? viết {}",
                            tag_examples(tags, "hoặc")
                        ),
                        None => format!("viết {}", tag_examples(tags, "hoặc")),
                    },
                ),
                (
                    format!("`{path}` needs one of {}", backticked(tags)),
                    match close {
                        Some(close) => {
                            format!("did you mean `{close}`? write {}", tag_examples(tags, "or"))
                        }
                        None => format!("write {}", tag_examples(tags, "or")),
                    },
                ),
            ),
            Self::TaggedMany { path, present } => worded(
                (
                    format!("`{path}` có nhiều hơn một khóa: {}", present.join(", ")),
                    "chỉ giữ một khóa".into(),
                ),
                (
                    format!("`{path}` has more than one of {}", present.join(", ")),
                    "keep exactly one".into(),
                ),
            ),
            Self::NotADate { path, written } => worded(
                (
                    format!("`{path}` = \"{written}\" không phải là một ngày"),
                    "viết một ngày có thật theo dạng \"YYYY-MM-DD\", ví dụ \"2022-08-01\"".into(),
                ),
                (
                    format!("`{path}` = \"{written}\" is not a date"),
                    "write a real date as \"YYYY-MM-DD\", e.g. \"2022-08-01\"".into(),
                ),
            ),
            Self::NotAProcedureCode { written } => worded(
                (
                    format!("`{written}` không phải là mã thủ tục hành chính quốc gia"),
                    "viết một chữ số, dấu chấm và sáu chữ số như trên Cổng Dịch vụ công quốc gia, ví dụ \"1.001193\" (phản ánh, kiến nghị không có mã quốc gia, dùng mã địa phương như \"PAKN.1\")".into(),
                ),
                (
                    format!("`{written}` is not a national procedure code"),
                    "write one digit, a dot and six digits, as on the National Public Service Portal, e.g. \"1.001193\" (feedback, which has no national code, takes a local one such as \"PAKN.1\")".into(),
                ),
            ),
            Self::OutOfRange {
                path,
                minimum,
                maximum,
            } => worded(
                (
                    format!("`{path}` nằm ngoài khoảng cho phép"),
                    match (minimum, maximum) {
                        (Some(low), Some(high)) => format!("viết một số nguyên từ {low} đến {high}"),
                        (Some(low), None) => format!("viết một số nguyên không nhỏ hơn {low}"),
                        (None, Some(high)) => format!("viết một số nguyên không lớn hơn {high}"),
                        (None, None) => "viết một số nguyên 64 bit".into(),
                    },
                ),
                (
                    format!("`{path}` is out of range"),
                    match (minimum, maximum) {
                        (Some(low), Some(high)) => {
                            format!("write a whole number from {low} to {high}")
                        }
                        (Some(low), None) => format!("write a whole number at least {low}"),
                        (None, Some(high)) => format!("write a whole number at most {high}"),
                        (None, None) => "write a 64-bit whole number".into(),
                    },
                ),
            ),
            Self::VersionTwice {
                code,
                version,
                first,
            } => worded(
                (
                    format!("thủ tục {code} phiên bản {version} đã được định nghĩa trong {first}"),
                    "đặt cho tệp mới số `version` kế tiếp; phiên bản đã công bố không bao giờ thay đổi".into(),
                ),
                (
                    format!("procedure {code} version {version} is already defined in {first}"),
                    "give the newer file the next `version` number; a published version never changes".into(),
                ),
            ),
            // A procedure's texts, kind, legal conditions, ids, e-form fields, channels and fees.
            Self::EmptyText { key } => worded(
                (
                    format!("`{key}` còn trống"),
                    format!("ghi {} của thủ tục như đã công bố", text_key_vi(key)),
                ),
                (
                    format!("`{key}` is empty"),
                    format!("write the {key} of the procedure as published"),
                ),
            ),
            Self::BadRetentionClass { class } => worded(
                (
                    format!("`{class}` không phải là tên nhóm thời hạn bảo quản"),
                    "ghi tên một nhóm trong bảng thời hạn bảo quản: chữ thường không dấu, chữ số và `_`, ví dụ \"civil_status_register\"".into(),
                ),
                (
                    format!("`{class}` is not a retention class name"),
                    "name a class of the retention schedule: lower-case letters, digits and `_`, e.g. \"civil_status_register\"".into(),
                ),
            ),
            Self::NoRetentionClass => worded(
                (
                    "thủ tục chưa ghi thời hạn bảo quản hồ sơ đã kết thúc".into(),
                    "thêm `retention = \"…\"` ghi tên một nhóm trong bảng thời hạn bảo quản (fixtures/retention.toml), ví dụ `retention = \"civil_status_register\"`".into(),
                ),
                (
                    "the procedure names no retention class (thời hạn bảo quản) for its closed dossiers".into(),
                    "add `retention = \"…\"` naming a class of the retention schedule (fixtures/retention.toml), e.g. `retention = \"civil_status_register\"`".into(),
                ),
            ),
            Self::UndefinedRetentionClass { class, known } => worded(
                (
                    format!("bảng thời hạn bảo quản không có nhóm `{class}`"),
                    format!(
                        "dùng một trong {}, hoặc thêm [classes.{class}] vào bảng thời hạn bảo quản",
                        known.join(", ")
                    ),
                ),
                (
                    format!("retention class `{class}` is not defined in the retention schedule"),
                    format!(
                        "use one of {}, or add [classes.{class}] to the schedule",
                        known.join(", ")
                    ),
                ),
            ),
            Self::LocalCodeForAdministrative { code } => worded(
                (
                    format!("`{code}` là mã địa phương, nhưng thủ tục hành chính phải mang mã quốc gia"),
                    "ghi mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ \"1.001193\"; hoặc, với phản ánh, kiến nghị, đặt `kind = \"feedback\"`".into(),
                ),
                (
                    format!("`{code}` is a local code, but an administrative procedure carries its national code"),
                    "write the code of the National Database, e.g. \"1.001193\"; or, for citizen feedback (PAKN), set `kind = \"feedback\"`".into(),
                ),
            ),
            Self::NationalCodeForFeedback { code } => worded(
                (
                    format!("`{code}` là mã thủ tục quốc gia, nhưng phản ánh, kiến nghị không có mã quốc gia"),
                    "đặt cho phản ánh, kiến nghị một mã địa phương như \"PAKN.1\", để không bao giờ bị nhầm hoặc đồng bộ như một thủ tục hành chính".into(),
                ),
                (
                    format!("`{code}` is a national procedure code, but feedback (phản ánh, kiến nghị) has none"),
                    "give feedback a local code such as \"PAKN.1\", so it is never mistaken for, or synced as, an administrative procedure".into(),
                ),
            ),
            Self::PartialUnexplained => worded(
                (
                    "dịch vụ công trực tuyến một phần phải nêu lý do không cung cấp toàn trình".into(),
                    "thêm bảng [partial] với `reasons = [\"applicant_presence\"]` (hoặc lý do khác được phép) và `explanation` đã công bố (Nghị định 224/2026, Điều 14)".into(),
                ),
                (
                    "a partial (một phần) online service must state why it is not full-process".into(),
                    "add a [partial] table with `reasons = [\"applicant_presence\"]` (or another allowed reason) and the published `explanation` (Decree 224/2026 Art. 14)".into(),
                ),
            ),
            Self::PartialNoReason => worded(
                (
                    "dịch vụ một phần chưa nêu lý do nào".into(),
                    "nêu ít nhất một lý do: applicant_presence, on_site_inspection, paper_original, technical_incident hoặc other_technical".into(),
                ),
                (
                    "a partial online service lists no reason".into(),
                    "name at least one reason: applicant_presence, on_site_inspection, paper_original, technical_incident or other_technical".into(),
                ),
            ),
            Self::PartialNoExplanation => worded(
                (
                    "lý do cung cấp dịch vụ một phần chưa được giải thích".into(),
                    "ghi phần giải thích đã công bố trên Cổng Dịch vụ công quốc gia, kèm căn cứ pháp lý".into(),
                ),
                (
                    "the reason for a partial service is not explained".into(),
                    "write the explanation published on the National Portal, with its legal basis".into(),
                ),
            ),
            Self::FullProcessWithPartial => worded(
                (
                    "dịch vụ toàn trình lại có bảng [partial]".into(),
                    "bỏ [partial], hoặc đặt `online_service = \"partial\"`".into(),
                ),
                (
                    "a full-process (toàn trình) service has a [partial] table".into(),
                    "remove [partial], or set `online_service = \"partial\"`".into(),
                ),
            ),
            Self::InPersonStep { step } => worded(
                (
                    format!("bước `{step}` cần người nộp có mặt trực tiếp, điều dịch vụ toàn trình không thể có"),
                    "thực hiện bước này trực tuyến, hoặc đặt `online_service = \"partial\"` với lý do \"applicant_presence\"".into(),
                ),
                (
                    format!("step `{step}` needs the applicant in person, which a full-process (toàn trình) service cannot have"),
                    "do the step online, or set `online_service = \"partial\"` with reason \"applicant_presence\"".into(),
                ),
            ),
            Self::ResultOnlyAtCounter => worded(
                (
                    "dịch vụ toàn trình trả kết quả trực tuyến hoặc qua bưu chính công ích, nhưng kết quả này chỉ nhận được tại quầy".into(),
                    "thêm \"online\" (kết quả điện tử) hoặc \"postal\" vào `delivery`, hoặc chuyển dịch vụ thành một phần với lý do \"paper_original\"".into(),
                ),
                (
                    "a full-process (toàn trình) service returns its result online or by public post, but this result can only be collected at the counter".into(),
                    "add \"online\" (the electronic result) or \"postal\" to `delivery`, or make the service partial with reason \"paper_original\"".into(),
                ),
            ),
            Self::ResultPaperOnly => worded(
                (
                    "dịch vụ toàn trình trả kết quả trực tuyến hoặc qua bưu chính công ích, nhưng kết quả này chỉ là bản giấy nhận tại quầy".into(),
                    "đặt `electronic = true` với hình thức trả \"online\", thêm \"postal\" vào `delivery`, hoặc chuyển dịch vụ thành một phần với lý do \"paper_original\"".into(),
                ),
                (
                    "a full-process service returns its result online or by public post, but this result is paper-only, collected at the counter".into(),
                    "set `electronic = true` with delivery \"online\", add \"postal\" to `delivery`, or make the service partial with reason \"paper_original\"".into(),
                ),
            ),
            Self::NoOnlineChannel => worded(
                (
                    "dịch vụ toàn trình không có kênh trực tuyến".into(),
                    "thêm một mục [[channels]] với `channel = \"online\"`".into(),
                ),
                (
                    "a full-process service has no online channel".into(),
                    "add a [[channels]] entry with `channel = \"online\"`".into(),
                ),
            ),
            Self::FeesNotPayableOnline => worded(
                (
                    "dịch vụ toàn trình thu phí, lệ phí trên kênh trực tuyến nhưng không thanh toán trực tuyến được".into(),
                    "đặt `online_payment = true` cho kênh trực tuyến (Nghị định 224/2026, Điều 15 khoản 1 điểm đ), hoặc chuyển dịch vụ thành một phần".into(),
                ),
                (
                    "a full-process service charges fees on its online channel but cannot take payment online".into(),
                    "set `online_payment = true` on the online channel (Decree 224/2026 Art. 15.1.đ), or make the service partial".into(),
                ),
            ),
            Self::NoLegalBasis => worded(
                (
                    "thủ tục chưa nêu căn cứ pháp lý".into(),
                    "thêm một mục [[legal_basis]] với `instrument`, `article` và `effective_from`".into(),
                ),
                (
                    "the procedure names no legal basis".into(),
                    "add a [[legal_basis]] entry with `instrument`, `article` and `effective_from`".into(),
                ),
            ),
            Self::NoInstrument => worded(
                (
                    "`instrument` còn trống".into(),
                    "ghi số hiệu và tên văn bản quy phạm pháp luật".into(),
                ),
                (
                    "`instrument` is empty".into(),
                    "write the number and name of the legal document".into(),
                ),
            ),
            Self::LegalBasisBackwards {
                instrument,
                from,
                to,
            } => worded(
                (
                    format!("căn cứ pháp lý \"{instrument}\" hết hiệu lực ngày {to}, trước ngày có hiệu lực {from}"),
                    "đổi chỗ hai ngày, hoặc sửa `effective_to` để không sớm hơn `effective_from`".into(),
                ),
                (
                    format!("legal basis \"{instrument}\" runs backwards: it ends on {to} before it starts on {from}"),
                    "swap the dates, or correct `effective_to` so it is on or after `effective_from`".into(),
                ),
            ),
            Self::LegalBasisOverlaps {
                instrument,
                earlier,
                earlier_from,
            } => worded(
                (
                    format!("căn cứ pháp lý \"{instrument}\" trùng thời gian với legal_basis[{earlier}], cùng văn bản và điều, có hiệu lực từ {earlier_from}"),
                    "cho mục trước hết hiệu lực (`effective_to`) vào ngày trước khi mục này bắt đầu, hoặc gộp hai mục".into(),
                ),
                (
                    format!("legal basis \"{instrument}\" overlaps legal_basis[{earlier}], the same instrument and article, in force from {earlier_from}"),
                    "end the earlier entry (`effective_to`) the day before this one starts, or merge the two".into(),
                ),
            ),
            Self::NoResultName => worded(
                (
                    "`result.name` còn trống".into(),
                    "ghi tên giấy tờ kết quả, ví dụ \"Giấy khai sinh\"".into(),
                ),
                (
                    "`result.name` is empty".into(),
                    "write the name of the result paper, e.g. \"Giấy khai sinh\"".into(),
                ),
            ),
            Self::ResultUndeliverable => worded(
                (
                    "kết quả không có cách nào đến tay người nộp".into(),
                    "liệt kê ít nhất một trong \"online\", \"postal\", \"counter\"".into(),
                ),
                (
                    "the result has no way to reach the applicant".into(),
                    "list at least one of \"online\", \"postal\", \"counter\"".into(),
                ),
            ),
            Self::OnlineResultNotElectronic => worded(
                (
                    "kết quả được trả trực tuyến nhưng không phải kết quả điện tử".into(),
                    "đặt `electronic = true`, hoặc bỏ \"online\" khỏi `delivery`".into(),
                ),
                (
                    "the result is delivered online but is not electronic".into(),
                    "set `electronic = true`, or remove \"online\" from `delivery`".into(),
                ),
            ),
            Self::NoApplicantKind => worded(
                (
                    "thủ tục không nhận đối tượng thực hiện nào".into(),
                    "liệt kê ít nhất một trong \"citizen\", \"organisation\", \"foreigner\"".into(),
                ),
                (
                    "the procedure accepts no kind of applicant".into(),
                    "list at least one of \"citizen\", \"organisation\", \"foreigner\"".into(),
                ),
            ),
            Self::ApplicantKindTwice => worded(
                (
                    "một đối tượng thực hiện được liệt kê hai lần".into(),
                    "mỗi đối tượng chỉ liệt kê một lần".into(),
                ),
                (
                    "a kind of applicant is listed twice".into(),
                    "list each kind once".into(),
                ),
            ),
            Self::NotIdentifier { id } => worded(
                (
                    format!("`{id}` không phải là mã định danh hợp lệ"),
                    "dùng chữ thường ASCII không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái, ví dụ \"tham_dinh\"".into(),
                ),
                (
                    format!("`{id}` is not a valid identifier"),
                    "use lowercase ASCII letters, digits and underscores, starting with a letter, e.g. \"tham_dinh\"".into(),
                ),
            ),
            Self::DuplicateId { list, id, first } => worded(
                (
                    format!("mã `{id}` bị trùng, đã dùng ở {list}[{first}]"),
                    format!("đặt cho mỗi mục của [[{list}]] một mã riêng"),
                ),
                (
                    format!(
                        "duplicate {} id `{id}`, already used by {list}[{first}]",
                        list.strip_suffix('s').unwrap_or(list)
                    ),
                    format!("give each entry of [[{list}]] its own id"),
                ),
            ),
            Self::NotFieldId { id } => worded(
                (
                    format!("`{id}` không phải là mã trường hợp lệ"),
                    "dùng chữ thường ASCII không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái, ví dụ \"so_ban_sao\"; đây cũng là tên biến trong biểu thức".into(),
                ),
                (
                    format!("`{id}` is not a valid field id"),
                    "use lowercase ASCII letters, digits and underscores, starting with a letter, e.g. \"so_ban_sao\"; it is also the variable name in expressions".into(),
                ),
            ),
            Self::ReservedFieldId { id } => worded(
                (
                    format!("`{id}` là tên biến có sẵn"),
                    "chọn một mã trường khác".into(),
                ),
                (
                    format!("`{id}` is a built-in variable name"),
                    "choose another field id".into(),
                ),
            ),
            Self::DuplicateFieldId {
                id,
                document,
                field,
            } => worded(
                (
                    format!("mã trường `{id}` bị trùng, đã dùng ở documents[{document}].fields[{field}]"),
                    "mã trường dùng chung cho biểu mẫu điện tử của mọi giấy tờ (chúng là biến trong biểu thức); đổi tên một trường".into(),
                ),
                (
                    format!("duplicate field id `{id}`, already used by documents[{document}].fields[{field}]"),
                    "field ids are shared by all documents' e-forms (they are variables in expressions); rename one".into(),
                ),
            ),
            Self::BoundsOnNonNumber { field } => worded(
                (
                    format!("trường `{field}` có `min`/`max` nhưng không phải là số"),
                    "bỏ `min`/`max`, hoặc dùng kiểu \"integer\" hay \"decimal\"".into(),
                ),
                (
                    format!("field `{field}` has `min`/`max` but is not a number"),
                    "remove `min`/`max`, or use type \"integer\" or \"decimal\"".into(),
                ),
            ),
            Self::MaxBelowMin { field, min, max } => worded(
                (
                    format!("trường `{field}` có `max` {max} nhỏ hơn `min` {min}"),
                    "đổi chỗ `min` và `max`".into(),
                ),
                (
                    format!("field `{field}` has `max` {max} below `min` {min}"),
                    "swap `min` and `max`".into(),
                ),
            ),
            Self::MaxLengthOnNonText { field } => worded(
                (
                    format!("trường `{field}` có `max_length` nhưng không phải là văn bản"),
                    "bỏ `max_length`, hoặc dùng kiểu \"text\"".into(),
                ),
                (
                    format!("field `{field}` has `max_length` but is not text"),
                    "remove `max_length`, or use type \"text\"".into(),
                ),
            ),
            Self::NoChoices { field } => worded(
                (
                    format!("trường lựa chọn `{field}` không có lựa chọn nào"),
                    "thêm `choices = [\"…\", \"…\"]`".into(),
                ),
                (
                    format!("choice field `{field}` offers no choices"),
                    "add `choices = [\"…\", \"…\"]`".into(),
                ),
            ),
            Self::ChoicesOnNonChoice { field } => worded(
                (
                    format!("trường `{field}` có `choices` nhưng không phải trường lựa chọn"),
                    "đặt `type = \"choice\"`, hoặc bỏ `choices`".into(),
                ),
                (
                    format!("field `{field}` has `choices` but is not a choice"),
                    "set `type = \"choice\"`, or remove `choices`".into(),
                ),
            ),
            Self::LabelForUnknownChoice {
                field,
                value,
                close,
            } => worded(
                (
                    format!("trường `{field}` ghi nhãn cho \"{value}\", giá trị không có trong các lựa chọn"),
                    match close {
                        Some(close) => format!("có phải ý bạn là \"{close}\"?"),
                        None => "chỉ ghi nhãn cho các giá trị có trong `choices`, viết y hệt".into(),
                    },
                ),
                (
                    format!("field `{field}` labels \"{value}\", which is not one of its choices"),
                    match close {
                        Some(close) => format!("did you mean \"{close}\"?"),
                        None => "label only values listed in `choices`, spelled the same".into(),
                    },
                ),
            ),
            Self::UnlabelledChoices { field, codes } => {
                let first = codes.first().map_or("", String::as_str);
                worded(
                    (
                        format!(
                            "các lựa chọn {} của trường `{field}` là mã, người nộp sẽ đọc nguyên văn",
                            quoted(codes)
                        ),
                        format!(
                            "đặt tên cho từng lựa chọn để người đọc hiểu, ví dụ `choice_labels = {{ {first} = \"…\" }}`"
                        ),
                    ),
                    (
                        format!(
                            "choices {} of field `{field}` are codes that applicants would read as written",
                            quoted(codes)
                        ),
                        format!(
                            "name each for the people who read it, e.g. `choice_labels = {{ {first} = \"…\" }}`"
                        ),
                    ),
                )
            }
            Self::NoChannel => worded(
                (
                    "thủ tục không có kênh nộp hồ sơ nào".into(),
                    "thêm một mục [[channels]] cho mỗi kênh direct, online, postal mà thủ tục cho phép".into(),
                ),
                (
                    "the procedure has no submission channel".into(),
                    "add a [[channels]] entry for each of direct, online, postal that the procedure allows".into(),
                ),
            ),
            Self::ChannelTwice { channel, first } => worded(
                (
                    format!(
                        "kênh \"{}\" ({}) được khai báo hai lần (lần đầu ở channels[{first}])",
                        channel.as_str(),
                        channel.vietnamese()
                    ),
                    "mỗi kênh chỉ giữ một mục".into(),
                ),
                (
                    format!(
                        "channel \"{}\" is declared twice (first at channels[{first}])",
                        channel.as_str()
                    ),
                    "keep one entry per channel".into(),
                ),
            ),
            Self::FeeAmountOrFormula { fee } => worded(
                (
                    format!("khoản thu \"{fee}\" phải có đúng một trong `amount` hoặc `formula`"),
                    "viết `amount = 8000` cho mức cố định, hoặc `formula = \"8000 * so_ban_sao\"`".into(),
                ),
                (
                    format!("fee \"{fee}\" must have exactly one of `amount` or `formula`"),
                    "write `amount = 8000` for a fixed fee, or `formula = \"8000 * so_ban_sao\"`".into(),
                ),
            ),
            // Steps, actions and the process graph.
            Self::NoSteps => worded(
                (
                    "thủ tục không có bước nào".into(),
                    "thêm [[steps]] theo quy trình nội bộ đã phê duyệt, từ tiếp nhận đến trả kết quả".into(),
                ),
                (
                    "the procedure has no steps".into(),
                    "add [[steps]] for the approved internal process, from receipt to result".into(),
                ),
            ),
            Self::Undeclared {
                kind,
                name,
                close,
                known,
            } => {
                let table = kind.table();
                worded(
                    (
                        format!("{} `{name}` chưa được khai báo", kind.vietnamese()),
                        match close {
                            Some(close) => format!(
                                "có phải ý bạn là `{close}`? hoặc khai báo `{name}` trong {table}"
                            ),
                            None if known.is_empty() => format!("khai báo trong {table}"),
                            None => format!(
                                "khai báo trong {table}, hoặc dùng một trong: {}",
                                known.join(", ")
                            ),
                        },
                    ),
                    (
                        format!("{} `{name}` is not declared", kind.english()),
                        match close {
                            Some(close) => {
                                format!("did you mean `{close}`? or declare `{name}` in {table}")
                            }
                            None if known.is_empty() => format!("declare it in {table}"),
                            None => format!(
                                "declare it in {table}, or use one of: {}",
                                known.join(", ")
                            ),
                        },
                    ),
                )
            }
            Self::ToAndOutcome { action } => worded(
                (
                    format!("thao tác `{action}` có cả `to` lẫn `outcome`"),
                    "giữ `to` để chuyển sang bước khác, hoặc `outcome` để kết thúc bằng một quyết định".into(),
                ),
                (
                    format!("action `{action}` has both `to` and `outcome`"),
                    "keep `to` to move to another step, or `outcome` to end with a decision".into(),
                ),
            ),
            Self::GoesNowhere { action } => worded(
                (
                    format!("thao tác `{action}` không dẫn đến đâu: không có `to` cũng không có `outcome`"),
                    "thêm `to = \"<mã bước>\"` hoặc `outcome = \"approved\"` / \"refused\"".into(),
                ),
                (
                    format!("action `{action}` goes nowhere: it has neither `to` nor `outcome`"),
                    "add `to = \"<step id>\"` or `outcome = \"approved\"` / \"refused\"".into(),
                ),
            ),
            Self::IssuesWithoutApproving { action } => worded(
                (
                    format!("thao tác `{action}` ban hành kết quả nhưng không phê duyệt hồ sơ, nên kết quả sẽ không bao giờ được ban hành"),
                    "chuyển \"issue_result\" sang thao tác có `outcome = \"approved\"`, hoặc cho thao tác này kết quả đó".into(),
                ),
                (
                    format!("action `{action}` issues the result but does not approve the dossier, so the result would never be issued"),
                    "move \"issue_result\" to the action with `outcome = \"approved\"`, or give this action that outcome".into(),
                ),
            ),
            Self::SetsAndStartsLimit { action } => worded(
                (
                    format!("thao tác `{action}` vừa đặt vừa bắt đầu tính thời hạn giải quyết"),
                    "giữ `starts_time_limit` để tính thời hạn từ thao tác này, hoặc `sets_time_limit` để tính từ khi tiếp nhận".into(),
                ),
                (
                    format!("action `{action}` both sets and starts the time limit"),
                    "keep `starts_time_limit` to count the limit from this action, or `sets_time_limit` to count it from receipt".into(),
                ),
            ),
            Self::DecidingStartsLimit { action, limit } => worded(
                (
                    format!(
                        "thao tác `{action}` quyết định hồ sơ, nên thời hạn {} bắt đầu từ nó sẽ không bao giờ chạy",
                        limit.vietnamese()
                    ),
                    "bắt đầu tính thời hạn ở thao tác nhận hồ sơ vào giải quyết".into(),
                ),
                (
                    format!("action `{action}` decides the dossier, so a time limit of {limit} started by it would never run"),
                    "start the time limit at the action that accepts the dossier for processing".into(),
                ),
            ),
            Self::NoRoleMayAct { action } => worded(
                (
                    format!("không vai trò nào được thực hiện thao tác `{action}`"),
                    "liệt kê các vai trò được thực hiện, ví dụ `roles = [\"lanh_dao\"]`".into(),
                ),
                (
                    format!("no role may take action `{action}`"),
                    "list the roles that may take it, e.g. `roles = [\"lanh_dao\"]`".into(),
                ),
            ),
            Self::NoApproval => worded(
                (
                    "không thao tác nào phê duyệt hồ sơ, nên không kết quả nào có thể được ban hành".into(),
                    "thêm một thao tác với `outcome = \"approved\"` từ bước ký duyệt".into(),
                ),
                (
                    "no action approves the dossier, so no result can ever be issued".into(),
                    "add an action with `outcome = \"approved\"` from the signing step".into(),
                ),
            ),
            Self::Unreachable { step, start } => worded(
                (
                    format!("không thể đi tới bước `{step}` từ bước bắt đầu `{start}`"),
                    format!("thêm một thao tác với `to = \"{step}\"`, hoặc bỏ bước này"),
                ),
                (
                    format!("step `{step}` cannot be reached from the start step `{start}`"),
                    format!("add an action with `to = \"{step}\"`, or remove the step"),
                ),
            ),
            Self::NoWayToDecision { step } => worded(
                (
                    format!("từ bước `{step}` không thể đi tới quyết định cuối cùng (phê duyệt hoặc từ chối)"),
                    format!("thêm một thao tác từ `{step}` sang một bước sau, hoặc một thao tác có `outcome`"),
                ),
                (
                    format!("from step `{step}` no final decision (approved or refused) can be reached"),
                    format!("add an action from `{step}` to a later step, or one with an `outcome`"),
                ),
            ),
            // The clock's caps, windows and allotments, and expressions.
            Self::ExtensionAllowsNoTime => worded(
                (
                    "gia hạn không cho thêm thời gian nào".into(),
                    "ghi thời gian gia hạn dài nhất pháp luật cho phép, ví dụ `up_to = { working_days = 10 }`, hoặc bỏ [clock.extension]".into(),
                ),
                (
                    "the extension (gia hạn) allows no time".into(),
                    "write the longest extension the law allows, e.g. `up_to = { working_days = 10 }`, or remove [clock.extension]".into(),
                ),
            ),
            Self::ApologyAllowsNoTime => worded(
                (
                    "`apology_up_to` không cho hẹn ngày mới nào".into(),
                    "ghi thư xin lỗi (Mẫu 04) được hẹn ngày mới muộn nhất bao lâu sau ngày hẹn, ví dụ `{ working_days = 5 }`, hoặc bỏ khóa này".into(),
                ),
                (
                    "`apology_up_to` allows no new date".into(),
                    "write how far past the appointment a Form 04 apology may set the new date, e.g. `{ working_days = 5 }`, or remove it".into(),
                ),
            ),
            Self::WindowUnnamed { window } => worded(
                (
                    format!("khung thời hạn `{window}` chưa có tên"),
                    "ghi tên cán bộ sẽ đọc, ví dụ \"Yêu cầu bổ sung trong 05 ngày làm việc\"".into(),
                ),
                (
                    format!("window `{window}` has no name"),
                    "write the name officers read, e.g. \"Yêu cầu bổ sung trong 05 ngày làm việc\"".into(),
                ),
            ),
            Self::WindowForNothing { window } => worded(
                (
                    format!("khung thời hạn `{window}` không áp dụng cho lệnh nào"),
                    "liệt kê các lệnh có sẵn hoặc mã thao tác mà khung áp dụng, ví dụ `commands = [\"request_supplement\"]`".into(),
                ),
                (
                    format!("window `{window}` is for no command"),
                    "list the built-in commands or action ids it is for, e.g. `commands = [\"request_supplement\"]`".into(),
                ),
            ),
            Self::WindowFromUnknown {
                window,
                from,
                close,
                anchors,
            } => worded(
                (
                    format!("khung thời hạn `{window}` tính từ `{from}`, không phải mốc cũng không phải thao tác"),
                    match close {
                        Some(close) => format!("có phải ý bạn là `{close}`? khung thời hạn tính từ \"submitted\", \"received\", \"decided\" hoặc một mã thao tác"),
                        None => format!("tính từ một trong: {}", quoted(anchors)),
                    },
                ),
                (
                    format!("window `{window}` counts from `{from}`, which is neither an anchor nor an action"),
                    match close {
                        Some(close) => format!("did you mean `{close}`? a window counts from \"submitted\", \"received\", \"decided\" or an action id"),
                        None => format!("count from one of: {}", quoted(anchors)),
                    },
                ),
            ),
            Self::WindowForUnknown {
                window,
                command,
                close,
                built_in,
            } => worded(
                (
                    format!("khung thời hạn `{window}` áp dụng cho `{command}`, không phải lệnh có sẵn cũng không phải thao tác"),
                    match close {
                        Some(close) => format!("có phải ý bạn là `{close}`?"),
                        None => format!("ghi một lệnh có sẵn ({}) hoặc một mã thao tác", built_in.join(", ")),
                    },
                ),
                (
                    format!("window `{window}` is for `{command}`, which is neither a built-in command nor an action"),
                    match close {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("name a built-in command ({}) or an action id", built_in.join(", ")),
                    },
                ),
            ),
            Self::WindowAfterCommand {
                window,
                from,
                command,
            } => worded(
                (
                    format!("khung thời hạn `{window}` tính từ `{from}`, mốc chỉ có sau `{command}`, nên không bao giờ áp dụng được"),
                    "tính quyết định tiếp nhận từ `from = \"submitted\"`".into(),
                ),
                (
                    format!("window `{window}` counts from `{from}`, which comes only after `{command}`, so it can never apply"),
                    "count the intake decision from `from = \"submitted\"`".into(),
                ),
            ),
            Self::WindowRefusesDuty { window, command } => worded(
                (
                    format!("khung thời hạn `{window}` sẽ từ chối `{command}` khi hết hạn, để hồ sơ không còn đường đi tiếp"),
                    "nghĩa vụ vẫn còn sau khi hết khung: đặt `after = \"late\"` để quyết định muộn vẫn được thực hiện và tính là trễ hạn".into(),
                ),
                (
                    format!("window `{window}` would refuse `{command}` once it closes, leaving the dossier with no way forward"),
                    "the duty remains after the window: set `after = \"late\"` so a late decision is still taken and counted late".into(),
                ),
            ),
            Self::AllotmentsExceedLimit {
                channel,
                steps,
                hours,
                limit,
            } => worded(
                (
                    format!(
                        "trên kênh {} các bước {} được phân bổ tổng cộng {}, vượt thời hạn giải quyết theo quy định ({})",
                        channel.vietnamese(),
                        steps.join(" → "),
                        office_hours_vi(*hours),
                        limit.vietnamese()
                    ),
                    "rút ngắn thời gian `allotted` của các bước để mọi nhánh vừa thời hạn (`hoso procedure simulate` cho thấy từng nhánh), hoặc sửa `time_limit`".into(),
                ),
                (
                    format!(
                        "on the {} channel the steps {} are allotted {} in all, more than the legal time limit ({limit})",
                        channel.as_str(),
                        steps.join(" → "),
                        TimeLimit::describe_office_hours(*hours),
                    ),
                    "shorten the steps' `allotted` times so every path fits the limit (`hoso procedure simulate` shows each path), or correct `time_limit`".into(),
                ),
            ),
            Self::UndefinedVariable { name, close, known } => worded(
                (
                    format!("biểu thức dùng biến `{name}` chưa được định nghĩa"),
                    match close {
                        Some(close) => format!("có phải ý bạn là `{close}`? biến là mã các trường của biểu mẫu điện tử và `channel`"),
                        None => format!("dùng một mã trường của biểu mẫu điện tử hoặc `channel`; các biến có ở đây: {}", known.join(", ")),
                    },
                ),
                (
                    format!("expression uses undefined variable `{name}`"),
                    match close {
                        Some(close) => format!("did you mean `{close}`? variables are the e-form field ids and `channel`"),
                        None => format!("use an e-form field id or `channel`; defined here: {}", known.join(", ")),
                    },
                ),
            ),
            Self::NotAnExpression { detail } => worded(
                (
                    format!("biểu thức không biên dịch được: {detail}"),
                    "viết một biểu thức duy nhất, ví dụ `8000 * so_ban_sao` hoặc `so_ban_sao <= 10`; không dùng câu lệnh, vòng lặp hay hàm".into(),
                ),
                (
                    format!("expression does not compile: {detail}"),
                    "write a single expression, e.g. `8000 * so_ban_sao` or `so_ban_sao <= 10`; statements, loops and functions are not allowed".into(),
                ),
            ),
            Self::MixedTypes { signature } => worded(
                (
                    format!("biểu thức kết hợp các kiểu không đi với nhau: `{signature}`"),
                    MIXED_FIX_VI.into(),
                ),
                (
                    format!("expression mixes types that do not go together: `{signature}`"),
                    MIXED_FIX_EN.into(),
                ),
            ),
            Self::MixedTypePair { left, right } => worded(
                (
                    format!(
                        "biểu thức kết hợp các kiểu không đi với nhau: {} và {}",
                        value_kind_vi(left),
                        value_kind_vi(right)
                    ),
                    MIXED_FIX_VI.into(),
                ),
                (
                    format!("expression mixes types that do not go together: {left} and {right}"),
                    MIXED_FIX_EN.into(),
                ),
            ),
            Self::WrongResult { found, wanted } => worded(
                (
                    format!(
                        "biểu thức cho ra {} trong khi cần {}",
                        value_kind_vi(found),
                        match wanted {
                            ExpressionKind::Condition => "đúng hoặc sai (true/false)",
                            ExpressionKind::Amount => "một số tiền bằng đồng",
                        }
                    ),
                    match wanted {
                        ExpressionKind::Condition => "viết một phép so sánh, ví dụ `so_ban_sao <= 10`".into(),
                        ExpressionKind::Amount => "viết phép tính trên các số, ví dụ `8000 * so_ban_sao`".into(),
                    },
                ),
                (
                    format!(
                        "expression gives {found} where {} is needed",
                        match wanted {
                            ExpressionKind::Condition => "true or false",
                            ExpressionKind::Amount => "a number of đồng",
                        }
                    ),
                    match wanted {
                        ExpressionKind::Condition => "write a comparison, e.g. `so_ban_sao <= 10`".into(),
                        ExpressionKind::Amount => "write arithmetic on numbers, e.g. `8000 * so_ban_sao`".into(),
                    },
                ),
            ),
            Self::ChannelNeverMatches { value, offered } => worded(
                (
                    format!("`channel` được so sánh với \"{value}\", không phải kênh của thủ tục này, nên phép so sánh không bao giờ đổi kết quả"),
                    format!("so sánh với một trong: {}", quoted(offered)),
                ),
                (
                    format!("`channel` is compared with \"{value}\", which is not a channel of this procedure, so the comparison never changes"),
                    format!("compare with one of: {}", quoted(offered)),
                ),
            ),
            Self::ChoiceNeverMatches {
                field,
                value,
                close,
                choices,
            } => worded(
                (
                    format!("`{field}` được so sánh với \"{value}\", không phải một lựa chọn của nó, nên phép so sánh không bao giờ đổi kết quả"),
                    match close {
                        Some(close) => format!("có phải ý bạn là \"{close}\"? các lựa chọn là {}", quoted(choices)),
                        None => format!("so sánh với một trong các lựa chọn: {}", quoted(choices)),
                    },
                ),
                (
                    format!("`{field}` is compared with \"{value}\", which is not one of its choices, so the comparison never changes"),
                    match close {
                        Some(close) => format!("did you mean \"{close}\"? the choices are {}", quoted(choices)),
                        None => format!("compare with one of its choices: {}", quoted(choices)),
                    },
                ),
            ),
            Self::NumberNeverHolds {
                field,
                operator,
                value,
                min,
                max,
            } => {
                let bound = |bound: &Option<i64>, any: &str| {
                    bound.map_or_else(|| any.to_owned(), |bound| bound.to_string())
                };
                worded(
                    (
                        format!(
                            "`{field} {operator} {value}` không bao giờ đúng: trường chỉ nhận từ {} đến {}",
                            bound(min, "bất kỳ"),
                            bound(max, "bất kỳ")
                        ),
                        "so sánh với một giá trị trong khoảng `min`..`max` của trường, hoặc sửa khoảng".into(),
                    ),
                    (
                        format!(
                            "`{field} {operator} {value}` can never hold: the field allows only {} to {}",
                            bound(min, "any"),
                            bound(max, "any")
                        ),
                        "compare with a value inside the field's `min`..`max`, or correct the range".into(),
                    ),
                )
            }
            Self::FractionalFee { amount } => worded(
                (
                    format!("khoản thu tính ra {amount} đồng trên giá trị mẫu (mỗi trường số bằng 1), có phần lẻ của một đồng"),
                    "phí, lệ phí tính bằng đồng chẵn: dùng số tiền chẵn, hoặc làm tròn rõ ràng, ví dụ `round(2500.5 * so_ban_sao)`".into(),
                ),
                (
                    format!("the fee comes to {amount} đồng on sample values (each number field 1), a fraction of a đồng"),
                    "fees are whole đồng: use whole amounts, or round explicitly, e.g. `round(2500.5 * so_ban_sao)`".into(),
                ),
            ),
            // Calendars and the retention schedule, which operators write the same way.
            Self::UnsupportedZone { zone, supported } => worded(
                (
                    format!("múi giờ \"{zone}\" không được hỗ trợ"),
                    format!("viết zone = \"{supported}\"; hoso tính thời hạn theo giờ Việt Nam"),
                ),
                (
                    format!("zone \"{zone}\" is not supported"),
                    format!("write zone = \"{supported}\"; hoso computes legal deadlines in Vietnam's time"),
                ),
            ),
            Self::OfficeHoursBackwards { written } => worded(
                (
                    format!("giờ làm việc \"{written}\" kết thúc trước khi bắt đầu"),
                    "viết giờ sớm hơn trước, ví dụ \"07:30-11:30\"".into(),
                ),
                (
                    format!("office hours \"{written}\" end before they start"),
                    "write the earlier time first, e.g. \"07:30-11:30\"".into(),
                ),
            ),
            Self::NotOfficeHours { written } => worded(
                (
                    format!("\"{written}\" không phải là một khoảng giờ làm việc"),
                    "viết \"HH:MM-HH:MM\", ví dụ \"13:30-17:00\"".into(),
                ),
                (
                    format!("\"{written}\" is not an office-hours interval"),
                    "write \"HH:MM-HH:MM\", e.g. \"13:30-17:00\"".into(),
                ),
            ),
            Self::NoOfficeHours => worded(
                (
                    "lịch cần có giờ làm việc".into(),
                    "viết ví dụ office_hours = [\"07:30-11:30\", \"13:30-17:00\"]".into(),
                ),
                (
                    "a calendar needs office hours".into(),
                    "write e.g. office_hours = [\"07:30-11:30\", \"13:30-17:00\"]".into(),
                ),
            ),
            Self::OfficeHoursOverlap => worded(
                (
                    "các khoảng giờ làm việc chồng lên nhau".into(),
                    "cho mỗi khoảng bắt đầu sau khi khoảng trước kết thúc".into(),
                ),
                (
                    "office-hours intervals overlap".into(),
                    "make each interval start after the previous one ends".into(),
                ),
            ),
            Self::NotTimeOfDay { written } => worded(
                (
                    format!("\"{written}\" không phải là một giờ trong ngày"),
                    "viết \"HH:MM\", ví dụ \"15:00\"".into(),
                ),
                (
                    format!("\"{written}\" is not a time of day"),
                    "write \"HH:MM\", e.g. \"15:00\"".into(),
                ),
            ),
            Self::YearTwice { year, first } => worded(
                (
                    format!("năm {year} đã có lịch trong {first}"),
                    "mỗi năm chỉ giữ một tệp lịch: xóa hoặc chuyển đi tệp không còn hiệu lực".into(),
                ),
                (
                    format!("year {year} is already covered by {first}"),
                    "keep one calendar file per year: delete or move the one that is not in force".into(),
                ),
            ),
            Self::RestDayTwice { day } => worded(
                (
                    format!("{} được liệt kê hai lần", weekday_vi(*day)),
                    "mỗi ngày nghỉ chỉ liệt kê một lần".into(),
                ),
                (
                    format!("{} is listed twice", weekday_en(*day)),
                    "list each rest day once".into(),
                ),
            ),
            Self::OutsideYear {
                date,
                year,
                its_year,
            } => worded(
                (
                    format!("{date} không thuộc năm {year}"),
                    format!("đưa ngày này vào tệp lịch năm {its_year}, hoặc sửa năm"),
                ),
                (
                    format!("{date} is not in {year}"),
                    format!("put it in the {its_year} calendar file, or correct the year"),
                ),
            ),
            Self::HolidayBackwards { name, from, to } => worded(
                (
                    format!("ngày nghỉ \"{name}\" kết thúc ngày {to}, trước ngày bắt đầu {from}"),
                    "đổi chỗ `from` và `to`".into(),
                ),
                (
                    format!("holiday \"{name}\" ends on {to} before it starts on {from}"),
                    "swap `from` and `to`".into(),
                ),
            ),
            Self::HolidayUndated { name } => worded(
                (
                    format!("ngày nghỉ \"{name}\" cần hoặc `date`, hoặc cả `from` và `to`"),
                    "viết { date = \"2025-01-01\", name = \"…\" } hoặc { from = \"…\", to = \"…\", name = \"…\" }".into(),
                ),
                (
                    format!("holiday \"{name}\" needs either `date`, or both `from` and `to`"),
                    "write { date = \"2025-01-01\", name = \"…\" } or { from = \"…\", to = \"…\", name = \"…\" }".into(),
                ),
            ),
            Self::HolidayAndWorkingDay { date, holiday } => worded(
                (
                    format!("{date} vừa là ngày nghỉ (\"{holiday}\") vừa là ngày làm bù"),
                    "bỏ ngày này khỏi một trong hai danh sách".into(),
                ),
                (
                    format!("{date} is both a holiday (\"{holiday}\") and a swapped working day"),
                    "remove it from one of the two lists".into(),
                ),
            ),
            Self::AlreadyWorkingDay { date, weekday } => worded(
                (
                    format!("{date} là {}, vốn đã là ngày làm việc", weekday_vi(*weekday)),
                    "chỉ liệt kê những ngày nghỉ được làm bù để nối kỳ nghỉ lễ".into(),
                ),
                (
                    format!("{date} is a {}, already a working day", weekday_en(*weekday)),
                    "list only rest days that are worked to bridge a holiday".into(),
                ),
            ),
            Self::NotClassName { name } => worded(
                (
                    format!("`{name}` không phải là tên nhóm thời hạn bảo quản"),
                    "dùng chữ thường không dấu, chữ số và `_`, bắt đầu bằng chữ cái, ví dụ civil_status_register".into(),
                ),
                (
                    format!("`{name}` is not a retention class name"),
                    "use lower-case letters, digits and `_`, starting with a letter, e.g. civil_status_register".into(),
                ),
            ),
            Self::ClassUndescribed { name } => worded(
                (
                    format!("nhóm `{name}` chưa có mô tả"),
                    "ghi nhóm gồm những hồ sơ nào, như bảng thời hạn bảo quản gọi tên".into(),
                ),
                (
                    format!("class `{name}` has an empty description"),
                    "write what the class holds, as the retention schedule names it".into(),
                ),
            ),
            Self::ClassZeroYears { name } => worded(
                (
                    format!("nhóm `{name}` bảo quản hồ sơ 0 năm"),
                    "ghi số năm chẵn theo bảng thời hạn bảo quản (từ 1 trở lên), hoặc `permanent = true`".into(),
                ),
                (
                    format!("class `{name}` keeps dossiers for 0 years"),
                    "write the whole years the schedule gives (1 or more), or `permanent = true`".into(),
                ),
            ),
            Self::ClassPermanentAndYears { name } => worded(
                (
                    format!("nhóm `{name}` vừa bảo quản vĩnh viễn vừa bảo quản có thời hạn"),
                    "giữ một: `permanent = true` hoặc `years = N`".into(),
                ),
                (
                    format!("class `{name}` is both permanent and kept for some years"),
                    "keep one: `permanent = true` or `years = N`".into(),
                ),
            ),
            Self::ClassNoTerm { name } => worded(
                (
                    format!("nhóm `{name}` không ghi thời hạn cũng không ghi vĩnh viễn"),
                    "thêm `years = N` (số năm chẵn sau năm hồ sơ kết thúc) hoặc `permanent = true`".into(),
                ),
                (
                    format!("class `{name}` says neither how long nor permanent"),
                    "add `years = N` (whole years after the year the dossier closed) or `permanent = true`".into(),
                ),
            ),
        }
    }
}

const MIXED_FIX_VI: &str =
    "so sánh và kết hợp các giá trị cùng loại: số với số, văn bản với văn bản";
const MIXED_FIX_EN: &str =
    "compare and combine values of the same kind: numbers with numbers, text with text";

/// The words for a TOML or JSON type, as in "must be a list".
fn kind_en(kind: &str) -> String {
    match kind {
        "string" => "text in quotes".to_owned(),
        "object" | "table" => "a table".to_owned(),
        "array" => "a list".to_owned(),
        "integer" => "a whole number".to_owned(),
        "float" => "a number with a fraction".to_owned(),
        "boolean" => "true or false".to_owned(),
        "datetime" => "a date".to_owned(),
        other => other.to_owned(),
    }
}

fn kind_vi(kind: &str) -> String {
    match kind {
        "string" => "văn bản trong dấu ngoặc kép".to_owned(),
        "object" | "table" => "một bảng".to_owned(),
        "array" => "một danh sách".to_owned(),
        "integer" => "một số nguyên".to_owned(),
        "float" => "một số thập phân".to_owned(),
        "boolean" => "true hoặc false".to_owned(),
        "datetime" => "một ngày".to_owned(),
        other => other.to_owned(),
    }
}

/// The expression engine's value kinds (as `short_type_name` words them) in Vietnamese.
fn value_kind_vi(kind: &str) -> &str {
    match kind {
        "text" => "văn bản",
        "a whole number" => "một số nguyên",
        "a decimal number" => "một số thập phân",
        "true/false" => "đúng/sai",
        other => other,
    }
}

fn within_en(within: &str) -> String {
    if within.is_empty() {
        "the file".to_owned()
    } else {
        format!("`{within}`")
    }
}

fn within_vi(within: &str) -> String {
    if within.is_empty() {
        "tệp".to_owned()
    } else {
        format!("`{within}`")
    }
}

/// `name`, `field` and `start` as a Vietnamese reader calls them.
fn text_key_vi(key: &str) -> &str {
    match key {
        "name" => "tên",
        "field" => "lĩnh vực",
        "start" => "bước bắt đầu",
        other => other,
    }
}

fn office_hours_vi(hours: u32) -> String {
    let per_day = crate::procedure::OFFICE_HOURS_PER_DAY;
    match (hours / per_day, hours % per_day) {
        (days, 0) => TimeLimit::WorkingDays(days).vietnamese(),
        (0, rest) => TimeLimit::WorkingHours(rest).vietnamese(),
        (days, rest) => format!(
            "{} và {}",
            TimeLimit::WorkingDays(days).vietnamese(),
            TimeLimit::WorkingHours(rest).vietnamese()
        ),
    }
}

fn weekday_en(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn backticked(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tag_examples(tags: &[String], or: &str) -> String {
    tags.iter()
        .map(|tag| format!("{{ {tag} = 3 }}"))
        .collect::<Vec<_>>()
        .join(&format!(" {or} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        text.to_owned()
    }

    fn list() -> Vec<String> {
        vec![s("tiep_nhan"), s("tham_dinh")]
    }

    /// One of every problem, with the optional parts both present and absent where they change
    /// the words.
    fn every_problem() -> Vec<DesignProblem> {
        use DesignProblem as P;
        let path = || s("steps[1].role");
        vec![
            P::NoFile,
            P::Unreadable { detail: s("x") },
            P::NotUtf8 { offset: Some(8) },
            P::NotUtf8 { offset: None },
            P::Syntax { detail: s("x") },
            P::Unrepresentable {
                detail: s("x"),
                guide: s("docs/calendars.md"),
            },
            P::BareDate {
                path: path(),
                written: s("2026-01-01"),
            },
            P::WrongType {
                path: path(),
                expected: s("integer"),
                found: s("string"),
            },
            P::WrongType {
                path: path(),
                expected: s("object"),
                found: s("array"),
            },
            P::UnknownKey {
                key: s("alloted"),
                within: path(),
                close: Some(s("allotted")),
                allowed: list(),
            },
            P::UnknownKey {
                key: s("x"),
                within: s(""),
                close: None,
                allowed: list(),
            },
            P::MissingKey {
                key: s("role"),
                within: path(),
                hint: Some(s("Who does it")),
            },
            P::MissingKey {
                key: s("role"),
                within: s(""),
                hint: None,
            },
            P::NotAChoice {
                path: path(),
                written: s("comune"),
                close: Some(s("commune")),
                choices: list(),
            },
            P::NotAChoice {
                path: path(),
                written: s("x"),
                close: None,
                choices: list(),
            },
            P::ChoiceNotWord {
                path: path(),
                found: s("integer"),
                choices: list(),
            },
            P::TaggedNotTable {
                path: path(),
                found: s("string"),
                tags: list(),
            },
            P::TaggedNone {
                path: path(),
                tags: list(),
                close: Some(s("tiep_nhan")),
            },
            P::TaggedNone {
                path: path(),
                tags: list(),
                close: None,
            },
            P::TaggedMany {
                path: path(),
                present: list(),
            },
            P::NotADate {
                path: path(),
                written: s("2025-02-30"),
            },
            P::NotAProcedureCode {
                written: s("2000635"),
            },
            P::OutOfRange {
                path: path(),
                minimum: Some(1),
                maximum: Some(9),
            },
            P::OutOfRange {
                path: path(),
                minimum: Some(1),
                maximum: None,
            },
            P::OutOfRange {
                path: path(),
                minimum: None,
                maximum: Some(9),
            },
            P::OutOfRange {
                path: path(),
                minimum: None,
                maximum: None,
            },
            P::VersionTwice {
                code: s("2.000635"),
                version: 2,
                first: s("a.toml"),
            },
            P::EmptyText { key: s("field") },
            P::BadRetentionClass {
                class: s("Hộ tịch"),
            },
            P::NoRetentionClass,
            P::UndefinedRetentionClass {
                class: s("x"),
                known: list(),
            },
            P::LocalCodeForAdministrative { code: s("PAKN.1") },
            P::NationalCodeForFeedback {
                code: s("1.000001"),
            },
            P::PartialUnexplained,
            P::PartialNoReason,
            P::PartialNoExplanation,
            P::FullProcessWithPartial,
            P::InPersonStep {
                step: s("tham_dinh"),
            },
            P::ResultOnlyAtCounter,
            P::ResultPaperOnly,
            P::NoOnlineChannel,
            P::FeesNotPayableOnline,
            P::NoLegalBasis,
            P::NoInstrument,
            P::LegalBasisBackwards {
                instrument: s("Luật Hộ tịch"),
                from: s("2016-01-01"),
                to: s("2015-12-31"),
            },
            P::LegalBasisOverlaps {
                instrument: s("Luật Hộ tịch"),
                earlier: 0,
                earlier_from: s("2016-01-01"),
            },
            P::NoResultName,
            P::ResultUndeliverable,
            P::OnlineResultNotElectronic,
            P::NoApplicantKind,
            P::ApplicantKindTwice,
            P::NotIdentifier { id: s("Tham dinh") },
            P::DuplicateId {
                list: s("steps"),
                id: s("tiep_nhan"),
                first: 0,
            },
            P::NotFieldId { id: s("Số") },
            P::ReservedFieldId { id: s("channel") },
            P::DuplicateFieldId {
                id: s("so_ban_sao"),
                document: 0,
                field: 1,
            },
            P::BoundsOnNonNumber { field: s("ho_ten") },
            P::MaxBelowMin {
                field: s("so_ban_sao"),
                min: 5,
                max: 1,
            },
            P::MaxLengthOnNonText {
                field: s("so_ban_sao"),
            },
            P::NoChoices { field: s("loai") },
            P::ChoicesOnNonChoice { field: s("loai") },
            P::LabelForUnknownChoice {
                field: s("loai"),
                value: s("khai_tuu"),
                close: Some(s("khai_tu")),
            },
            P::LabelForUnknownChoice {
                field: s("loai"),
                value: s("x"),
                close: None,
            },
            P::UnlabelledChoices {
                field: s("loai"),
                codes: list(),
            },
            P::NoChannel,
            P::ChannelTwice {
                channel: ChannelKind::Online,
                first: 0,
            },
            P::FeeAmountOrFormula {
                fee: s("Lệ phí")
            },
            P::NoSteps,
            P::Undeclared {
                kind: Declared::Step,
                name: s("tham_dnh"),
                close: Some(s("tham_dinh")),
                known: list(),
            },
            P::Undeclared {
                kind: Declared::Role,
                name: s("x"),
                close: None,
                known: list(),
            },
            P::Undeclared {
                kind: Declared::Unit,
                name: s("x"),
                close: None,
                known: Vec::new(),
            },
            P::ToAndOutcome { action: s("ky") },
            P::GoesNowhere { action: s("ky") },
            P::IssuesWithoutApproving { action: s("ky") },
            P::SetsAndStartsLimit { action: s("ky") },
            P::DecidingStartsLimit {
                action: s("ky"),
                limit: TimeLimit::WorkingDays(2),
            },
            P::NoRoleMayAct { action: s("ky") },
            P::NoApproval,
            P::Unreachable {
                step: s("luu_tru"),
                start: s("tiep_nhan"),
            },
            P::NoWayToDecision { step: s("cho") },
            P::ExtensionAllowsNoTime,
            P::ApologyAllowsNoTime,
            P::WindowUnnamed {
                window: s("bo_sung"),
            },
            P::WindowForNothing {
                window: s("bo_sung"),
            },
            P::WindowFromUnknown {
                window: s("w"),
                from: s("decide"),
                close: Some(s("decided")),
                anchors: list(),
            },
            P::WindowFromUnknown {
                window: s("w"),
                from: s("x"),
                close: None,
                anchors: list(),
            },
            P::WindowForUnknown {
                window: s("w"),
                command: s("request_suplement"),
                close: Some(s("request_supplement")),
                built_in: list(),
            },
            P::WindowForUnknown {
                window: s("w"),
                command: s("x"),
                close: None,
                built_in: list(),
            },
            P::WindowAfterCommand {
                window: s("w"),
                from: s("received"),
                command: s("receive"),
            },
            P::WindowRefusesDuty {
                window: s("w"),
                command: s("receive"),
            },
            P::AllotmentsExceedLimit {
                channel: ChannelKind::Direct,
                steps: list(),
                hours: 21,
                limit: TimeLimit::WorkingDays(2),
            },
            P::UndefinedVariable {
                name: s("so_ban"),
                close: Some(s("so_ban_sao")),
                known: list(),
            },
            P::UndefinedVariable {
                name: s("x"),
                close: None,
                known: list(),
            },
            P::NotAnExpression { detail: s("x") },
            P::MixedTypes {
                signature: s("> (i64, string)"),
            },
            P::MixedTypePair {
                left: s("a whole number"),
                right: s("text"),
            },
            P::WrongResult {
                found: s("a whole number"),
                wanted: ExpressionKind::Condition,
            },
            P::WrongResult {
                found: s("true/false"),
                wanted: ExpressionKind::Amount,
            },
            P::ChannelNeverMatches {
                value: s("onlin"),
                offered: list(),
            },
            P::ChoiceNeverMatches {
                field: s("loai"),
                value: s("x"),
                close: Some(s("khai_sinh")),
                choices: list(),
            },
            P::ChoiceNeverMatches {
                field: s("loai"),
                value: s("x"),
                close: None,
                choices: list(),
            },
            P::NumberNeverHolds {
                field: s("so_ban_sao"),
                operator: s(">"),
                value: s("20"),
                min: Some(1),
                max: None,
            },
            P::FractionalFee {
                amount: s("8000.5"),
            },
            P::UnsupportedZone {
                zone: s("UTC"),
                supported: s("Asia/Ho_Chi_Minh"),
            },
            P::OfficeHoursBackwards {
                written: s("11:30-07:30"),
            },
            P::NotOfficeHours { written: s("7h") },
            P::NoOfficeHours,
            P::OfficeHoursOverlap,
            P::NotTimeOfDay { written: s("3pm") },
            P::YearTwice {
                year: 2026,
                first: s("a.toml"),
            },
            P::RestDayTwice { day: Weekday::Sun },
            P::OutsideYear {
                date: s("2024-12-31"),
                year: 2025,
                its_year: 2024,
            },
            P::HolidayBackwards {
                name: s("Tết"),
                from: s("2025-02-02"),
                to: s("2025-01-25"),
            },
            P::HolidayUndated { name: s("Tết") },
            P::HolidayAndWorkingDay {
                date: s("2025-04-28"),
                holiday: s("Tết"),
            },
            P::AlreadyWorkingDay {
                date: s("2025-04-28"),
                weekday: Weekday::Mon,
            },
            P::NotClassName { name: s("Bad") },
            P::ClassUndescribed { name: s("x") },
            P::ClassZeroYears { name: s("x") },
            P::ClassPermanentAndYears { name: s("x") },
            P::ClassNoTerm { name: s("x") },
        ]
    }

    /// The words outside backticks and quotes, where a designer's own names sit.
    fn prose(text: &str) -> String {
        let mut kept = String::new();
        let mut inside: Option<char> = None;
        for c in text.chars() {
            match (inside, c) {
                (None, '`' | '"') => inside = Some(c),
                (Some(open), c) if c == open => inside = None,
                (None, c) => kept.push(c),
                _ => {}
            }
        }
        kept
    }

    #[test]
    fn every_problem_is_worded_in_vietnamese_and_english() {
        const ENGLISH: [&str; 12] = [
            " the ",
            " must ",
            " is not ",
            " did you mean",
            " write ",
            " add ",
            " or ",
            " is ",
            " and ",
            " not ",
            " has ",
            " of ",
        ];
        for problem in every_problem() {
            let english = (problem.message(Lang::En), problem.fix(Lang::En));
            let vietnamese = (problem.message(Lang::Vi), problem.fix(Lang::Vi));
            assert!(
                !english.0.is_empty() && !english.1.is_empty(),
                "{problem:?}"
            );
            assert!(
                !vietnamese.0.is_empty() && !vietnamese.1.is_empty(),
                "{problem:?}"
            );
            assert_ne!(vietnamese.0, english.0, "{problem:?}");
            assert_ne!(vietnamese.1, english.1, "{problem:?}");
            // The engines' own words (`detail`) are quoted as they are; the rest is Vietnamese.
            let words = format!(" {} {} ", prose(&vietnamese.0), prose(&vietnamese.1));
            for english_word in ENGLISH {
                assert!(
                    !words.contains(english_word),
                    "{english_word:?} in the Vietnamese words of {problem:?}: {words}"
                );
            }
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_told_the_form_to_write() {
        for (expected, vietnamese, english) in [
            (
                "string",
                "đặt văn bản trong dấu ngoặc kép",
                "put the text in double quotes",
            ),
            (
                "integer",
                "viết một số nguyên không có dấu ngoặc kép, ví dụ 3",
                "write a whole number without quotes, e.g. 3",
            ),
            (
                "boolean",
                "viết true hoặc false, không có dấu ngoặc kép",
                "write true or false without quotes",
            ),
            (
                "array",
                "viết danh sách trong ngoặc vuông, ví dụ [\"a\", \"b\"]",
                "write a list in square brackets, e.g. [\"a\", \"b\"]",
            ),
            (
                "object",
                "viết một bảng, ví dụ { khoa = gia_tri } hoặc một mục [ten_muc]",
                "write a table, e.g. { key = value } or a [section]",
            ),
        ] {
            let problem = DesignProblem::WrongType {
                path: s("x"),
                expected: s(expected),
                found: s("float"),
            };
            assert_eq!(problem.fix(Lang::Vi), vietnamese);
            assert_eq!(problem.fix(Lang::En), english);
        }
    }

    #[test]
    fn the_allowed_keys_and_the_one_key_tables_are_spelt_out() {
        let unknown = DesignProblem::UnknownKey {
            key: s("x"),
            within: s(""),
            close: None,
            allowed: list(),
        };
        assert_eq!(unknown.message(Lang::En), "unknown key `x` in the file");
        assert_eq!(
            unknown.fix(Lang::En),
            "the keys allowed here are `tiep_nhan`, `tham_dinh`"
        );
        assert_eq!(
            unknown.fix(Lang::Vi),
            "các khóa được dùng ở đây: `tiep_nhan`, `tham_dinh`"
        );
        let tagged = DesignProblem::TaggedNotTable {
            path: s("allotted"),
            found: s("integer"),
            tags: vec![s("working_days"), s("working_hours")],
        };
        assert_eq!(
            tagged.fix(Lang::En),
            "write { working_days = 3 } or { working_hours = 3 }"
        );
        assert_eq!(
            tagged.fix(Lang::Vi),
            "viết { working_days = 3 } hoặc { working_hours = 3 }"
        );
    }

    #[test]
    fn an_empty_text_names_what_to_write() {
        for (key, vietnamese) in [
            ("name", "ghi tên của thủ tục như đã công bố"),
            ("field", "ghi lĩnh vực của thủ tục như đã công bố"),
            ("start", "ghi bước bắt đầu của thủ tục như đã công bố"),
        ] {
            let problem = DesignProblem::EmptyText { key: s(key) };
            assert_eq!(problem.fix(Lang::Vi), vietnamese);
        }
    }

    #[test]
    fn an_undeclared_name_with_nothing_declared_asks_for_a_declaration() {
        let problem = DesignProblem::Undeclared {
            kind: Declared::Unit,
            name: s("xa_a"),
            close: None,
            known: Vec::new(),
        };
        assert_eq!(problem.fix(Lang::Vi), "khai báo trong [[units]]");
        assert_eq!(problem.fix(Lang::En), "declare it in [[units]]");
    }

    #[test]
    fn a_suggestion_and_the_known_names_appear_in_both_languages() {
        let problem = DesignProblem::Undeclared {
            kind: Declared::Role,
            name: s("lanh_dao"),
            close: None,
            known: list(),
        };
        assert_eq!(
            problem.message(Lang::Vi),
            "vai trò `lanh_dao` chưa được khai báo"
        );
        assert_eq!(
            problem.fix(Lang::Vi),
            "khai báo trong [[roles]], hoặc dùng một trong: tiep_nhan, tham_dinh"
        );
        assert_eq!(
            problem.fix(Lang::En),
            "declare it in [[roles]], or use one of: tiep_nhan, tham_dinh"
        );
        let sunday = DesignProblem::RestDayTwice { day: Weekday::Sun };
        assert_eq!(sunday.message(Lang::Vi), "Chủ nhật được liệt kê hai lần");
        assert_eq!(sunday.message(Lang::En), "Sunday is listed twice");
        let mixed = DesignProblem::MixedTypePair {
            left: s("a whole number"),
            right: s("text"),
        };
        assert!(
            mixed
                .message(Lang::Vi)
                .ends_with("một số nguyên và văn bản")
        );
    }
}
