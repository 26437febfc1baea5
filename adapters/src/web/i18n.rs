//! The pages' words in Vietnamese (the default) and English.

pub use hoso_engine::messages::Lang;

/// The pages' words in a language.
pub trait Speaks {
    /// The words of this language.
    fn words(self) -> &'static Words;
}

impl Speaks for Lang {
    fn words(self) -> &'static Words {
        match self {
            Self::Vi => &VI,
            Self::En => &EN,
        }
    }
}

/// Every fixed text of the pages.
#[derive(Debug)]
pub struct Words {
    /// The `lang` attribute.
    pub lang: &'static str,
    /// The other language's name, for the switch.
    pub other_language: &'static str,
    /// The other language's code.
    pub other_code: &'static str,
    /// The site's name.
    pub site: &'static str,
    /// Skip link.
    pub skip: &'static str,
    /// Main navigation label.
    pub navigation: &'static str,
    /// Catalogue.
    pub catalogue: &'static str,
    /// My dossiers.
    pub my_dossiers: &'static str,
    /// Officer's inbox.
    pub inbox: &'static str,
    /// Auditor's search.
    pub audit: &'static str,
    /// Sign in.
    pub sign_in: &'static str,
    /// Sign out.
    pub sign_out: &'static str,
    /// Signed in as.
    pub signed_in_as: &'static str,
    /// Search.
    pub search: &'static str,
    /// Search field label.
    pub search_label: &'static str,
    /// Nothing found.
    pub nothing_found: &'static str,
    /// Procedure code.
    pub code: &'static str,
    /// Procedure name.
    pub name: &'static str,
    /// Field of the procedure.
    pub field: &'static str,
    /// Full-process online service.
    pub full_process: &'static str,
    /// Partial online service.
    pub partial: &'static str,
    /// Why partial.
    pub why_partial: &'static str,
    /// Documents.
    pub documents: &'static str,
    /// Required.
    pub required: &'static str,
    /// Optional.
    pub optional: &'static str,
    /// Channel.
    pub channel: &'static str,
    /// Time limit.
    pub time_limit: &'static str,
    /// Fees.
    pub fees: &'static str,
    /// Free of charge.
    pub free: &'static str,
    /// Legal basis.
    pub legal_basis: &'static str,
    /// Result.
    pub result: &'static str,
    /// Apply online.
    pub apply: &'static str,
    /// The applicant.
    pub applicant: &'static str,
    /// Full name.
    pub full_name: &'static str,
    /// Personal identification number.
    pub citizen_id: &'static str,
    /// Phone.
    pub phone: &'static str,
    /// E-mail.
    pub email: &'static str,
    /// Who the dossier is for (citizen, organisation, foreigner).
    pub applicant_kind: &'static str,
    /// The applicant's identifier, whichever kind.
    pub id_number: &'static str,
    /// A foreigner's nationality.
    pub nationality: &'static str,
    /// On what ground the signed-in person submits.
    pub representation: &'static str,
    /// Submitting in one's own name.
    pub self_applicant: &'static str,
    /// An organisation's legal representative.
    pub legal_representative: &'static str,
    /// Someone acting by written authorisation.
    pub authorised_person: &'static str,
    /// The written authorisation document.
    pub authorisation: &'static str,
    /// How the result is received.
    pub delivery: &'static str,
    /// Postal recipient.
    pub address_recipient: &'static str,
    /// Recipient's phone.
    pub address_phone: &'static str,
    /// Street.
    pub address_street: &'static str,
    /// Ward.
    pub address_ward: &'static str,
    /// Province.
    pub address_province: &'static str,
    /// Notify by e-mail.
    pub notify_email: &'static str,
    /// Notify by SMS.
    pub notify_sms: &'static str,
    /// Sign in through the national SSO.
    pub sign_in_sso: &'static str,
    /// Public dossier lookup.
    pub lookup: &'static str,
    /// The lookup key.
    pub lookup_key: &'static str,
    /// Electronic results.
    pub results_heading: &'static str,
    /// A signature's signer.
    pub signed_by: &'static str,
    /// A signature without a name.
    pub signed_unnamed: &'static str,
    /// No signature.
    pub unsigned: &'static str,
    /// The provider's sign-in is not configured.
    pub sso_unavailable: &'static str,
    /// The provider's sign-in was cancelled.
    pub sso_cancelled: &'static str,
    /// The state is forged, reused or expired.
    pub sso_forged: &'static str,
    /// The provider's token was refused.
    pub sso_refused: &'static str,
    /// Notification channels.
    pub notifications: &'static str,
    /// The result files to upload.
    pub result_files: &'static str,
    /// How to look a dossier up.
    pub lookup_hint: &'static str,
    /// What the lookup found.
    pub lookup_found: &'static str,
    /// Nothing found.
    pub lookup_not_found: &'static str,
    /// Too many lookups.
    pub lookup_slow_down: &'static str,
    /// On time or late.
    pub timeliness: &'static str,
    /// A dossier's code.
    pub dossier_code: &'static str,
    /// The e-form.
    pub form: &'static str,
    /// Upload hint.
    pub upload_hint: &'static str,
    /// An error page's heading for 404.
    pub heading_not_found: &'static str,
    /// An error page's heading for 403.
    pub heading_forbidden: &'static str,
    /// An error page's heading for 400.
    pub heading_bad_request: &'static str,
    /// An error page's heading for 413.
    pub heading_too_large: &'static str,
    /// An error page's heading for 503.
    pub heading_unavailable: &'static str,
    /// An error page's heading for 500.
    pub heading_failed: &'static str,
    /// An error page's heading for any other status.
    pub heading_not_done: &'static str,
    /// An error page's text when the server cannot take the request now (503).
    pub unavailable_page: &'static str,
    /// An error page's text when the server failed (500).
    pub failed_page: &'static str,
    /// An error page's text for an address no page answers.
    pub no_such_page: &'static str,
    /// Before the name of a file kept from the form's earlier round.
    pub upload_kept: &'static str,
    /// That the kept file is used unless another is chosen.
    pub upload_kept_hint: &'static str,
    /// Submit.
    pub submit: &'static str,
    /// Errors summary heading.
    pub fix_errors: &'static str,
    /// Yes.
    pub yes: &'static str,
    /// No.
    pub no: &'static str,
    /// How a date is typed.
    pub date_hint: &'static str,
    /// The online payment gateway, as the one who recorded a payment.
    pub payment_gateway: &'static str,
    /// The system itself, as the one who recorded an event (a timer, a retry).
    pub system: &'static str,
    /// How a date and time are typed.
    pub date_time_hint: &'static str,
    /// The citizen turned back at the gateway.
    pub payment_cancelled: &'static str,
    /// The gateway's transaction number.
    pub gateway_transaction: &'static str,
    /// The box ticked before an action that ends a dossier.
    pub confirm_ending: &'static str,
    /// What the applicant declared, as a heading.
    pub declared: &'static str,
    /// A fee waived by its exemption.
    pub waived: &'static str,
    /// A paper held as a reference in a data store, not as a file here.
    pub held_elsewhere: &'static str,
    /// Receiving unit.
    pub receiving_unit: &'static str,
    /// Dossier.
    pub dossier: &'static str,
    /// Status.
    pub status: &'static str,
    /// Step.
    pub step: &'static str,
    /// Appointment.
    pub appointment: &'static str,
    /// Marks an appointment counted over a provisional calendar year.
    pub provisional: &'static str,
    /// A payment taken that the dossier could not take, owed back.
    pub refund_due: &'static str,
    /// Banner: the official calendars end on (a date follows).
    pub calendar_ends: &'static str,
    /// Banner: days left (a number precedes).
    pub calendar_days_left: &'static str,
    /// Banner: what a provisional year means, and what to do.
    pub calendar_advice: &'static str,
    /// Banner: no official calendar for this year at all.
    pub calendar_missing: &'static str,
    /// Working time left.
    pub remaining: &'static str,
    /// Before when a window closes.
    pub window_closes: &'static str,
    /// A window met in time, and when.
    pub window_met: &'static str,
    /// A window met after it closed, and when.
    pub window_met_late: &'static str,
    /// A window closed without being met.
    pub window_missed: &'static str,
    /// Working minutes unit.
    pub minutes: &'static str,
    /// Submitted: your receipt.
    pub submitted: &'static str,
    /// Print the receipt.
    pub receipt: &'static str,
    /// Why there is no receipt yet.
    pub receipt_later: &'static str,
    /// Print the process-control slip.
    pub control_slip: &'static str,
    /// A supplement request's Form 02.
    pub supplement_form: &'static str,
    /// Timeline.
    pub timeline: &'static str,
    /// Timeline picture alt text.
    pub timeline_picture: &'static str,
    /// Actions.
    pub actions: &'static str,
    /// Reason or note.
    pub reason: &'static str,
    /// No action open to you.
    pub no_actions: &'static str,
    /// Rate the service.
    pub rate: &'static str,
    /// Very satisfied.
    pub very_satisfied: &'static str,
    /// Satisfied.
    pub satisfied: &'static str,
    /// Dissatisfied.
    pub dissatisfied: &'static str,
    /// Send rating.
    pub send_rating: &'static str,
    /// Thanks for rating.
    pub rated: &'static str,
    /// Verify the chain.
    pub verify: &'static str,
    /// Chain intact.
    pub intact: &'static str,
    /// After the number of events a chain check read.
    pub events_checked: &'static str,
    /// Chain broken.
    pub broken: &'static str,
    /// Overdue.
    pub overdue: &'static str,
    /// Due soon.
    pub due_soon: &'static str,
    /// On time.
    pub on_time: &'static str,
    /// Finished on a day before the appointment day.
    pub finished_early: &'static str,
    /// Finished on the appointment day, by the appointment.
    pub finished_on_time: &'static str,
    /// Finished after the appointment.
    pub finished_late: &'static str,
    /// The clock stopped while the applicant completes the dossier.
    pub paused_for_supplement: &'static str,
    /// Waiting for the applicant to pay the fees.
    pub waiting_for_fees: &'static str,
    /// Working days, as a unit of time left.
    pub working_days_unit: &'static str,
    /// Hours, as a unit of time left.
    pub hours_unit: &'static str,
    /// Less than an hour left.
    pub under_an_hour: &'static str,
    /// The current step's deadline, apart from the appointment.
    pub step_deadline: &'static str,
    /// Inbox empty.
    pub inbox_empty: &'static str,
    /// A citizen without dossiers.
    pub my_dossiers_empty: &'static str,
    /// No dossier stored at all.
    pub audit_empty: &'static str,
    /// The list search field's label.
    pub list_search_label: &'static str,
    /// Filter button.
    pub filter: &'static str,
    /// Any status.
    pub any_status: &'static str,
    /// Any procedure.
    pub any_procedure: &'static str,
    /// Only late dossiers.
    pub only_overdue: &'static str,
    /// The list's paging navigation.
    pub pages: &'static str,
    /// Previous page.
    pub previous_page: &'static str,
    /// Next page.
    pub next_page: &'static str,
    /// Which rows are shown.
    pub showing: &'static str,
    /// The list read only the newest dossiers.
    pub list_capped: &'static str,
    /// Procedure, as a column and filter name.
    pub procedure: &'static str,
    /// Time left, as a column.
    pub time_left: &'static str,
    /// An inbox row waiting for the unit's answer to a consultation.
    pub consultation_waiting: &'static str,
    /// The unit directory page.
    pub units: &'static str,
    /// Its columns: code, name, level, parent.
    pub unit_columns: [&'static str; 4],
    /// Routes: receiving unit, unit kind, unit.
    pub route_columns: [&'static str; 3],
    /// Routes heading.
    pub routes: &'static str,
    /// A retired unit: "retired from … ; successor …".
    pub retired_from: &'static str,
    /// Successor.
    pub successor: &'static str,
    /// An empty directory.
    pub no_units: &'static str,
    /// Token label.
    pub token: &'static str,
    /// Token hint.
    pub token_hint: &'static str,
    /// Heading of the demo's accounts on the sign-in page.
    pub demo_accounts: &'static str,
    /// Why those accounts are there and that a real server has none.
    pub demo_accounts_hint: &'static str,
    /// "Sign in as" before a demo account's name.
    pub demo_sign_in_as: &'static str,
    /// Wrong token.
    pub token_refused: &'static str,
    /// CSRF refusal.
    pub csrf_refused: &'static str,
    /// When.
    pub when: &'static str,
    /// Who.
    pub who: &'static str,
    /// What.
    pub what: &'static str,
    /// Back to the dossier.
    pub back: &'static str,
    /// Documents to add or correct.
    pub missing_documents: &'static str,
    /// The new appointment.
    pub new_appointment: &'static str,
    /// A consultation's question.
    pub question: &'static str,
    /// Which consultation.
    pub consultation: &'static str,
    /// A consultation's answer.
    pub answer: &'static str,
    /// Amount in đồng.
    pub amount: &'static str,
    /// Receipt or transaction number.
    pub payment_reference: &'static str,
    /// Decision 766 indicators.
    pub indicators: &'static str,
    /// First day.
    pub from: &'static str,
    /// Last day.
    pub to: &'static str,
    /// Show.
    pub show: &'static str,
    /// Every unit.
    pub all_units: &'static str,
    /// Dossiers received.
    pub received: &'static str,
    /// Indicator.
    pub indicator: &'static str,
    /// Counted.
    pub counted: &'static str,
    /// Value.
    pub value: &'static str,
    /// Threshold.
    pub threshold: &'static str,
    /// Points.
    pub points: &'static str,
    /// Designer's pages.
    pub design: &'static str,
    /// Versions.
    pub versions: &'static str,
    /// Current version.
    pub current_version: &'static str,
    /// Diagram source.
    pub mermaid_source: &'static str,
    /// Check a file.
    pub check_file: &'static str,
    /// Procedure file.
    pub procedure_file: &'static str,
    /// Check.
    pub check: &'static str,
    /// The file is valid.
    pub file_valid: &'static str,
    /// Publish.
    pub publish: &'static str,
    /// Fix.
    pub fix: &'static str,
    /// Messages heading.
    pub messages: &'static str,
    /// Pay online.
    pub pay_online: &'static str,
    /// Fees owed.
    pub owed: &'static str,
    /// Payment heading.
    pub payment: &'static str,
    /// Payment pending.
    pub payment_pending: &'static str,
    /// Payment paid.
    pub payment_paid: &'static str,
    /// Payment failed.
    pub payment_failed: &'static str,
}

/// Tiếng Việt.
pub static VI: Words = Words {
    lang: "vi",
    other_language: "English",
    other_code: "en",
    site: "Dịch vụ công trực tuyến",
    skip: "Bỏ qua, đến nội dung chính",
    navigation: "Điều hướng chính",
    catalogue: "Thủ tục hành chính",
    my_dossiers: "Hồ sơ của tôi",
    inbox: "Hồ sơ cần xử lý",
    audit: "Kiểm tra hồ sơ",
    sign_in: "Đăng nhập",
    sign_out: "Đăng xuất",
    signed_in_as: "Đang đăng nhập:",
    search: "Tìm kiếm",
    search_label: "Tìm thủ tục theo tên hoặc mã",
    nothing_found: "Không tìm thấy kết quả phù hợp.",
    code: "Mã",
    name: "Tên",
    field: "Lĩnh vực",
    full_process: "Dịch vụ công trực tuyến toàn trình",
    partial: "Dịch vụ công trực tuyến một phần",
    why_partial: "Lý do chỉ cung cấp một phần",
    documents: "Thành phần hồ sơ",
    required: "bắt buộc",
    optional: "không bắt buộc",
    channel: "Cách thức",
    time_limit: "Thời hạn giải quyết",
    fees: "Phí, lệ phí",
    free: "Không mất phí",
    legal_basis: "Căn cứ pháp lý",
    result: "Kết quả",
    apply: "Nộp hồ sơ trực tuyến",
    applicant: "Người nộp hồ sơ",
    full_name: "Họ và tên",
    citizen_id: "Số định danh cá nhân",
    phone: "Số điện thoại",
    email: "Thư điện tử",
    applicant_kind: "Nộp hồ sơ cho",
    id_number: "Số định danh cá nhân / Mã số thuế / Số hộ chiếu",
    nationality: "Quốc tịch (người nước ngoài)",
    representation: "Tư cách người nộp",
    self_applicant: "Tự nộp cho bản thân",
    legal_representative: "Người đại diện theo pháp luật",
    authorised_person: "Người được ủy quyền (đính kèm văn bản ủy quyền)",
    authorisation: "Văn bản ủy quyền",
    delivery: "Nhận kết quả",
    address_recipient: "Người nhận (bưu chính)",
    address_phone: "Điện thoại người nhận",
    address_street: "Số nhà, đường, thôn",
    address_ward: "Xã, phường",
    address_province: "Tỉnh, thành phố",
    notify_email: "Nhận thông báo qua thư điện tử",
    notify_sms: "Nhận thông báo qua tin nhắn SMS",
    sign_in_sso: "Đăng nhập bằng tài khoản định danh điện tử (VNeID / Cổng DVCQG)",
    lookup: "Tra cứu hồ sơ",
    lookup_key: "Mã tra cứu",
    results_heading: "Kết quả điện tử",
    signed_by: "Có chữ ký số của",
    signed_unnamed: "Có chữ ký số",
    unsigned: "Không có chữ ký số",
    sso_unavailable: "Máy chủ này chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.",
    sso_cancelled: "Đăng nhập chưa hoàn tất: bạn đã hủy hoặc nhà cung cấp định danh từ chối. Vui lòng thử lại.",
    sso_forged: "Phiên đăng nhập không hợp lệ, đã dùng hoặc đã hết hạn (quá 10 phút). Vui lòng bắt đầu đăng nhập lại từ trang này.",
    sso_refused: "Không xác thực được tài khoản định danh điện tử. Vui lòng thử lại sau.",
    notifications: "Nhận thông báo qua",
    result_files: "Tệp kết quả điện tử (PDF, có thể ký số)",
    lookup_hint: "Nhập mã hồ sơ và mã tra cứu in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả (hoặc quét mã QR trên giấy). Không cần đăng nhập.",
    lookup_found: "Tình trạng hồ sơ",
    lookup_not_found: "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Vui lòng kiểm tra lại hai mã trên giấy tiếp nhận.",
    lookup_slow_down: "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau",
    timeliness: "Tiến độ",
    dossier_code: "Mã hồ sơ",
    form: "Tờ khai",
    upload_hint: "Tệp PDF, PNG hoặc JPEG, mỗi tệp tối đa",
    heading_not_found: "Không tìm thấy",
    heading_forbidden: "Không có quyền truy cập",
    heading_bad_request: "Thông tin gửi lên chưa hợp lệ",
    heading_too_large: "Tệp gửi lên quá lớn",
    heading_unavailable: "Hệ thống đang bận",
    heading_failed: "Đã xảy ra lỗi",
    heading_not_done: "Chưa thực hiện được",
    unavailable_page: "Hệ thống tạm thời không ghi nhận được yêu cầu (máy chủ đang quá tải hoặc hết dung lượng lưu trữ). Vui lòng thử lại sau ít phút.",
    failed_page: "Hệ thống chưa hiển thị được trang này. Vui lòng thử lại; nếu vẫn không được, hãy báo cho bộ phận hỗ trợ.",
    no_such_page: "Không tìm thấy trang này. Vui lòng kiểm tra lại địa chỉ, hoặc quay về trang chủ để tìm thủ tục và hồ sơ.",
    upload_kept: "Đã giữ tệp bạn chọn:",
    upload_kept_hint: "Tệp này sẽ được nộp; chọn tệp khác nếu muốn thay.",
    submit: "Nộp hồ sơ",
    fix_errors: "Hồ sơ chưa nộp được. Vui lòng sửa các mục sau:",
    yes: "Có",
    no: "Không",
    date_hint: "ngày/tháng/năm, ví dụ 31/01/2026",
    payment_gateway: "Cổng thanh toán trực tuyến (VNPAY)",
    system: "Hệ thống (tự động)",
    date_time_hint: "ngày/tháng/năm giờ:phút, ví dụ 15/12/2026 16:30",
    payment_cancelled: "Bạn đã hủy giao dịch tại VNPAY; chưa có khoản tiền nào bị trừ. Bạn có thể thanh toán lại từ trang hồ sơ.",
    gateway_transaction: "Mã giao dịch VNPAY",
    confirm_ending: "Tôi đã kiểm tra và xác nhận thực hiện thao tác này; hồ sơ sẽ không thể tiếp tục xử lý.",
    declared: "Thông tin kê khai",
    waived: "Được miễn",
    held_elsewhere: "Mã tham chiếu",
    receiving_unit: "Nơi tiếp nhận",
    dossier: "Hồ sơ",
    status: "Trạng thái",
    step: "Bước xử lý",
    appointment: "Ngày hẹn trả kết quả",
    provisional: "tạm tính theo lịch nghỉ lễ dự kiến; sẽ được tính lại khi có lịch chính thức",
    refund_due: "Số tiền cần hoàn trả cho người nộp",
    calendar_ends: "Lịch nghỉ lễ chính thức chỉ có đến hết ngày",
    calendar_days_left: "ngày nữa",
    calendar_advice: "Thời hạn tính sang sau ngày đó là tạm tính (hoặc không tính được) cho đến khi quản trị viên công bố lịch chính thức của năm sau.",
    calendar_missing: "Chưa có lịch nghỉ lễ chính thức của năm nay: mọi thời hạn đang là tạm tính hoặc không tính được.",
    remaining: "Thời gian giải quyết còn lại",
    window_closes: "hạn",
    window_met: "đã thực hiện lúc",
    window_met_late: "thực hiện muộn lúc",
    window_missed: "đã quá hạn, chưa thực hiện",
    minutes: "phút làm việc",
    submitted: "Hồ sơ đã được nộp. Mã hồ sơ của bạn:",
    receipt: "In giấy tiếp nhận (Mẫu 01)",
    receipt_later: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) có ngay khi cơ quan tiếp nhận hồ sơ; bạn sẽ được thông báo. Hãy ghi lại mã hồ sơ và mã tra cứu để theo dõi.",
    control_slip: "In phiếu kiểm soát (Mẫu 06)",
    supplement_form: "Phiếu yêu cầu bổ sung (Mẫu 02)",
    timeline: "Quá trình xử lý",
    timeline_picture: "Biểu đồ thời gian xử lý hồ sơ theo từng đơn vị",
    actions: "Thao tác",
    reason: "Lý do, ghi chú",
    no_actions: "Bạn không có thao tác nào với hồ sơ này lúc này.",
    rate: "Đánh giá mức độ hài lòng",
    very_satisfied: "Rất hài lòng",
    satisfied: "Hài lòng",
    dissatisfied: "Không hài lòng",
    send_rating: "Gửi đánh giá",
    rated: "Cảm ơn bạn đã đánh giá.",
    verify: "Kiểm tra chuỗi nhật ký",
    intact: "Chuỗi nhật ký toàn vẹn",
    events_checked: "sự kiện đã được kiểm tra",
    broken: "Chuỗi nhật ký bị thay đổi",
    overdue: "Quá hạn",
    due_soon: "Sắp đến hạn",
    on_time: "Trong hạn",
    finished_early: "Trước hạn",
    finished_on_time: "Đúng hạn",
    finished_late: "Quá hạn",
    paused_for_supplement: "Tạm dừng tính thời gian: chờ công dân bổ sung hồ sơ",
    waiting_for_fees: "Chờ công dân nộp phí, lệ phí",
    working_days_unit: "ngày làm việc",
    hours_unit: "giờ làm việc",
    under_an_hour: "dưới 1 giờ làm việc",
    step_deadline: "Hạn xử lý của bước",
    inbox_empty: "Không có hồ sơ chờ xử lý.",
    my_dossiers_empty: "Bạn chưa nộp hồ sơ nào.",
    audit_empty: "Chưa có hồ sơ nào trong hệ thống.",
    list_search_label: "Tìm theo mã hồ sơ, tên người nộp hoặc tên thủ tục",
    filter: "Lọc",
    any_status: "Tất cả trạng thái",
    any_procedure: "Tất cả thủ tục",
    only_overdue: "Chỉ hồ sơ quá hạn",
    pages: "Phân trang",
    previous_page: "Trang trước",
    next_page: "Trang sau",
    showing: "Hiển thị hồ sơ",
    list_capped: "Danh sách chỉ xét 500 hồ sơ mới nhất; hãy tìm theo mã hồ sơ hoặc thu hẹp bộ lọc để thấy hồ sơ cũ hơn.",
    procedure: "Thủ tục",
    time_left: "Thời gian còn lại",
    consultation_waiting: "Chờ đơn vị cho ý kiến",
    units: "Danh mục cơ quan, đơn vị",
    unit_columns: [
        "Mã định danh",
        "Tên cơ quan, đơn vị",
        "Cấp",
        "Đơn vị cấp trên",
    ],
    route_columns: ["Nơi tiếp nhận", "Bộ phận trong quy trình", "Đơn vị xử lý"],
    routes: "Phân công xử lý liên thông",
    retired_from: "Ngừng hoạt động từ",
    successor: "đơn vị kế thừa",
    no_units: "Chưa có danh mục: mỗi nơi tiếp nhận tự xử lý mọi bước.",
    token: "Mã truy cập",
    token_hint: "Mã truy cập do quản trị viên cấp (bắt đầu bằng hoso_).",
    demo_accounts: "Tài khoản dùng thử",
    demo_accounts_hint: "Máy chủ đang chạy chế độ trình diễn trên một cơ sở dữ liệu tạm với hồ sơ mẫu. Chọn một vai để đăng nhập; máy chủ thật không có các tài khoản này.",
    demo_sign_in_as: "Đăng nhập với tư cách",
    token_refused: "Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi.",
    csrf_refused: "Biểu mẫu đã hết hiệu lực hoặc không gửi từ trang này. Vui lòng tải lại trang và thử lại.",
    when: "Thời điểm",
    who: "Người thực hiện",
    what: "Nội dung",
    back: "Về trang hồ sơ",
    missing_documents: "Thành phần cần bổ sung, hoàn thiện",
    new_appointment: "Ngày, giờ hẹn trả kết quả mới",
    question: "Nội dung xin ý kiến",
    consultation: "Số thứ tự lần xin ý kiến",
    answer: "Ý kiến trả lời",
    amount: "Số tiền (đồng)",
    payment_reference: "Số biên lai hoặc mã giao dịch",
    indicators: "Chỉ số chất lượng phục vụ (Quyết định 766)",
    from: "Từ ngày",
    to: "Đến ngày",
    show: "Xem",
    all_units: "Tất cả đơn vị",
    received: "Hồ sơ tiếp nhận trong kỳ",
    indicator: "Chỉ số",
    counted: "Tử số / mẫu số",
    value: "Giá trị",
    threshold: "Ngưỡng",
    points: "Điểm",
    design: "Thiết kế thủ tục",
    versions: "Phiên bản",
    current_version: "phiên bản hiện hành",
    mermaid_source: "Mã sơ đồ (Mermaid)",
    check_file: "Kiểm tra tệp thủ tục",
    procedure_file: "Tệp thủ tục (.toml)",
    check: "Kiểm tra",
    file_valid: "Tệp hợp lệ. Sơ đồ quy trình:",
    publish: "Công bố thành phiên bản mới",
    fix: "Cách sửa",
    messages: "Các lỗi cần sửa",
    pay_online: "Thanh toán trực tuyến qua VNPAY",
    owed: "Phí, lệ phí phải nộp",
    payment: "Thanh toán phí, lệ phí",
    payment_pending: "Đang chờ VNPAY xác nhận giao dịch. Trạng thái sẽ được cập nhật khi có xác nhận; bạn có thể tải lại trang này sau ít phút.",
    payment_paid: "Đã thanh toán. Cảm ơn bạn.",
    payment_failed: "Giao dịch không thành công. Phí chưa được thanh toán; bạn có thể thử lại từ trang hồ sơ.",
};

/// English.
pub static EN: Words = Words {
    lang: "en",
    other_language: "Tiếng Việt",
    other_code: "vi",
    site: "Online public services",
    skip: "Skip to main content",
    navigation: "Main navigation",
    catalogue: "Procedures",
    my_dossiers: "My dossiers",
    inbox: "Inbox",
    audit: "Audit",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in:",
    search: "Search",
    search_label: "Find a procedure by name or code",
    nothing_found: "Nothing matches.",
    code: "Code",
    name: "Name",
    field: "Field",
    full_process: "Full-process online service",
    partial: "Partial online service",
    why_partial: "Why only partial",
    documents: "Documents",
    required: "required",
    optional: "optional",
    channel: "Channel",
    time_limit: "Time limit",
    fees: "Fees",
    free: "Free of charge",
    legal_basis: "Legal basis",
    result: "Result",
    apply: "Apply online",
    applicant: "Applicant",
    full_name: "Full name",
    citizen_id: "Personal identification number",
    phone: "Phone",
    email: "E-mail",
    applicant_kind: "The dossier is for",
    id_number: "Personal ID / tax code / passport number",
    nationality: "Nationality (foreigners)",
    representation: "You submit as",
    self_applicant: "Yourself",
    legal_representative: "Legal representative",
    authorised_person: "Authorised person (attach the authorisation)",
    authorisation: "Written authorisation",
    delivery: "Receive the result",
    address_recipient: "Recipient (post)",
    address_phone: "Recipient's phone",
    address_street: "House number, street",
    address_ward: "Commune or ward",
    address_province: "Province or city",
    notify_email: "Notify me by e-mail",
    notify_sms: "Notify me by SMS",
    sign_in_sso: "Sign in with the national digital ID (VNeID)",
    lookup: "Look up a dossier",
    lookup_key: "Lookup key",
    results_heading: "Electronic results",
    signed_by: "Digitally signed by",
    signed_unnamed: "Digitally signed",
    unsigned: "Not digitally signed",
    sso_unavailable: "Sign-in with the national digital ID is not configured on this server.",
    sso_cancelled: "The sign-in did not finish: it was cancelled or refused by the identity provider. Please try again.",
    sso_forged: "This sign-in is invalid, already used or expired (over 10 minutes). Please start signing in again from this page.",
    sso_refused: "The digital ID could not be verified. Please try again later.",
    notifications: "Notified by",
    result_files: "Electronic result files (PDF, may be digitally signed)",
    lookup_hint: "Enter the dossier code and the lookup key printed on the receipt (or scan its QR code). No sign-in needed.",
    lookup_found: "Where the dossier stands",
    lookup_not_found: "No dossier has this code and lookup key. Check both against the receipt.",
    lookup_slow_down: "Too many lookups. Please try again in",
    timeliness: "Timeliness",
    dossier_code: "Dossier code",
    form: "Form",
    upload_hint: "PDF, PNG or JPEG, each at most",
    heading_not_found: "Not found",
    heading_forbidden: "Not allowed",
    heading_bad_request: "What was sent is not valid",
    heading_too_large: "The upload is too large",
    heading_unavailable: "The service is busy",
    heading_failed: "Something went wrong",
    heading_not_done: "This could not be done",
    unavailable_page: "The service cannot take the request right now (it is overloaded or out of storage). Please try again in a few minutes.",
    failed_page: "This page could not be shown. Please try again; if it still fails, tell the help desk.",
    no_such_page: "There is no page at this address. Check the address, or go back to the home page to find procedures and dossiers.",
    upload_kept: "The file you chose is kept:",
    upload_kept_hint: "It will be submitted; choose another file to replace it.",
    submit: "Submit",
    fix_errors: "The dossier was not submitted. Please fix:",
    yes: "Yes",
    no: "No",
    date_hint: "day/month/year, e.g. 31/01/2026",
    payment_gateway: "Online payment gateway (VNPAY)",
    system: "The system (automatic)",
    date_time_hint: "day/month/year hour:minute, e.g. 15/12/2026 16:30",
    payment_cancelled: "You cancelled the transaction at VNPAY; nothing was charged. You can pay again from the dossier page.",
    gateway_transaction: "VNPAY transaction number",
    confirm_ending: "I have checked and confirm this; the dossier cannot be processed further.",
    declared: "What the applicant declared",
    waived: "Waived",
    held_elsewhere: "Reference",
    receiving_unit: "Receiving unit",
    dossier: "Dossier",
    status: "Status",
    step: "Step",
    appointment: "Result due",
    provisional: "provisional, counted on a drafted holiday calendar; recomputed when the official one is published",
    refund_due: "To be refunded to the applicant",
    calendar_ends: "The official holiday calendar ends on",
    calendar_days_left: "days left",
    calendar_advice: "Deadlines counted past that day are provisional (or cannot be computed) until an administrator publishes next year's official calendar.",
    calendar_missing: "There is no official holiday calendar for this year: every deadline is provisional or cannot be computed.",
    remaining: "Working time left",
    window_closes: "by",
    window_met: "done at",
    window_met_late: "done late at",
    window_missed: "passed, not done",
    minutes: "working minutes",
    submitted: "Your dossier was submitted. Its code:",
    receipt: "Print the receipt (Form 01)",
    receipt_later: "The receipt with the appointment (Form 01) comes as soon as the agency receives the dossier; you will be told. Keep the dossier code and lookup key to follow it.",
    control_slip: "Print the process-control slip (Form 06)",
    supplement_form: "Supplement request (Form 02)",
    timeline: "Timeline",
    timeline_picture: "Timeline of the dossier through each unit",
    actions: "Actions",
    reason: "Reason or note",
    no_actions: "There is nothing for you to do on this dossier now.",
    rate: "Rate the service",
    very_satisfied: "Very satisfied",
    satisfied: "Satisfied",
    dissatisfied: "Dissatisfied",
    send_rating: "Send rating",
    rated: "Thank you for your rating.",
    verify: "Verify the chain",
    intact: "The chain is intact",
    events_checked: "events checked",
    broken: "The chain was altered",
    overdue: "Overdue",
    due_soon: "Due soon",
    on_time: "On time",
    finished_early: "Early",
    finished_on_time: "On time",
    finished_late: "Late",
    paused_for_supplement: "Clock stopped: waiting for the applicant's supplement",
    waiting_for_fees: "Waiting for the applicant to pay the fees",
    working_days_unit: "working days",
    hours_unit: "working hours",
    under_an_hour: "under a working hour",
    step_deadline: "Step deadline",
    inbox_empty: "Nothing waiting.",
    my_dossiers_empty: "You have not submitted any dossier yet.",
    audit_empty: "No dossier is stored yet.",
    list_search_label: "Find by dossier code, applicant's name or procedure name",
    filter: "Filter",
    any_status: "Any status",
    any_procedure: "Any procedure",
    only_overdue: "Late dossiers only",
    pages: "Pages",
    previous_page: "Previous page",
    next_page: "Next page",
    showing: "Showing dossiers",
    list_capped: "The list looks at the newest 500 dossiers only; search by code or narrow the filters to see older ones.",
    procedure: "Procedure",
    time_left: "Time left",
    consultation_waiting: "Waiting for your unit's opinion",
    units: "Units",
    unit_columns: ["Code", "Name", "Level", "Parent"],
    route_columns: [
        "Receiving unit",
        "Unit kind in the procedure",
        "Handling unit",
    ],
    routes: "Inter-agency routes",
    retired_from: "Retired from",
    successor: "successor",
    no_units: "No directory yet: every receiving unit handles every step itself.",
    token: "Access token",
    token_hint: "The access token an administrator gave you (starts with hoso_).",
    demo_accounts: "Demo accounts",
    demo_accounts_hint: "This server runs in demo mode on a temporary database with sample dossiers. Pick a role to sign in; a real server has none of these accounts.",
    demo_sign_in_as: "Sign in as",
    token_refused: "The access token is wrong, expired or revoked.",
    csrf_refused: "This form has expired or was not sent from this site. Reload the page and try again.",
    when: "When",
    who: "Who",
    what: "What",
    back: "Back to the dossier",
    missing_documents: "Documents to add or correct",
    new_appointment: "New date and time for the result",
    question: "Question",
    consultation: "Consultation number",
    answer: "Answer",
    amount: "Amount (đồng)",
    payment_reference: "Receipt or transaction number",
    indicators: "Service-quality indicators (Decision 766)",
    from: "From",
    to: "To",
    show: "Show",
    all_units: "Every unit",
    received: "Dossiers received in the period",
    indicator: "Indicator",
    counted: "Counted / out of",
    value: "Value",
    threshold: "Threshold",
    points: "Points",
    design: "Procedure design",
    versions: "Versions",
    current_version: "current version",
    mermaid_source: "Diagram source (Mermaid)",
    check_file: "Check a procedure file",
    procedure_file: "Procedure file (.toml)",
    check: "Check",
    file_valid: "The file is valid. Its process:",
    publish: "Publish as the next version",
    fix: "Fix",
    messages: "What to fix",
    pay_online: "Pay online with VNPAY",
    owed: "Fees owed",
    payment: "Paying fees",
    payment_pending: "Waiting for VNPAY to confirm the transaction. This page shows the confirmation once it arrives; reload it in a few minutes.",
    payment_paid: "Paid. Thank you.",
    payment_failed: "The transaction failed. Nothing was paid; you can try again from the dossier page.",
};
