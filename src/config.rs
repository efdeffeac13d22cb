//! Configuration: the command line (every flag also an `LECTERN_*` variable) parsed into one
//! [`Config`] that the app is built from. Every path derives from the data dir.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use ipnet::IpNet;

/// Bytes that must never be printed (keys, passwords, URLs with credentials): redacted in
/// `Debug`, wiped from memory when dropped (`secrecy`), and without `==`, so a comparison has
/// to be the constant-time [`Secret::matches`].
pub struct Secret(secrecy::SecretSlice<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes.into())
    }
    pub fn expose(&self) -> &[u8] {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
    pub fn expose_str(&self) -> &str {
        std::str::from_utf8(self.expose()).unwrap_or_default()
    }
    /// Whether `presented` is this secret, in time that does not depend on where they differ.
    pub fn matches(&self, presented: &[u8]) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.expose(), presented).into()
    }
}

impl Clone for Secret {
    fn clone(&self) -> Secret {
        Secret::new(self.expose().to_vec())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// `lectern serve` options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LECTERN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory holding the database, secrets and backups.
    #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Directory of the search index (derived data; rebuilt when missing).
    #[arg(long, env = "LECTERN_INDEX_DIR", default_value = "./index")]
    pub index_dir: PathBuf,
    /// The URL people reach the school at; used for every absolute link (emails, sitemaps).
    /// Default: http://<addr>.
    #[arg(long, env = "LECTERN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Load the demo school into an empty data dir.
    #[arg(long, env = "LECTERN_DEMO")]
    pub demo: bool,
    /// The school's name, shown in emails and pages.
    #[arg(long, env = "LECTERN_SCHOOL_NAME", default_value = "Lectern")]
    pub school_name: String,
    /// Signing secret for tokens (at least 32 bytes). Default: generated once and kept in
    /// <data-dir>/secret.key (mode 0600).
    #[arg(long, env = "LECTERN_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Requests per minute per client IP (0 = off).
    #[arg(long, env = "LECTERN_RATE_LIMIT_PER_MIN", default_value_t = 100)]
    pub rate_limit_per_min: u32,
    /// Proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For is believed.
    #[arg(long, env = "LECTERN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,
    /// Origins allowed to call the API from a browser (comma-separated).
    #[arg(long, env = "LECTERN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// SMTP server: smtps://user:pass@host:465 (TLS), smtp://user:pass@host:587?tls=required
    /// (STARTTLS), or smtp://localhost:25 (plain, for a local relay only).
    /// Unset: mail stays in the outbox for admins to read.
    #[arg(long, env = "LECTERN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of outgoing mail.
    #[arg(long, env = "LECTERN_MAIL_FROM", default_value = "Lectern <no-reply@localhost>")]
    pub mail_from: String,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "LECTERN_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "LECTERN_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Seconds to drain in-flight requests on shutdown.
    #[arg(long, env = "LECTERN_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,
    /// Days a sign-in lasts at most, however often it is refreshed.
    #[arg(long, env = "LECTERN_SESSION_DAYS", default_value_t = 30)]
    pub session_days: u64,
    /// How often to take a backup into <data-dir>/backups: 24h, 6h, 30m... (0 = never).
    #[arg(long, env = "LECTERN_BACKUP_EVERY", default_value = "24h", value_parser = crate::ops::parse_every)]
    pub backup_every: Duration,
    /// How many scheduled backups to keep.
    #[arg(long, env = "LECTERN_BACKUP_KEEP", default_value_t = 7)]
    pub backup_keep: usize,
    /// Bearer token required by /metrics (unset: open).
    #[arg(long, env = "LECTERN_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Entries per in-memory record cache (courses, curricula).
    #[arg(long, env = "LECTERN_CACHE_ENTRIES", default_value_t = 20_000)]
    pub cache_entries: u64,
    /// Megabytes of rendered pages kept for visitors (0 = render every time).
    #[arg(long, env = "LECTERN_PAGE_CACHE_MB", default_value_t = 32)]
    pub page_cache_mb: u64,
    /// Megabytes of the store's page cache (hot records stay in memory).
    #[arg(long, env = "LECTERN_STORE_CACHE_MB", default_value_t = 64)]
    pub store_cache_mb: usize,
    /// Admin created at start when no admin exists yet.
    #[arg(long, env = "LECTERN_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    #[arg(long, env = "LECTERN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub index_dir: PathBuf,
    /// Without a trailing slash.
    pub public_url: String,
    pub demo: bool,
    pub school_name: String,
    pub jwt_secret: Option<Secret>,
    pub rate_limit_per_min: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub cors_origins: Vec<String>,
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub access_ttl: Duration,
    pub session_lifetime: Duration,
    pub admin: Option<(String, Secret)>,
    /// Concurrent password hashes (each takes ~19 MiB).
    pub hash_concurrency: usize,
    /// Entries per in-memory cache (courses, curricula).
    pub cache_capacity: u64,
    /// Bytes of rendered anonymous pages kept in memory.
    pub page_cache_bytes: u64,
    /// Bytes of the store's page cache.
    pub store_cache_bytes: usize,
    /// Zero: no scheduled backups.
    pub backup_every: Duration,
    pub backup_keep: usize,
    pub metrics_token: Option<Secret>,
}

impl Config {
    /// Defaults for a data dir (used by tests and tools; `serve` goes through [`ServeArgs`]).
    pub fn new(data_dir: &Path) -> Config {
        Config {
            addr: "127.0.0.1:8080".parse().expect("valid address"),
            data_dir: data_dir.to_owned(),
            index_dir: data_dir.join("index"),
            public_url: "http://127.0.0.1:8080".into(),
            demo: false,
            school_name: "Lectern".into(),
            jwt_secret: None,
            rate_limit_per_min: 100,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            smtp_url: None,
            mail_from: "Lectern <no-reply@localhost>".into(),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
            access_ttl: Duration::from_secs(15 * 60),
            session_lifetime: Duration::from_secs(30 * 86_400),
            admin: None,
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            cache_capacity: 20_000,
            page_cache_bytes: 32 << 20,
            store_cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
            backup_every: Duration::ZERO,
            backup_keep: 7,
            metrics_token: None,
        }
    }

    pub fn from_args(a: ServeArgs) -> anyhow::Result<Config> {
        let public_url =
            normalize_public_url(a.public_url.as_deref().unwrap_or(&format!("http://{}", a.addr)))?;
        let jwt_secret = match a.jwt_secret {
            Some(s) if s.len() < 32 => {
                anyhow::bail!("LECTERN_JWT_SECRET must be at least 32 bytes")
            }
            Some(s) => Some(Secret::new(s.into_bytes())),
            None => None,
        };
        let admin = match (a.admin_email, a.admin_password) {
            (Some(e), Some(p)) => Some((e, Secret::new(p.into_bytes()))),
            (None, None) => None,
            _ => {
                anyhow::bail!("set both LECTERN_ADMIN_EMAIL and LECTERN_ADMIN_PASSWORD, or neither")
            }
        };
        Ok(Config {
            addr: a.addr,
            data_dir: a.data_dir,
            index_dir: a.index_dir,
            public_url,
            demo: a.demo,
            school_name: a.school_name,
            jwt_secret,
            rate_limit_per_min: a.rate_limit_per_min,
            trusted_proxies: a.trusted_proxies,
            cors_origins: a.cors_origins,
            smtp_url: a.smtp_url.map(|s| Secret::new(s.into_bytes())),
            mail_from: a.mail_from,
            max_body_bytes: a.max_body_bytes,
            request_timeout: Duration::from_secs(a.request_timeout_secs.max(1)),
            shutdown_timeout: Duration::from_secs(a.shutdown_timeout_secs),
            session_lifetime: Duration::from_secs(a.session_days.max(1) * 86_400),
            admin,
            backup_every: a.backup_every,
            backup_keep: a.backup_keep,
            metrics_token: a.metrics_token.filter(|t| !t.is_empty()).map(|t| Secret::new(t.into_bytes())),
            cache_capacity: a.cache_entries.max(1),
            page_cache_bytes: a.page_cache_mb << 20,
            store_cache_bytes: a.store_cache_mb.max(1) << 20,
            ..Config::new(Path::new("."))
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}

fn normalize_public_url(raw: &str) -> anyhow::Result<String> {
    let u = raw.trim().trim_end_matches('/');
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("--public-url must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains(['?', '#']) {
        anyhow::bail!("--public-url {raw:?} is not a valid base URL");
    }
    Ok(u.to_owned())
}

/// Reads the signing secret from `<data_dir>/secret.key`, creating it (0600) on first start.
pub fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Secret> {
    use std::io::Write;
    let path = data_dir.join("secret.key");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(Secret::new(bytes)),
        Ok(_) => {
            anyhow::bail!("{} is shorter than 32 bytes; remove it to generate a new one", path.display())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    std::fs::create_dir_all(data_dir)?;
    let mut bytes = vec![0u8; 64];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    Ok(Secret::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_is_normalised_and_checked() {
        assert_eq!(normalize_public_url("https://school.example/").unwrap(), "https://school.example");
        assert!(normalize_public_url("ftp://x").is_err());
        assert!(normalize_public_url("https://").is_err());
    }

    #[test]
    fn secret_is_created_once_with_private_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_secret(dir.path()).unwrap();
        let b = load_or_create_secret(dir.path()).unwrap();
        assert!(a.matches(b.expose()));
        assert_eq!(a.expose().len(), 64);
        assert_eq!(format!("{a:?}"), "Secret(***)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
