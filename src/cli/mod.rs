//! The command line: `serve` (default), `token`, `seed-demo`, `openapi`.

pub mod demo;

use std::process::ExitCode;

use crate::auth::Role;
use crate::auth::jwt::{Claims, KeyConfig, mint_hs256};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl};
use crate::domain::authority::AuthorityId;
use crate::startup::Application;
use crate::{api, telemetry};

const USAGE: &str = "\
mission-procurement — mission-oriented public procurement service

USAGE:
  mission-procurement [serve]      run the HTTP service (BIND, DATABASE_URL, JWT_* …)
  mission-procurement token --authority <slug> --role <role> [--role <role>…]
                            [--sub <subject>] [--ttl <30m|8h|7d>]
                                   mint an HS256 token with JWT_SECRET (development)
  mission-procurement seed-demo    load the demo story (authority `camden`) into DATABASE_URL
  mission-procurement openapi      print the OpenAPI document
  mission-procurement healthcheck  exit 0 if the service on BIND answers /ready (for containers)
  mission-procurement --version    the version
  mission-procurement help         this text

Roles: officer, evaluator, auditor, integration, admin. See README.md for configuration.";

pub async fn run(args: Vec<String>) -> ExitCode {
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("serve", &[][..]),
    };
    let result = match command {
        "serve" if rest.is_empty() => serve().await,
        "token" => token(rest),
        "seed-demo" if rest.is_empty() => seed_demo(),
        "openapi" if rest.is_empty() => openapi(),
        "healthcheck" if rest.is_empty() => healthcheck(),
        "--version" | "-V" | "version" if rest.is_empty() => {
            println!("mission-procurement {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!(
            "unknown command or arguments: {}\n\n{USAGE}",
            args.join(" ")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn settings() -> Result<Settings, String> {
    Settings::from_env().map_err(|e| e.to_string())
}

async fn serve() -> Result<(), String> {
    let settings = settings()?;
    telemetry::init(settings.log_json);
    let bind = settings.bind.clone();
    let app = Application::build(settings).map_err(|e| e.to_string())?;
    tracing::info!(%bind, port = app.port(), "listening; API docs at /docs");
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// Asks the service on `BIND` (port only; always via 127.0.0.1) for `/ready`, so a container
/// needs no HTTP client installed for its health check.
fn healthcheck() -> Result<(), String> {
    use std::io::{Read, Write};
    use std::time::Duration;
    let bind = std::env::var("BIND").unwrap_or_else(|_| crate::config::DEFAULT_BIND.to_string());
    let port = bind
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or_else(|| format!("BIND {bind} names no port"))?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let timeout = Duration::from_secs(3);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot reach {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).map_err(|e| e.to_string())?;
    if head.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "not ready: {}",
            String::from_utf8_lossy(&head).trim_end()
        ))
    }
}

fn openapi() -> Result<(), String> {
    let json = api::openapi().to_pretty_json().map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn seed_demo() -> Result<(), String> {
    let settings = settings()?;
    let url = DatabaseUrl::parse(&settings.database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let summary = demo::seed(&mut conn).map_err(|e| e.to_string())?;
    println!("{summary}");
    Ok(())
}

/// Parses `30m`, `8h`, `7d`, `90s` or plain seconds; at most 30 days.
pub fn parse_ttl(raw: &str) -> Result<i64, String> {
    let (number, unit) = match raw.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&raw[..i], c),
        _ => (raw, 's'),
    };
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => {
            return Err(format!(
                "--ttl `{raw}`: use a number with s, m, h or d, e.g. 8h"
            ));
        }
    };
    let seconds = number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|s| (1..=30 * 86_400).contains(s))
        .ok_or_else(|| format!("--ttl `{raw}`: must be from 1 second to 30 days, e.g. 8h"))?;
    Ok(seconds)
}

fn token(args: &[String]) -> Result<(), String> {
    let mut authority = None;
    let mut roles = Vec::new();
    let mut sub = None;
    let mut ttl = 8 * 3600;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--authority" => {
                authority =
                    Some(AuthorityId::parse(value()?).map_err(|m| format!("--authority {m}"))?)
            }
            "--role" => {
                let raw = value()?;
                roles.push(Role::parse(raw).ok_or_else(|| {
                    format!("--role `{raw}` is not a role (officer, evaluator, auditor, integration, admin)")
                })?);
            }
            "--sub" => sub = Some(value()?.clone()),
            "--ttl" => ttl = parse_ttl(value()?)?,
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    let authority = authority.ok_or("--authority is required")?;
    if roles.is_empty() {
        return Err("at least one --role is required".into());
    }
    let settings = settings()?;
    let KeyConfig::SharedSecret(secret) = &settings.jwt.keys else {
        return Err(
            "tokens can be minted only with a shared secret (JWT_SECRET); with a public key configured, tokens come from your identity provider"
                .into(),
        );
    };
    if settings.jwt.development_secret {
        eprintln!("warning: signing with the built-in development secret (JWT_SECRET is not set)");
    }
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: sub.unwrap_or_else(|| "dev".to_string()),
        authority: authority.to_string(),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        iss: settings.jwt.issuer.clone(),
        aud: settings.jwt.audience.clone(),
        iat: now,
        exp: now + ttl,
    };
    let token = mint_hs256(secret, &claims).map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("8h"), Ok(28_800));
        assert_eq!(parse_ttl("30m"), Ok(1_800));
        assert_eq!(parse_ttl("90"), Ok(90));
        assert!(parse_ttl("31d").is_err());
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("8w").is_err());
        assert!(parse_ttl("h").is_err());
    }
}
