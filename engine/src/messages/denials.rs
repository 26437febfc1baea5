//! What the server answers when it will not or cannot serve a request at all — no token, another
//! role's page, nothing under that address, a body it cannot take — worded once per language.

use super::{Lang, Said, pick, words};

/// Why a request is not served: one variant per reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// No `Authorization` header.
    TokenMissing,
    /// An `Authorization` header that is not `Bearer <token>`.
    TokenMalformed,
    /// A hoso token that is unknown, expired or revoked.
    TokenUnknown,
    /// A token that is neither hoso's nor from a configured sign-in.
    TokenForeign,
    /// An ID token the sign-in provider does not vouch for.
    IdTokenRejected {
        /// Why, for operators.
        why: String,
    },
    /// An ID token whose nonce hoso did not issue.
    NonceUnknown,
    /// The metrics endpoint without its token.
    MetricsToken,
    /// Sign-in through OpenID Connect or the national SSO is not configured.
    SignInNotConfigured,
    /// The sign-in provider cannot be reached.
    SignInUnreachable {
        /// Why, for operators.
        why: String,
    },
    /// Nothing at this address.
    NoSuchResource,
    /// A method the address does not take.
    MethodNotAllowed,
    /// No such dossier, or one the caller may not see.
    NoDossier {
        /// The code asked for.
        code: String,
    },
    /// No dossier with this code and lookup key.
    LookupMiss,
    /// A document the dossier does not have.
    NoDocument {
        /// The dossier's code.
        dossier: String,
    },
    /// No such procedure.
    NoProcedure {
        /// The code asked for.
        code: String,
    },
    /// No such payment.
    NoPayment {
        /// The order reference.
        reference: String,
    },
    /// No such SMS message.
    NoMessage {
        /// The message's id.
        id: String,
    },
    /// A feature this server is not started with.
    NotConfigured(Feature),
    /// A page or action for another kind of user.
    RoleOnly(RoleRule),
    /// An officer asking for another unit's report.
    OwnUnitReport {
        /// The officer's unit.
        own: String,
        /// The unit asked for.
        asked: String,
    },
    /// Rating before the result is returned.
    RateAfterReturn {
        /// The dossier's code.
        dossier: String,
        /// Its status, in Vietnamese.
        status: String,
    },
    /// Rating twice.
    AlreadyRated {
        /// The dossier's code.
        dossier: String,
    },
    /// Paying a dossier that owes nothing.
    OwesNothing {
        /// The dossier's code.
        dossier: String,
    },
    /// A payment notice whose signature does not verify.
    GatewaySignature,
    /// A published version with other content.
    VersionTaken {
        /// The procedure's code.
        code: String,
        /// The version sent.
        version: u32,
        /// The next free version.
        next: u32,
    },
    /// A version that is not the next.
    VersionNotNext {
        /// The procedure's code.
        code: String,
        /// The version sent.
        version: u32,
        /// The next free version.
        next: u32,
    },
    /// A version someone else published a moment ago.
    VersionRaced {
        /// The procedure's code.
        code: String,
        /// The version sent.
        version: u32,
        /// The next free version.
        next: u32,
    },
    /// No `Idempotency-Key` where one is needed.
    KeyMissing,
    /// A page's form that lost its submission key.
    FormKeyLost,
    /// An `Idempotency-Key` of the wrong shape.
    KeyShape,
    /// An `Idempotency-Key` used before with another request.
    KeyReused,
    /// A body larger than the server takes.
    BodyTooLarge {
        /// The limit in bytes, when known.
        limit: Option<usize>,
    },
    /// A file larger than the upload limit.
    FileTooLarge {
        /// The file, by its part or file name.
        name: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A file that is not a PDF, PNG or JPEG.
    FileType {
        /// The file, by its part or file name.
        name: String,
        /// PDF alone (a result), or PDF, PNG or JPEG.
        pdf_only: bool,
    },
    /// Uploaded files refused for their size or type.
    FilesNotTaken {
        /// The files, by name.
        names: Vec<String>,
        /// The upload limit in MB.
        limit_mb: usize,
        /// PDF alone (results), or PDF, PNG or JPEG.
        pdf_only: bool,
    },
    /// A multipart body the server cannot read.
    MultipartUnreadable {
        /// What the reader found.
        detail: String,
    },
    /// A JSON body that is not JSON.
    JsonSyntax {
        /// What the reader found.
        detail: String,
    },
    /// A body that is not of the media type the operation takes.
    MediaType {
        /// The media type expected.
        expected: String,
    },
    /// A query string or path the server cannot read.
    Unreadable {
        /// What the reader found.
        detail: String,
    },
    /// The request took too long.
    Timeout,
    /// Too many requests.
    RateLimited {
        /// Seconds to wait.
        seconds: u64,
    },
    /// The database is unavailable.
    DatabaseUnavailable,
    /// The disk is full.
    DiskFull,
    /// A fault in hoso.
    Internal,
}

/// A feature a server may run without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Online payment (VNPAY).
    Payment,
    /// Service-quality reports (`--indicators`).
    Reports,
}

/// Who a page or an action is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleRule {
    /// Officers list their own unit's dossiers.
    OwnUnitList,
    /// Designers and administrators do not work on dossiers.
    NotForDesignersOrAdmins,
    /// The inbox is for officers.
    InboxForOfficers,
    /// Citizens do not read unit reports.
    NoReportsForCitizens,
    /// Reports are for auditors and officers.
    ReportsForAuditorsAndOfficers,
    /// Only the applicant rates.
    ApplicantRates,
    /// The applicant pays online.
    ApplicantPays,
    /// Verifying chains is for auditors.
    AuditorsVerify,
    /// Only administrators change the unit directory.
    AdminsChangeUnits,
    /// Auditors read only.
    AuditorsRead,
    /// Designers publish, not act.
    DesignersPublish,
    /// Only designers publish.
    OnlyDesignersPublish,
    /// An account that cannot act on dossiers.
    CannotAct,
    /// An officer without a unit.
    OfficerWithoutUnit,
}

impl RoleRule {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::OwnUnitList => (
                "Cán bộ chỉ xem danh sách hồ sơ của đơn vị mình.",
                "officers list the dossiers of their own unit",
            ),
            Self::NotForDesignersOrAdmins => (
                "Người thiết kế thủ tục và quản trị viên không xử lý hồ sơ.",
                "designers and administrators do not work on dossiers",
            ),
            Self::InboxForOfficers => (
                "Hộp việc dành cho cán bộ xử lý hồ sơ.",
                "the inbox is for officers",
            ),
            Self::NoReportsForCitizens => (
                "Báo cáo của đơn vị không dành cho công dân.",
                "citizens do not read unit reports",
            ),
            Self::ReportsForAuditorsAndOfficers => (
                "Báo cáo chất lượng phục vụ dành cho cán bộ và người kiểm tra.",
                "only auditors and officers read service-quality reports",
            ),
            Self::ApplicantRates => (
                "Chỉ người nộp hồ sơ mới đánh giá được việc giải quyết hồ sơ.",
                "only the applicant rates a dossier",
            ),
            Self::ApplicantPays => (
                "Phí, lệ phí trực tuyến do người nộp (hoặc người đại diện) thanh toán.",
                "the applicant (or their representative) pays the fees online",
            ),
            Self::AuditorsVerify => (
                "Việc kiểm tra chuỗi nhật ký dành cho người kiểm tra.",
                "verifying chains is for auditors",
            ),
            Self::AdminsChangeUnits => (
                "Chỉ quản trị viên mới thay đổi được danh mục đơn vị.",
                "only administrators change the unit directory",
            ),
            Self::AuditorsRead => (
                "Người kiểm tra chỉ xem, không xử lý hồ sơ.",
                "auditors read; they do not act on dossiers",
            ),
            Self::DesignersPublish => (
                "Người thiết kế thủ tục công bố thủ tục, không xử lý hồ sơ.",
                "designers publish procedures; they do not act on dossiers",
            ),
            Self::OnlyDesignersPublish => (
                "Chỉ người thiết kế thủ tục mới công bố được thủ tục.",
                "only procedure designers publish procedures",
            ),
            Self::CannotAct => (
                "Tài khoản này không xử lý được hồ sơ.",
                "this account cannot act on dossiers",
            ),
            Self::OfficerWithoutUnit => (
                "Tài khoản cán bộ này chưa được gắn với đơn vị nào.",
                "this officer has no unit",
            ),
        }
    }
}

impl Denial {
    /// The reason in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::TokenMissing => words(
                vi,
                "Vui lòng đăng nhập: gửi kèm `Authorization: Bearer <mã truy cập>`.",
                "send Authorization: Bearer <token>",
            ),
            Self::TokenMalformed => words(
                vi,
                "Tiêu đề Authorization phải có dạng `Bearer <mã truy cập>`.",
                "the Authorization header must be `Bearer <token>`",
            ),
            Self::TokenUnknown => words(
                vi,
                "Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi; vui lòng đăng nhập lại.",
                "the token is unknown, expired or revoked",
            ),
            Self::TokenForeign => words(
                vi,
                "Mã truy cập không do hệ thống này cấp.",
                "unknown token; this server accepts hoso tokens only",
            ),
            Self::IdTokenRejected { why } => pick(
                vi,
                "Dịch vụ đăng nhập không xác nhận phiên đăng nhập này; vui lòng đăng nhập lại."
                    .to_owned(),
                why.clone(),
            ),
            Self::NonceUnknown => words(
                vi,
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.",
                "the ID token's nonce was not issued by this server for a sign-in, has expired, or belongs to another token: start a new sign-in with a nonce from POST /api/v1/auth/oidc/nonce",
            ),
            Self::MetricsToken => words(
                vi,
                "Gửi kèm `Authorization: Bearer <mã của /metrics>` (--metrics-token).",
                "send Authorization: Bearer <the metrics token> (--metrics-token)",
            ),
            Self::SignInNotConfigured => words(
                vi,
                "Máy chủ này chưa cấu hình đăng nhập qua dịch vụ xác thực tập trung.",
                "sign-in through OpenID Connect is not configured on this server",
            ),
            Self::SignInUnreachable { why } => pick(
                vi,
                "Chưa kết nối được dịch vụ đăng nhập; vui lòng thử lại sau.".to_owned(),
                format!("the sign-in provider cannot be reached now ({why}); try again later"),
            ),
            Self::NoSuchResource => words(
                vi,
                "Không có trang hoặc tài nguyên này.",
                "no such resource; see /openapi.json",
            ),
            Self::MethodNotAllowed => words(
                vi,
                "Địa chỉ này không nhận phương thức này.",
                "this method is not allowed here; see /openapi.json",
            ),
            Self::NoDossier { code } => pick(
                vi,
                format!("Không tìm thấy hồ sơ {code}."),
                format!("no dossier {code}"),
            ),
            Self::LookupMiss => words(
                vi,
                "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này.",
                "no dossier with this code and lookup key",
            ),
            Self::NoDocument { dossier } => pick(
                vi,
                format!("Hồ sơ {dossier} không có giấy tờ này."),
                format!("dossier {dossier} has no such document"),
            ),
            Self::NoProcedure { code } => pick(
                vi,
                format!("Không có thủ tục {code}."),
                format!("no procedure {code}"),
            ),
            Self::NoPayment { reference } => pick(
                vi,
                format!("Không có giao dịch thanh toán {reference}."),
                format!("no payment {reference}"),
            ),
            Self::NoMessage { id } => pick(
                vi,
                format!("Không có tin nhắn {id}."),
                format!("no message {id}"),
            ),
            Self::NotConfigured(Feature::Payment) => words(
                vi,
                "Máy chủ này chưa cấu hình thanh toán trực tuyến.",
                "online payment is not configured on this server",
            ),
            Self::NotConfigured(Feature::Reports) => words(
                vi,
                "Máy chủ này chưa cấu hình báo cáo (khởi động với --indicators).",
                "reports are not configured on this server: start it with --indicators FILE",
            ),
            Self::RoleOnly(rule) => {
                let (vietnamese, english) = rule.words();
                words(vi, vietnamese, english)
            }
            Self::OwnUnitReport { own, asked } => pick(
                vi,
                format!("Cán bộ chỉ xem báo cáo của đơn vị mình ({own}), không xem được {asked}."),
                format!("officers read their own unit's report ({own}), not {asked}"),
            ),
            Self::RateAfterReturn { dossier, status } => pick(
                vi,
                format!(
                    "Hồ sơ {dossier} được đánh giá sau khi trả kết quả; hiện đang \"{status}\"."
                ),
                format!(
                    "dossier {dossier} can be rated once its result is returned; it is {status}"
                ),
            ),
            Self::AlreadyRated { dossier } => pick(
                vi,
                format!("Hồ sơ {dossier} đã được đánh giá."),
                format!("dossier {dossier} has already been rated"),
            ),
            Self::OwesNothing { dossier } => pick(
                vi,
                format!("Hồ sơ {dossier} hiện không còn phí, lệ phí phải nộp."),
                format!("dossier {dossier} owes nothing now"),
            ),
            Self::GatewaySignature => words(
                vi,
                "Chữ ký của cổng thanh toán không hợp lệ.",
                "the gateway's signature does not verify",
            ),
            Self::VersionTaken {
                code,
                version,
                next,
            } => pick(
                vi,
                format!(
                    "Phiên bản {version} của thủ tục {code} đã được công bố với nội dung khác và không thay đổi được; ghi `version = {next}` để công bố phiên bản mới."
                ),
                format!(
                    "version {version} of {code} is already published with different content, and a published version never changes; set `version = {next}` to publish this as a new version"
                ),
            ),
            Self::VersionNotNext {
                code,
                version,
                next,
            } => pick(
                vi,
                format!(
                    "Phiên bản tiếp theo của thủ tục {code} là {next}, không phải {version}; ghi `version = {next}`."
                ),
                format!(
                    "the next version of {code} is {next}, not {version}; set `version = {next}`"
                ),
            ),
            Self::VersionRaced {
                code,
                version,
                next,
            } => pick(
                vi,
                format!(
                    "Phiên bản {version} của thủ tục {code} vừa được người khác công bố; vui lòng tải lại và công bố thành phiên bản {next}."
                ),
                format!(
                    "version {version} of {code} was just published by someone else; reload, and publish as version {next}"
                ),
            ),
            Self::KeyMissing => words(
                vi,
                "Gửi kèm tiêu đề `Idempotency-Key` (một giá trị duy nhất, ví dụ UUID) để gửi lại không tạo hồ sơ hai lần.",
                "send an Idempotency-Key header (any unique value, e.g. a UUID) so a retry cannot submit twice",
            ),
            Self::FormKeyLost => words(
                vi,
                "Biểu mẫu đã mất mã gửi; vui lòng tải lại trang rồi gửi lại.",
                "the form lost its submission key; reload the page",
            ),
            Self::KeyShape => words(
                vi,
                "`Idempotency-Key` gồm 1 đến 200 ký tự ASCII in được, không có dấu cách.",
                "the Idempotency-Key must be 1–200 printable ASCII characters",
            ),
            Self::KeyReused => words(
                vi,
                "`Idempotency-Key` này đã được dùng cho một yêu cầu khác; dùng khóa mới cho yêu cầu mới.",
                "this Idempotency-Key was already used with a different request; use a new key for a new request",
            ),
            Self::BodyTooLarge { limit } => match limit {
                Some(limit) => pick(
                    vi,
                    format!("Dữ liệu gửi lên lớn hơn {limit} byte."),
                    format!("the body is larger than {limit} bytes"),
                ),
                None => words(
                    vi,
                    "Dữ liệu gửi lên lớn hơn mức máy chủ nhận.",
                    "the body is larger than the server accepts",
                ),
            },
            Self::FileTooLarge { name, limit } => pick(
                vi,
                format!("Tệp `{name}` lớn hơn {limit} byte."),
                format!("document `{name}` is larger than {limit} bytes"),
            ),
            Self::FileType { name, pdf_only } => match pdf_only {
                true => pick(
                    vi,
                    format!("`{name}`: văn bản kết quả phải là tệp PDF."),
                    format!("{name}: a result is a PDF"),
                ),
                false => pick(
                    vi,
                    format!(
                        "Tệp `{name}` không phải PDF, PNG hoặc JPEG (kiểm tra theo nội dung tệp)."
                    ),
                    format!("document `{name}` is not a PDF, PNG or JPEG (checked by its content)"),
                ),
            },
            Self::FilesNotTaken {
                names,
                limit_mb,
                pdf_only,
            } => {
                let names = names.join(", ");
                match pdf_only {
                    true => pick(
                        vi,
                        format!("{names}: văn bản kết quả phải là tệp PDF, tối đa {limit_mb} MB."),
                        format!("{names}: a result is a PDF of at most {limit_mb} MB"),
                    ),
                    false => pick(
                        vi,
                        format!("{names}: chỉ nhận tệp PDF, PNG hoặc JPEG, tối đa {limit_mb} MB."),
                        format!("{names}: PDF, PNG, JPEG ≤ {limit_mb} MB"),
                    ),
                }
            }
            Self::MultipartUnreadable { detail } => pick(
                vi,
                format!("Không đọc được dữ liệu multipart: `{detail}`."),
                detail.clone(),
            ),
            Self::JsonSyntax { detail } => pick(
                vi,
                format!("Nội dung không phải JSON hợp lệ: `{detail}`."),
                detail.clone(),
            ),
            Self::MediaType { expected } => pick(
                vi,
                format!("Vui lòng gửi nội dung dạng `{expected}`."),
                format!("send the body as {expected}"),
            ),
            Self::Unreadable { detail } => pick(
                vi,
                format!("Không đọc được yêu cầu: `{detail}`."),
                detail.clone(),
            ),
            Self::Timeout => words(
                vi,
                "Yêu cầu xử lý quá lâu; vui lòng thử lại.",
                "the request took too long; retry later",
            ),
            Self::RateLimited { seconds } => pick(
                vi,
                format!("Quá nhiều yêu cầu; vui lòng thử lại sau {seconds} giây."),
                format!("too many requests; retry after {seconds} s"),
            ),
            Self::DatabaseUnavailable => words(
                vi,
                "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; vui lòng thử lại sau.",
                "the database is unavailable; retry later",
            ),
            Self::DiskFull => words(
                vi,
                "Máy chủ đã hết chỗ lưu tệp; vui lòng thử lại sau.",
                "the server's disk is full and cannot keep the document now; try again later",
            ),
            Self::Internal => words(
                vi,
                "Đã xảy ra lỗi hệ thống; lỗi đã được ghi lại.",
                "an internal error occurred; it has been logged",
            ),
        }
    }
}

impl From<Denial> for Said {
    fn from(denial: Denial) -> Self {
        Self::Denied(Box::new(denial))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_denial_is_worded_in_vietnamese_and_english() {
        let code = || "000.00.17.H21-261207-0001".to_owned();
        let rules = [
            RoleRule::OwnUnitList,
            RoleRule::NotForDesignersOrAdmins,
            RoleRule::InboxForOfficers,
            RoleRule::NoReportsForCitizens,
            RoleRule::ReportsForAuditorsAndOfficers,
            RoleRule::ApplicantRates,
            RoleRule::ApplicantPays,
            RoleRule::AuditorsVerify,
            RoleRule::AdminsChangeUnits,
            RoleRule::AuditorsRead,
            RoleRule::DesignersPublish,
            RoleRule::OnlyDesignersPublish,
            RoleRule::CannotAct,
            RoleRule::OfficerWithoutUnit,
        ];
        let mut all: Vec<Denial> = rules.into_iter().map(Denial::RoleOnly).collect();
        all.extend([
            Denial::TokenMissing,
            Denial::TokenMalformed,
            Denial::TokenUnknown,
            Denial::TokenForeign,
            Denial::IdTokenRejected {
                why: "expired".to_owned(),
            },
            Denial::NonceUnknown,
            Denial::MetricsToken,
            Denial::SignInNotConfigured,
            Denial::SignInUnreachable {
                why: "timeout".to_owned(),
            },
            Denial::NoSuchResource,
            Denial::MethodNotAllowed,
            Denial::NoDossier { code: code() },
            Denial::LookupMiss,
            Denial::NoDocument { dossier: code() },
            Denial::NoProcedure {
                code: "1.001193".to_owned(),
            },
            Denial::NoPayment {
                reference: "HS1".to_owned(),
            },
            Denial::NoMessage {
                id: "m1".to_owned(),
            },
            Denial::NotConfigured(Feature::Payment),
            Denial::NotConfigured(Feature::Reports),
            Denial::OwnUnitReport {
                own: "000.00.17.H21".to_owned(),
                asked: "000.00.18.H21".to_owned(),
            },
            Denial::RateAfterReturn {
                dossier: code(),
                status: "Đang xử lý".to_owned(),
            },
            Denial::AlreadyRated { dossier: code() },
            Denial::OwesNothing { dossier: code() },
            Denial::GatewaySignature,
            Denial::VersionTaken {
                code: "1.001193".to_owned(),
                version: 2,
                next: 3,
            },
            Denial::VersionNotNext {
                code: "1.001193".to_owned(),
                version: 5,
                next: 3,
            },
            Denial::VersionRaced {
                code: "1.001193".to_owned(),
                version: 3,
                next: 4,
            },
            Denial::KeyMissing,
            Denial::KeyShape,
            Denial::FormKeyLost,
            Denial::KeyReused,
            Denial::BodyTooLarge { limit: Some(1024) },
            Denial::BodyTooLarge { limit: None },
            Denial::FileTooLarge {
                name: "to_khai".to_owned(),
                limit: 1024,
            },
            Denial::FileType {
                name: "to_khai".to_owned(),
                pdf_only: false,
            },
            Denial::FileType {
                name: "ket_qua".to_owned(),
                pdf_only: true,
            },
            Denial::FilesNotTaken {
                names: vec!["a.gif".to_owned()],
                limit_mb: 10,
                pdf_only: false,
            },
            Denial::FilesNotTaken {
                names: vec!["a.png".to_owned()],
                limit_mb: 10,
                pdf_only: true,
            },
            Denial::MultipartUnreadable {
                detail: "incomplete".to_owned(),
            },
            Denial::JsonSyntax {
                detail: "EOF".to_owned(),
            },
            Denial::MediaType {
                expected: "application/json".to_owned(),
            },
            Denial::Unreadable {
                detail: "missing field".to_owned(),
            },
            Denial::Timeout,
            Denial::RateLimited { seconds: 6 },
            Denial::DatabaseUnavailable,
            Denial::DiskFull,
            Denial::Internal,
        ]);
        for denial in &all {
            super::super::tests::worded_in_both(
                &denial.text(Lang::Vi),
                &denial.text(Lang::En),
                denial,
            );
        }
    }
}
