// Type-checks README-shaped requests and real server responses against the types generated from
// openapi/openapi.json (`openapi-typescript … -o target/contract/schema.d.ts`, run by
// scripts/contract-checks). The literals below are what the server actually sends for the README
// worked examples; a compile error here means the spec does not describe the wire format.
import type { components, paths } from "../../../target/contract/schema";

type Schemas = components["schemas"];
type Mission = Schemas["MissionResponse"];
type Tender = Schemas["TenderResponse"];
type Problem = Schemas["Problem"];
type TenderLint = paths["/api/v1/tenders/{id}/lint"]["get"]["responses"][200]["content"]["application/json"];
type CreateMission = paths["/api/v1/missions"]["post"]["requestBody"] extends infer B
  ? B extends { content: { "application/json": infer J } } ? J : never
  : never;
type CreatedMission = paths["/api/v1/missions"]["post"]["responses"][201]["content"]["application/json"];
type ProblemBody = paths["/api/v1/missions/{id}"]["patch"]["responses"][412]["content"]["application/problem+json"];

// README "Worked example": the request body of POST /api/v1/missions.
export const createMission: CreateMission = {
  statement: "By 2030, everyone eats well every day with nutritious, affordable, sustainable food",
  target_year: 2030,
  outcomes: [
    {
      kind: "early_change",
      title: "More children start the day with a healthy breakfast",
      indicators: [{ name: "Children attending breakfast clubs", unit: "children", baseline: "2400", target: "4000" }],
    },
  ],
};

// What GET /api/v1/missions/{id} returns for it.
export const mission: Mission = {
  id: "01a233a8-0743-7190-b4b5-46eece42cb0c",
  authority: "camden",
  statement: "By 2030, everyone eats well every day with nutritious, affordable, sustainable food",
  target_year: 2030,
  status: "achieved",
  outcomes: [
    {
      kind: "early_change",
      title: "More children start the day with a healthy breakfast",
      indicators: [{ name: "Children attending breakfast clubs", unit: "children", baseline: "2400", target: "4000" }],
    },
  ],
  version: 2,
  created_at: "2026-12-01T22:09:39.651561Z",
  updated_at: "2026-12-01T22:09:39.671298Z",
};

// A client reading the theory of change: the indicators of each outcome.
export function indicatorTargets(m: CreatedMission): string[] {
  return m.outcomes.flatMap((o) => o.indicators.map((i) => i.target ?? ""));
}

// What GET /api/v1/tenders/{id} returns after the README tender example.
export const tender: Tender = {
  id: "01a233a8-0761-71e5-8897-18cd234bdc8c",
  authority: "camden",
  title: "School meals pilot",
  description: "",
  estimated_value: "250000",
  currency: "GBP",
  award_method: "weighted_score",
  tie_break: ["higher_quality_subtotal", "higher_social_value_subtotal", "lower_price", "earlier_submission"],
  abnormally_low_percent: "20",
  spread_threshold: "2",
  mission_ids: [],
  status: "awarded",
  criteria_count: 2,
  version: 5,
  created_at: "2026-12-01T22:09:39.681346Z",
  updated_at: "2026-12-01T22:09:39.851166Z",
};

// What GET /api/v1/tenders/{id}/lint returns for the README model.
export const tenderLint: TenderLint = {
  errors: 0,
  warnings: 1,
  findings: [
    {
      severity: "warning",
      code: "social_value_below_floor",
      message: "social value carries 0% of the weighting, below the floor of 10% that PPN 002 asks for",
      criterion: null,
    },
  ],
};

// The 412 of a stale If-Match.
export const stale: ProblemBody = {
  type: "urn:mission-procurement:problem:precondition_failed",
  title: "Precondition failed",
  status: 412,
  detail: "the mission has changed since you read it (its ETag is now \"2\"); read it again and reapply your change",
  code: "precondition_failed",
  request_id: "01a233a8-3170-7133-ae5f-8ae6ead24f9c",
  errors: [],
  errors_omitted: 0,
};

// Clients branch on `code`.
export function isRetryable(p: Problem): boolean {
  switch (p.code) {
    case "precondition_failed":
    case "service_unavailable":
      return true;
    default:
      return false;
  }
}

export const tenderIsOpen = (t: Tender): boolean => t.status === "open";
