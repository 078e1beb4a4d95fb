//! Metrics for whoever runs the service, in the Prometheus text format at `GET /metrics`:
//! requests and their latency by operation id and status, the database pool, the write
//! admission queue, the wait for an authority's audit-chain lock, and import rows.
//!
//! Latencies are seconds as floating point, as the exposition format has them; no money or
//! score passes through here.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Latency buckets, in seconds: 1 ms to about 33 s, doubling.
fn buckets() -> Vec<f64> {
    prometheus::exponential_buckets(0.001, 2.0, 16).unwrap_or_default()
}

/// The wait for an authority's chain lock inside a write transaction. Process-wide, because the
/// transaction runs in the service layer, which holds no handle on the metrics.
static CHAIN_LOCK_WAIT: LazyLock<Result<Histogram, prometheus::Error>> = LazyLock::new(|| {
    Histogram::with_opts(
        HistogramOpts::new(
            "audit_chain_lock_wait_seconds",
            "Time a write transaction waited for its authority's audit-chain lock",
        )
        .buckets(buckets()),
    )
});

/// Records how long a write waited for its authority's chain lock.
pub fn observe_chain_lock_wait(waited: Duration) {
    if let Ok(histogram) = &*CHAIN_LOCK_WAIT {
        histogram.observe(waited.as_secs_f64());
    }
}

pub struct Metrics {
    registry: Registry,
    /// `(method, route pattern)` → operation id, from the OpenAPI document.
    operations: HashMap<(String, String), String>,
    requests: IntCounterVec,
    durations: HistogramVec,
    pool: IntGaugeVec,
    pub pool_waiting: IntGauge,
    pub admission_waiting: IntGauge,
    pub admission_wait: Histogram,
    import_rows: IntCounterVec,
}

impl Metrics {
    pub fn new(spec: &utoipa::openapi::OpenApi) -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "Requests served, by operation and status",
            ),
            &["operation", "status"],
        )?;
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to serve a request, by operation and status",
            )
            .buckets(buckets()),
            &["operation", "status"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections of the pool, by state (in_use, idle)",
            ),
            &["state"],
        )?;
        let pool_waiting = IntGauge::new(
            "db_pool_waiting",
            "Requests waiting for a database connection",
        )?;
        let admission_waiting = IntGauge::new(
            "write_admission_waiting",
            "Writes queued for their authority's turn or a writer slot",
        )?;
        let admission_wait = Histogram::with_opts(
            HistogramOpts::new(
                "write_admission_wait_seconds",
                "Time a write queued before taking a connection",
            )
            .buckets(buckets()),
        )?;
        let import_rows = IntCounterVec::new(
            Opts::new(
                "import_rows_total",
                "Monitoring returns received in batches, by outcome (accepted, rejected)",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(durations.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(pool_waiting.clone()))?;
        registry.register(Box::new(admission_waiting.clone()))?;
        registry.register(Box::new(admission_wait.clone()))?;
        registry.register(Box::new(import_rows.clone()))?;
        if let Ok(chain) = &*CHAIN_LOCK_WAIT {
            registry.register(Box::new(chain.clone()))?;
        }
        let operations = spec
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ]
                .into_iter()
                .filter_map(move |(method, op)| {
                    let id = op.as_ref()?.operation_id.clone()?;
                    Some(((method.to_string(), path.clone()), id))
                })
            })
            .collect();
        Ok(Self {
            registry,
            operations,
            requests,
            durations,
            pool,
            pool_waiting,
            admission_waiting,
            admission_wait,
            import_rows,
        })
    }

    /// Counts a served request under its operation id (`unmatched` for routes outside the
    /// API, so unknown paths cannot grow the label set).
    pub fn observe_request(
        &self,
        method: &str,
        pattern: Option<&str>,
        status: u16,
        took: Duration,
    ) {
        let operation = pattern
            .and_then(|p| self.operations.get(&(method.to_string(), p.to_string())))
            .map_or("unmatched", String::as_str);
        let status = status.to_string();
        let labels = [operation, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.durations
            .with_label_values(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn observe_import(&self, accepted: bool, rows: usize) {
        let outcome = if accepted { "accepted" } else { "rejected" };
        self.import_rows
            .with_label_values(&[outcome])
            .inc_by(u64::try_from(rows).unwrap_or(u64::MAX));
    }

    /// The exposition, with the pool's state as of now (its open and idle connections).
    pub fn render(&self, connections: u32, idle: u32) -> Result<String, prometheus::Error> {
        let idle = i64::from(idle);
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(connections) - idle);
        self.pool.with_label_values(&["idle"]).set(idle);
        TextEncoder::new().encode_to_string(&self.registry.gather())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_operation_and_status() {
        let spec = crate::api::openapi();
        let metrics = Metrics::new(&spec).unwrap();
        let took = Duration::from_millis(3);
        metrics.observe_request("GET", Some("/api/v1/missions/{id}"), 200, took);
        metrics.observe_request("GET", Some("/api/v1/missions/{id}"), 200, took);
        metrics.observe_request("GET", None, 404, took);
        metrics.observe_import(false, 12);
        let text = metrics.render(5, 3).unwrap();
        assert!(
            text.contains(r#"http_requests_total{operation="get_mission",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"http_requests_total{operation="unmatched",status="404"} 1"#));
        assert!(text.contains(r#"db_pool_connections{state="in_use"} 2"#));
        assert!(text.contains(r#"import_rows_total{outcome="rejected"} 12"#));
        assert!(text.contains("audit_chain_lock_wait_seconds_bucket"));
    }
}
