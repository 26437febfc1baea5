//! Who a dossier is for and how they want to hear and receive: the applicant's kind (citizen,
//! organisation, foreigner), a representative acting for them (người đại diện / được ủy quyền),
//! the chosen way of receiving the result, and the chosen notification channels.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::event::{Actor, ActorKind};
use super::form::{FieldProblem, hidden_character, is_id_number, normalize_phone, normalize_text};
use super::model::{Applicant, DocumentRef};
use crate::messages::{AddressPart, Said, Subject};
use crate::procedure::{Delivery, Procedure};

/// What kind of applicant a dossier is for (đối tượng thực hiện).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// A Vietnamese citizen, by 12-digit personal identification number (công dân).
    #[default]
    Citizen,
    /// An enterprise or other organisation, by tax code (tổ chức, doanh nghiệp).
    Organisation,
    /// A foreigner, by passport number and nationality (người nước ngoài).
    Foreigner,
}

impl ApplicantKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::Citizen, Self::Organisation, Self::Foreigner];

    /// The name used in procedure files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Organisation => "organisation",
            Self::Foreigner => "foreigner",
        }
    }

    /// The Vietnamese name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Citizen => "Công dân Việt Nam",
            Self::Organisation => "Tổ chức, doanh nghiệp",
            Self::Foreigner => "Người nước ngoài",
        }
    }

    /// The Vietnamese name of the identifier this kind is known by.
    pub fn identifier_label(self) -> &'static str {
        match self {
            Self::Citizen => "Số định danh cá nhân",
            Self::Organisation => "Mã số thuế",
            Self::Foreigner => "Số hộ chiếu",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Serde's skip test: citizen is the default and is not written, so dossiers stored before
    /// applicant kinds hash as they did.
    pub fn is_citizen(&self) -> bool {
        *self == Self::Citizen
    }
}

/// On what ground a representative acts (Civil Code arts. 135–141).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepresentationBasis {
    /// By law: an organisation's legal representative, a minor's parent (đại diện theo pháp luật).
    Legal,
    /// By a written authorisation, which the dossier carries (đại diện theo ủy quyền).
    Authorised,
}

impl RepresentationBasis {
    /// The Vietnamese name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Legal => "Người đại diện theo pháp luật",
            Self::Authorised => "Người được ủy quyền",
        }
    }
}

/// A person who submits and follows a dossier for its applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    /// Their own 12-digit personal identification number.
    pub citizen_id: String,
    /// Their full name.
    pub name: String,
    /// By law or by authorisation.
    pub basis: RepresentationBasis,
}

/// The dossier component that carries a representative's written authorisation (văn bản ủy
/// quyền); every procedure accepts it, and requires it when a representative acts by
/// authorisation.
pub const AUTHORISATION_COMPONENT: &str = "van_ban_uy_quyen";

/// Where a postal result goes (địa chỉ nhận kết quả qua bưu chính công ích).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Who receives the parcel.
    pub recipient: String,
    /// The recipient's phone, for the postman.
    pub phone: String,
    /// House number, street, hamlet (số nhà, đường, thôn).
    pub street: String,
    /// Commune or ward (xã, phường, đặc khu).
    pub ward: String,
    /// Province or centrally run city (tỉnh, thành phố).
    pub province: String,
}

impl PostalAddress {
    /// The address on one line, as a postman reads it.
    pub fn line(&self) -> String {
        format!(
            "{} ({}), {}, {}, {}",
            self.recipient, self.phone, self.street, self.ward, self.province
        )
    }
}

/// How the applicant chose to receive the result (đăng ký nhận kết quả).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDelivery {
    /// One of the procedure's result channels.
    pub channel: Delivery,
    /// The address, for postal delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Box<PostalAddress>>,
}

impl ResultDelivery {
    /// What Form 01 and the dossier page print.
    pub fn describe(&self) -> String {
        match (&self.channel, &self.address) {
            (Delivery::Postal, Some(address)) => {
                format!("{}: {}", delivery_label(self.channel), address.line())
            }
            (channel, _) => delivery_label(*channel).to_owned(),
        }
    }
}

/// The Vietnamese name of a way of receiving the result.
pub fn delivery_label(delivery: Delivery) -> &'static str {
    match delivery {
        Delivery::Online => "Trực tuyến (kết quả điện tử)",
        Delivery::Postal => "Qua dịch vụ bưu chính công ích",
        Delivery::Counter => "Tại Bộ phận Một cửa",
    }
}

/// A channel the applicant chose to be told of changes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyChannel {
    /// By e-mail.
    Email,
    /// By SMS.
    Sms,
}

impl NotifyChannel {
    /// The outbox topic that delivers it.
    pub fn topic(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "Thư điện tử",
            Self::Sms => "Tin nhắn SMS",
        }
    }
}

/// A Vietnamese tax code (mã số thuế): 10 digits whose tenth is the check digit over the first
/// nine (weights 31, 29, 23, 19, 17, 13, 7, 5, 3; Circular 105/2020/TT-BTC format), or that code
/// with `-` and a 3-digit branch number for a dependent unit.
pub fn is_tax_code(text: &str) -> bool {
    let (main, branch) = match text.split_once('-') {
        Some((main, branch)) => (main, Some(branch)),
        None => (text, None),
    };
    if let Some(branch) = branch
        && (branch.len() != 3
            || !branch.bytes().all(|byte| byte.is_ascii_digit())
            || branch == "000")
    {
        return false;
    }
    let digits: Vec<u32> = main.chars().filter_map(|c| c.to_digit(10)).collect();
    if main.len() != 10 || digits.len() != 10 {
        return false;
    }
    const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    // A remainder of 0 would need the check digit 10, which no digit equals: such codes are
    // never issued.
    10 - sum % 11 == digits[9]
}

/// A passport number as machine-readable travel documents carry it (ICAO 9303): 6 to 20
/// capital letters and digits, with at least one digit.
pub fn is_passport_number(text: &str) -> bool {
    (6..=20).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
        && text.bytes().any(|byte| byte.is_ascii_digit())
}

/// An ISO 3166-1 alpha-2 country code, e.g. `JP`.
pub fn is_country_code(text: &str) -> bool {
    text.len() == 2 && isocountry::CountryCode::for_alpha2(text).is_ok()
}

/// The country's English short name for an ISO 3166-1 alpha-2 code.
pub fn country_name(code: &str) -> Option<&'static str> {
    isocountry::CountryCode::for_alpha2(code)
        .ok()
        .map(|country| country.name())
}

/// Every ISO 3166-1 alpha-2 code with its name, sorted by code, for the pages' choice.
pub fn countries() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = isocountry::CountryCode::iter()
        .map(|country| (country.alpha2(), country.name()))
        .collect();
    all.sort_unstable();
    all
}

/// The problems with an applicant and how they applied, each at its field.
pub(crate) fn check_applicant(
    procedure: &Procedure,
    applicant: &Applicant,
    problems: &mut Vec<FieldProblem>,
) {
    let accepted = procedure.applicant_kinds();
    if !accepted.contains(&applicant.kind) {
        let names: Vec<&str> = accepted.iter().map(|kind| kind.label()).collect();
        problems.push(FieldProblem::new(
            "/applicant/kind",
            Said::ApplicantKindNotAccepted {
                accepted: names.iter().map(|name| (*name).to_owned()).collect(),
                given: applicant.kind.label().to_owned(),
                code: applicant.kind.as_str().to_owned(),
            },
        ));
    }
    let id = applicant.citizen_id.as_str();
    match applicant.kind {
        ApplicantKind::Citizen if !is_id_number(id) => problems.push(FieldProblem::new(
            "/applicant/citizen_id",
            Said::NotIdNumber { label: None },
        )),
        ApplicantKind::Organisation if !is_tax_code(id) => {
            problems.push(FieldProblem::new("/applicant/citizen_id", Said::NotTaxCode))
        }
        ApplicantKind::Foreigner if !is_passport_number(id) => problems.push(FieldProblem::new(
            "/applicant/citizen_id",
            Said::NotPassport,
        )),
        _ => {}
    }
    match (applicant.kind, applicant.nationality.as_deref()) {
        (ApplicantKind::Foreigner, Some(code)) if is_country_code(code) => {}
        (ApplicantKind::Foreigner, Some(_)) => problems.push(FieldProblem::new(
            "/applicant/nationality",
            Said::NotCountryCode,
        )),
        (ApplicantKind::Foreigner, None) => problems.push(FieldProblem::new(
            "/applicant/nationality",
            Said::NationalityRequired,
        )),
        (_, Some(_)) => problems.push(FieldProblem::new(
            "/applicant/nationality",
            Said::NationalityOnlyForeigner,
        )),
        (_, None) => {}
    }
    if applicant.kind == ApplicantKind::Organisation && applicant.representative.is_none() {
        problems.push(FieldProblem::new(
            "/applicant/representative",
            Said::OrganisationNeedsRepresentative,
        ));
    }
    if let Some(representative) = &applicant.representative {
        if !procedure.definition().applicants.representation {
            problems.push(FieldProblem::new(
                "/applicant/representative",
                Said::InPersonOnly,
            ));
        }
        if !is_id_number(&representative.citizen_id) {
            problems.push(FieldProblem::new(
                "/applicant/representative/citizen_id",
                Said::RepresentativeIdNumber,
            ));
        }
        if applicant.kind == ApplicantKind::Citizen && representative.citizen_id == id {
            problems.push(FieldProblem::new(
                "/applicant/representative/citizen_id",
                Said::RepresentativeIsSelf,
            ));
        }
        check_name(
            &representative.name,
            "/applicant/representative/name",
            problems,
        );
    }
}

/// A person's or organisation's name: present, at most 200 characters, nothing invisible.
pub(crate) fn check_name(name: &str, pointer: &str, problems: &mut Vec<FieldProblem>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        problems.push(FieldProblem::new(pointer, Said::NameRequired));
    }
    if let Some(hidden) = hidden_character(name) {
        problems.push(FieldProblem::new(
            pointer,
            Said::Hidden {
                subject: Subject::Name,
                code: u32::from(hidden),
            },
        ));
    }
}

/// Who may submit online for this applicant: the citizen themselves, or their representative
/// signed in as themselves.
pub(crate) fn submits_for(actor: &Actor, applicant: &Applicant) -> bool {
    if actor.kind != ActorKind::Citizen {
        return false;
    }
    match (&applicant.representative, applicant.kind) {
        (Some(representative), _) => actor.id == representative.citizen_id,
        (None, ApplicantKind::Citizen) => actor.id == applicant.citizen_id,
        // An organisation acts through a person: the submission is refused for naming none.
        (None, ApplicantKind::Organisation) => true,
        (None, ApplicantKind::Foreigner) => false,
    }
}

/// The authorisation document: required for an authorised representative.
pub(crate) fn check_authorisation(
    applicant: &Applicant,
    documents: &[DocumentRef],
    problems: &mut Vec<FieldProblem>,
) {
    let authorised = applicant
        .representative
        .as_ref()
        .is_some_and(|representative| representative.basis == RepresentationBasis::Authorised);
    let carried = documents
        .iter()
        .any(|document| document.component == AUTHORISATION_COMPONENT);
    if authorised && !carried {
        problems.push(FieldProblem::new(
            format!("/documents/{AUTHORISATION_COMPONENT}"),
            Said::AuthorisationMissing,
        ));
    }
    if !authorised && carried {
        problems.push(FieldProblem::new(
            format!("/documents/{AUTHORISATION_COMPONENT}"),
            Said::AuthorisationNotExpected,
        ));
    }
}

/// The chosen result delivery: one the procedure offers, a postal one with a full address.
pub(crate) fn check_delivery(
    procedure: &Procedure,
    delivery: Option<&ResultDelivery>,
    problems: &mut Vec<FieldProblem>,
) -> Option<ResultDelivery> {
    let offered = &procedure.definition().result.delivery;
    let delivery = delivery?;
    if !offered.contains(&delivery.channel) {
        let names: Vec<&str> = offered
            .iter()
            .map(|channel| delivery_label(*channel))
            .collect();
        problems.push(FieldProblem::new(
            "/delivery/channel",
            Said::DeliveryNotOffered {
                offered: names.iter().map(|name| (*name).to_owned()).collect(),
            },
        ));
    }
    let address = match (delivery.channel, &delivery.address) {
        (Delivery::Postal, None) => {
            problems.push(FieldProblem::new(
                "/delivery/address",
                Said::PostalAddressMissing,
            ));
            None
        }
        (Delivery::Postal, Some(address)) => Some(Box::new(check_address(address, problems))),
        (_, Some(_)) => {
            problems.push(FieldProblem::new(
                "/delivery/address",
                Said::AddressOnlyForPostal,
            ));
            None
        }
        (_, None) => None,
    };
    Some(ResultDelivery {
        channel: delivery.channel,
        address,
    })
}

fn check_address(address: &PostalAddress, problems: &mut Vec<FieldProblem>) -> PostalAddress {
    let parts = [
        ("recipient", &address.recipient, AddressPart::Recipient),
        ("street", &address.street, AddressPart::Street),
        ("ward", &address.ward, AddressPart::Ward),
        ("province", &address.province, AddressPart::Province),
    ];
    for (field, value, part) in parts {
        let pointer = format!("/delivery/address/{field}");
        if value.trim().chars().count() < 2 || value.chars().count() > 200 {
            problems.push(FieldProblem::new(&pointer, Said::AddressPartMissing(part)));
        } else if let Some(hidden) = hidden_character(value) {
            problems.push(FieldProblem::new(
                &pointer,
                Said::Hidden {
                    subject: Subject::AddressPart,
                    code: u32::from(hidden),
                },
            ));
        }
    }
    let phone = normalize_phone(&address.phone);
    if phone.is_none() {
        problems.push(FieldProblem::new(
            "/delivery/address/phone",
            Said::NotPhone { label: None },
        ));
    }
    PostalAddress {
        recipient: normalize_text(address.recipient.trim()),
        phone: phone.unwrap_or_default(),
        street: normalize_text(address.street.trim()),
        ward: normalize_text(address.ward.trim()),
        province: normalize_text(address.province.trim()),
    }
}

/// The chosen notification channels: each needs its contact on the applicant.
pub(crate) fn check_notify(
    applicant: &Applicant,
    notify: Option<&[NotifyChannel]>,
    problems: &mut Vec<FieldProblem>,
) -> Option<Vec<NotifyChannel>> {
    let notify = notify?;
    let mut chosen: Vec<NotifyChannel> = Vec::new();
    for (position, channel) in notify.iter().enumerate() {
        if chosen.contains(channel) {
            continue;
        }
        let (present, email) = match channel {
            NotifyChannel::Email => (applicant.email.is_some(), true),
            NotifyChannel::Sms => (applicant.phone.is_some(), false),
        };
        if !present {
            problems.push(FieldProblem::new(
                format!("/notify/{position}"),
                Said::NotifyNeedsContact { email },
            ));
        }
        chosen.push(*channel);
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_are_checked_by_their_check_digit() {
        // Published codes: 0100109106 and 0101243150; a branch of the first.
        assert!(is_tax_code("0100109106"));
        assert!(is_tax_code("0101243150"));
        assert!(is_tax_code("0100109106-001"));
        for wrong in [
            "0100109107",
            "0100109105",
            "010010910",
            "01001091066",
            "0100109106-",
            "0100109106-01",
            "0100109106-000",
            "0100109106-0a1",
            "01001O9106",
            "0100109106001",
            "",
        ] {
            assert!(!is_tax_code(wrong), "{wrong}");
        }
        // A remainder of zero asks for check digit 10: never issued, never valid.
        let zero_remainder = (0..1_000_000_000u64)
            .step_by(7919)
            .map(|n| format!("{n:09}"))
            .find(|nine| {
                let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
                nine.chars()
                    .zip(weights)
                    .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
                    .sum::<u32>()
                    % 11
                    == 0
            })
            .unwrap_or_default();
        for last in 0..10 {
            assert!(!is_tax_code(&format!("{zero_remainder}{last}")));
        }
    }

    #[test]
    fn kinds_read_their_names_and_a_citizen_is_not_written() {
        for kind in ApplicantKind::ALL {
            assert_eq!(ApplicantKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ApplicantKind::parse("company"), None);
        assert_eq!(ApplicantKind::parse(""), None);
        // Dossiers stored before kinds existed hash as they did: a citizen's kind is not written.
        let citizen = serde_json::to_value(Applicant::default()).unwrap_or_default();
        assert!(citizen.get("kind").is_none(), "{citizen}");
        let company = Applicant {
            kind: ApplicantKind::Organisation,
            ..Applicant::default()
        };
        let company = serde_json::to_value(company).unwrap_or_default();
        assert_eq!(company["kind"], "organisation");
    }

    #[test]
    fn a_name_is_required_and_at_most_200_characters() {
        let problems = |name: &str| {
            let mut problems = Vec::new();
            check_name(name, "/applicant/name", &mut problems);
            problems.len()
        };
        assert_eq!(problems("Nguyễn Văn Bình"), 0);
        assert_eq!(problems("  "), 1);
        assert_eq!(problems(&"ằ".repeat(200)), 0);
        assert_eq!(problems(&"ằ".repeat(201)), 1);
        assert_eq!(problems("Bình\u{200b}"), 1, "an invisible character");
    }

    #[test]
    fn passports_and_countries() {
        assert!(is_passport_number("C1234567"));
        assert!(is_passport_number("TR1234567"));
        assert!(is_passport_number("123456789"));
        for wrong in [
            "ABCDEFGH",
            "c1234567",
            "C 1234567",
            "C1234567-",
            "A1234",
            "",
        ] {
            assert!(!is_passport_number(wrong), "{wrong}");
        }
        assert!(!is_passport_number(&"1".repeat(21)));
        assert!(is_country_code("JP") && is_country_code("VN") && is_country_code("US"));
        assert!(!is_country_code("XX") && !is_country_code("jp") && !is_country_code("JPN"));
        assert_eq!(country_name("JP"), Some("Japan"));
        assert!(countries().len() > 240);
    }
}
