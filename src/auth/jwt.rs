//! Bearer tokens. Development uses an HS256 shared secret (and the `token` command mints
//! tokens with it); production verifies RS256, ES256 or EdDSA tokens from an identity
//! provider's public key. `exp`, `iss` and `aud` are always checked, `nbf` and `iat` when a
//! token carries them (RFC 7519 §4.1), each with the same leeway for clock skew.

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use super::{Principal, Role};
use crate::domain::authority::AuthorityId;

/// Used when `JWT_SECRET` is not set. Anyone can read it here, so the service warns loudly.
pub const DEVELOPMENT_SECRET: &str =
    "mission-procurement-development-secret-do-not-use-in-production";

/// Claims of a token this service accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub authority: String,
    pub roles: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyAlgorithm {
    Rs256,
    Es256,
    EdDsa,
}

impl PublicKeyAlgorithm {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            "EdDSA" => Some(Self::EdDsa),
            _ => None,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Es256 => Algorithm::ES256,
            Self::EdDsa => Algorithm::EdDSA,
        }
    }
}

/// How tokens are verified.
#[derive(Clone)]
pub enum KeyConfig {
    SharedSecret(Vec<u8>),
    PublicKey {
        algorithm: PublicKeyAlgorithm,
        pem: Vec<u8>,
    },
}

/// The configured key cannot verify tokens; names the variable to fix.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "JWT_PUBLIC_KEY / JWT_PUBLIC_KEY_FILE is not a valid PEM public key for JWT_ALGORITHM={0:?}: {1}"
    )]
    BadPem(PublicKeyAlgorithm, String),
}

/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// What the service reads of a token it verifies. `aud` and `iss` are checked by the
/// validation (an `aud` may be one string or an array, RFC 7519 §4.1.3), so they are not read
/// here.
#[derive(Debug, Deserialize)]
struct ReceivedClaims {
    sub: String,
    authority: String,
    roles: Vec<String>,
    #[serde(default)]
    iat: Option<i64>,
}

/// Why a token was refused. The message is safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (`nbf` is in the future)")]
    NotYetValid,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token was issued by an unexpected issuer")]
    WrongIssuer,
    #[error("the token is meant for another audience")]
    WrongAudience,
    #[error("the token is signed with an algorithm this service does not accept")]
    WrongAlgorithm,
    #[error("the token's claim `{0}` is not valid: {1}")]
    BadClaim(&'static str, String),
    #[error("the token is malformed")]
    Malformed,
}

#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl JwtVerifier {
    pub fn new(config: &KeyConfig, issuer: &str, audience: &str) -> Result<Self, KeyError> {
        let (key, algorithm) = match config {
            KeyConfig::SharedSecret(secret) => (DecodingKey::from_secret(secret), Algorithm::HS256),
            KeyConfig::PublicKey { algorithm, pem } => {
                let key = match algorithm {
                    PublicKeyAlgorithm::Rs256 => DecodingKey::from_rsa_pem(pem),
                    PublicKeyAlgorithm::Es256 => DecodingKey::from_ec_pem(pem),
                    PublicKeyAlgorithm::EdDsa => DecodingKey::from_ed_pem(pem),
                }
                .map_err(|e| KeyError::BadPem(*algorithm, e.to_string()))?;
                (key, algorithm.algorithm())
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.required_spec_claims =
            HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        Ok(Self { key, validation })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let data = jsonwebtoken::decode::<ReceivedClaims>(token, &self.key, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::InvalidAlgorithm => TokenError::WrongAlgorithm,
                ErrorKind::MissingRequiredClaim(claim) => {
                    TokenError::BadClaim("claims", format!("`{claim}` is missing"))
                }
                _ => TokenError::Malformed,
            })?;
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(i64::MAX);
        if data
            .claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(leeway))
        {
            return Err(TokenError::BadClaim("iat", "is in the future".into()));
        }
        principal_from(data.claims)
    }
}

fn principal_from(claims: ReceivedClaims) -> Result<Principal, TokenError> {
    let authority = AuthorityId::parse(&claims.authority)
        .map_err(|m| TokenError::BadClaim("authority", m.to_string()))?;
    let subject = claims.sub.trim().to_string();
    if subject.is_empty() || subject.chars().count() > 200 || subject.contains('\0') {
        return Err(TokenError::BadClaim(
            "sub",
            "must be 1 to 200 characters".into(),
        ));
    }
    let mut roles = Vec::with_capacity(claims.roles.len());
    for raw in &claims.roles {
        let role = Role::parse(raw)
            .ok_or_else(|| TokenError::BadClaim("roles", format!("unknown role `{raw}`")))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(TokenError::BadClaim(
            "roles",
            "must name at least one role".into(),
        ));
    }
    Ok(Principal {
        subject,
        authority,
        roles,
    })
}

/// Signs an HS256 token (development and tests).
pub fn mint_hs256(secret: &[u8], claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "mission-procurement";
    const AUD: &str = "mission-procurement-api";

    fn claims(roles: &[&str], exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "alice".into(),
            authority: "camden".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            iss: ISS.into(),
            aud: AUD.into(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    fn verifier(secret: &[u8]) -> JwtVerifier {
        JwtVerifier::new(&KeyConfig::SharedSecret(secret.to_vec()), ISS, AUD).unwrap()
    }

    #[test]
    fn a_minted_token_verifies() {
        let token = mint_hs256(b"s3cret", &claims(&["officer", "auditor"], 600)).unwrap();
        let p = verifier(b"s3cret").verify(&token).unwrap();
        assert_eq!(p.authority.as_str(), "camden");
        assert_eq!(p.roles, vec![Role::Officer, Role::Auditor]);
    }

    fn signed(payload: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &payload,
            &EncodingKey::from_secret(b"k"),
        )
        .unwrap()
    }

    fn payload(extra: serde_json::Value) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut p = serde_json::json!({"sub": "alice", "authority": "camden", "roles": ["officer"],
            "iss": ISS, "aud": AUD, "iat": now, "exp": now + 600});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        p
    }

    #[test]
    fn nbf_and_iat_in_the_future_are_refused_within_the_leeway() {
        let now = chrono::Utc::now().timestamp();
        let v = verifier(b"k");
        let early = signed(payload(serde_json::json!({"nbf": now + 3600})));
        assert_eq!(v.verify(&early), Err(TokenError::NotYetValid));
        let ahead = signed(payload(serde_json::json!({"iat": now + 10 * 365 * 86_400})));
        assert!(matches!(
            v.verify(&ahead),
            Err(TokenError::BadClaim("iat", _))
        ));
        let skewed = signed(payload(
            serde_json::json!({"nbf": now + 10, "iat": now + 10}),
        ));
        assert!(
            v.verify(&skewed).is_ok(),
            "10 s of clock skew is within the leeway"
        );
    }

    #[test]
    fn aud_may_be_an_array() {
        let v = verifier(b"k");
        let both = signed(payload(serde_json::json!({"aud": ["other-api", AUD]})));
        assert!(v.verify(&both).is_ok());
        let neither = signed(payload(serde_json::json!({"aud": ["other-api"]})));
        assert_eq!(v.verify(&neither), Err(TokenError::WrongAudience));
    }

    #[test]
    fn expired_wrong_key_and_unknown_role_are_refused() {
        let expired = mint_hs256(b"k", &claims(&["officer"], -3600)).unwrap();
        assert_eq!(verifier(b"k").verify(&expired), Err(TokenError::Expired));
        let other = mint_hs256(b"other", &claims(&["officer"], 600)).unwrap();
        assert_eq!(verifier(b"k").verify(&other), Err(TokenError::BadSignature));
        let odd = mint_hs256(b"k", &claims(&["mayor"], 600)).unwrap();
        assert!(matches!(
            verifier(b"k").verify(&odd),
            Err(TokenError::BadClaim("roles", _))
        ));
        assert_eq!(
            verifier(b"k").verify("not.a.token"),
            Err(TokenError::Malformed)
        );
    }
}
