#!/usr/bin/env python3
"""Drives the README's worked examples through the Python client GENERATED from
openapi/openapi.json (openapi-python-client), against a running server.

Run by scripts/contract-checks. Environment:
  MP_BASE_URL        e.g. http://127.0.0.1:8080
  MP_TOKEN           officer + auditor + admin of `camden` (sub alice)
  MP_EVALUATOR_TOKEN evaluator of `camden` (sub ann)
  MP_SPEC            path of the OpenAPI document (default openapi/openapi.json)
  MP_REPORT          where to write the JSON report (optional)

Every call goes through the generated operation module: its `_get_kwargs` builds the request
and its `_parse_response` parses the answer (exactly what `sync_detailed` does, split so a
parse failure can be recorded and the flow continued on the raw JSON). Each call is checked for:
  status     the expected status code
  parse      the generated models cannot parse the response (spec and server disagree)
  response   the response body does not validate against the spec's schema (JSON Schema 2020-12)
  request    the request body (taken from the README / tests) does not validate against the spec
  model      the generated request model loses or changes data on from_dict → to_dict
  header     a header the README promises is missing or wrong
  assert     a key field differs from what the README documents
Exits 1 when anything is recorded.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import uuid
from collections import OrderedDict
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema

from mission_procurement_client import AuthenticatedClient, errors
from mission_procurement_client import models as _models

# The generated request models; a missing one is recorded when used and the body sent as is.
AwardRequest = getattr(_models, "AwardRequest", None)
CreateBidRequest = getattr(_models, "CreateBidRequest", None)
CreateContractRequest = getattr(_models, "CreateContractRequest", None)
CreateMissionRequest = getattr(_models, "CreateMissionRequest", None)
CreateTenderRequest = getattr(_models, "CreateTenderRequest", None)
DecisionRequest = getattr(_models, "DecisionRequest", None)
NoteRequest = getattr(_models, "NoteRequest", None)
NoticeRequest = getattr(_models, "NoticeRequest", None)
ObservationRequest = getattr(_models, "ObservationRequest", None)
PutCriteriaRequest = getattr(_models, "PutCriteriaRequest", None)
ScoreRequest = getattr(_models, "ScoreRequest", None)
TermRequest = getattr(_models, "TermRequest", None)
UpdateContractRequest = getattr(_models, "UpdateContractRequest", None)
UpdateMissionRequest = getattr(_models, "UpdateMissionRequest", None)
WhatIfRequest = getattr(_models, "WhatIfRequest", None)

# The generated operation modules, by tag. One the generator skipped is recorded as a failure
# when first used, so the rest of the flow still runs.
OPERATION_MODULES = {
    "list_audit_events": "audit",
    "verify_audit_trail": "audit",
    "create_bid": "bids",
    "list_bids": "bids",
    "list_scores": "bids",
    "moderate_score": "bids",
    "submit_score": "bids",
    "apply_consequence": "contracts",
    "contract_compliance": "contracts",
    "create_contract": "contracts",
    "create_performance_notice": "contracts",
    "create_term": "contracts",
    "get_contract": "contracts",
    "get_term": "contracts",
    "lint_contract": "contracts",
    "list_consequences": "contracts",
    "list_contracts": "contracts",
    "list_observations": "contracts",
    "list_performance_notices": "contracts",
    "list_terms": "contracts",
    "propose_consequences": "contracts",
    "submit_observations": "contracts",
    "update_contract": "contracts",
    "verify_observation": "contracts",
    "award_tender": "evaluation",
    "evaluate_tender": "evaluation",
    "freeze_evaluation": "evaluation",
    "get_assessment_summary": "evaluation",
    "get_award": "evaluation",
    "get_evaluation": "evaluation",
    "lint_tender": "evaluation",
    "list_assessment_summaries": "evaluation",
    "list_evaluations": "evaluation",
    "sensitivity": "evaluation",
    "verify_evaluation": "evaluation",
    "what_if": "evaluation",
    "create_mission": "missions",
    "get_mission": "missions",
    "list_missions": "missions",
    "update_mission": "missions",
    "health": "operations",
    "ready": "operations",
    "get_settings": "settings",
    "close_tender": "tenders",
    "create_tender": "tenders",
    "get_criteria": "tenders",
    "get_tender": "tenders",
    "open_tender": "tenders",
    "put_criteria": "tenders",
}


class MissingOperation:
    def __init__(self, name: str, error: Exception):
        self.name = name
        self.error = error


def _load(name: str) -> Any:
    try:
        return importlib.import_module(f"mission_procurement_client.api.{OPERATION_MODULES[name]}.{name}")
    except ImportError as e:
        return MissingOperation(name, e)


list_audit_events = _load("list_audit_events")
verify_audit_trail = _load("verify_audit_trail")
create_bid = _load("create_bid")
list_bids = _load("list_bids")
list_scores = _load("list_scores")
moderate_score = _load("moderate_score")
submit_score = _load("submit_score")
apply_consequence = _load("apply_consequence")
contract_compliance = _load("contract_compliance")
create_contract = _load("create_contract")
create_performance_notice = _load("create_performance_notice")
create_term = _load("create_term")
get_contract = _load("get_contract")
get_term = _load("get_term")
lint_contract = _load("lint_contract")
list_consequences = _load("list_consequences")
list_contracts = _load("list_contracts")
list_observations = _load("list_observations")
list_performance_notices = _load("list_performance_notices")
list_terms = _load("list_terms")
propose_consequences = _load("propose_consequences")
submit_observations = _load("submit_observations")
update_contract = _load("update_contract")
verify_observation = _load("verify_observation")
award_tender = _load("award_tender")
evaluate_tender = _load("evaluate_tender")
freeze_evaluation = _load("freeze_evaluation")
get_assessment_summary = _load("get_assessment_summary")
get_award = _load("get_award")
get_evaluation = _load("get_evaluation")
lint_tender = _load("lint_tender")
list_assessment_summaries = _load("list_assessment_summaries")
list_evaluations = _load("list_evaluations")
sensitivity = _load("sensitivity")
verify_evaluation = _load("verify_evaluation")
what_if = _load("what_if")
create_mission = _load("create_mission")
get_mission = _load("get_mission")
list_missions = _load("list_missions")
update_mission = _load("update_mission")
health = _load("health")
ready = _load("ready")
get_settings = _load("get_settings")
close_tender = _load("close_tender")
create_tender = _load("create_tender")
get_criteria = _load("get_criteria")
get_tender = _load("get_tender")
open_tender = _load("open_tender")
put_criteria = _load("put_criteria")

BASE_URL = os.environ["MP_BASE_URL"]
TOKEN = os.environ["MP_TOKEN"]
EVALUATOR_TOKEN = os.environ["MP_EVALUATOR_TOKEN"]
SPEC_PATH = os.environ.get("MP_SPEC", "openapi/openapi.json")

with open(SPEC_PATH, encoding="utf-8") as f:
    SPEC = json.load(f)
SPEC_URI = "urn:mission-procurement:openapi"
REGISTRY = referencing.Registry().with_resource(
    SPEC_URI,
    referencing.Resource.from_contents(SPEC, default_specification=referencing.jsonschema.DRAFT202012),
)
OPERATIONS: dict[str, tuple[str, str, dict]] = {}
for _path, _item in SPEC["paths"].items():
    for _method, _op in _item.items():
        if isinstance(_op, dict) and "operationId" in _op:
            OPERATIONS[_op["operationId"]] = (_path, _method, _op)


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _strict(node: Any, in_all_of: bool = False) -> Any:
    """A copy of a schema that also refuses object members the schema does not declare."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "allOf":
            # allOf members must not refuse the members their siblings declare: point $refs at
            # a lenient copy; the schema holding the allOf gets the unevaluatedProperties.
            out[k] = [
                {"$ref": x["$ref"].replace("/schemas/", "/schemas/__lenient__")}
                if isinstance(x, dict) and set(x) == {"$ref"} else _strict(x, in_all_of=True)
                for x in v
            ]
        elif k in ("properties", "$defs", "schemas", "patternProperties"):
            out[k] = {name: _strict(x) for name, x in v.items()} if isinstance(v, dict) else v
        else:
            out[k] = _strict(v)
    if ("properties" in node or "allOf" in node) and not in_all_of and "additionalProperties" not in node \
            and "unevaluatedProperties" not in node:
        out["unevaluatedProperties"] = False
    return out


def _all_of_members(spec: dict) -> set[str]:
    names = set()
    def walk(n: Any) -> None:
        if isinstance(n, dict):
            for x in n.get("allOf", []) if isinstance(n.get("allOf"), list) else []:
                if isinstance(x, dict) and "$ref" in x:
                    names.add(x["$ref"].rsplit("/", 1)[-1])
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)
    walk(spec)
    return names


STRICT_SPEC = dict(SPEC)
STRICT_SPEC["paths"] = _strict(SPEC["paths"])
STRICT_SPEC["components"] = dict(SPEC["components"])
STRICT_SPEC["components"]["schemas"] = {name: _strict(sch) for name, sch in SPEC["components"]["schemas"].items()}
for _name in _all_of_members(SPEC):
    STRICT_SPEC["components"]["schemas"]["__lenient__" + _name] = _strict(SPEC["components"]["schemas"][_name], in_all_of=True)
STRICT_URI = "urn:mission-procurement:openapi-strict"
REGISTRY = REGISTRY.with_resource(
    STRICT_URI,
    referencing.Resource.from_contents(STRICT_SPEC, default_specification=referencing.jsonschema.DRAFT202012),
)


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def schema_errors(pointer: str, instance: Any, strict: bool = False) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        {"$ref": (STRICT_URI if strict else SPEC_URI) + pointer},
        registry=REGISTRY,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        if err.validator == "unevaluatedProperties":
            extra = sorted(k for k in (err.instance or {}) if k in err.message)
            out.append(f"at {where}: undeclared member(s) {extra} (declared: {_declared(err.schema)})")
            continue
        out.append(f"at {where}: {err.validator} {_short(err.validator_value, 120)} fails on {_short(err.instance)}")
    return out


def _declared(schema: Any) -> str:
    props: list[str] = []
    if isinstance(schema, dict):
        props += list(schema.get("properties", {}))
        for sub in schema.get("allOf", []):
            if isinstance(sub, dict):
                if "$ref" in sub:
                    target = SPEC["components"]["schemas"].get(sub["$ref"].rsplit("/", 1)[-1].removeprefix("__lenient__"), {})
                    props += list(target.get("properties", {}))
                props += list(sub.get("properties", {}))
    return ",".join(props)


class RawBody:
    """Stands in for a generated model whose round trip is lossy, so the flow can go on."""

    def __init__(self, data: Any):
        self.data = data

    def to_dict(self) -> Any:
        return self.data


class Recorder:
    def __init__(self) -> None:
        self.failures: "OrderedDict[tuple, dict]" = OrderedDict()
        self.calls = 0
        self.step = ""

    def fail(self, kind: str, op: str, detail: str) -> None:
        key = (kind, op, detail)
        if key in self.failures:
            self.failures[key]["count"] += 1
            return
        else:
            self.failures[key] = {"kind": kind, "operation": op, "detail": detail, "step": self.step, "count": 1}
            print(f"  FAIL [{kind}] {op}: {detail}", flush=True)

    def check(self, op: str, cond: bool, what: str) -> bool:
        if not cond:
            self.fail("assert", op, what)
        return cond


R = Recorder()


def model_chain(exc: BaseException) -> str:
    """The generated model classes whose from_dict was running when parsing failed."""
    chain = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if "/models/" in frame.f_code.co_filename:
            cls = frame.f_locals.get("cls")
            name = getattr(cls, "__name__", None) or os.path.basename(frame.f_code.co_filename)
            fn = frame.f_code.co_name
            label = f"{name}.{fn}" if fn == "from_dict" else f"{name}:{fn}"
            if not chain or chain[-1] != label:
                chain.append(label)
        tb = tb.tb_next
    return " → ".join(chain) or "(outside the models)"


def body_model(op: str, model_cls: Any, data: Any) -> Any:
    """Builds the generated request model from a README body; checks it survives the round trip."""
    path, method, spec_op = OPERATIONS[op]
    rb = spec_op.get("requestBody", {}).get("content", {}).get("application/json")
    if rb is not None:
        for e in schema_errors(_pointer("paths", path, method, "requestBody", "content", "application/json", "schema"), data):
            R.fail("request", op, f"README body rejected by the spec schema {e}")
    if model_cls is None:
        R.fail("generate", op, "the generator produced no request model for this body")
        return RawBody(data)
    try:
        if isinstance(data, list):
            model = [model_cls.from_dict(d) for d in data]
            back = [m.to_dict() for m in model]
        else:
            model = model_cls.from_dict(data)
            back = model.to_dict()
    except Exception as e:  # noqa: BLE001
        R.fail("model", op, f"{model_cls.__name__}.from_dict(README body) raised {type(e).__name__}: {e} ({model_chain(e)})")
        return RawBody(data)
    if json.dumps(back, sort_keys=True, default=str) != json.dumps(data, sort_keys=True, default=str):
        R.fail("model", op, f"{model_cls.__name__} round trip changes the body: sent {json.dumps(back)[:300]} instead of {json.dumps(data)[:300]}")
        return RawBody(data)
    return model


class Result:
    def __init__(self, status: int, json_body: Any, headers: Any, parsed: Any, text: str):
        self.status = status
        self.json = json_body
        self.headers = headers
        self.parsed = parsed
        self.text = text

    def __getitem__(self, key: str) -> Any:
        return (self.json or {}).get(key) if isinstance(self.json, dict) else None


def call(op: str, module: Any, expect: int, *, token: str | None = None, **kwargs: Any) -> Result:
    """One request through the generated operation module."""
    R.calls += 1
    if isinstance(module, MissingOperation):
        R.fail("generate", op, f"the generator produced no module for this operation ({module.error})")
        return Result(0, None, {}, None, "")
    client = CLIENTS[token or TOKEN]
    kw = module._get_kwargs(**kwargs)
    resp = client.get_httpx_client().request(**kw)
    text = resp.text
    try:
        body = resp.json() if text else None
    except ValueError:
        body = None
    ok_status = resp.status_code == expect
    if not ok_status:
        R.fail("status", op, f"expected {expect}, got {resp.status_code}: {text[:300]}")
    parsed = None
    try:
        parsed = module._parse_response(client=client, response=resp)
    except errors.UnexpectedStatus as e:
        R.fail("parse", op, f"status {e.status_code} is not documented for this operation")
    except Exception as e:  # noqa: BLE001
        msg = str(e)
        if len(msg) > 160:
            msg = msg[:60] + " … " + msg[-90:]
        R.fail("parse", op, f"HTTP {resp.status_code}: {type(e).__name__}: {msg} in {model_chain(e)}")
    # The response body against the spec's own schema for this status.
    path, method, spec_op = OPERATIONS[op]
    rspec = spec_op.get("responses", {}).get(str(resp.status_code))
    ctype = resp.headers.get("content-type", "").split(";")[0].strip()
    if rspec is None:
        if ok_status:
            R.fail("response", op, f"status {resp.status_code} not in the spec's responses")
    elif body is not None:
        content = rspec.get("content", {})
        if ctype not in content:
            R.fail("response", op, f"HTTP {resp.status_code} Content-Type {ctype!r} not among {sorted(content)}")
        else:
            ptr = _pointer("paths", path, method, "responses", str(resp.status_code), "content", ctype, "schema")
            errs = schema_errors(ptr, body)
            for e in errs:
                R.fail("response", op, f"HTTP {resp.status_code} {e}")
            if not errs:
                for e in schema_errors(ptr, body, strict=True):
                    R.fail("undeclared", op, f"HTTP {resp.status_code} {e}")
    return Result(resp.status_code, body, resp.headers, parsed, text)


def items(res: Result) -> list:
    """The elements of a collection response: a bare array or a page {items, next_cursor}."""
    if isinstance(res.json, dict):
        return res.json.get("items") or []
    return res.json if isinstance(res.json, list) else []


def etag_is(op: str, res: Result, want: str) -> None:
    R.check(op, res.headers.get("etag") == want, f"ETag {res.headers.get('etag')!r}, README says {want!r}")


def new_key() -> str:
    return f"contract-checks-{uuid.uuid4()}"


CLIENTS = {
    t: AuthenticatedClient(base_url=BASE_URL, token=t, raise_on_unexpected_status=True, timeout=30.0)
    for t in (TOKEN, EVALUATOR_TOKEN)
}


def missions() -> str:
    R.step = "missions"
    body = {
        "statement": "By 2030, everyone eats well every day with nutritious, affordable, sustainable food",
        "target_year": 2030,
        "outcomes": [
            {
                "kind": "early_change",
                "title": "More children start the day with a healthy breakfast",
                "indicators": [
                    {"name": "Children attending breakfast clubs", "unit": "children", "baseline": "2400", "target": "4000"}
                ],
            }
        ],
    }
    key = "6f1c2f8e-food-mission-" + uuid.uuid4().hex[:8]
    model = body_model("create_mission", CreateMissionRequest, body)
    m = call("create_mission", create_mission, 201, body=model, idempotency_key=key)
    mid = m["id"]
    etag_is("create_mission", m, '"1"')
    R.check("create_mission", (m.headers.get("location") or "").endswith(f"/api/v1/missions/{mid}"), f"Location {m.headers.get('location')!r}")
    outcomes = m["outcomes"] or []
    R.check("create_mission", bool(outcomes) and isinstance(outcomes[0], dict) and outcomes[0].get("indicators", [{}])[0].get("target") == "4000",
            f"outcomes[0].indicators[0].target should be \"4000\": {json.dumps(outcomes)[:200]}")
    again = call("create_mission", create_mission, 201, body=model, idempotency_key=key)
    R.check("create_mission", again.headers.get("idempotent-replayed") == "true", "replay lacks Idempotent-Replayed: true")
    R.check("create_mission", again["id"] == mid, "replay returned another mission")

    page = call("list_missions", list_missions, 200, limit=10)
    R.check("list_missions", any(i.get("id") == mid for i in (page["items"] or [])), "new mission not in the first page")
    got = call("get_mission", get_mission, 200, id=mid)
    etag_is("get_mission", got, '"1"')
    upd = body_model("update_mission", UpdateMissionRequest, {"status": "achieved"})
    u = call("update_mission", update_mission, 200, id=mid, body=upd, if_match=got.headers.get("etag") or '"1"')
    etag_is("update_mission", u, '"2"')
    R.check("update_mission", u["status"] == "achieved", f"status {u['status']!r}")
    stale = call("update_mission", update_mission, 412, id=mid, body=upd, if_match='"1"')
    R.check("update_mission", stale["code"] == "precondition_failed", f"code {stale['code']!r}")
    return mid


def tender_flow() -> dict:
    R.step = "tender"
    t = call("create_tender", create_tender, 201,
             body=body_model("create_tender", CreateTenderRequest, {"title": "School meals pilot", "estimated_value": "250000"}))
    tid = t["id"]
    etag_is("create_tender", t, '"1"')
    R.check("create_tender", (t["status"], t["award_method"]) == ("draft", "weighted_score"), f"status/award_method {t['status']}/{t['award_method']}")
    levels = [
        {"score": "0", "descriptor": "No response"}, {"score": "1", "descriptor": "Poor"},
        {"score": "2", "descriptor": "Partly answers"}, {"score": "3", "descriptor": "Answers with gaps"},
        {"score": "4", "descriptor": "Answers fully"}, {"score": "5", "descriptor": "Excellent, with evidence"},
    ]
    criteria = {"criteria": [
        {"code": "PRICE", "title": "Price", "category": "price", "weight": "60",
         "method": {"type": "linear_bounds", "floor": "50000", "ceiling": "150000"}},
        {"code": "Q1", "title": "Menu and nutrition plan", "category": "quality", "weight": "40",
         "minimum_percent": "40", "method": {"type": "scale", "levels": levels}},
    ]}
    pc = call("put_criteria", put_criteria, 200, id=tid, if_match=t.headers.get("etag") or '"1"',
              body=body_model("put_criteria", PutCriteriaRequest, criteria))
    etag_is("put_criteria", pc, '"2"')
    call("get_criteria", get_criteria, 200, id=tid)
    lint = call("lint_tender", lint_tender, 200, id=tid)
    codes = [f.get("code") for f in (lint["findings"] or [])]
    R.check("lint_tender", (lint["errors"], lint["warnings"]) == (0, 1) and codes == ["social_value_below_floor"],
            f"errors/warnings/codes {lint['errors']}/{lint['warnings']}/{codes}")
    o = call("open_tender", open_tender, 200, id=tid)
    R.check("open_tender", o["status"] == "open", f"status {o['status']!r}")
    bids = {}
    for name, ident, sme, price in [("Alpha Kitchens", "GB-COH-01234567", True, "90000"), ("Beta Catering", "GB-COH-07654321", None, "100000")]:
        supplier = {"name": name, "identifier": ident}
        if sme is not None:
            supplier["sme"] = sme
        b = call("create_bid", create_bid, 201, id=tid,
                 body=body_model("create_bid", CreateBidRequest, {"supplier": supplier, "price": price}))
        bids[name[0]] = b["id"]
    A, B = bids["A"], bids["B"]
    lb = call("list_bids", list_bids, 200, id=tid)
    R.check("list_bids", len(items(lb)) == 2, f"{len(items(lb))} bids listed")
    c = call("close_tender", close_tender, 200, id=tid)
    R.check("close_tender", c["status"] == "evaluation", f"status {c['status']!r}")

    for bid, score in ((A, "3"), (B, "5")):
        call("submit_score", submit_score, 201, token=EVALUATOR_TOKEN, id=tid, bid=bid,
             body=body_model("submit_score", ScoreRequest, {"criterion_code": "Q1", "score": score, "rationale": "Menu plan, section 2"}))
        call("moderate_score", moderate_score, 200, id=tid, bid=bid,
             body=body_model("moderate_score", ScoreRequest, {"criterion_code": "Q1", "score": score, "rationale": "Panel consensus"}))
    call("list_scores", list_scores, 200, id=tid, bid=A)

    ev = call("evaluate_tender", evaluate_tender, 200, id=tid)
    R.check("evaluate_tender", ev["winner"] == B, f"winner {ev['winner']!r}, README says Beta")
    totals = {b.get("bid_id"): (b.get("total"), b.get("rank")) for b in (ev["bids"] or [])}
    R.check("evaluate_tender", totals.get(B) == ("70", 1) and totals.get(A) == ("60", 2), f"totals/ranks {totals}")
    wi = call("what_if", what_if, 200, id=tid, body=body_model("what_if", WhatIfRequest, {"weights": {"PRICE": "85", "Q1": "15"}}))
    R.check("what_if", wi["winner"] == A, f"what-if winner {wi['winner']!r}, README says Alpha")
    se = call("sensitivity", sensitivity, 200, id=tid, draws=2000, seed=7)
    mc = se["monte_carlo"] or {}
    R.check("sensitivity", mc.get("draws") == 2000 and mc.get("seed") == 7, f"monte_carlo {json.dumps(mc)[:200]}")

    fr = call("freeze_evaluation", freeze_evaluation, 201, id=tid)
    eid = fr["id"]
    R.check("freeze_evaluation", fr["engine_version"] == "1.0.0" and bool(fr["content_hash"]), f"engine_version/content_hash {fr['engine_version']}/{fr['content_hash']}")
    le = call("list_evaluations", list_evaluations, 200, id=tid)
    R.check("list_evaluations", len(items(le)) == 1, "one frozen evaluation expected")
    call("get_evaluation", get_evaluation, 200, id=tid, eid=eid)
    ve = call("verify_evaluation", verify_evaluation, 200, id=tid, eid=eid)
    R.check("verify_evaluation", (ve["matches"], ve["hash_valid"], ve["result_matches"], ve["first_difference"]) == (True, True, True, None),
            f"verify {json.dumps(ve.json)[:200]}")

    aw = call("award_tender", award_tender, 201, id=tid,
              body=body_model("award_tender", AwardRequest, {"evaluation_id": eid, "bid_id": B}))
    R.check("award_tender", aw["rank"] == 1 and aw["justification"] is None and bool(aw["standstill_ends"]), f"award {json.dumps(aw.json)[:200]}")
    call("get_award", get_award, 200, id=tid)
    sa = call("get_assessment_summary", get_assessment_summary, 200, id=tid, bid=A)
    R.check("get_assessment_summary", (sa["outcome"], sa["rank"], sa["total"], sa["winner_total"]) == ("unsuccessful", 2, "60", "70"),
            f"summary {sa['outcome']}/{sa['rank']}/{sa['total']}/{sa['winner_total']}")
    R.check("get_assessment_summary", (sa["reasons"] or [None])[0] == "The winning tender scored 70 points in total against 60.", f"reasons {sa['reasons']}")
    ls = call("list_assessment_summaries", list_assessment_summaries, 200, id=tid)
    R.check("list_assessment_summaries", len(items(ls)) == 2, "two summaries expected")
    gt = call("get_tender", get_tender, 200, id=tid)
    R.check("get_tender", gt["status"] == "awarded", f"status {gt['status']!r}")
    return {"tender": tid, "A": A, "B": B}


KPI_SPEC = {
    "kind": "kpi", "material": True,
    "metric": {"name": "Visits on time", "unit": "%", "direction": "at_least", "target": "90"},
    "schedule": {"cadence": "monthly", "first_period_start": "2025-01-01"},
    "consequence": {"type": "service_credit", "basis": {"type": "percent_of_period_fee", "percent": "5"}},
}


def monitoring(cid: str, label: str, credit: str | None) -> None:
    """Terms, returns, compliance on one contract (README "Contract monitoring")."""
    R.step = f"monitoring ({label})"
    before = call("list_terms", list_terms, 200, id=cid)
    n_before = len(items(before))
    term = call("create_term", create_term, 201, id=cid,
                body=body_model("create_term", TermRequest, {"title": "Visits on time", "spec": KPI_SPEC}))
    tid = term["id"]
    after = call("list_terms", list_terms, 200, id=cid)
    R.check("list_terms", len(items(after)) == n_before + 1 and any(t.get("id") == tid for t in items(after)), "the new term is not listed")
    call("get_term", get_term, 200, id=cid, tid=tid)
    g = call("get_contract", get_contract, 200, id=cid)
    u = call("update_contract", update_contract, 200, id=cid, if_match=g.headers.get("etag") or "*",
             body=body_model("update_contract", UpdateContractRequest, {"status": "active", "status_effective_on": "2025-01-01"}))
    R.check("update_contract", u["status"] == "active", f"status {u['status']!r}")
    call("lint_contract", lint_contract, 200, id=cid)
    rows = [
        {"term_id": tid, "period_start": "2025-01-01", "measures": {"value": "95"}, "dimensions": {"ward": "Kentish Town"}},
        {"term_id": tid, "period_start": "2025-02-01", "measures": {"value": "60"}, "dimensions": {"ward": "Gospel Oak"}},
    ]
    # README posts these as CSV; the generator drops text/csv request bodies, so JSON it is.
    sub = call("submit_observations", submit_observations, 201, id=cid,
               body=body_model("submit_observations", ObservationRequest, rows))
    R.check("submit_observations", sub["count"] == 2 and len(sub["ids"] or []) == 2, f"batch {json.dumps(sub.json)[:200]}")
    obs = call("list_observations", list_observations, 200, id=cid)
    R.check("list_observations", len(items(obs)) == 2, f"{len(obs['items'] or [])} returns listed")
    if sub["ids"]:
        # The review rests on the version listed: If-Match with it in quotes.
        listed = next((o for o in items(obs) if o["id"] == sub["ids"][0]), {})
        v = call("verify_observation", verify_observation, 200, id=cid, oid=sub["ids"][0],
                 if_match=f'"{listed.get("version", 1)}"',
                 body=body_model("verify_observation", NoteRequest, {"note": "Checked against the rota"}))
        R.check("verify_observation", v["status"] == "verified" and v.headers.get("etag") == '"2"',
                f"status {v['status']!r}, ETag {v.headers.get('etag')!r}")
    # As of today: the whole of 2025 is due; the two returns came (late) today.
    co = call("contract_compliance", contract_compliance, 200, id=cid)
    lines = [ln for ln in (co["lines"] or []) if ln.get("term_id") == tid]
    statuses = [(ln.get("assessment") or {}).get("status") for ln in lines]
    R.check("contract_compliance", statuses == ["met", "not_met"] + ["missing"] * 10,
            f"statuses {statuses}, README: met, not_met, then missing")
    R.check("contract_compliance", [ln.get("late") for ln in lines[:2]] == [True, True] and (co["totals"] or {}).get("late") == 2,
            f"late {[ln.get('late') for ln in lines[:2]]}")
    if len(lines) >= 2:
        a = lines[1].get("assessment") or {}
        R.check("contract_compliance", a.get("attainment_percent") == "66.67" and a.get("rating") == "inadequate",
                f"February {a.get('attainment_percent')} {a.get('rating')}")
        money = a.get("money") or [{}]
        if credit is not None:
            R.check("contract_compliance", (money[0].get("kind"), money[0].get("amount")) == ("service_credit", credit), f"money {money}")
    pr = call("propose_consequences", propose_consequences, 200, id=cid)
    proposed = items(pr)
    R.check("propose_consequences", len(proposed) >= 1, "no consequence proposed")
    if proposed:
        ap = call("apply_consequence", apply_consequence, 200, id=cid, cid=proposed[0]["id"],
                  body=body_model("apply_consequence", DecisionRequest, {"reason": "Deducted from the next invoice"}))
        R.check("apply_consequence", ap["status"] == "applied", f"status {ap['status']!r}")
    call("list_consequences", list_consequences, 200, id=cid)
    notice = {"period_start": "2025-01-01", "period_end": "2025-02-28", "ratings": {tid: "requires_improvement"},
              "justification": "February shortfall after staff turnover; improvement plan agreed"}
    n = call("create_performance_notice", create_performance_notice, 201, id=cid,
             body=body_model("create_performance_notice", NoticeRequest, notice))
    R.check("create_performance_notice", ((n["kpis"] or [{}])[0]).get("rating") == "requires_improvement", f"kpis {n['kpis']}")
    call("list_performance_notices", list_performance_notices, 200, id=cid)


def contracts(t: dict) -> None:
    R.step = "contracts"
    body = {"tender_id": t["tender"], "title": "School meals pilot", "start_date": "2025-01-01", "end_date": "2025-12-31"}
    c = call("create_contract", create_contract, 201, body=body_model("create_contract", CreateContractRequest, body))
    R.check("create_contract", (c["supplier"] or {}).get("name") == "Beta Catering" and c["value"] == "100000.00"
            and c["status"] == "pending" and c["bid_id"] == t["B"], f"contract {json.dumps(c.json)[:300]}")
    if c["id"]:
        monitoring(c["id"], "contract from the award", None)
    R.step = "contracts"
    direct = {"title": "Home care, north", "supplier": {"name": "Camden Care Co-op", "identifier": "GB-COH-09876543", "sme": True},
              "value": "1200000", "start_date": "2025-01-01", "end_date": "2025-12-31"}
    d = call("create_contract", create_contract, 201, body=body_model("create_contract", CreateContractRequest, direct))
    if d["id"]:
        monitoring(d["id"], "README direct contract", "5000.00")
    R.step = "contracts"
    lc = call("list_contracts", list_contracts, 200)
    R.check("list_contracts", len(lc["items"] or []) >= 2, "contracts not listed")


def audit_and_operations() -> None:
    R.step = "audit"
    ev = call("list_audit_events", list_audit_events, 200, entity_type="mission")
    R.check("list_audit_events", len(ev["items"] or []) >= 2, f"{len(ev['items'] or [])} mission events")
    v = call("verify_audit_trail", verify_audit_trail, 200)
    R.check("verify_audit_trail", v["valid"] is True and v["authority"] == "camden", f"verify {json.dumps(v.json)[:200]}")
    R.step = "operations"
    call("get_settings", get_settings, 200)
    call("health", health, 200)
    call("ready", ready, 200)


def main() -> int:
    t: dict = {}
    for name, fn in (("missions", missions), ("tender", tender_flow), ("contracts", lambda: contracts(t)), ("audit", audit_and_operations)):
        try:
            out = fn()
            if name == "tender":
                t.update(out)
        except Exception as e:  # noqa: BLE001
            R.fail("crash", R.step or name, f"{type(e).__name__}: {e} | {traceback.format_exc(limit=3).splitlines()[-3:]}")
    print(f"\n{R.calls} calls through the generated client; {len(R.failures)} distinct failures")
    by_kind: dict[str, int] = {}
    for f in R.failures.values():
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
    for kind, n in sorted(by_kind.items()):
        print(f"  {kind}: {n}")
    if os.environ.get("MP_REPORT"):
        with open(os.environ["MP_REPORT"], "w", encoding="utf-8") as f:
            json.dump({"calls": R.calls, "failures": list(R.failures.values())}, f, indent=2)
    return 1 if R.failures else 0


if __name__ == "__main__":
    sys.exit(main())
