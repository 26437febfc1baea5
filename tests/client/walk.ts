// The citizen-and-officer walk of docs/api.md, through a client generated from /openapi.json
// (openapi-typescript) and openapi-fetch: if the document and the server disagree on a path, a
// body or a field, this either fails to type-check or fails when it runs.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Submission = components["schemas"]["SubmitRequest"];
type Dossier = components["schemas"]["DossierView"];

const base = required("HOSO");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

function as(token: string) {
  return createClient<paths>({
    baseUrl: base,
    headers: { Authorization: `Bearer ${required(token)}`, "Accept-Language": "vi" },
  });
}

const citizen = as("CITIZEN_TOKEN");
const desk = as("DESK_TOKEN");
const civil = as("CIVIL_TOKEN");
const chair = as("CHAIR_TOKEN");

const submission: Submission = {
  procedure: "1.001193",
  channel: "online",
  receiving_unit: "000.00.17.H21",
  applicant: { id_number: "001090000001", name: "Nguyễn Văn Bình", email: "binh@example.vn" },
  form: {
    ho_ten_tre: "Nguyễn Minh An",
    ngay_sinh: "2026-11-20",
    gioi_tinh: "Nam",
    noi_sinh: "Bệnh viện Phụ sản Hà Nội",
    so_dinh_danh_nguoi_yeu_cau: "001090000001",
  },
  documents: [
    { component: "giay_chung_sinh", name: "Giấy chứng sinh", provenance: "data_store", reference: "kho/123" },
  ],
};

const submitted = await citizen.POST("/api/v1/dossiers", {
  params: { header: { "Idempotency-Key": "client-birth-0001" } },
  body: submission,
});
if (!submitted.data) throw new Error(`submit: ${JSON.stringify(submitted.error)}`);
const code: string = submitted.data.code;
console.log(`submitted ${code}`);

const inbox = await desk.GET("/api/v1/inbox");
if (!inbox.data?.some((row) => row.code === code)) throw new Error(`not in the desk's inbox: ${JSON.stringify(inbox)}`);

async function act(
  client: ReturnType<typeof as>,
  body: components["schemas"]["ActionRequest"],
): Promise<Dossier> {
  const acted = await client.POST("/api/v1/dossiers/{code}/actions", {
    params: { path: { code } },
    body,
  });
  if (!acted.data) throw new Error(`${JSON.stringify(body)}: ${JSON.stringify(acted.error)}`);
  console.log(`${acted.data.status} after ${JSON.stringify(body)}`);
  return acted.data;
}

// A stale screen gets a problem in Vietnamese, typed as the document says.
const stale = await desk.POST("/api/v1/dossiers/{code}/actions", {
  params: { path: { code } },
  body: { action: "receive", expected_version: 99 },
});
if (stale.response.status !== 409 || !stale.error) throw new Error(`stale: ${stale.response.status}`);
console.log(`stale version refused: ${stale.error.title}`);

await act(desk, { action: "receive", expected_version: 1 });
await act(desk, { action: "chuyen_tham_dinh" });
await act(civil, { action: "trinh_ky" });
await act(chair, { action: "phe_duyet" });
const returned = await act(desk, { action: "return_result" });

const timeline = await citizen.GET("/api/v1/dossiers/{code}/timeline", { params: { path: { code } } });
if (!timeline.data) throw new Error(`timeline: ${JSON.stringify(timeline.error)}`);
console.log(`status ${returned.status}, ${timeline.data.length} events`);
