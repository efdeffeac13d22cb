//! Prometheus metrics: what the server does, in numbers a scraper can read at `/metrics`.
//!
//! The recorder is process-wide (the `metrics` facade is), installed once; gauges that describe
//! state (index lag, outbox depth, store size, backup age) are computed when scraped.

use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rustc_hash::FxHashMap;

use crate::app::AppState;
use crate::error::{Code, Error, Result};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// How often timings are drained into their histograms when nobody scrapes.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Installs the recorder (once per process) and returns the handle that renders it.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .expect("buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (an embedding program): ours still renders.
            let _ = metrics::set_global_recorder(recorder);
            // Each timing waits in the recorder as a sample until it is drained into its histogram:
            // by a scrape, or by this upkeep. Without it, a school that never scrapes `/metrics`
            // would keep eight bytes per request for ever (the load run's RSS grew by about
            // 100 MB over eight million requests).
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        upkeep.run_upkeep();
                    }
                })
                .expect("a thread starts");
            handle
        })
        .clone()
}

/// Counts requests by route (the pattern, not the raw path: ids do not explode the series),
/// method and status, times them, and tracks how many are in flight.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
    let metrics = route_metrics(req.method(), route);
    let started = Instant::now();
    // A guard, so a request cut short (timeout, client gone) still leaves the gauge.
    struct InFlight(&'static metrics::Gauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.decrement(1.0);
        }
    }
    static IN_FLIGHT: OnceLock<metrics::Gauge> = OnceLock::new();
    let gauge = IN_FLIGHT.get_or_init(|| metrics::gauge!("lectern_http_in_flight"));
    gauge.increment(1.0);
    let _in_flight = InFlight(gauge);
    let mut res = next.run(req).await;
    metrics.requests(res.status()).increment(1);
    metrics.time.record(started.elapsed().as_secs_f64());
    res.extensions_mut().insert(Route(metrics));
    res
}

/// The metrics of the route a response was produced by (for a replay of it: see `http::replay`).
#[derive(Clone)]
pub struct Route(pub Arc<RouteMetrics>);

/// The metric handles of one route and method, looked up in the recorder once rather than on
/// every request (a lookup builds and hashes the labelled key: more work than the count).
pub struct RouteMetrics {
    method: &'static str,
    route: Box<str>,
    /// `lectern_http_request_duration_seconds`.
    pub time: metrics::Histogram,
    /// `lectern_http_requests_total` by status (a route answers a handful).
    statuses: RwLock<Vec<(StatusCode, metrics::Counter)>>,
}

impl RouteMetrics {
    /// The counter of this route's requests that answered `status`.
    pub fn requests(&self, status: StatusCode) -> metrics::Counter {
        let found = self.statuses.read().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c)) = found.iter().find(|(s, _)| *s == status) {
            return c.clone();
        }
        drop(found);
        let mut statuses = self.statuses.write().unwrap_or_else(|p| p.into_inner());
        // Another request may have added it meanwhile.
        if let Some((_, c)) = statuses.iter().find(|(s, _)| *s == status) {
            return c.clone();
        }
        let (method, route) = (self.method, self.route.to_string());
        let c = metrics::counter!("lectern_http_requests_total", "method" => method, "route" => route, "status" => status.as_u16().to_string());
        statuses.push((status, c.clone()));
        c
    }
}

/// A method as a label: the standard ones by name, anything else as `other` (a client may send
/// any token as a method, and every label value is a series kept for ever).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics of a route pattern and method (made on its first request).
pub fn route_metrics(method: &Method, route: &str) -> Arc<RouteMetrics> {
    type Routes = RwLock<FxHashMap<Box<str>, Vec<Arc<RouteMetrics>>>>;
    static ROUTES: OnceLock<Routes> = OnceLock::new();
    let routes = ROUTES.get_or_init(Routes::default);
    let method = method_label(method);
    let found = routes.read().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = found.get(route).and_then(|ms| ms.iter().find(|m| m.method == method)) {
        return m.clone();
    }
    drop(found);
    let mut routes = routes.write().unwrap_or_else(|p| p.into_inner());
    let ms = routes.entry(route.into()).or_default();
    if let Some(m) = ms.iter().find(|m| m.method == method) {
        return m.clone();
    }
    let time = metrics::histogram!("lectern_http_request_duration_seconds", "method" => method, "route" => route.to_owned());
    let m = Arc::new(RouteMetrics { method, route: route.into(), time, statuses: RwLock::default() });
    ms.push(m.clone());
    m
}

/// Counts off-host backup uploads by outcome (`uploaded`, `failed`).
pub fn backup_upload(state: crate::offsite::UploadState) {
    let result = match state {
        crate::offsite::UploadState::NotConfigured | crate::offsite::UploadState::InProgress => return,
        crate::offsite::UploadState::Uploaded => "uploaded",
        crate::offsite::UploadState::Failed => "failed",
    };
    metrics::counter!("lectern_backup_uploads_total", "result" => result).increment(1);
}

/// `GET /metrics`: Prometheus text format; with `LECTERN_METRICS_TOKEN` set, only for a caller
/// presenting it as a Bearer token.
pub async fn metrics_endpoint(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = &app.config.metrics_token {
        let presented = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !token.matches(presented.as_bytes()) {
            return Err(Error::Unauthorized {
                code: Code::Unauthenticated,
                detail: "Send the metrics token as a Bearer token.".into(),
            });
        }
    }
    let state = app.clone();
    let (position, outbox) = app
        .store
        .read(|rtx| Ok((crate::store::position_in(rtx)?, crate::schema::OUTBOX_DUE.len(rtx)?)))
        .await?;
    metrics::gauge!("lectern_search_index_lag").set(position.saturating_sub(state.search.position()) as f64);
    metrics::gauge!("lectern_outbox_depth").set(outbox as f64);
    let db = state.config.data_dir.join(crate::store::DB_FILE);
    metrics::gauge!("lectern_store_bytes").set(std::fs::metadata(db).map_or(0.0, |m| m.len() as f64));
    for (cache, bytes) in state.catalog.cache_bytes() {
        metrics::gauge!("lectern_cache_bytes", "cache" => cache).set(bytes as f64);
    }
    metrics::gauge!("lectern_cache_bytes", "cache" => "page").set(state.pages.bytes() as f64);
    metrics::gauge!("lectern_cache_bytes", "cache" => "replay").set(state.pages.replay_bytes() as f64);
    metrics::gauge!("lectern_snippet_sources").set(state.search.snippet_sources.count() as f64);
    if let Some(age) = crate::ops::newest_backup_age(&state.config.data_dir) {
        metrics::gauge!("lectern_backup_age_seconds").set(age.as_secs_f64());
    }
    let body = state.metrics.render();
    Ok((
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response())
}
