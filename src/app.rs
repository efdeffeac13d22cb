//! The application: everything a request may need, built once from a [`Config`].
//!
//! [`App::build`] opens the store and wires the domains (also used by CLI commands that work on
//! a stopped data dir); [`Server::bind`] adds a listener and the background tasks;
//! [`Server::run_until`] serves until a shutdown signal, drains, and closes the store.

use std::net::{IpAddr, SocketAddr};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::config::{Config, load_or_create_secret};
use crate::identity::Identity;
use crate::identity::tokens::Keys;
use crate::learning::Learning;
use crate::mail::Mailer;
use crate::ratelimit::SlidingWindow;
use crate::search::Search;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Store,
    pub clock: Arc<Clock>,
    pub identity: Arc<Identity>,
    pub catalog: Arc<Catalog>,
    pub learning: Arc<Learning>,
    pub moderation: Arc<crate::moderation::Moderation>,
    /// Lesson Q&A: questions, answers, accepted answers.
    pub qa: Arc<crate::qa::Qa>,
    pub commerce: Arc<crate::commerce::Commerce>,
    /// Engagement mail: enrollment and completion emails, reminders, digests, preferences.
    pub engagement: Arc<crate::engagement::Engagement>,
    pub certificates: Arc<crate::engagement::Certificates>,
    /// Uploads: files in `<data-dir>/media`, their records.
    pub media: Arc<crate::media::Media>,
    pub search: Arc<Search>,
    pub mailer: Arc<Mailer>,
    pub rate_limiter: SlidingWindow<IpAddr>,
    /// False while starting and while draining: `/health/ready` answers 503.
    pub ready: AtomicBool,
    /// Every background task; shutdown waits for them before closing the store.
    pub tasks: TaskTracker,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Rendered pages for visitors.
    pub pages: crate::respcache::PageCache,
    /// Where backups are copied off the machine (`LECTERN_BACKUP_S3_URL`), if anywhere.
    pub offsite: Option<Arc<crate::offsite::Offsite>>,
}

/// The one state handle the router carries.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<AppState> {
        // First: the caches and routes built below keep metric handles, which count only if the
        // recorder is installed when they are made.
        let metrics = crate::observe::install();
        let (data_dir, store_cache) = (config.data_dir.clone(), config.store_cache_bytes);
        let store = tokio::task::spawn_blocking(move || {
            Store::open_with(&data_dir, &crate::schema::SCHEMA, store_cache)
        })
        .await?
        .with_context(|| format!("opening the store in {}", config.data_dir.display()))?;
        let secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => load_or_create_secret(&config.data_dir).context("loading the signing secret")?,
        };
        let clock = Arc::new(Clock::default());
        let keys = Keys::new(&secret, &config.public_url, config.access_ttl);
        let smtp = config.smtp_url.as_ref().map(|s| s.expose_str().to_owned());
        let mailer = Arc::new(
            Mailer::new(store.clone(), clock.clone(), smtp.as_deref(), &config.mail_from)
                .context("configuring mail (LECTERN_SMTP_URL / LECTERN_MAIL_FROM)")?,
        );
        let tasks = TaskTracker::new();
        let identity = Arc::new(Identity::new(
            &config,
            store.clone(),
            clock.clone(),
            keys,
            mailer.clone(),
            tasks.clone(),
        ));
        if let Some((email, password)) = &config.admin
            && identity.ensure_admin(email, password.expose_str()).await?
        {
            tracing::info!("created the first admin from LECTERN_ADMIN_EMAIL");
        }
        let rate_limiter = SlidingWindow::new(config.rate_limit_per_min, Duration::from_secs(60));
        let engagement = Arc::new(crate::engagement::Engagement::new(
            store.clone(),
            clock.clone(),
            mailer.clone(),
            &config,
            crate::identity::tokens::derive(secret.expose(), "lectern/unsubscribe/v1"),
        ));
        // Learning's changes reach the domains above it through these (see learning::events).
        // Certificates come first, so the completion email can name the certificate.
        let hooks = crate::learning::events::Hooks::new(vec![
            crate::engagement::Certificates::on_completion(config.school_name.clone()),
            engagement.hook(),
        ]);
        // The automatic checks for reviews and publishing: the embedded word lists plus the
        // school's own in <data-dir>/moderation/.
        let screen = {
            let dir = config.data_dir.join("moderation");
            Arc::new(
                crate::screen::Screen::load(&dir)
                    .with_context(|| format!("reading the moderation word lists in {}", dir.display()))?,
            )
        };
        let mut catalog = Catalog::new(store.clone(), clock.clone(), config.record_cache_bytes);
        catalog.set_screen(screen.clone());
        let curriculum_hooks = hooks.clone();
        catalog.subscribe(Arc::new(move |tx, event| {
            crate::learning::service::on_curriculum_change(tx, event, &curriculum_hooks)
        }));
        let catalog = Arc::new(catalog);
        let learning = Arc::new(Learning::new(
            store.clone(),
            clock.clone(),
            catalog.clone(),
            hooks.clone(),
            screen.clone(),
        ));
        let qa = Arc::new(crate::qa::Qa::new(store.clone(), clock.clone(), hooks.clone(), screen));
        let moderation = Arc::new(crate::moderation::Moderation::new(
            store.clone(),
            clock.clone(),
            catalog.clone(),
            &learning,
            crate::moderation::notices::Notices {
                school: config.school_name.clone(),
                public_url: config.public_url.trim_end_matches('/').to_owned(),
            },
        ));
        let badge_key = {
            let dir = config.data_dir.clone();
            tokio::task::spawn_blocking(move || crate::engagement::badge::BadgeKey::load_or_create(&dir))
                .await?
                .context("loading the badge signing key (badge.key)")?
        };
        let certificates = Arc::new(crate::engagement::Certificates::new(
            store.clone(),
            clock.clone(),
            badge_key,
            &config.public_url,
        ));
        let commerce = Arc::new(crate::commerce::Commerce::new(
            store.clone(),
            clock.clone(),
            catalog.clone(),
            mailer.clone(),
            &config,
            hooks,
        ));
        let search = {
            let (dir, store) = (config.index_dir.clone(), store.clone());
            Arc::new(
                tokio::task::spawn_blocking(move || Search::open(&dir, store))
                    .await?
                    .with_context(|| format!("opening the search index in {}", config.index_dir.display()))?,
            )
        };
        let media = {
            let (store, clock, dir, limits) =
                (store.clone(), clock.clone(), config.data_dir.clone(), config.uploads);
            Arc::new(
                tokio::task::spawn_blocking(move || crate::media::Media::open(store, clock, &dir, limits))
                    .await?
                    .context("opening the media directory (<data-dir>/media)")?,
            )
        };
        let config_page_bytes = config.page_cache_bytes;
        let offsite = config
            .offsite
            .as_ref()
            .map(|c| crate::offsite::Offsite::connect(c).map(Arc::new))
            .transpose()
            .context("configuring off-host backups (LECTERN_BACKUP_S3_*)")?;
        Ok(AppState(Arc::new(App {
            config,
            store,
            clock,
            identity,
            catalog,
            learning,
            moderation,
            qa,
            commerce,
            engagement,
            certificates,
            media,
            search,
            mailer,
            rate_limiter,
            ready: AtomicBool::new(false),
            tasks,
            metrics,
            pages: crate::respcache::PageCache::new(config_page_bytes),
            offsite,
        })))
    }
}

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(state: AppState) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(state.config.addr)
            .await
            .with_context(|| format!("listening on {}", state.config.addr))?;
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `signal` completes, then drains in-flight requests (at most the configured
    /// shutdown timeout), stops background work and closes the store.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Server { listener, state } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let tasks = state.tasks.clone();
        tasks.spawn(state.mailer.clone().run(stop_rx.clone()));
        tasks.spawn(janitor(state.clone(), stop_rx.clone()));
        tasks.spawn(state.search.clone().run(stop_rx.clone()));
        tasks.spawn(state.commerce.clone().run(stop_rx.clone()));
        tasks.spawn(state.engagement.clone().run(stop_rx.clone()));
        if !state.config.backup_every.is_zero() {
            tasks.spawn(crate::ops::scheduled(state.clone(), state.config.backup_every, stop_rx.clone()));
        }
        // Prepare the dummy hash now, so the first sign-in with an unknown email is not slower.
        let warm = state.identity.clone();
        tasks.spawn(async move { warm.warm_up().await });

        let router = crate::http::router(state.clone());
        let draining = {
            let state = state.clone();
            let stop_tx = stop_tx.clone();
            async move {
                signal.await;
                state.ready.store(false, Ordering::Release);
                tracing::info!("shutting down: draining requests");
                let _ = stop_tx.send(true);
            }
        };
        state.ready.store(true, Ordering::Release);
        tracing::info!(addr = %listener.local_addr()?, url = %state.config.public_url, "serving");
        let serve = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(draining);
        let mut stopped = stop_rx.clone();
        let deadline = state.config.shutdown_timeout;
        tokio::select! {
            r = serve => r.context("serving HTTP")?,
            _ = async {
                let _ = stopped.wait_for(|s| *s).await;
                tokio::time::sleep(deadline).await;
            } => tracing::warn!("drain timed out; closing with requests still in flight"),
        }
        let _ = stop_tx.send(true);
        tasks.close();
        tasks.wait().await;
        state.store.clone().close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// How long delivered mail stays readable in the outbox.
const OUTBOX_RETENTION: Duration = Duration::from_secs(90 * 86_400);

/// Periodic housekeeping.
async fn janitor(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match state.identity.purge_ended_sessions().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "removed ended sessions"),
                    Err(e) => tracing::warn!(error = %e, "session purge failed"),
                }
                // The search index is the change log's only reader: what it has applied can go.
                let upto = state.search.position();
                loop {
                    match state.store.write(move |tx| Ok(tx.truncate_changes(upto, 10_000)?)).await {
                        Ok(10_000) => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "change log truncation failed");
                            break;
                        }
                    }
                }
                let cutoff = crate::clock::Timestamp(state.clock.now().millis() - OUTBOX_RETENTION.as_millis() as i64);
                match state.store.write(move |tx| crate::mail::purge_older_than(tx, cutoff, 10_000)).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "removed old outbox messages"),
                    Err(e) => tracing::warn!(error = %e, "outbox purge failed"),
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
