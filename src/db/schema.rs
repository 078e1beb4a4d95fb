//! The one schema both backends share (migrations per backend create it).

diesel::table! {
    missions (id) {
        id -> Text,
        authority -> Text,
        statement -> Text,
        target_year -> Integer,
        status -> Text,
        outcomes -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        authority -> Text,
        seq -> BigInt,
        occurred_at -> Timestamp,
        actor -> Text,
        roles -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        state_digest -> Text,
        request_id -> Text,
        note -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_chain_heads (authority) {
        authority -> Text,
        seq -> BigInt,
        head_hash -> Text,
    }
}

diesel::table! {
    idempotency_keys (authority, idempotency_key) {
        authority -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        status_code -> Integer,
        response_body -> Text,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tenders (id) {
        id -> Text,
        authority -> Text,
        title -> Text,
        description -> Text,
        estimated_value -> Nullable<Text>,
        currency -> Text,
        award_method -> Text,
        tie_break -> Text,
        abnormally_low_percent -> Text,
        spread_threshold -> Text,
        mission_ids -> Text,
        status -> Text,
        evaluation_model -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bids (id) {
        id -> Text,
        authority -> Text,
        tender_id -> Text,
        supplier_name -> Text,
        supplier_identifier -> Text,
        supplier_sme -> Bool,
        supplier_vcse -> Bool,
        supplier_locality -> Nullable<Text>,
        price -> Text,
        submitted_at -> Timestamp,
        status -> Text,
        status_reason -> Nullable<Text>,
        responses -> Text,
        abnormally_low_explanation -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluator_scores (bid_id, criterion_code, evaluator) {
        authority -> Text,
        tender_id -> Text,
        bid_id -> Text,
        criterion_code -> Text,
        evaluator -> Text,
        score -> Text,
        rationale -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    moderated_scores (bid_id, criterion_code) {
        authority -> Text,
        tender_id -> Text,
        bid_id -> Text,
        criterion_code -> Text,
        moderator -> Text,
        score -> Text,
        rationale -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        authority -> Text,
        tender_id -> Text,
        engine_version -> Text,
        input -> Text,
        result -> Text,
        content_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    awards (id) {
        id -> Text,
        authority -> Text,
        tender_id -> Text,
        evaluation_id -> Text,
        bid_id -> Text,
        justification -> Nullable<Text>,
        standstill_ends -> Date,
        decided_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    missions,
    audit_events,
    audit_chain_heads,
    idempotency_keys,
    tenders,
    bids,
    evaluator_scores,
    moderated_scores,
    evaluations,
    awards,
    contracts,
    terms,
    observations,
    consequences,
    performance_notices,
    authority_settings,
);

diesel::table! {
    contracts (id) {
        id -> Text,
        authority -> Text,
        title -> Text,
        tender_id -> Nullable<Text>,
        bid_id -> Nullable<Text>,
        supplier_name -> Text,
        supplier_identifier -> Text,
        supplier_sme -> Bool,
        supplier_vcse -> Bool,
        supplier_locality -> Nullable<Text>,
        value -> Text,
        currency -> Text,
        start_date -> Date,
        end_date -> Date,
        status -> Text,
        status_changed_on -> Nullable<Date>,
        mission_ids -> Text,
        grace_days -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    terms (id) {
        id -> Text,
        authority -> Text,
        contract_id -> Text,
        title -> Text,
        mission_id -> Nullable<Text>,
        source -> Nullable<Text>,
        spec -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        history -> Text,
    }
}

diesel::table! {
    observations (id) {
        id -> Text,
        authority -> Text,
        contract_id -> Text,
        term_id -> Text,
        period_start -> Date,
        period_end -> Date,
        measures -> Text,
        dimensions -> Text,
        evidence -> Text,
        reported_by -> Text,
        reported_at -> Timestamp,
        supersedes -> Nullable<Text>,
        superseded_by -> Nullable<Text>,
        status -> Text,
        status_note -> Nullable<Text>,
        created_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    consequences (id) {
        id -> Text,
        authority -> Text,
        contract_id -> Text,
        term_id -> Text,
        period_start -> Date,
        period_end -> Date,
        kind -> Text,
        amount -> Nullable<Text>,
        detail -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        cleared_by -> Nullable<Text>,
    }
}

diesel::table! {
    performance_notices (id) {
        id -> Text,
        authority -> Text,
        contract_id -> Text,
        period_start -> Date,
        period_end -> Date,
        payload -> Text,
        justification -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    authority_settings (authority) {
        authority -> Text,
        social_value_floor_percent -> Text,
        conditionality_required_above -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}
