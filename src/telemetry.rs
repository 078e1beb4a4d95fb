//! Structured logs: one line per event, request spans carry the request id.

use tracing_subscriber::EnvFilter;

/// The default filter. The HTTP layer logs a request it cannot parse (a malformed or oversized
/// header) at ERROR, though the client caused it and got its 400 or 431: those lines are off
/// unless `RUST_LOG` asks for them.
const DEFAULT_FILTER: &str = "info,actix_http::h1::dispatcher=off";

/// Installs the global subscriber. `RUST_LOG` filters (default [`DEFAULT_FILTER`]); JSON when
/// `json`. Colour only on a terminal, so log files and collectors get plain text.
pub fn init(json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_target(false);
    // A second init (e.g. in tests) keeps the first subscriber; that is fine.
    let _ = if json {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.try_init()
    };
}
