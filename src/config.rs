//! Typed settings from environment variables. Secrets are never printed.

use std::env;

use crate::auth::jwt::{DEVELOPMENT_SECRET, KeyConfig, PublicKeyAlgorithm};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/mission-procurement.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_ISSUER: &str = "mission-procurement";
pub const DEFAULT_AUDIENCE: &str = "mission-procurement-api";

#[derive(Clone)]
pub struct Settings {
    /// `BIND`: address and port to listen on.
    pub bind: String,
    /// `DATABASE_URL`: `sqlite://path` (default) or `postgres://…`.
    pub database_url: String,
    /// `DB_POOL_SIZE`: connections in the pool.
    pub db_pool_size: u32,
    pub jwt: JwtSettings,
    /// `MAX_BODY_BYTES`: largest accepted request body.
    pub max_body_bytes: usize,
    /// `MAX_IMPORT_BYTES`: largest bulk import (monitoring returns as JSON or CSV).
    pub max_import_bytes: usize,
    /// `REQUEST_BODY_TIMEOUT_SECS`: the whole body must arrive within this (default 60: 32 MiB
    /// at 1 MB/s takes about 34 s).
    pub request_body_timeout: std::time::Duration,
    /// `PAGE_MAX_LIMIT`: the cap on `?limit=` of list endpoints.
    pub page_max_limit: i64,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// `WORKERS`: HTTP worker threads (default: one per core).
    pub workers: usize,
    /// `SOCIAL_VALUE_FLOOR_PERCENT`: the lint warns below this social value weight (PPN 002: 10).
    pub social_value_floor_percent: rust_decimal::Decimal,
    /// `CONDITIONALITY_REQUIRED_ABOVE`: the lint warns when a tender estimated above this value
    /// has no conditionality criterion (default 1000000; `none` disables).
    pub conditionality_required_above: Option<rust_decimal::Decimal>,
    /// `METRICS_TOKEN`: the bearer token of `GET /metrics` (at least 16 characters); metrics
    /// are off without one.
    pub metrics_token: Option<String>,
    /// The system clock in service; a fixed one in tests.
    pub clock: crate::services::Clock,
}

#[derive(Clone)]
pub struct JwtSettings {
    pub keys: KeyConfig,
    /// True while the built-in development secret is in use.
    pub development_secret: bool,
    /// `JWT_ISSUER`: required `iss`.
    pub issuer: String,
    /// `JWT_AUDIENCE`: required `aud`.
    pub audience: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T>(name: &'static str, default: T, min: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if v >= min => Ok(v),
            _ => Err(invalid(
                name,
                format!("expected a number of at least {min}, got `{raw}`"),
            )),
        },
    }
}

/// A number that defaults to `default`; set to `none` to switch the rule off.
fn optional_number(
    name: &'static str,
    default: rust_decimal::Decimal,
) -> Result<Option<rust_decimal::Decimal>, ConfigError> {
    match var(name).as_deref() {
        Some("none") => Ok(None),
        _ => number(name, default, rust_decimal::Decimal::ZERO).map(Some),
    }
}

/// The built-in development secret may sign tokens only on a service this machine alone can
/// reach (a loopback `BIND`, the default), or when the operator says so with
/// `ALLOW_DEVELOPMENT_SECRET=1`: anyone can read it, so anywhere else it would let anyone in.
pub fn development_secret_allowed(bind: &str, explicitly: bool) -> bool {
    let loopback = match bind.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.split(':').next() == Some("localhost"),
    };
    loopback || explicitly
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let settings = Self::read_env()?;
        if settings.jwt.development_secret
            && !development_secret_allowed(
                &settings.bind,
                var("ALLOW_DEVELOPMENT_SECRET").as_deref() == Some("1"),
            )
        {
            return Err(invalid(
                "JWT_SECRET",
                format!(
                    "is not set, and BIND {} is reachable from other machines: set JWT_SECRET (32+ bytes) or JWT_PUBLIC_KEY_FILE, or ALLOW_DEVELOPMENT_SECRET=1 to use the built-in development secret anyway",
                    settings.bind
                ),
            ));
        }
        Ok(settings)
    }

    fn read_env() -> Result<Self, ConfigError> {
        Ok(Self {
            bind: var("BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            db_pool_size: number("DB_POOL_SIZE", 8, 1)?,
            jwt: JwtSettings::from_env()?,
            max_body_bytes: number("MAX_BODY_BYTES", 1024 * 1024, 1024)?,
            max_import_bytes: number("MAX_IMPORT_BYTES", 32 * 1024 * 1024, 1024)?,
            request_body_timeout: std::time::Duration::from_secs(number(
                "REQUEST_BODY_TIMEOUT_SECS",
                60,
                1,
            )?),
            page_max_limit: number("PAGE_MAX_LIMIT", 200, 1)?,
            log_json: match var("LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(invalid(
                        "LOG_FORMAT",
                        format!("expected `text` or `json`, got `{other}`"),
                    ));
                }
            },
            workers: number(
                "WORKERS",
                std::thread::available_parallelism().map_or(2, usize::from),
                1,
            )?,
            social_value_floor_percent: number(
                "SOCIAL_VALUE_FLOOR_PERCENT",
                rust_decimal::Decimal::TEN,
                rust_decimal::Decimal::ZERO,
            )?,
            conditionality_required_above: optional_number(
                "CONDITIONALITY_REQUIRED_ABOVE",
                rust_decimal::Decimal::from(1_000_000),
            )?,
            metrics_token: match var("METRICS_TOKEN") {
                Some(token) if token.trim().len() < 16 => {
                    return Err(invalid("METRICS_TOKEN", "must be at least 16 characters"));
                }
                token => token,
            },
            clock: crate::services::Clock::system(),
        })
    }
}

impl JwtSettings {
    fn from_env() -> Result<Self, ConfigError> {
        let issuer = var("JWT_ISSUER").unwrap_or_else(|| DEFAULT_ISSUER.to_string());
        let audience = var("JWT_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.to_string());
        let pem =
            match (var("JWT_PUBLIC_KEY"), var("JWT_PUBLIC_KEY_FILE")) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "JWT_PUBLIC_KEY",
                        "set JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE, not both",
                    ));
                }
                (Some(pem), None) => Some(pem.into_bytes()),
                (None, Some(path)) => Some(std::fs::read(&path).map_err(|e| {
                    invalid("JWT_PUBLIC_KEY_FILE", format!("cannot read {path}: {e}"))
                })?),
                (None, None) => None,
            };
        let (keys, development_secret) = match (pem, var("JWT_SECRET")) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "JWT_SECRET",
                    "set either a shared secret or a public key, not both",
                ));
            }
            (Some(pem), None) => {
                let raw = var("JWT_ALGORITHM").unwrap_or_else(|| "RS256".to_string());
                let algorithm = PublicKeyAlgorithm::parse(&raw).ok_or_else(|| {
                    invalid(
                        "JWT_ALGORITHM",
                        format!("expected RS256, ES256 or EdDSA, got `{raw}`"),
                    )
                })?;
                (KeyConfig::PublicKey { algorithm, pem }, false)
            }
            (None, Some(secret)) if secret.len() < 32 => {
                return Err(invalid("JWT_SECRET", "must be at least 32 bytes"));
            }
            (None, Some(secret)) => (KeyConfig::SharedSecret(secret.into_bytes()), false),
            (None, None) => (
                KeyConfig::SharedSecret(DEVELOPMENT_SECRET.as_bytes().to_vec()),
                true,
            ),
        };
        Ok(Self {
            keys,
            development_secret,
            issuer,
            audience,
        })
    }

    /// The development defaults: built-in secret, default issuer and audience.
    pub fn development() -> Self {
        Self {
            keys: KeyConfig::SharedSecret(DEVELOPMENT_SECRET.as_bytes().to_vec()),
            development_secret: true,
            issuer: DEFAULT_ISSUER.to_string(),
            audience: DEFAULT_AUDIENCE.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_development_secret_stays_on_this_machine_unless_allowed() {
        assert!(development_secret_allowed("127.0.0.1:8080", false));
        assert!(development_secret_allowed("[::1]:8080", false));
        assert!(development_secret_allowed("localhost:8080", false));
        assert!(!development_secret_allowed("0.0.0.0:8080", false));
        assert!(!development_secret_allowed("10.1.2.3:8080", false));
        assert!(development_secret_allowed("0.0.0.0:8080", true));
    }
}
