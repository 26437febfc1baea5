//! `hoso demo`: walks dossiers of the real catalogue through real paths — returned on time, a
//! supplement request and resubmission with a fee paid online, a refusal at intake, a withdrawal —
//! a liên thông dossier across the commune, the commune police and social insurance, each a unit
//! with its own code — on simulated office hours, and prints each one's code, final status and
//! timeline.

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use hoso_adapters::store::AnyStore;
use hoso_engine::case::{
    Actor, Applicant, Command, DocumentRef, DossierCode, MissingDocument, Provenance, Submission,
    UnitId,
};
use hoso_engine::money::Money;
use hoso_engine::ports::Dossiers as _;
use hoso_engine::procedure::{ChannelKind, ProcedureCode};
use hoso_engine::service::{Executed, Request, Service, Target};
use serde_json::{Map, Value, json};

const COMMUNE: &str = "000.00.17.H21";
const PROVINCE_POLICE: &str = "000.00.01.H21";
const COMMUNE_POLICE: &str = "000.00.18.H21";
const SOCIAL_INSURANCE: &str = "000.00.19.H21";

/// One demo dossier: a title, then the commands that walk it.
struct Walk<'s> {
    service: &'s Service<AnyStore>,
    code: Option<DossierCode>,
}

/// A temporary SQLite file and documents folder for a demo, deleted when dropped; nothing is
/// created until the database is opened at [`Scratch::url`].
pub struct Scratch {
    database: std::path::PathBuf,
    documents: std::path::PathBuf,
}

impl Scratch {
    /// Fresh names under the temporary folder.
    pub fn new() -> Self {
        let name = format!("hoso-demo-{}", uuid::Uuid::now_v7());
        Self {
            database: std::env::temp_dir().join(format!("{name}.db")),
            documents: std::env::temp_dir().join(name),
        }
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.database.display())
    }

    /// The documents folder.
    pub fn documents(&self) -> &std::path::Path {
        &self.documents
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.database.display()));
        }
        let _ = std::fs::remove_dir_all(&self.documents);
    }
}

/// Opens the database of `settings`, imports the demo's units from `units` and walks the demo's
/// dossiers, printing each.
pub async fn walk(
    settings: &hoso_adapters::boot::Settings,
    units: &std::path::Path,
) -> anyhow::Result<Service<AnyStore>> {
    let service = crate::open(settings).await?;
    crate::import_units(&service, units).await?;
    run(&service).await?;
    Ok(service)
}

/// An instant of the demo: written out for the fixed walks, taken from the clock for the live
/// dossiers of `serve --demo`.
trait When: std::fmt::Display + Copy {
    fn instant(self) -> anyhow::Result<DateTime<Utc>>;
}

impl When for &str {
    fn instant(self) -> anyhow::Result<DateTime<Utc>> {
        Ok(DateTime::parse_from_rfc3339(self)
            .with_context(|| format!("demo instant {self}"))?
            .with_timezone(&Utc))
    }
}

impl When for DateTime<Utc> {
    fn instant(self) -> anyhow::Result<DateTime<Utc>> {
        Ok(self)
    }
}

fn unit(code: &str) -> anyhow::Result<UnitId> {
    UnitId::parse(code).map_err(|error| anyhow::anyhow!("{error}"))
}

fn officer(role: &str, in_unit: &str) -> anyhow::Result<Actor> {
    Ok(Actor::officer(
        format!("can-bo-{role}"),
        role,
        unit(in_unit)?,
    ))
}

fn form(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn upload(component: &str, name: &str) -> DocumentRef {
    DocumentRef {
        component: component.to_owned(),
        name: name.to_owned(),
        sha256: None,
        size: None,
        provenance: Provenance::Upload,
        reference: None,
    }
}

fn from_store(component: &str, name: &str) -> DocumentRef {
    DocumentRef {
        component: component.to_owned(),
        name: name.to_owned(),
        sha256: None,
        size: None,
        provenance: Provenance::DataStore,
        reference: Some(format!("kho-du-lieu/{component}")),
    }
}

fn applicant(citizen_id: &str, name: &str) -> Applicant {
    Applicant {
        citizen_id: citizen_id.to_owned(),
        name: name.to_owned(),
        phone: Some("0912345678".to_owned()),
        email: Some(format!("{citizen_id}@example.vn")),
        ..Default::default()
    }
}

impl<'s> Walk<'s> {
    fn new(service: &'s Service<AnyStore>) -> Self {
        Self {
            service,
            code: None,
        }
    }

    async fn submit(
        &mut self,
        procedure: &str,
        submission: Submission,
        now: impl When,
    ) -> anyhow::Result<()> {
        let citizen = Actor::citizen(submission.applicant.citizen_id.clone());
        let target = Target::New(
            ProcedureCode::parse(procedure).map_err(|error| anyhow::anyhow!("{error}"))?,
        );
        let executed = self
            .send(citizen, target, Command::Submit(submission), now)
            .await?;
        self.code = Some(executed.case.code);
        Ok(())
    }

    async fn then(
        &mut self,
        actor: Actor,
        command: Command,
        now: impl When,
    ) -> anyhow::Result<Executed> {
        let code = self.code.clone().context("submit first")?;
        self.send(actor, Target::Existing(code), command, now).await
    }

    async fn send(
        &self,
        actor: Actor,
        target: Target,
        command: Command,
        now: impl When,
    ) -> anyhow::Result<Executed> {
        let name = command.name();
        let request = Request {
            command_id: uuid::Uuid::now_v7().to_string(),
            actor,
            target,
            expected_version: None,
            command,
        };
        self.service
            .execute(request, now.instant()?)
            .await
            .with_context(|| format!("demo step `{name}` at {now}"))
    }

    async fn print(&self, title: &str) -> anyhow::Result<()> {
        let code = self.code.clone().context("submit first")?;
        let case = self
            .service
            .store()
            .load(&code)
            .await?
            .context("dossier stored")?;
        let events = self.service.store().events(&code).await?;
        println!("\n{title}");
        crate::case_cli::print_case(self.service, &case, &events).await;
        Ok(())
    }
}

/// The demo's officers: role, name, unit.
const STAFF: [(&str, &str, &str); 7] = [
    ("mot_cua", "Nguyễn Thị Lan", COMMUNE),
    ("tu_phap", "Lê Văn Hùng", COMMUNE),
    ("chu_tich", "Trần Quốc Toàn", COMMUNE),
    ("lanh_dao", "Phạm Minh Đức", COMMUNE),
    ("can_bo_tiep_nhan", "Đỗ Thu Hà", COMMUNE),
    ("cong_an_cu_tru", "Vũ Đình Nam", COMMUNE_POLICE),
    ("bhxh", "Bùi Thị Ngọc", SOCIAL_INSURANCE),
];

/// The demo's officers as users, so timelines and Form 06 name them.
async fn add_staff(service: &Service<AnyStore>) -> anyhow::Result<()> {
    use hoso_engine::ports::{Access as _, User, UserKind};
    for (role, name, in_unit) in STAFF {
        let user = User {
            id: format!("can-bo-{role}"),
            name: name.to_owned(),
            kind: UserKind::Officer,
            role: Some(role.to_owned()),
            unit: Some(unit(in_unit)?),
            citizen_id: None,
        };
        service.store().add_user(&user, Utc::now()).await?;
    }
    Ok(())
}

/// A supplement request (Form 02) for one document.
fn supplement(document: &str, note: &str, reason: &str) -> Command {
    Command::RequestSupplement {
        missing: vec![MissingDocument {
            document: document.to_owned(),
            note: note.to_owned(),
        }],
        reason: reason.to_owned(),
    }
}

/// The applicant's answer to a supplement request: one uploaded file.
fn resubmit(component: &str, file_name: &str) -> Command {
    Command::SubmitSupplement {
        form: Map::new(),
        documents: vec![upload(component, file_name)],
    }
}

fn action(id: &str) -> Command {
    Command::TakeAction {
        action: id.to_owned(),
        reason: None,
        data: Map::new(),
        results: Vec::new(),
    }
}

/// Runs every demo walk.
pub async fn run(service: &Service<AnyStore>) -> anyhow::Result<()> {
    println!(
        "Simulated office hours from Monday 2 March 2026 (calendar {}).",
        service.calendars().version()
    );
    add_staff(service).await?;
    let desk = || officer("mot_cua", COMMUNE);

    // 1. Birth registration, full-process, received and returned the same day.
    let mut birth = Walk::new(service);
    birth
        .submit(
            "1.001193",
            Submission {
                channel: ChannelKind::Online,
                receiving_unit: unit(COMMUNE)?,
                applicant: applicant("001090000001", "Nguyễn Văn Bình"),
                form: form(json!({
                    "ho_ten_tre": "Nguyễn Minh An", "ngay_sinh": "2026-02-20", "gioi_tinh": "Nam",
                    "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "so_dinh_danh_nguoi_yeu_cau": "001090000001"
                })),
                documents: vec![upload("to_khai", "to-khai-khai-sinh.pdf"), from_store("giay_chung_sinh", "Giấy chứng sinh")], delivery: None, lookup_key: None, notify: None, vneid: false
            },
            "2026-03-02T08:05:00+07:00",
        )
        .await?;
    birth
        .then(desk()?, Command::Receive, "2026-03-02T08:30:00+07:00")
        .await?;
    birth
        .then(
            desk()?,
            action("chuyen_tham_dinh"),
            "2026-03-02T09:00:00+07:00",
        )
        .await?;
    birth
        .then(
            officer("tu_phap", COMMUNE)?,
            action("trinh_ky"),
            "2026-03-02T10:30:00+07:00",
        )
        .await?;
    birth
        .then(
            officer("chu_tich", COMMUNE)?,
            action("phe_duyet"),
            "2026-03-02T14:00:00+07:00",
        )
        .await?;
    birth
        .then(desk()?, Command::ReturnResult, "2026-03-02T15:00:00+07:00")
        .await?;
    birth
        .print("1. Đăng ký khai sinh — received and returned on time")
        .await?;

    // 2. Copy of a civil-status extract: fee paid online, supplement requested and resubmitted.
    let mut extract = Walk::new(service);
    extract
        .submit(
            "2.000635",
            Submission {
                channel: ChannelKind::Online,
                receiving_unit: unit(COMMUNE)?,
                applicant: applicant("001090000002", "Trần Thị Cúc"),
                form: form(
                    json!({ "loai_su_kien": "khai_sinh", "so_ban_sao": 2, "mien_phi": false }),
                ),
                documents: vec![upload("to_khai", "to-khai-trich-luc.pdf")],
                delivery: None,
                lookup_key: None,
                vneid: false,
                notify: None,
            },
            "2026-03-02T09:10:00+07:00",
        )
        .await?;
    extract
        .then(desk()?, Command::Receive, "2026-03-02T09:20:00+07:00")
        .await?;
    extract
        .then(
            desk()?,
            action("chuyen_tham_dinh"),
            "2026-03-02T09:40:00+07:00",
        )
        .await?;
    let paid = Command::RecordPayment {
        amount: Money::dong(16_000),
        reference: "VNPAY-14234560".to_owned(),
    };
    extract
        .then(
            Actor::system("vnpay-ipn"),
            paid,
            "2026-03-02T09:45:00+07:00",
        )
        .await?;
    extract
        .then(
            officer("tu_phap", COMMUNE)?,
            supplement(
                "to_khai",
                "Ghi rõ số, quyển sổ đăng ký khai sinh",
                "Không tra cứu được dữ liệu hộ tịch theo thông tin đã khai",
            ),
            "2026-03-02T10:30:00+07:00",
        )
        .await?;
    extract
        .then(
            Actor::citizen("001090000002"),
            resubmit("to_khai", "to-khai-bo-sung.pdf"),
            "2026-03-03T16:20:00+07:00",
        )
        .await?;
    extract
        .then(
            officer("tu_phap", COMMUNE)?,
            action("trinh_ky"),
            "2026-03-04T08:15:00+07:00",
        )
        .await?;
    extract
        .then(
            officer("lanh_dao", COMMUNE)?,
            action("ky_duyet"),
            "2026-03-04T09:30:00+07:00",
        )
        .await?;
    extract
        .then(desk()?, action("phat_hanh"), "2026-03-04T10:00:00+07:00")
        .await?;
    extract
        .then(desk()?, Command::ReturnResult, "2026-03-04T10:05:00+07:00")
        .await?;
    extract.print("2. Cấp bản sao Trích lục hộ tịch — fee paid online, supplement requested and resubmitted").await?;

    // 3. Temporary residence registration refused at intake.
    let mut residence = Walk::new(service);
    residence
        .submit(
            "1.004194",
            Submission {
                channel: ChannelKind::Online,
                receiving_unit: unit(COMMUNE)?,
                applicant: applicant("001090000003", "Lê Văn Dũng"),
                form: form(json!({
                    "dia_chi_tam_tru": "Số 5 ngõ 12 phố Huế, Hà Nội", "thoi_han_thang": 12,
                    "dang_ky_theo_danh_sach": false, "so_nguoi": 1, "mien_le_phi": false
                })),
                documents: vec![
                    upload("ct01", "CT01.pdf"),
                    upload("cho_o_hop_phap", "hop-dong-thue-nha.pdf"),
                ],
                delivery: None,
                lookup_key: None,
                vneid: false,
                notify: None,
            },
            "2026-03-02T10:00:00+07:00",
        )
        .await?;
    let refuse = Command::RefuseIntake {
        reason: "Địa chỉ đăng ký tạm trú thuộc địa bàn phường khác; đề nghị nộp tại Công an phường nơi có chỗ ở".to_owned(),
    };
    residence
        .then(
            officer("can_bo_tiep_nhan", COMMUNE)?,
            refuse,
            "2026-03-02T10:20:00+07:00",
        )
        .await?;
    residence
        .print("3. Đăng ký tạm trú — refused at intake")
        .await?;

    // 4. Judicial record certificate withdrawn by the applicant.
    let mut record = Walk::new(service);
    record
        .submit(
            "3.000333",
            Submission {
                channel: ChannelKind::Online,
                receiving_unit: unit(PROVINCE_POLICE)?,
                applicant: applicant("001090000004", "Phạm Thị Hoa"),
                form: form(json!({ "loai_phieu": "phieu_so_1", "so_ban": 1, "uy_quyen": false, "giam_phi": false, "mien_phi": false })),
                documents: vec![upload("to_khai", "to-khai-lltp.pdf")], delivery: None, lookup_key: None, notify: None, vneid: false
            },
            "2026-03-02T11:00:00+07:00",
        )
        .await?;
    record
        .then(
            officer("mot_cua", PROVINCE_POLICE)?,
            Command::Receive,
            "2026-03-02T13:45:00+07:00",
        )
        .await?;
    let withdraw = Command::Withdraw {
        reason: "Đã có Phiếu lý lịch tư pháp còn hạn".to_owned(),
    };
    record
        .then(
            Actor::citizen("001090000004"),
            withdraw,
            "2026-03-03T09:00:00+07:00",
        )
        .await?;
    record
        .print("4. Cấp Phiếu lý lịch tư pháp — withdrawn by the applicant")
        .await?;

    inter_agency(service).await?;

    let report = service.rebuild_projections().await?;
    if report.rewritten != 0 {
        bail!(
            "{} projections differed from their events",
            report.rewritten
        );
    }
    println!(
        "\n{} dossiers; every chain verified and every projection equals its replay.",
        report.dossiers
    );
    Ok(())
}

/// The fifth walk: the "3 in 1" liên thông dossier through three units with their own codes, routed by the
/// directory (fixtures/units.toml): the police consult the commune and ask for a supplement of
/// their own after the commune's desk asked for one.
async fn inter_agency(service: &Service<AnyStore>) -> anyhow::Result<()> {
    let desk = || officer("mot_cua", COMMUNE);
    let police = || officer("cong_an_cu_tru", COMMUNE_POLICE);
    let mut bundle = Walk::new(service);
    bundle
        .submit(
            "1.003412",
            Submission {
                channel: ChannelKind::Online,
                receiving_unit: unit(COMMUNE)?,
                applicant: applicant("001090000005", "Hoàng Văn Em"),
                form: form(json!({
                    "ho_ten_tre": "Hoàng Minh Khang", "ngay_sinh": "2026-02-25", "gioi_tinh": "Nam",
                    "dia_chi_thuong_tru": "Thôn Đông, xã Tân Lập", "noi_kham_chua_benh": "Trạm y tế xã Tân Lập"
                })),
                documents: vec![
                    upload("to_khai_lien_thong", "to-khai-lien-thong.pdf"),
                    from_store("giay_chung_sinh", "Giấy chứng sinh"),
                ], delivery: None, lookup_key: None, notify: None, vneid: false
            },
            "2026-03-02T08:10:00+07:00",
        )
        .await?;
    bundle
        .then(desk()?, Command::Receive, "2026-03-02T08:40:00+07:00")
        .await?;
    bundle
        .then(
            desk()?,
            supplement(
                "to_khai_lien_thong",
                "Ký và ghi rõ họ tên người đi đăng ký",
                "Tờ khai chưa có chữ ký của người yêu cầu",
            ),
            "2026-03-02T08:50:00+07:00",
        )
        .await?;
    bundle
        .then(
            Actor::citizen("001090000005"),
            resubmit("to_khai_lien_thong", "to-khai-da-ky.pdf"),
            "2026-03-02T10:00:00+07:00",
        )
        .await?;
    for (role, step, time) in [
        ("mot_cua", "chuyen_khai_sinh", "2026-03-02T10:15:00+07:00"),
        ("tu_phap", "trinh_ky", "2026-03-02T13:30:00+07:00"),
        ("chu_tich", "ky_chuyen_cong_an", "2026-03-02T15:00:00+07:00"),
    ] {
        bundle
            .then(officer(role, COMMUNE)?, action(step), time)
            .await?;
    }
    bundle
        .then(
            police()?,
            Command::Consult {
                unit: unit(COMMUNE)?,
                question:
                    "Đề nghị xác nhận chủ hộ tại Thôn Đông đã đồng ý cho trẻ đăng ký thường trú"
                        .to_owned(),
            },
            "2026-03-03T08:30:00+07:00",
        )
        .await?;
    bundle
        .then(
            desk()?,
            Command::AnswerConsultation {
                consultation: 0,
                answer: "Chủ hộ Hoàng Văn Em là cha của trẻ; đã đồng ý".to_owned(),
            },
            "2026-03-03T09:30:00+07:00",
        )
        .await?;
    bundle
        .then(
            police()?,
            supplement(
                "dong_y_cho_o",
                "Bản chụp văn bản đồng ý của chủ sở hữu chỗ ở",
                "Chỗ ở thuộc sở hữu của ông bà nội; cần văn bản đồng ý của chủ sở hữu",
            ),
            "2026-03-03T10:00:00+07:00",
        )
        .await?;
    bundle
        .then(
            Actor::citizen("001090000005"),
            resubmit("dong_y_cho_o", "van-ban-dong-y.pdf"),
            "2026-03-03T14:00:00+07:00",
        )
        .await?;
    bundle
        .then(
            police()?,
            action("chuyen_bhxh"),
            "2026-03-04T09:00:00+07:00",
        )
        .await?;
    bundle
        .then(
            officer("bhxh", SOCIAL_INSURANCE)?,
            action("cap_the"),
            "2026-03-04T14:00:00+07:00",
        )
        .await?;
    bundle
        .then(
            desk()?,
            action("tra_ket_qua_lien_thong"),
            "2026-03-05T08:30:00+07:00",
        )
        .await?;
    bundle
        .then(desk()?, Command::ReturnResult, "2026-03-05T09:00:00+07:00")
        .await?;
    bundle
        .print("5. Liên thông khai sinh – thường trú – BHYT — across three units, a supplement from two agencies")
        .await
}

/// A birth registration's submission at the commune, by `citizen_id`.
fn birth_submission(citizen_id: &str, name: &str, child: &str) -> anyhow::Result<Submission> {
    Ok(Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit(COMMUNE)?,
        applicant: applicant(citizen_id, name),
        form: form(json!({
            "ho_ten_tre": child, "ngay_sinh": "2026-11-20", "gioi_tinh": "Nữ",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "so_dinh_danh_nguoi_yeu_cau": citizen_id
        })),
        documents: vec![
            upload("to_khai", "to-khai-khai-sinh.pdf"),
            from_store("giay_chung_sinh", "Giấy chứng sinh"),
        ],
        delivery: None,
        lookup_key: None,
        notify: None,
        vneid: false,
    })
}

/// A request for two copies of a birth extract at the commune, by `citizen_id`.
fn extract_submission(citizen_id: &str, name: &str) -> anyhow::Result<Submission> {
    Ok(Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit(COMMUNE)?,
        applicant: applicant(citizen_id, name),
        form: form(json!({ "loai_su_kien": "khai_sinh", "so_ban_sao": 2, "mien_phi": false })),
        documents: vec![upload("to_khai", "to-khai-trich-luc.pdf")],
        delivery: None,
        lookup_key: None,
        notify: None,
        vneid: false,
    })
}

/// The citizen whose dossiers the demo's citizen account sees.
const DEMO_CITIZEN: (&str, &str) = ("001090000001", "Nguyễn Văn Bình");

/// For `serve --demo`: dossiers waiting at each desk now, on today's clock (so their deadlines
/// lie ahead), and one account per role with a fresh token, for the sign-in page to offer.
pub async fn live(
    service: &Service<AnyStore>,
) -> anyhow::Result<Vec<hoso_adapters::access::DemoAccount>> {
    let now = Utc::now();
    let ago = |minutes: i64| now - chrono::Duration::minutes(minutes);
    let desk = || officer("mot_cua", COMMUNE);
    let (citizen_id, citizen_name) = DEMO_CITIZEN;

    let desk_receives = || -> anyhow::Result<Vec<(Actor, Command, DateTime<Utc>)>> {
        Ok(vec![
            (desk()?, Command::Receive, ago(80)),
            (desk()?, action("chuyen_tham_dinh"), ago(75)),
        ])
    };
    // Submitted, waiting for the one-stop desk to receive it.
    let child = birth_submission(citizen_id, citizen_name, "Nguyễn Thu Trang")?;
    waiting(service, "1.001193", child, ago(90), Vec::new()).await?;
    // Received and sent to the justice officer for review.
    let child = birth_submission("001090000005", "Hoàng Văn Sơn", "Hoàng Minh Khôi")?;
    waiting(service, "1.001193", child, ago(90), desk_receives()?).await?;
    // Reviewed, waiting for the chairman's signature.
    let child = birth_submission("001090000006", "Đặng Thị Lý", "Đặng Gia Huy")?;
    let mut steps = desk_receives()?;
    steps.push((officer("tu_phap", COMMUNE)?, action("trinh_ky"), ago(60)));
    waiting(service, "1.001193", child, ago(90), steps).await?;
    // The citizen's own: a supplement asked of her once the fee was paid, and a fee to pay.
    let mut steps = desk_receives()?;
    steps.push((
        Actor::system("vnpay-ipn"),
        Command::RecordPayment {
            amount: Money::dong(16_000),
            reference: "VNPAY-14234561".to_owned(),
        },
        ago(70),
    ));
    steps.push((
        officer("tu_phap", COMMUNE)?,
        supplement(
            "to_khai",
            "Ghi rõ số, quyển sổ đăng ký khai sinh",
            "Không tra cứu được dữ liệu hộ tịch theo thông tin đã khai",
        ),
        ago(30),
    ));
    let extract = extract_submission(citizen_id, citizen_name)?;
    waiting(service, "2.000635", extract, ago(90), steps).await?;
    let extract = extract_submission(citizen_id, citizen_name)?;
    waiting(service, "2.000635", extract, ago(90), desk_receives()?).await?;
    println!(
        "\nWaiting now: a birth registration at the desk, one at review, one for signature; {citizen_name}'s extract awaiting a supplement and another its fee."
    );
    accounts(service, now).await
}

/// A dossier submitted at `submitted` and walked through `steps`, left waiting where they end.
async fn waiting(
    service: &Service<AnyStore>,
    procedure: &str,
    submission: Submission,
    submitted: DateTime<Utc>,
    steps: Vec<(Actor, Command, DateTime<Utc>)>,
) -> anyhow::Result<()> {
    let mut walk = Walk::new(service);
    walk.submit(procedure, submission, submitted).await?;
    for (actor, command, at) in steps {
        walk.then(actor, command, at).await?;
    }
    Ok(())
}

/// One account per role of the demo, each with a token for as long as a demo server may run.
async fn accounts(
    service: &Service<AnyStore>,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<hoso_adapters::access::DemoAccount>> {
    use hoso_adapters::access::{DemoAccount, Secret};
    use hoso_engine::ports::{Access as _, User, UserKind};
    let (citizen_id, citizen_name) = DEMO_CITIZEN;
    let person = |id: &str, name: &str, kind: UserKind| User {
        id: id.to_owned(),
        name: name.to_owned(),
        kind,
        role: None,
        unit: None,
        citizen_id: None,
    };
    let mut people = vec![(
        User {
            citizen_id: Some(citizen_id.to_owned()),
            ..person("cong-dan-demo", citizen_name, UserKind::Citizen)
        },
        format!("Công dân, số định danh cá nhân {citizen_id}"),
    )];
    let catalogue = service.catalogue();
    let directory = service.directory();
    for (role, _, in_unit) in STAFF {
        let role_name = catalogue
            .iter()
            .flat_map(|procedure| procedure.definition().roles.clone())
            .find(|known| known.id == role)
            .map_or_else(|| role.to_owned(), |known| known.name);
        let unit_code = unit(in_unit)?;
        let unit_name = directory
            .unit(&unit_code)
            .map_or_else(|| in_unit.to_owned(), |entry| entry.name.clone());
        let user = service
            .store()
            .user(&format!("can-bo-{role}"))
            .await?
            .with_context(|| format!("the demo's officer for {role}"))?;
        people.push((user, format!("{role_name} — {unit_name}")));
    }
    people.push((
        person("kiem-tra-demo", "Hoàng Thị Mai", UserKind::Auditor),
        "Thanh tra, kiểm tra: xem mọi hồ sơ, không thay đổi gì".to_owned(),
    ));
    people.push((
        person("thiet-ke-demo", "Ngô Văn Khoa", UserKind::Designer),
        "Thiết kế thủ tục: soạn và công bố quy trình".to_owned(),
    ));
    let mut accounts = Vec::with_capacity(people.len());
    for (user, role) in people {
        if user.kind != UserKind::Officer {
            service.store().add_user(&user, now).await?;
        }
        let token = Secret::generate()
            .map_err(|error| anyhow::anyhow!("no randomness from the OS: {error}"))?;
        service
            .store()
            .add_token(
                &token.hash(),
                &user.id,
                now,
                now + chrono::Duration::days(30),
            )
            .await?;
        let home = match user.kind {
            UserKind::Citizen => "/my",
            UserKind::Auditor => "/audit",
            UserKind::Designer => "/design",
            UserKind::Officer | UserKind::Admin => "/inbox",
        };
        accounts.push(DemoAccount {
            name: user.name,
            role,
            token,
            home: home.to_owned(),
        });
    }
    Ok(accounts)
}
