//! The audit trail's hash chain: one chain per authority, each event's hash covering the
//! previous event's hash, so any edit, insertion or deletion behind the service's back shows
//! as a broken link when the chain is recomputed.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Every kind of stored record the audit trail vouches for. Verification walks `ALL` and
/// matches each kind without a wildcard, so a table added without its audit coverage does not
/// compile. (A tender's evaluation model is part of the tender's record.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Mission,
    Tender,
    Bid,
    EvaluatorScore,
    ModeratedScore,
    Evaluation,
    Award,
    Contract,
    Term,
    Observation,
    Consequence,
    PerformanceNotice,
    AuthoritySettings,
}

impl EntityKind {
    pub const ALL: [Self; 13] = [
        Self::Mission,
        Self::Tender,
        Self::Bid,
        Self::EvaluatorScore,
        Self::ModeratedScore,
        Self::Evaluation,
        Self::Award,
        Self::Contract,
        Self::Term,
        Self::Observation,
        Self::Consequence,
        Self::PerformanceNotice,
        Self::AuthoritySettings,
    ];

    /// The `entity_type` its events carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mission => "mission",
            Self::Tender => "tender",
            Self::Bid => "bid",
            Self::EvaluatorScore => "evaluator_score",
            Self::ModeratedScore => "moderated_score",
            Self::Evaluation => "evaluation",
            Self::Award => "award",
            Self::Contract => "contract",
            Self::Term => "term",
            Self::Observation => "observation",
            Self::Consequence => "consequence",
            Self::PerformanceNotice => "performance_notice",
            Self::AuthoritySettings => "authority_settings",
        }
    }
}

/// What verification found wrong with a stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// The row differs from the state its last event recorded.
    Edited,
    /// The row exists but no event records it.
    Forged,
    /// Events record the entity but its row is gone.
    Deleted,
}

/// The `prev_hash` of an authority's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    out
}

/// Digest of an entity's state: SHA-256 over its canonical JSON (fields in declaration order,
/// decimals as strings, instants at microsecond precision — what both databases store).
pub fn state_digest<T: Serialize>(state: &T) -> String {
    // Serialising plain data structs to a Vec cannot fail; an empty digest would show in verify.
    serde_json::to_vec(state)
        .map(|bytes| sha256_hex(&bytes))
        .unwrap_or_default()
}

/// The fields an event's hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContent {
    pub authority: String,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub roles: Vec<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state_digest: String,
    pub request_id: String,
    pub note: Option<String>,
}

impl EventContent {
    /// `sha256(canonical JSON array of prev_hash and every field)`. A JSON array keeps field
    /// boundaries unambiguous whatever the text holds.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let canonical = serde_json::json!([
            prev_hash,
            self.authority,
            self.seq,
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            self.actor,
            self.roles,
            self.action,
            self.entity_type,
            self.entity_id,
            self.state_digest,
            self.request_id,
            self.note,
        ]);
        sha256_hex(canonical.to_string().as_bytes())
    }
}

/// A stored event as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub content: EventContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a link of the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakReason {
    /// A sequence number is missing or repeated: an event was deleted or inserted.
    SequenceGap,
    /// The event's `prev_hash` is not the previous event's hash.
    PrevHashMismatch,
    /// The event's content no longer hashes to its stored hash: it was edited.
    HashMismatch,
    /// The authority's chain head does not point at the last event.
    HeadMismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: BreakReason,
    pub expected: String,
    pub found: String,
}

/// Walks events in sequence order, one at a time, so a long chain needs no more memory than
/// one page of events.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
    broken: Option<BrokenLink>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            checked: 0,
            broken: None,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event; after the first broken link the rest are only counted.
    pub fn push(&mut self, event: &StoredEvent) {
        self.checked += 1;
        if self.broken.is_some() {
            return;
        }
        let seq = event.content.seq;
        let recomputed = event.content.chain_hash(&event.prev_hash);
        self.broken = if seq != self.expected_seq {
            Some(BrokenLink {
                seq,
                reason: BreakReason::SequenceGap,
                expected: self.expected_seq.to_string(),
                found: seq.to_string(),
            })
        } else if event.prev_hash != self.prev_hash {
            Some(BrokenLink {
                seq,
                reason: BreakReason::PrevHashMismatch,
                expected: self.prev_hash.clone(),
                found: event.prev_hash.clone(),
            })
        } else if recomputed != event.hash {
            Some(BrokenLink {
                seq,
                reason: BreakReason::HashMismatch,
                expected: recomputed,
                found: event.hash.clone(),
            })
        } else {
            None
        };
        self.expected_seq = seq + 1;
        self.prev_hash = event.hash.clone();
    }

    /// Compares the end of the chain with the stored head (sequence number and hash).
    pub fn finish(mut self, head: Option<(i64, String)>) -> ChainReport {
        let last_seq = self.expected_seq - 1;
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH.to_string()));
        if self.broken.is_none() && (head_seq != last_seq || head_hash != self.prev_hash) {
            self.broken = Some(BrokenLink {
                seq: head_seq,
                reason: BreakReason::HeadMismatch,
                expected: format!("{last_seq}:{}", self.prev_hash),
                found: format!("{head_seq}:{head_hash}"),
            });
        }
        ChainReport {
            events_checked: self.checked,
            head_hash: self.prev_hash,
            first_broken: self.broken,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub events_checked: u64,
    pub head_hash: String,
    pub first_broken: Option<BrokenLink>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let content = EventContent {
                    authority: "camden".into(),
                    seq,
                    occurred_at: DateTime::from_timestamp(1_700_000_000 + seq, 0).unwrap(),
                    actor: "alice".into(),
                    roles: vec!["officer".into()],
                    action: "mission.create".into(),
                    entity_type: "mission".into(),
                    entity_id: format!("m{seq}"),
                    state_digest: sha256_hex(b"state"),
                    request_id: "r".into(),
                    note: None,
                };
                let hash = content.chain_hash(&prev);
                let event = StoredEvent {
                    content,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                event
            })
            .collect()
    }

    fn verify(events: &[StoredEvent]) -> ChainReport {
        let mut verifier = ChainVerifier::default();
        events.iter().for_each(|e| verifier.push(e));
        let head = events.last().map(|e| (e.content.seq, e.hash.clone()));
        verifier.finish(head)
    }

    #[test]
    fn sha256_of_empty_input_is_the_known_value() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        let report = verify(&chain(5));
        assert_eq!(report.first_broken, None);
        assert_eq!(report.events_checked, 5);
    }

    #[test]
    fn an_edited_event_breaks_its_own_link() {
        let mut events = chain(5);
        events[2].content.action = "mission.delete".into();
        let broken = verify(&events).first_broken.unwrap();
        assert_eq!((broken.seq, broken.reason), (3, BreakReason::HashMismatch));
    }

    #[test]
    fn a_deleted_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        let broken = verify(&events).first_broken.unwrap();
        assert_eq!((broken.seq, broken.reason), (3, BreakReason::SequenceGap));
    }

    #[test]
    fn a_truncated_tail_disagrees_with_the_head() {
        let events = chain(5);
        let mut verifier = ChainVerifier::default();
        events[..4].iter().for_each(|e| verifier.push(e));
        let report = verifier.finish(Some((5, events[4].hash.clone())));
        assert_eq!(
            report.first_broken.unwrap().reason,
            BreakReason::HeadMismatch
        );
    }
}
