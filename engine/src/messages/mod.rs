//! What hoso tells people about what they sent, worded once per language: the catalogue the API
//! and the pages share, so a page never keeps a second copy of a check just to say it in
//! Vietnamese. Vietnamese is the default; English is given on request.
//!
//! Each kind of mistake is one variant of [`Said`] and is worded in one place, [`Said::text`]: a
//! new variant without its Vietnamese and English words does not compile. Mistakes in the files
//! people write by hand (procedures, calendars, the retention schedule) are [`DesignProblem`]s,
//! worded the same way. The few messages worded elsewhere travel as [`Said::Verbatim`] and read
//! the same in both languages.

use std::fmt::Write as _;

mod actions;
mod denials;
mod design;
mod refusals;
mod requests;

pub use actions::{ActionProblem, Text};
pub use denials::{Denial, Feature, RoleRule};
pub use design::{Declared, DesignProblem};
pub use refusals::Refusal;
pub use requests::RequestProblem;

/// A language people read hoso in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt, the default.
    #[default]
    Vi,
    /// English, for those who ask for it.
    En,
}

impl Lang {
    /// `vi` or `en`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The code for `lang=`, a page's `lang` and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    /// The language an HTTP `Accept-Language` header prefers: English when its most preferred
    /// language is English, Vietnamese otherwise (and when there is none).
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else if tag == "vi" || tag.starts_with("vi-") {
                Self::Vi
            } else {
                continue;
            };
            // Equal weights: the first listed wins.
            let better = best.is_none_or(|(kept, _)| weight > kept);
            if weight > 0.0 && better {
                best = Some((weight, lang));
            }
        }
        best.map_or(Self::Vi, |(_, lang)| lang)
    }
}

/// The kind of a problem, as the API's problem `title` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The request cannot be read.
    BadRequest,
    /// Sign-in required.
    SignIn,
    /// Known caller, not allowed.
    NotAllowed,
    /// No such resource.
    NotFound,
    /// A method the resource does not take.
    MethodNotAllowed,
    /// The request took too long.
    Timeout,
    /// The dossier changed, or the action is not possible in its state.
    Conflict,
    /// The body or an upload is too large.
    TooLarge,
    /// A body of a type not taken.
    UnsupportedType,
    /// Readable but invalid.
    Invalid,
    /// Too many requests.
    RateLimited,
    /// The database is unavailable.
    Unavailable,
    /// A fault in hoso.
    Internal,
}

impl ProblemKind {
    /// The title in `lang`.
    pub fn title(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Self::BadRequest => ("Không đọc được yêu cầu", "The request cannot be read"),
            Self::SignIn => ("Cần đăng nhập", "Sign in required"),
            Self::NotAllowed => ("Không có quyền", "Not allowed"),
            Self::NotFound => ("Không tìm thấy", "Not found"),
            Self::MethodNotAllowed => ("Phương thức không được hỗ trợ", "Method not allowed"),
            Self::Timeout => ("Yêu cầu quá thời gian xử lý", "The request took too long"),
            Self::Conflict => ("Chưa thực hiện được", "Not possible now"),
            Self::TooLarge => ("Dữ liệu gửi lên quá lớn", "Too large"),
            Self::UnsupportedType => ("Định dạng không được hỗ trợ", "Unsupported type"),
            Self::Invalid => ("Thông tin chưa hợp lệ", "Invalid request"),
            Self::RateLimited => ("Quá nhiều yêu cầu", "Too many requests"),
            Self::Unavailable => ("Hệ thống tạm thời gián đoạn", "Temporarily unavailable"),
            Self::Internal => ("Lỗi hệ thống", "Internal error"),
        };
        if lang == Lang::Vi { vi } else { en }
    }
}

/// Whose text holds a hidden character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An e-form field, by its label.
    Field(String),
    /// A person's or organisation's name.
    Name,
    /// A document's name.
    DocumentName,
    /// A part of an address.
    AddressPart,
}

/// A part of a postal address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPart {
    /// Người nhận.
    Recipient,
    /// Số nhà, đường.
    Street,
    /// Xã, phường.
    Ward,
    /// Tỉnh, thành phố.
    Province,
}

/// What is wrong with one value a person sent: one variant per kind of mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// A required field left empty; `choose` when it is picked from a list.
    Required {
        /// The field's label.
        label: String,
        /// Picked from a list rather than typed.
        choose: bool,
    },
    /// Longer than the field takes.
    TooLong {
        /// The field's label.
        label: String,
        /// Characters allowed.
        limit: u32,
    },
    /// Not text where text is asked.
    NotText {
        /// The field's label.
        label: String,
    },
    /// Not a whole number.
    NotWholeNumber {
        /// The field's label.
        label: String,
    },
    /// Not a number.
    NotNumber {
        /// The field's label.
        label: String,
    },
    /// Not a date.
    NotDate {
        /// The field's label.
        label: String,
    },
    /// Neither yes nor no.
    NotYesNo {
        /// The field's label.
        label: String,
    },
    /// Not one of the field's choices.
    NotAChoice {
        /// The field's label.
        label: String,
        /// The choices' codes, as an API client sends them.
        codes: Vec<String>,
        /// The choices' names, as people read them.
        names: Vec<String>,
    },
    /// Below the field's least value.
    BelowMin {
        /// The field's label.
        label: String,
        /// The least value.
        min: i64,
    },
    /// Above the field's greatest value.
    AboveMax {
        /// The field's label.
        label: String,
        /// The greatest value.
        max: i64,
    },
    /// Not a Vietnamese phone number; the field's label, or the applicant's phone.
    NotPhone {
        /// The field's label, when an e-form field.
        label: Option<String>,
    },
    /// Not an e-mail address; the field's label, or the applicant's e-mail.
    NotEmail {
        /// The field's label, when an e-form field.
        label: Option<String>,
    },
    /// Not a 12-digit personal identification number; the field's label, or the applicant's.
    NotIdNumber {
        /// The field's label, when an e-form field.
        label: Option<String>,
    },
    /// A character that cannot be seen (control, bidirectional, zero-width).
    Hidden {
        /// Whose text holds it.
        subject: Subject,
        /// Its code point.
        code: u32,
    },
    /// A field the procedure's form does not have.
    UnknownField {
        /// The key sent.
        key: String,
        /// The close one it may have meant.
        close: Option<String>,
        /// The form's fields.
        known: Vec<String>,
    },
    /// A kind of applicant the procedure does not take.
    ApplicantKindNotAccepted {
        /// Names of the kinds it takes.
        accepted: Vec<String>,
        /// Name of the kind sent.
        given: String,
        /// Code of the kind sent.
        code: String,
    },
    /// Not a valid tax code.
    NotTaxCode,
    /// Not a passport number.
    NotPassport,
    /// Not an ISO 3166-1 country code.
    NotCountryCode,
    /// A foreigner without a nationality.
    NationalityRequired,
    /// A nationality given for someone who is not a foreigner.
    NationalityOnlyForeigner,
    /// An organisation naming no person who acts for it.
    OrganisationNeedsRepresentative,
    /// A representative for a procedure done only in person.
    InPersonOnly,
    /// A representative's number that is not a personal identification number.
    RepresentativeIdNumber,
    /// A citizen naming themselves as their own representative.
    RepresentativeIsSelf,
    /// A name missing or longer than 200 characters.
    NameRequired,
    /// An authorised representative without the written authorisation.
    AuthorisationMissing,
    /// A written authorisation from someone not acting by authorisation.
    AuthorisationNotExpected,
    /// A way of receiving the result the procedure does not offer.
    DeliveryNotOffered {
        /// Names of the ways it offers.
        offered: Vec<String>,
    },
    /// A postal delivery without its address.
    PostalAddressMissing,
    /// An address for a delivery that is not postal.
    AddressOnlyForPostal,
    /// A part of the address missing or too long.
    AddressPartMissing(AddressPart),
    /// A notification channel without its contact; `email` for e-mail, else SMS.
    NotifyNeedsContact {
        /// E-mail rather than SMS.
        email: bool,
    },
    /// A dossier component the procedure does not have.
    UnknownComponent {
        /// The component sent.
        component: String,
        /// The procedure's components.
        known: Vec<String>,
    },
    /// A component taken from a data store where the procedure wants it uploaded.
    NotFromDataStore {
        /// The component's name.
        name: String,
    },
    /// A document hash that is not SHA-256 hex.
    BadSha256,
    /// A required document not attached.
    DocumentMissing {
        /// The document's name.
        name: String,
        /// The component's id.
        id: String,
    },
    /// A lookup key of the wrong shape.
    LookupKey,
    /// A refusal to act: who may act, or why not now.
    Refused(Box<Refusal>),
    /// What is wrong with the data sent with a command.
    Action(ActionProblem),
    /// What is wrong with a request's shape.
    Request(RequestProblem),
    /// Why a request is not served at all.
    Denied(Box<Denial>),
    /// A form (mẫu) that cannot be made for a dossier.
    NoForm(Box<crate::forms::FormError>),
    /// A mistake in a procedure file sent for publishing, at its line and column.
    Design(Box<crate::located::Diagnostic>),
    /// A message worded outside the catalogue, shown as written in both languages: the pages'
    /// own notices.
    Verbatim(String),
}

impl Said {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::Required { label, choose } => match (vi, choose) {
                (true, true) => format!("Vui lòng chọn {label}."),
                (true, false) => format!("Vui lòng nhập {label}."),
                (false, _) => format!("\"{label}\" is required"),
            },
            Self::TooLong { label, limit } => pick(
                vi,
                format!("{label} dài quá {limit} ký tự."),
                format!("\"{label}\" is longer than {limit} characters"),
            ),
            Self::NotText { label } => pick(
                vi,
                format!("{label} phải là văn bản."),
                format!("\"{label}\" must be text"),
            ),
            Self::NotWholeNumber { label } => pick(
                vi,
                format!("{label} phải là một số nguyên."),
                format!("\"{label}\" must be a whole number"),
            ),
            Self::NotNumber { label } => pick(
                vi,
                format!("{label} phải là một số, ví dụ 12,5."),
                format!("\"{label}\" must be a number, e.g. 12.5"),
            ),
            Self::NotDate { label } => pick(
                vi,
                format!("{label} phải là một ngày hợp lệ."),
                format!("\"{label}\" must be a date written YYYY-MM-DD"),
            ),
            Self::NotYesNo { label } => pick(
                vi,
                format!("{label}: vui lòng chọn có hoặc không."),
                format!("\"{label}\" must be true or false"),
            ),
            Self::NotAChoice {
                label,
                codes,
                names,
            } => pick(
                vi,
                format!(
                    "{label}: vui lòng chọn một trong các giá trị: {}.",
                    names.join("; ")
                ),
                format!("\"{label}\" must be one of: {}", codes.join(", ")),
            ),
            Self::BelowMin { label, min } => pick(
                vi,
                format!("{label} phải từ {min} trở lên."),
                format!("\"{label}\" must be at least {min}"),
            ),
            Self::AboveMax { label, max } => pick(
                vi,
                format!("{label} không được lớn hơn {max}."),
                format!("\"{label}\" must be at most {max}"),
            ),
            Self::NotPhone { label } => pick(
                vi,
                format!(
                    "{} không phải số điện thoại Việt Nam: 10 chữ số bắt đầu bằng 0, hoặc +84.",
                    label.as_deref().unwrap_or("Số điện thoại")
                ),
                match label {
                    Some(label) => format!(
                        "\"{label}\" is not a Vietnamese phone number (10 digits from 0, or +84)"
                    ),
                    None => "is not a Vietnamese phone number (10 digits from 0, or +84)".to_owned(),
                },
            ),
            Self::NotEmail { label } => pick(
                vi,
                format!(
                    "{} chưa đúng: viết một địa chỉ như ten@example.vn, không có dấu cách.",
                    label.as_deref().unwrap_or("Địa chỉ thư điện tử")
                ),
                match label {
                    Some(label) => format!("\"{label}\" is not an e-mail address"),
                    None => "is not an e-mail address: write one address like ten@example.vn, without spaces or line breaks".to_owned(),
                },
            ),
            Self::NotIdNumber { label } => pick(
                vi,
                format!(
                    "{} gồm đúng 12 chữ số.",
                    label.as_deref().unwrap_or("Số định danh cá nhân")
                ),
                match label {
                    Some(label) => {
                        format!("\"{label}\" must be a 12-digit personal identification number")
                    }
                    None => "must be a 12-digit personal identification number".to_owned(),
                },
            ),
            Self::Hidden { subject, code } => {
                let (whose_vi, whose_en) = match subject {
                    Subject::Field(label) => (label.clone(), format!("\"{label}\"")),
                    Subject::Name => ("Họ và tên".to_owned(), "the name".to_owned()),
                    Subject::DocumentName => {
                        ("Tên giấy tờ".to_owned(), "the document's name".to_owned())
                    }
                    Subject::AddressPart => ("Địa chỉ".to_owned(), String::new()),
                };
                let en = format!(
                    "contains an invisible or control character (U+{code:04X}); type it again instead of pasting it"
                );
                pick(
                    vi,
                    format!(
                        "{whose_vi} có ký tự ẩn hoặc ký tự điều khiển (U+{code:04X}); vui lòng gõ lại thay vì dán."
                    ),
                    if whose_en.is_empty() {
                        en
                    } else {
                        format!("{whose_en} {en}")
                    },
                )
            }
            Self::UnknownField { key, close, known } => {
                let mut vi_text = format!("Biểu mẫu không có trường `{key}`; ");
                let mut en_text = format!("unknown field `{key}`; ");
                match close {
                    Some(close) => {
                        let _ = write!(vi_text, "có phải là `{close}`?");
                        let _ = write!(en_text, "did you mean `{close}`?");
                    }
                    None => {
                        let _ = write!(vi_text, "các trường của biểu mẫu: {}", known.join(", "));
                        let _ = write!(en_text, "the form's fields are: {}", known.join(", "));
                    }
                }
                pick(vi, vi_text, en_text)
            }
            Self::ApplicantKindNotAccepted {
                accepted,
                given,
                code,
            } => pick(
                vi,
                format!(
                    "Thủ tục này dành cho: {}; không nhận hồ sơ của {given}.",
                    accepted.join(", ")
                ),
                format!(
                    "this procedure is for: {}; it takes no dossier of {given} ({code})",
                    accepted.join(", ")
                ),
            ),
            Self::NotTaxCode => words(
                vi,
                "Mã số thuế chưa đúng: 10 chữ số (chữ số cuối là số kiểm tra), hoặc 10 chữ số, dấu \"-\" và 3 chữ số của chi nhánh (ví dụ 0100109106-001).",
                "is not a valid tax code: 10 digits whose last is the check digit, or those 10 digits, \"-\" and a 3-digit branch number (e.g. 0100109106-001)",
            ),
            Self::NotPassport => words(
                vi,
                "Số hộ chiếu chưa đúng: 6 đến 20 chữ cái in hoa và chữ số, như in trên trang thông tin của hộ chiếu.",
                "is not a passport number: 6 to 20 capital letters and digits, as printed on the passport's data page",
            ),
            Self::NotCountryCode => words(
                vi,
                "Quốc tịch ghi bằng mã quốc gia ISO 3166-1: hai chữ cái in hoa, ví dụ JP, KR, US.",
                "is not an ISO 3166-1 country code: write the two capital letters, e.g. JP, KR, US",
            ),
            Self::NationalityRequired => words(
                vi,
                "Vui lòng ghi quốc tịch của người nước ngoài bằng mã ISO 3166-1 (ví dụ JP).",
                "a foreigner's nationality is required, as an ISO 3166-1 code (e.g. JP)",
            ),
            Self::NationalityOnlyForeigner => words(
                vi,
                "Chỉ người nước ngoài mới ghi quốc tịch; vui lòng để trống.",
                "only a foreigner gives a nationality; leave it out",
            ),
            Self::OrganisationNeedsRepresentative => words(
                vi,
                "Tổ chức nộp hồ sơ thông qua một người: vui lòng ghi người đại diện theo pháp luật hoặc người được ủy quyền.",
                "an organisation applies through a person: give its legal representative or the person it authorised",
            ),
            Self::InPersonOnly => words(
                vi,
                "Thủ tục này phải do chính người yêu cầu thực hiện; không nhận người đại diện.",
                "this procedure must be carried out by the applicant in person; it accepts no representative",
            ),
            Self::RepresentativeIdNumber => words(
                vi,
                "Số định danh cá nhân của người đại diện gồm đúng 12 chữ số.",
                "must be the representative's own 12-digit personal identification number",
            ),
            Self::RepresentativeIsSelf => words(
                vi,
                "Công dân tự nộp hồ sơ cho mình thì không cần người đại diện; vui lòng bỏ phần này.",
                "a citizen applying for themselves needs no representative; leave it out",
            ),
            Self::NameRequired => words(
                vi,
                "Vui lòng nhập họ và tên (tối đa 200 ký tự).",
                "the full name is required (at most 200 characters)",
            ),
            Self::AuthorisationMissing => words(
                vi,
                "Vui lòng đính kèm văn bản ủy quyền.",
                "attach the written authorisation (văn bản ủy quyền) under the component van_ban_uy_quyen",
            ),
            Self::AuthorisationNotExpected => words(
                vi,
                "Chỉ người nộp thay theo ủy quyền mới đính kèm văn bản ủy quyền.",
                "a written authorisation is attached only by a representative acting by authorisation",
            ),
            Self::DeliveryNotOffered { offered } => pick(
                vi,
                format!(
                    "Thủ tục này chỉ trả kết quả theo cách: {}; vui lòng chọn một trong số đó.",
                    offered.join("; ")
                ),
                format!(
                    "this procedure returns its result only: {}; choose one of them",
                    offered.join("; ")
                ),
            ),
            Self::PostalAddressMissing => words(
                vi,
                "Nhận kết quả qua bưu chính cần địa chỉ: người nhận, điện thoại, số nhà và đường, xã/phường, tỉnh/thành phố.",
                "a postal delivery needs the address: recipient, phone, street, ward and province",
            ),
            Self::AddressOnlyForPostal => words(
                vi,
                "Chỉ ghi địa chỉ khi nhận kết quả qua bưu chính; vui lòng để trống.",
                "an address is given only for postal delivery; leave it out",
            ),
            Self::AddressPartMissing(part) => {
                let (vi_what, en_what) = match part {
                    AddressPart::Recipient => ("tên người nhận", "the recipient's name"),
                    AddressPart::Street => ("số nhà, đường", "the house number and street"),
                    AddressPart::Ward => ("xã, phường", "the commune or ward"),
                    AddressPart::Province => ("tỉnh, thành phố", "the province or city"),
                };
                pick(
                    vi,
                    format!("Vui lòng ghi {vi_what} (từ 2 đến 200 ký tự)."),
                    format!("write {en_what} (2 to 200 characters)"),
                )
            }
            Self::NotifyNeedsContact { email: true } => words(
                vi,
                "Để nhận thông báo qua thư điện tử, vui lòng ghi địa chỉ thư điện tử của người nộp.",
                "to be told by e-mail, give the applicant's email",
            ),
            Self::NotifyNeedsContact { email: false } => words(
                vi,
                "Để nhận thông báo qua tin nhắn SMS, vui lòng ghi số điện thoại của người nộp.",
                "to be told by SMS, give the applicant's phone",
            ),
            Self::UnknownComponent { component, known } => pick(
                vi,
                format!(
                    "Thủ tục không có thành phần hồ sơ `{component}`; các thành phần: {}.",
                    known.join(", ")
                ),
                format!(
                    "unknown dossier component `{component}`; the procedure's components are: {}",
                    known.join(", ")
                ),
            ),
            Self::NotFromDataStore { name } => pick(
                vi,
                format!(
                    "Thủ tục này không nhận \"{name}\" lấy từ kho dữ liệu hoặc cơ sở dữ liệu; vui lòng tải tệp lên hoặc nộp bản giấy để số hóa tại quầy."
                ),
                format!(
                    "\"{name}\" cannot be taken from a data store or database for this procedure; upload it (provenance \"upload\") or have it scanned at the counter"
                ),
            ),
            Self::BadSha256 => words(
                vi,
                "Mã băm SHA-256 gồm 64 ký tự thập lục phân.",
                "sha256 must be 64 hexadecimal characters",
            ),
            Self::DocumentMissing { name, id } => pick(
                vi,
                format!("Vui lòng đính kèm {name}."),
                format!("the required document \"{name}\" (`{id}`) is missing"),
            ),
            Self::LookupKey => words(
                vi,
                "Mã tra cứu gồm 8 đến 16 chữ cái in hoa và chữ số.",
                "a lookup key is 8 to 16 capital letters and digits",
            ),
            Self::Refused(refusal) => refusal.text(lang),
            Self::Action(problem) => problem.text(lang),
            Self::Request(problem) => problem.text(lang),
            Self::Denied(denial) => denial.text(lang),
            Self::NoForm(error) => no_form(error, vi),
            Self::Design(diagnostic) => format!(
                "{}:{}: {} — {}",
                diagnostic.line,
                diagnostic.column,
                diagnostic.message(lang),
                diagnostic.fix(lang)
            ),
            Self::Verbatim(text) => text.clone(),
        }
    }
}

/// In English: for logs, the CLI and operators, who read hoso's internals in English.
impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl From<String> for Said {
    fn from(text: String) -> Self {
        Self::Verbatim(text)
    }
}

impl From<&str> for Said {
    fn from(text: &str) -> Self {
        Self::Verbatim(text.to_owned())
    }
}

impl From<Refusal> for Said {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(Box::new(refusal))
    }
}

impl From<ActionProblem> for Said {
    fn from(problem: ActionProblem) -> Self {
        Self::Action(problem)
    }
}

/// Why a form cannot be made, worded for the person who asked for it.
fn no_form(error: &crate::forms::FormError, vi: bool) -> String {
    use crate::forms::{Absence, FormError};
    match error {
        FormError::Unknown(number) => pick(
            vi,
            format!(
                "Không có mẫu {number}. Các mẫu có: 01 (phiếu tiếp nhận), 02 (phiếu yêu cầu bổ sung), 03 (phiếu từ chối), 04 (phiếu xin lỗi và hẹn lại ngày trả), 05 (phiếu dừng xử lý) và 06 (phiếu kiểm soát quá trình)."
            ),
            error.to_string(),
        ),
        FormError::NotApplicable { dossier, form, why } => {
            let reason = match why {
                Absence::NotReceived => "hồ sơ chưa được tiếp nhận".to_owned(),
                Absence::NoSupplement => "hồ sơ chưa có yêu cầu bổ sung nào".to_owned(),
                Absence::OneSupplement => {
                    "hồ sơ có một lần yêu cầu bổ sung: xem mẫu 02 hoặc 02-1".to_owned()
                }
                Absence::Supplements(count) => {
                    format!("hồ sơ có {count} lần yêu cầu bổ sung: xem mẫu 02-1 … 02-{count}")
                }
                Absence::NotRefused => "hồ sơ không bị từ chối".to_owned(),
                Absence::NeverExtended => "hồ sơ chưa lần nào được hẹn lại ngày trả".to_owned(),
                Absence::NotStopped => "hồ sơ không bị dừng xử lý".to_owned(),
                Absence::Unreplayable(_) => {
                    "không dựng lại được hồ sơ tại thời điểm lập mẫu".to_owned()
                }
            };
            pick(
                vi,
                format!("Hồ sơ {dossier} không có mẫu {form}: {reason}."),
                error.to_string(),
            )
        }
        FormError::Tampered { dossier, form } => pick(
            vi,
            format!(
                "Mẫu {form} của hồ sơ {dossier} không khớp với bản đã ban hành; vui lòng báo quản trị hệ thống."
            ),
            error.to_string(),
        ),
    }
}

fn pick(vi: bool, vietnamese: String, english: String) -> String {
    if vi { vietnamese } else { english }
}

fn words(vi: bool, vietnamese: &str, english: &str) -> String {
    if vi { vietnamese } else { english }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_reads_back_from_its_code_and_nothing_else_parses() {
        for lang in [Lang::Vi, Lang::En] {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
        }
        assert_eq!(Lang::Vi.code(), "vi");
        assert_eq!(Lang::En.code(), "en");
        for other in ["", "fr", "EN", "vi-VN"] {
            assert_eq!(Lang::parse(other), None, "{other}");
        }
    }

    #[test]
    fn the_most_preferred_language_wins_and_vietnamese_is_the_default() {
        for (header, expected) in [
            ("", Lang::Vi),
            ("en", Lang::En),
            ("en-US,en;q=0.9", Lang::En),
            ("vi-VN,vi;q=0.9,en;q=0.8", Lang::Vi),
            ("fr, en;q=0.5", Lang::En),
            ("fr, de", Lang::Vi),
            ("en;q=0.2, vi;q=0.8", Lang::Vi),
            ("vi;q=0.2, en;q=0.8", Lang::En),
            ("en;q=0", Lang::Vi),
            ("EN-gb", Lang::En),
            ("vi, en", Lang::Vi),
            ("en;q=0.5, vi;q=0.5", Lang::En),
        ] {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn every_mistake_is_worded_in_vietnamese_and_english() {
        let label = || "Số bản sao".to_owned();
        let all = [
            Said::Required {
                label: label(),
                choose: false,
            },
            Said::Required {
                label: label(),
                choose: true,
            },
            Said::TooLong {
                label: label(),
                limit: 20,
            },
            Said::NotText { label: label() },
            Said::NotWholeNumber { label: label() },
            Said::NotNumber { label: label() },
            Said::NotDate { label: label() },
            Said::NotYesNo { label: label() },
            Said::NotAChoice {
                label: label(),
                codes: vec!["khai_sinh".to_owned()],
                names: vec!["Khai sinh".to_owned()],
            },
            Said::BelowMin {
                label: label(),
                min: 1,
            },
            Said::AboveMax {
                label: label(),
                max: 9,
            },
            Said::NotPhone { label: None },
            Said::NotEmail { label: None },
            Said::NotIdNumber { label: None },
            Said::Hidden {
                subject: Subject::Name,
                code: 0x202E,
            },
            Said::UnknownField {
                key: "so_ban".to_owned(),
                close: Some("so_ban_sao".to_owned()),
                known: Vec::new(),
            },
            Said::NotTaxCode,
            Said::NotPassport,
            Said::NotCountryCode,
            Said::NationalityRequired,
            Said::NationalityOnlyForeigner,
            Said::OrganisationNeedsRepresentative,
            Said::InPersonOnly,
            Said::RepresentativeIdNumber,
            Said::RepresentativeIsSelf,
            Said::NameRequired,
            Said::AuthorisationMissing,
            Said::AuthorisationNotExpected,
            Said::DeliveryNotOffered {
                offered: vec!["Trực tuyến".to_owned()],
            },
            Said::PostalAddressMissing,
            Said::AddressOnlyForPostal,
            Said::AddressPartMissing(AddressPart::Ward),
            Said::NotifyNeedsContact { email: true },
            Said::NotifyNeedsContact { email: false },
            Said::UnknownComponent {
                component: "x".to_owned(),
                known: vec!["to_khai".to_owned()],
            },
            Said::NotFromDataStore {
                name: "Giấy chứng sinh".to_owned(),
            },
            Said::BadSha256,
            Said::DocumentMissing {
                name: "Giấy chứng sinh".to_owned(),
                id: "giay_chung_sinh".to_owned(),
            },
            Said::LookupKey,
        ];
        for said in &all {
            worded_in_both(&said.text(Lang::Vi), &said.text(Lang::En), said);
        }
        assert_eq!(
            Said::from("not yet moved").text(Lang::Vi),
            "not yet moved",
            "a message not yet in the catalogue reads as written"
        );
        assert_eq!(
            Said::Hidden {
                subject: Subject::AddressPart,
                code: 0x0A
            }
            .text(Lang::En),
            "contains an invisible or control character (U+000A); type it again instead of pasting it"
        );
    }

    #[test]
    fn every_problem_title_is_worded_in_both_languages() {
        use ProblemKind::*;
        let kinds = [
            BadRequest,
            SignIn,
            NotAllowed,
            NotFound,
            MethodNotAllowed,
            Timeout,
            Conflict,
            TooLarge,
            UnsupportedType,
            Invalid,
            RateLimited,
            Unavailable,
            Internal,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for kind in kinds {
            worded_in_both(kind.title(Lang::Vi), kind.title(Lang::En), &kind);
            assert!(
                seen.insert(kind.title(Lang::Vi)),
                "two kinds share {kind:?}'s title"
            );
        }
    }

    /// A message's two wordings differ, and the Vietnamese holds no English word and no code
    /// outside quotes.
    pub(super) fn worded_in_both(vi: &str, en: &str, what: &dyn std::fmt::Debug) {
        assert_ne!(vi, en, "{what:?}");
        assert!(
            !ENGLISH_WORDS
                .iter()
                .any(|word| vi.split_whitespace().any(|w| w == *word)),
            "English in the Vietnamese of {what:?}: {vi}"
        );
        assert!(
            !vi.contains('_') || vi.contains('`'),
            "a code outside quotes in {what:?}: {vi}"
        );
    }

    /// English words that never appear in a Vietnamese message.
    const ENGLISH_WORDS: [&str; 9] = [
        "the", "must", "is", "not", "required", "please", "write", "give", "only",
    ];
}
