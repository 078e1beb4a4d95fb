//! Building the application: shared state, the actix app, and the server. Tests build the same
//! application on port 0.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::admission::WriteAdmission;
use crate::api::{self, RouteTable};
use crate::auth::jwt::{JwtVerifier, KeyError};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl, DbConnection, DbPool, DbSetupError};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::services::Actor;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub verifier: JwtVerifier,
    pub settings: Settings,
    pub admission: WriteAdmission,
    pub metrics: Metrics,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool with a pooled connection.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let waiting = self.metrics.pool_waiting.clone();
        // The request's span goes with the work, so its log lines carry the request id.
        let span = tracing::Span::current();
        web::block(move || {
            let _entered = span.enter();
            waiting.inc();
            let conn = pool.get();
            waiting.dec();
            let mut conn = conn?;
            work(&mut conn)
        })
        .await?
    }

    /// Runs a write once admitted (see [`WriteAdmission`]): the authority's earlier writes in
    /// this instance have finished and a writer slot is free, so waiting costs no connection.
    pub async fn write<T, F>(&self, actor: Actor, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &Actor) -> Result<T, AppError> + Send + 'static,
    {
        self.metrics.admission_waiting.inc();
        let queued = std::time::Instant::now();
        let admitted = self.admission.admit(&actor.principal.authority).await;
        self.metrics.admission_waiting.dec();
        self.metrics
            .admission_wait
            .observe(queued.elapsed().as_secs_f64());
        let _permit = admitted?;
        self.run(move |conn| work(conn, &actor)).await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("JWT configuration: {0}")]
    Jwt(#[from] KeyError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot listen on {bind}: {cause}")]
    Bind { bind: String, cause: std::io::Error },
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects to the database (migrating it), then binds `settings.bind`. Port 0 picks a
    /// free port, which `port()` reports.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let url = DatabaseUrl::parse(&settings.database_url)?;
        let pool = db::connect(&url, settings.db_pool_size)?;
        tracing::info!(database = %url.redacted(), "database ready");
        Self::build_with_pool(settings, pool)
    }

    pub fn build_with_pool(settings: Settings, pool: DbPool) -> Result<Self, StartupError> {
        let verifier = JwtVerifier::new(
            &settings.jwt.keys,
            &settings.jwt.issuer,
            &settings.jwt.audience,
        )?;
        if settings.jwt.development_secret {
            tracing::warn!(
                "!!! JWT_SECRET is not set: tokens are checked with the built-in DEVELOPMENT secret, which anyone can read. Set JWT_SECRET or JWT_PUBLIC_KEY_FILE before real use. !!!"
            );
        }
        let listener = TcpListener::bind(&settings.bind).map_err(|cause| StartupError::Bind {
            bind: settings.bind.clone(),
            cause,
        })?;
        let port = listener
            .local_addr()
            .map_err(|cause| StartupError::Bind {
                bind: settings.bind.clone(),
                cause,
            })?
            .port();
        let state_workers = settings.workers;
        // SQLite has one writer; on PostgreSQL half the pool may write, so reads always find a
        // connection.
        let writers = match DatabaseUrl::parse(&settings.database_url)? {
            DatabaseUrl::Sqlite(_) => 1,
            DatabaseUrl::Postgres(_) => usize::try_from(settings.db_pool_size / 2).unwrap_or(1),
        };
        let spec = api::openapi();
        let state = web::Data::new(AppState {
            pool,
            verifier,
            settings,
            admission: WriteAdmission::new(writers),
            metrics: Metrics::new(&spec)?,
        });
        let routes = web::Data::new(RouteTable::from_openapi(&spec));
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(api::configure)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(routes.clone())
                .app_data(web::PathConfig::default().error_handler(api::extract::path_error))
                .app_data(web::QueryConfig::default().error_handler(api::extract::query_error))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
                .service(web::redirect("/docs", "/docs/"))
                .default_service(web::to(api::fallback))
                .wrap(actix_web::middleware::from_fn(api::request_id::middleware))
        })
        .workers(state_workers)
        .client_request_timeout(crate::limits::REQUEST_HEAD_TIMEOUT)
        .listen(listener)
        .map_err(|cause| StartupError::Bind {
            bind: "listener".into(),
            cause,
        })?
        // Graceful shutdown: on SIGTERM/SIGINT stop accepting, finish in-flight requests.
        .shutdown_timeout(30)
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
