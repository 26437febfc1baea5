//! Telling applicants about their dossiers: Vietnamese messages per event, sent by e-mail (SMTP)
//! and SMS (an eSMS-style HTTP API), each delivery at least once with its idempotency key.

pub mod email;
pub mod sms;

use hoso_engine::case::{Notification, Status, format_instant};

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// E-mail subject.
    pub subject: String,
    /// The text (e-mail body; the SMS is its first line).
    pub body: String,
}

/// The Vietnamese message for a notification.
pub fn render(notification: &Notification) -> Message {
    let case = &notification.case;
    let details = notification.details.as_deref().unwrap_or_default();
    let appointment = notification
        .appointment
        .map(format_instant)
        .unwrap_or_else(|| "(chưa có)".to_owned());
    let (subject, first) = match notification.event.as_str() {
        "submitted" => (
            "Đã đăng ký hồ sơ",
            format!("Hồ sơ {case} đã được đăng ký và đang chờ tiếp nhận."),
        ),
        "received" => (
            "Hồ sơ đã được tiếp nhận",
            format!("Hồ sơ {case} đã được tiếp nhận. Ngày hẹn trả kết quả: {appointment}."),
        ),
        "refused_at_intake" => (
            "Hồ sơ không được tiếp nhận",
            format!("Hồ sơ {case} không được tiếp nhận. Lý do: {details}."),
        ),
        "supplement_requested" => (
            "Yêu cầu bổ sung hồ sơ",
            format!("Hồ sơ {case} cần bổ sung, hoàn thiện. {details}."),
        ),
        "supplement_submitted" => (
            "Đã nhận hồ sơ bổ sung",
            format!("Đã nhận hồ sơ bổ sung của hồ sơ {case}. Ngày hẹn trả kết quả: {appointment}."),
        ),
        "payment_requested" => (
            "Đề nghị nộp phí, lệ phí",
            format!(
                "Hồ sơ {case}: đề nghị ông/bà nộp phí, lệ phí {details} để hồ sơ được tiếp tục giải quyết."
            ),
        ),
        "deadlines_confirmed" => (
            "Xác nhận ngày hẹn trả",
            format!(
                "Ngày hẹn trả kết quả của hồ sơ {case} được giữ nguyên: {appointment} (theo lịch nghỉ lễ chính thức)."
            ),
        ),
        "refund_due" => (
            "Hoàn trả khoản thanh toán",
            format!(
                "Hồ sơ {case}: khoản thanh toán {details} không được ghi nhận vào phí, lệ phí và sẽ được hoàn trả cho ông/bà."
            ),
        ),
        "payment_recorded" => (
            "Đã ghi nhận thanh toán",
            format!("Đã ghi nhận thanh toán phí, lệ phí của hồ sơ {case}. Hồ sơ đang được xử lý."),
        ),
        "result_issued" => (
            "Kết quả đã sẵn sàng",
            format!("Kết quả giải quyết hồ sơ {case} đã sẵn sàng (mã kết quả {details})."),
        ),
        "result_returned" => (
            "Đã trả kết quả",
            format!("Đã trả kết quả hồ sơ {case}. Mời ông/bà đánh giá mức độ hài lòng."),
        ),
        "withdrawn" => (
            "Đã rút hồ sơ",
            format!("Hồ sơ {case} đã được rút theo yêu cầu của ông/bà."),
        ),
        "stopped" => (
            "Dừng xử lý hồ sơ",
            format!("Hồ sơ {case} đã dừng xử lý. Lý do: {details}."),
        ),
        "extended" => (
            "Thư xin lỗi và hẹn lại ngày trả kết quả",
            format!(
                "Chúng tôi xin lỗi: hồ sơ {case} chưa thể trả kết quả đúng hẹn. Lý do: {details}. Ngày hẹn mới: {appointment}."
            ),
        ),
        "time_limit_extended" => (
            "Thông báo gia hạn thời hạn giải quyết",
            format!(
                "Thời hạn giải quyết hồ sơ {case} được gia hạn theo quy định. Lý do: {details}. Ngày hẹn trả kết quả mới: {appointment}."
            ),
        ),
        "transferred" => (
            "Chuyển đến cơ quan có thẩm quyền",
            format!(
                "Hồ sơ {case} không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận và đã được chuyển đến cơ quan có thẩm quyền: {details}."
            ),
        ),
        "deadlines_recomputed" => (
            "Điều chỉnh ngày hẹn trả",
            if details.is_empty() {
                format!("Ngày hẹn trả kết quả của hồ sơ {case} được điều chỉnh: {appointment}.")
            } else {
                format!(
                    "Ngày hẹn trả kết quả của hồ sơ {case} được điều chỉnh: {appointment}. {details}."
                )
            },
        ),
        _ if notification.status == Status::Resolved && !details.is_empty() => (
            "Hồ sơ bị từ chối giải quyết",
            format!("Hồ sơ {case} không được giải quyết. Lý do: {details}."),
        ),
        _ => (
            "Cập nhật tình trạng hồ sơ",
            format!("Hồ sơ {case}: {}.", notification.status.label()),
        ),
    };
    Message {
        subject: format!("[Hồ sơ {case}] {subject}"),
        body: format!(
            "{first}\n\nThủ tục: {}\nTình trạng: {}\nTra cứu hồ sơ bằng mã {case} trên Cổng Dịch vụ công.\n",
            notification.procedure,
            notification.status.label()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(event: &str, details: Option<&str>) -> Notification {
        Notification {
            case: "000.00.17.H21-260302-0001".to_owned(),
            event: event.to_owned(),
            status: Status::SupplementRequested,
            appointment: None,
            email: None,
            phone: None,
            details: details.map(str::to_owned),
            procedure: "1.001193".to_owned(),
        }
    }

    #[test]
    fn supplement_requests_list_what_is_missing() {
        let message = render(&notification(
            "supplement_requested",
            Some("Giấy chứng sinh không rõ. Cần bổ sung: giay_chung_sinh (bản chụp mờ)"),
        ));
        assert_eq!(
            message.subject,
            "[Hồ sơ 000.00.17.H21-260302-0001] Yêu cầu bổ sung hồ sơ"
        );
        assert!(message.body.starts_with("Hồ sơ 000.00.17.H21-260302-0001 cần bổ sung, hoàn thiện. Giấy chứng sinh không rõ. Cần bổ sung: giay_chung_sinh (bản chụp mờ)."), "{}", message.body);
    }
}
