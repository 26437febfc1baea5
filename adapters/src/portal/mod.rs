//! Synchronising dossiers with the National Public Service Portal (Cổng DVCQG), the way public
//! one-stop systems do it: log in for a session, ask whether the dossier exists (`TraCuuHoSo`),
//! create or update it (`DongBoHoSoMC`, `isUpdating`), then push the step (`CapNhatTienDoHoSoMC`).
//!
//! Each delivery sends the dossier's *current* state, so repeating one, or delivering two out of
//! order, leaves the portal right. Connections and the status mapping are configuration per
//! agency (`portal.toml`), never constants.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hoso_engine::case::{ActorKind, Case, DossierCode, Event, Status, describe};
use hoso_engine::ports::Dossiers as _;
use hoso_engine::service::Service;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::access::Secret;
use hoso_engine::ports::OutboxEntry;

use crate::store::AnyStore;
use crate::worker::{Deliverer, Delivery, DeliveryError};

/// One agency's connection to the portal (through its LGSP or the national gateway).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyConnection {
    /// Receiving units whose dossiers go through this connection.
    pub units: Vec<String>,
    /// Base URL of the adapter.
    pub adapter_url: String,
    /// Login path.
    pub auth_endpoint: String,
    /// Service-call path.
    pub integration_endpoint: String,
    /// Account.
    pub username: String,
    /// Password (never printed).
    pub password: String,
    /// The agency's code on the portal (mã đơn vị).
    pub madonvi: String,
    /// Overrides of the status mapping: hoso status name → portal code.
    #[serde(default)]
    pub status_map: BTreeMap<String, u8>,
    /// The portal's code for each kind of applicant (LoaiDoiTuong): hoso kind name → code.
    /// [GUESS] citizen 1, organisation 2, foreigner 3 unless the agency's contract says other.
    #[serde(default)]
    pub applicant_kinds: BTreeMap<String, String>,
    /// The service that stores electronic results in the applicant's data store (kho dữ liệu
    /// điện tử của tổ chức, cá nhân), called through `integration_endpoint`. Without it,
    /// results meant for the data store wait as dead letters an operator sees.
    #[serde(default)]
    pub data_store_service: Option<String>,
    /// Each procedure's field code on the national database of procedures (MaLinhVuc), by
    /// procedure code, e.g. `"1.001193" = "G09-TP01"`; the portal scores records without one.
    #[serde(default)]
    pub field_codes: BTreeMap<String, String>,
    /// The public address citizens reach hoso at, e.g. `https://dichvucong.tanlap.gov.vn`: the
    /// result links (DuongDanTepTinKetQua) the portal counts an e-result by start with it.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The portal's code for a dossier paid through hoso's own gateway (DuocThanhToanTrucTuyen):
    /// 2, a provincial or ministry gateway, unless the agency's contract says otherwise; 1 is
    /// payment on the national portal itself.
    #[serde(default)]
    pub online_payment_code: Option<u8>,
}

/// The portal's code for the applicant's kind, after the agency's overrides.
pub fn applicant_kind_code(
    agency: &AgencyConnection,
    kind: hoso_engine::case::ApplicantKind,
) -> String {
    agency
        .applicant_kinds
        .get(kind.as_str())
        .cloned()
        .unwrap_or_else(|| {
            match kind {
                hoso_engine::case::ApplicantKind::Citizen => "1",
                hoso_engine::case::ApplicantKind::Organisation => "2",
                hoso_engine::case::ApplicantKind::Foreigner => "3",
            }
            .to_owned()
        })
}

impl std::fmt::Debug for AgencyConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgencyConnection")
            .field("units", &self.units)
            .field("adapter_url", &self.adapter_url)
            .field("madonvi", &self.madonvi)
            .finish_non_exhaustive()
    }
}

/// The portal configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// One entry per agency connection.
    pub agencies: Vec<AgencyConnection>,
}

impl PortalConfig {
    /// Reads `portal.toml`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        let config: Self =
            toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        for agency in &config.agencies {
            for name in agency.status_map.keys() {
                if Status::parse(name).is_none() {
                    return Err(format!(
                        "{}: status_map names an unknown status `{name}`",
                        path.display()
                    ));
                }
            }
        }
        Ok(config)
    }
}

/// `yyyyMMddHHmmss` in Vietnam time, or "" when absent.
fn portal_time(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| {
        at.with_timezone(&hoso_engine::clock::vietnam())
            .format("%Y%m%d%H%M%S")
            .to_string()
    })
    .unwrap_or_default()
}

/// The portal's status code for a dossier, after the agency's overrides.
pub fn portal_status(agency: &AgencyConnection, status: Status) -> u8 {
    agency
        .status_map
        .get(status.as_str())
        .copied()
        .unwrap_or_else(|| status.code())
}

/// A paper counts as digitised when hoso holds it as a file or a reference into a data store.
fn is_digitised(document: &hoso_engine::case::DocumentRef) -> bool {
    document.sha256.is_some() || document.reference.is_some()
}

/// The `DongBoHoSoMC` record of a dossier, with every field the portal scores on: the field
/// code, online payment, digitised and re-used components, VNeID sign-in, and each electronic
/// result with its code and link.
pub fn dossier_record(
    agency: &AgencyConnection,
    case: &Case,
    events: &[Event],
    procedure_name: &str,
    field: &str,
) -> Value {
    let paid_online = events.iter().any(|event| {
        matches!(
            event.kind,
            hoso_engine::case::EventKind::PaymentRecorded { .. }
        ) && event.actor.kind == ActorKind::System
    });
    let link = |sha256: &str| {
        agency
            .public_url
            .as_deref()
            .map_or_else(String::new, |base| {
                format!(
                    "{}/dossiers/{}/documents/{sha256}",
                    base.trim_end_matches('/'),
                    case.code
                )
            })
    };
    let results: Vec<Value> = case
        .result
        .iter()
        .flat_map(|result| {
            let files: Vec<Value> = result
                .documents
                .iter()
                .map(|document| {
                    json!({
                        "GiayToId": result.code,
                        "MaKetQua": result.code,
                        "TenGiayTo": document.name,
                        "MaHash": document.sha256,
                        "CoChuKySo": document.signed,
                        "DuongDanTepTinKetQua": link(&document.sha256),
                    })
                })
                .collect();
            if files.is_empty() {
                vec![json!({ "GiayToId": result.code, "MaKetQua": result.code })]
            } else {
                files
            }
        })
        .collect();
    json!({
        "MaHoSo": case.code.to_string(),
        "MaTTHC": case.procedure.code.to_string(),
        "TenTTHC": procedure_name,
        "MaLinhVuc": agency.field_codes.get(case.procedure.code.as_str()).cloned().unwrap_or_default(),
        "TenLinhVuc": field,
        "KenhThucHien": match case.channel {
            hoso_engine::procedure::ChannelKind::Direct => 1,
            hoso_engine::procedure::ChannelKind::Online => 2,
            hoso_engine::procedure::ChannelKind::Postal => 3,
        },
        "ChuHoSo": case.applicant.name,
        "LoaiDoiTuong": applicant_kind_code(agency, case.applicant.kind),
        "MaDoiTuong": case.applicant.citizen_id,
        "Email": case.applicant.email.clone().unwrap_or_default(),
        "SoDienThoai": case.applicant.phone.clone().unwrap_or_default(),
        "TrichYeuHoSo": format!("{procedure_name} — {}", case.applicant.name),
        "NgayTiepNhan": portal_time(case.received_at),
        "NgayHenTra": portal_time(case.appointment),
        "TrangThaiHoSo": portal_status(agency, case.status).to_string(),
        "NgayTra": portal_time(case.returned_at),
        "NgayKetThucXuLy": portal_time(case.finished_at),
        "DonViXuLy": case.unit.to_string(),
        "DuocThanhToanTrucTuyen": if paid_online { agency.online_payment_code.unwrap_or(2) } else { 0 },
        "TaiKhoanDuocXacThucVoiVNeID": case.vneid,
        "HoSoCoThanhPhanSoHoa": case.documents.iter().any(is_digitised),
        "TaiLieuNop": case.documents.iter().map(|document| json!({
            "TepDinhKemId": document.sha256.clone().or_else(|| document.reference.clone()).unwrap_or_default(),
            "TenTepDinhKem": document.name,
            "IsDeleted": false,
            "MaThanhPhanHoSo": document.component,
            "DuocSoHoa": is_digitised(document),
            "DuocLayTuKhoDMQG": matches!(document.provenance, hoso_engine::case::Provenance::DataStore | hoso_engine::case::Provenance::Database),
        })).collect::<Vec<_>>(),
        "DanhSachLePhi": case.fees.iter().map(|fee| json!({ "TenPhiLePhi": fee.name, "Gia": fee.amount.as_dong() })).collect::<Vec<_>>(),
        "MaKetQua": case.result.as_ref().map(|result| result.code.clone()).unwrap_or_default(),
        "DuongDanTepTinKetQua": case.result.as_ref().and_then(|result| result.documents.first()).map(|document| link(&document.sha256)).unwrap_or_default(),
        "DanhSachGiayToKetQua": results,
    })
}

/// The `CapNhatTienDoHoSoMC` record of one event.
pub fn progress_record(agency: &AgencyConnection, case: &Case, event: &Event) -> Value {
    let (officer, unit) = match &event.actor.kind {
        // The person by name as their event recorded it; the role only for older events.
        ActorKind::Officer { role, unit } => (
            event.actor.name.clone().unwrap_or_else(|| role.clone()),
            unit.to_string(),
        ),
        ActorKind::Citizen => ("Công dân".to_owned(), String::new()),
        ActorKind::System => ("Hệ thống".to_owned(), String::new()),
    };
    json!({
        "MaHoSo": case.code.to_string(),
        "NguoiXuLy": officer,
        "ThoiDiemXuLy": portal_time(Some(event.at)),
        "PhongBanXuLy": unit,
        "NoiDungXuLy": describe(event),
        "TrangThai": portal_status(agency, case.status).to_string(),
        "NgayBatDau": portal_time(case.clock_started_at),
        "NgayKetThucTheoQuyDinh": portal_time(case.appointment),
    })
}

/// Delivers `portal` outbox messages.
pub struct PortalDeliverer {
    service: Arc<Service<AnyStore>>,
    documents: crate::documents::DocumentStore,
    agencies: Vec<AgencyConnection>,
    http: reqwest::Client,
    sessions: Mutex<BTreeMap<String, String>>,
}

fn ok(answer: &Value) -> bool {
    matches!(answer.get("error_code"), Some(Value::String(code)) if code == "00" || code == "0")
        || answer.get("error_code").and_then(Value::as_i64) == Some(0)
}

impl PortalDeliverer {
    /// A deliverer for these agencies.
    pub fn new(
        service: Arc<Service<AnyStore>>,
        documents: crate::documents::DocumentStore,
        config: PortalConfig,
    ) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self {
            service,
            documents,
            agencies: config.agencies,
            http,
            sessions: Mutex::new(BTreeMap::new()),
        })
    }

    async fn post(&self, url: &str, body: &Value) -> Result<Value, DeliveryError> {
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|error| DeliveryError::retryable(format!("portal unreachable: {error}")))?;
        if response.status().is_server_error() {
            return Err(DeliveryError::retryable(format!(
                "portal answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|error| DeliveryError::retryable(format!("portal answered garbage: {error}")))
    }

    async fn session(
        &self,
        agency: &AgencyConnection,
        fresh: bool,
    ) -> Result<String, DeliveryError> {
        let mut sessions = self.sessions.lock().await;
        if !fresh && let Some(session) = sessions.get(&agency.madonvi) {
            return Ok(session.clone());
        }
        let password = Secret::from_client(&agency.password);
        let answer = self
            .post(
                &format!("{}{}", agency.adapter_url, agency.auth_endpoint),
                &json!({ "username": agency.username, "password": password.expose() }),
            )
            .await?;
        let session = answer
            .get("session")
            .and_then(Value::as_str)
            .filter(|_| ok(&answer))
            .ok_or_else(|| DeliveryError::retryable(format!("portal login refused: {answer}")))?
            .to_owned();
        sessions.insert(agency.madonvi.clone(), session.clone());
        Ok(session)
    }

    /// Calls a portal service, logging in again once if the session has lapsed.
    async fn call(
        &self,
        agency: &AgencyConnection,
        service: &str,
        params: Value,
    ) -> Result<Value, DeliveryError> {
        let url = format!("{}{}", agency.adapter_url, agency.integration_endpoint);
        for fresh in [false, true] {
            let mut body = json!({ "session": self.session(agency, fresh).await?, "madonvi": agency.madonvi, "service": service });
            if let (Some(body), Some(params)) = (body.as_object_mut(), params.as_object()) {
                body.extend(params.clone());
            }
            let answer = self.post(&url, &body).await?;
            if ok(&answer) || service == "TraCuuHoSo" {
                return Ok(answer);
            }
            if !fresh {
                continue;
            }
            return Err(DeliveryError::retryable(format!(
                "{service} refused: {answer}"
            )));
        }
        Err(DeliveryError::retryable(format!("{service} refused")))
    }

    /// The dossier an outbox message names, and the agency connection its receiving unit uses.
    fn addressed(
        &self,
        entry: &OutboxEntry,
    ) -> Result<(DossierCode, &AgencyConnection), DeliveryError> {
        let code = entry
            .payload
            .get("case")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let code = DossierCode::parse(code)
            .map_err(|error| DeliveryError::permanent(error.to_string()))?;
        let agency = self
            .agencies
            .iter()
            .find(|agency| agency.units.iter().any(|unit| unit == code.unit().as_str()))
            .ok_or_else(|| {
                DeliveryError::permanent(format!("no portal connection for unit {}", code.unit()))
            })?;
        Ok((code, agency))
    }

    async fn sync(&self, entry: &OutboxEntry) -> Result<String, DeliveryError> {
        let seq = entry
            .payload
            .get("seq")
            .and_then(Value::as_u64)
            .unwrap_or_default();
        let (code, agency) = self.addressed(entry)?;
        let store = self.service.store();
        let unavailable =
            |error: hoso_engine::ports::StoreError| DeliveryError::retryable(error.to_string());
        let case = store
            .load(&code)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| DeliveryError::permanent(format!("no dossier {code}")))?;
        let events = store.events(&code).await.map_err(unavailable)?;
        let event = events
            .iter()
            .find(|event| event.seq == seq)
            .cloned()
            .ok_or_else(|| {
                DeliveryError::permanent(format!("dossier {code} has no event {seq}"))
            })?;
        let procedure = self
            .service
            .procedure_of(&case)
            .map_err(|error| DeliveryError::retryable(error.to_string()))?;
        let definition = procedure.definition();
        let found = self
            .call(agency, "TraCuuHoSo", json!({ "mahoso": code.to_string() }))
            .await?;
        let exists = found.get("result").is_some_and(|result| {
            result.as_array().is_some_and(|items| !items.is_empty()) || result.is_object()
        });
        let record = dossier_record(agency, &case, &events, &definition.name, &definition.field);
        self.call(
            agency,
            "DongBoHoSoMC",
            json!({ "isUpdating": if exists { "True" } else { "False" }, "data": [record] }),
        )
        .await?;
        self.call(
            agency,
            "CapNhatTienDoHoSoMC",
            json!({ "data": [progress_record(agency, &case, &event)] }),
        )
        .await?;
        Ok(format!("dvcqg:{code}:{seq}"))
    }
}

impl PortalDeliverer {
    /// Sends a dossier's electronic results (PDF, base64) to the applicant's data store.
    async fn store_results(&self, entry: &OutboxEntry) -> Result<String, DeliveryError> {
        let (code, agency) = self.addressed(entry)?;
        let service = agency.data_store_service.as_deref().ok_or_else(|| {
            DeliveryError::permanent(format!(
                "portal.toml names no data_store_service for agency {}: the results of {code} cannot reach the applicant's data store",
                agency.madonvi
            ))
        })?;
        let case = self
            .service
            .store()
            .load(&code)
            .await
            .map_err(|error| DeliveryError::retryable(error.to_string()))?
            .ok_or_else(|| DeliveryError::permanent(format!("no dossier {code}")))?;
        let result = case
            .result
            .as_ref()
            .ok_or_else(|| DeliveryError::permanent(format!("dossier {code} has no result")))?;
        let mut files = Vec::new();
        for document in &result.documents {
            let bytes = self
                .documents
                .get(&document.sha256)
                .await
                .map_err(|error| DeliveryError::retryable(format!("reading a result: {error}")))?
                .ok_or_else(|| {
                    DeliveryError::retryable(format!(
                        "result {} of {code} is not in the document store yet",
                        document.sha256
                    ))
                })?;
            use base64::Engine as _;
            files.push(json!({
                "TenTep": document.name,
                "MaHash": document.sha256,
                "KichThuoc": document.size,
                "CoChuKySo": document.signed,
                "NguoiKy": document.signers,
                "NoiDungTep": base64::engine::general_purpose::STANDARD.encode(&bytes),
            }));
        }
        self.call(
            agency,
            service,
            json!({ "data": [{
                "MaHoSo": code.to_string(),
                "MaKetQua": result.code,
                "LoaiDoiTuong": applicant_kind_code(agency, case.applicant.kind),
                "MaDoiTuong": case.applicant.citizen_id,
                "IdempotencyKey": entry.idempotency_key,
                "TepKetQua": files,
            }] }),
        )
        .await?;
        Ok(format!("kho:{code}:{}", result.code))
    }
}

impl Deliverer for PortalDeliverer {
    fn deliver<'a>(&'a self, entry: &'a OutboxEntry) -> Delivery<'a> {
        if entry.topic == "data_store" {
            Box::pin(self.store_results(entry))
        } else {
            Box::pin(self.sync(entry))
        }
    }
}

#[cfg(test)]
mod tests {
    use hoso_engine::case::{
        Actor, Applicant, DocumentRef, DossierCode, EventKind, GENESIS_HASH, NewEvent, Provenance,
        ResultDocument, UnitId, apply, seal,
    };
    use hoso_engine::money::Money;
    use hoso_engine::procedure::{ChannelKind, ProcedureCode, TimeLimit};
    use serde_json::Map;

    use super::*;

    fn agency() -> AgencyConnection {
        toml::from_str(
            "units = [\"000.00.17.H21\"]\nadapter_url = \"http://lgsp\"\nauth_endpoint = \"/auth\"\nintegration_endpoint = \"/dvcqg\"\nusername = \"hoso\"\npassword = \"p\"\nmadonvi = \"000.00.17.H21\"\nfield_codes = { \"2.000635\" = \"G09-TP02\" }\npublic_url = \"https://dvc.example.vn\"\n",
        )
        .expect("agency")
    }

    fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&chrono::Utc)
    }

    /// An extract paid through VNPAY, submitted after a VNeID sign-in, with a signed e-result.
    fn paid_extract() -> (Case, Vec<Event>) {
        let unit = UnitId::parse("000.00.17.H21").expect("unit");
        let code = DossierCode::new(
            unit.clone(),
            at("2026-03-02T08:00:00+07:00").date_naive(),
            1,
        )
        .expect("code");
        let desk = Actor::officer("u-7", "mot_cua", unit.clone()).named("Nguyễn Thị Lan");
        let event = |actor: &Actor, kind: EventKind| NewEvent {
            at: at("2026-03-02T09:00:00+07:00"),
            actor: actor.clone(),
            kind,
            command_id: format!("c-{}", rand_id()),
        };
        let kinds = vec![
            event(
                &Actor::citizen("001090000001"),
                EventKind::Submitted {
                    procedure: hoso_engine::case::ProcedureRef {
                        code: ProcedureCode::parse("2.000635").expect("code"),
                        version: 2,
                    },
                    channel: ChannelKind::Online,
                    receiving_unit: unit.clone(),
                    applicant: Applicant {
                        citizen_id: "001090000001".to_owned(),
                        name: "Nguyễn Văn Bình".to_owned(),
                        ..Applicant::default()
                    },
                    form: Map::new(),
                    documents: vec![DocumentRef {
                        component: "to_khai".to_owned(),
                        name: "to-khai.pdf".to_owned(),
                        sha256: Some("a".repeat(64)),
                        size: Some(10),
                        provenance: Provenance::Upload,
                        reference: None,
                    }],
                    fees: Vec::new(),
                    delivery: None,
                    notify: None,
                    lookup_key: None,
                    vneid: true,
                },
            ),
            event(
                &desk,
                EventKind::Received {
                    step: "tiep_nhan".to_owned(),
                    unit: unit.clone(),
                    time_limit: TimeLimit::WorkingDays(0),
                    appointment: at("2026-03-02T17:00:00+07:00"),
                    step_due: at("2026-03-02T11:00:00+07:00"),
                    calendar_version: "test".to_owned(),
                },
            ),
            event(
                &Actor::system("vnpay-ipn"),
                EventKind::PaymentRecorded {
                    amount: Money::dong(8000),
                    reference: "VNPAY-1".to_owned(),
                },
            ),
            event(
                &desk,
                EventKind::ResultIssued {
                    result_code: "KQ-1".to_owned(),
                    documents: vec![ResultDocument {
                        name: "trich-luc.pdf".to_owned(),
                        sha256: "b".repeat(64),
                        size: 2048,
                        signed: true,
                        signers: vec!["UBND xã Tân Lập".to_owned()],
                    }],
                },
            ),
        ];
        let events = seal(&code, 0, GENESIS_HASH, kinds);
        let (case, _) = apply(None, &events).expect("replays");
        (case, events)
    }

    fn rand_id() -> u32 {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    #[test]
    fn the_portal_record_carries_every_fact_the_portal_scores_on() {
        let (case, events) = paid_extract();
        let record = dossier_record(
            &agency(),
            &case,
            &events,
            "Cấp bản sao trích lục",
            "Hộ tịch",
        );
        assert_eq!(record["MaLinhVuc"], "G09-TP02");
        assert_eq!(
            record["DuocThanhToanTrucTuyen"], 2,
            "paid through hoso's gateway"
        );
        assert_eq!(record["TaiKhoanDuocXacThucVoiVNeID"], true);
        assert_eq!(record["HoSoCoThanhPhanSoHoa"], true);
        assert_eq!(
            record["TaiLieuNop"][0]["DuocSoHoa"], true,
            "an uploaded file"
        );
        assert_eq!(record["MaKetQua"], "KQ-1");
        let link = format!(
            "https://dvc.example.vn/dossiers/{}/documents/{}",
            case.code,
            "b".repeat(64)
        );
        assert_eq!(record["DuongDanTepTinKetQua"], link.as_str());
        assert_eq!(
            record["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"],
            link.as_str()
        );
        assert_eq!(record["DanhSachGiayToKetQua"][0]["CoChuKySo"], true);
        let progress = progress_record(&agency(), &case, &events[1]);
        assert_eq!(
            progress["NguoiXuLy"], "Nguyễn Thị Lan",
            "the officer by name, not a role id"
        );
    }

    #[test]
    fn without_a_public_address_the_result_has_its_code_but_no_link() {
        let (case, events) = paid_extract();
        let mut agency = agency();
        agency.public_url = None;
        agency.online_payment_code = Some(1);
        let record = dossier_record(&agency, &case, &events, "Cấp bản sao trích lục", "Hộ tịch");
        assert_eq!(record["DuongDanTepTinKetQua"], "");
        assert_eq!(record["DuocThanhToanTrucTuyen"], 1, "the agency's own code");
    }
}
