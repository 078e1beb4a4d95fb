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

diesel::allow_tables_to_appear_in_same_query!(
    missions,
    audit_events,
    audit_chain_heads,
    idempotency_keys
);
