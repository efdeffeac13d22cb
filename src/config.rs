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

/// The store's page cache unless configured (`LECTERN_STORE_CACHE_MB`).
pub const DEFAULT_STORE_CACHE_BYTES: usize = 32 << 20;

/// Parses "24h", "6h", "30m", "90s", "2d" or "0" (off).
pub fn parse_every(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("{s:?}: expected a number with s, m, h or d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" | "" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: unit must be s, m, h or d")),
    };
    Ok(Duration::from_secs(secs))
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
    /// Stripe secret API key (sk_...). With the webhook secret, offers Stripe Checkout.
    #[arg(long, env = "LECTERN_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The signing secret of the Stripe webhook endpoint (whsec_...).
    #[arg(long, env = "LECTERN_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe's API base URL (tests point it at a local stand-in).
    #[arg(long, env = "LECTERN_STRIPE_API_BASE", default_value = DEFAULT_STRIPE_API_BASE)]
    pub stripe_api_base: String,
    /// YooKassa shop id (shopId). With the secret key, offers YooKassa.
    #[arg(long, env = "LECTERN_YOOKASSA_SHOP_ID")]
    pub yookassa_shop_id: Option<String>,
    /// YooKassa secret key (live_... or test_...).
    #[arg(long, env = "LECTERN_YOOKASSA_SECRET_KEY", hide_env_values = true)]
    pub yookassa_secret_key: Option<String>,
    /// YooKassa's API base URL (tests point it at a local stand-in).
    #[arg(long, env = "LECTERN_YOOKASSA_API_BASE", default_value = DEFAULT_YOOKASSA_API_BASE)]
    pub yookassa_api_base: String,
    /// Where YooKassa's notifications may come from (IPs or CIDR ranges, comma-separated; the
    /// client address as LECTERN_TRUSTED_PROXIES resolves it). Default: YooKassa's published list.
    #[arg(long, env = "LECTERN_YOOKASSA_NETWORKS", value_delimiter = ',', value_parser = parse_network,
        default_values = YOOKASSA_NETWORKS)]
    pub yookassa_networks: Vec<IpNet>,
    /// The 54-FZ receipt's `vat_code` for a course (1 = no VAT; see YooKassa's list of rates).
    #[arg(long, env = "LECTERN_YOOKASSA_VAT_CODE", default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..))]
    pub yookassa_vat_code: u8,
    /// Offer the built-in test provider (a Pay / Decline page): for demos and development only.
    /// The documented `LECTERN_PAYMENTS_TEST=1` must start the server: clap's default parser of
    /// a flag's environment value takes only `true`/`false`, so take 1/0, yes/no, on/off too.
    #[arg(long, env = "LECTERN_PAYMENTS_TEST", value_parser = clap::builder::BoolishValueParser::new())]
    pub payments_test: bool,
    /// The school's share of every sale, in percent; the rest is the teacher's.
    #[arg(long, env = "LECTERN_PLATFORM_FEE_PERCENT", default_value_t = 20,
        value_parser = clap::value_parser!(u8).range(0..=100))]
    pub platform_fee_percent: u8,
    /// Days after paying in which a buyer may ask for a refund.
    #[arg(long, env = "LECTERN_REFUND_WINDOW_DAYS", default_value_t = 14)]
    pub refund_window_days: u32,
    /// A buyer who has completed this share of the lessons (percent) can no longer ask for one.
    #[arg(long, env = "LECTERN_REFUND_MAX_PROGRESS", default_value_t = 30,
        value_parser = clap::value_parser!(u8).range(0..=100))]
    pub refund_max_progress: u8,
    /// Refund requests that meet the rules are refunded at once, without an admin.
    #[arg(long, env = "LECTERN_REFUND_AUTO", value_parser = clap::builder::BoolishValueParser::new())]
    pub refund_auto: bool,
    /// Days a teacher's earnings stay pending before they can be paid out (default: the refund window).
    #[arg(long, env = "LECTERN_PAYOUT_HOLD_DAYS")]
    pub payout_hold_days: Option<u32>,
    /// The smallest payout a teacher may ask for, in minor units of its currency.
    #[arg(long, env = "LECTERN_PAYOUT_MIN_MINOR", default_value_t = 1000)]
    pub payout_min_minor: i64,
    /// Days without activity in an unfinished course before a student is reminded of it.
    #[arg(long, env = "LECTERN_REMINDER_DAYS", default_value_t = 3)]
    pub reminder_days: u32,
    /// The school's time zone as an offset from UTC (`+03:00`, `-05:00`): reminders and digests
    /// go out between 09:00 and 20:00 there.
    #[arg(long, env = "LECTERN_SCHOOL_UTC_OFFSET", default_value = "+00:00", value_parser = parse_utc_offset)]
    pub school_utc_offset: i32,
    /// Sender address of outgoing mail.
    #[arg(long, env = "LECTERN_MAIL_FROM", default_value = "Lectern <no-reply@localhost>")]
    pub mail_from: String,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "LECTERN_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest lesson video upload, in megabytes (covers are limited to 10 MB, documents to 20 MB).
    #[arg(long, env = "LECTERN_MAX_UPLOAD_MB", default_value_t = 2048)]
    pub max_upload_mb: u64,
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
    #[arg(long, env = "LECTERN_BACKUP_EVERY", default_value = "24h", value_parser = parse_every)]
    pub backup_every: Duration,
    /// How many scheduled backups to keep.
    #[arg(long, env = "LECTERN_BACKUP_KEEP", default_value_t = 7)]
    pub backup_keep: usize,
    #[command(flatten)]
    pub s3: S3Args,
    /// Bearer token required by /metrics (unset: open).
    #[arg(long, env = "LECTERN_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Megabytes of course records and curricula kept in memory (about: text and overhead).
    #[arg(long, env = "LECTERN_RECORD_CACHE_MB", default_value_t = 32)]
    pub record_cache_mb: u64,
    /// Megabytes of rendered pages kept for visitors (0 = render every time).
    #[arg(long, env = "LECTERN_PAGE_CACHE_MB", default_value_t = 16)]
    pub page_cache_mb: u64,
    /// Megabytes of the store's page cache (hot records stay in memory).
    #[arg(long, env = "LECTERN_STORE_CACHE_MB", default_value_t = 32)]
    pub store_cache_mb: usize,
    /// Admin created at start when no admin exists yet.
    #[arg(long, env = "LECTERN_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    #[arg(long, env = "LECTERN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

/// Off-host copies of backups in S3-compatible object storage (`serve`, `backup`).
#[derive(Debug, Clone, Default, Args)]
pub struct S3Args {
    /// Also upload every backup to S3-compatible storage: s3://BUCKET or s3://BUCKET/PREFIX.
    #[arg(long, env = "LECTERN_BACKUP_S3_URL")]
    pub backup_s3_url: Option<String>,
    /// How many backups to keep in the bucket. Default: as many as LECTERN_BACKUP_KEEP.
    #[arg(long, env = "LECTERN_BACKUP_S3_KEEP")]
    pub backup_s3_keep: Option<usize>,
    #[command(flatten)]
    pub connection: S3ConnectionArgs,
}

impl S3Args {
    /// The upload target, when `LECTERN_BACKUP_S3_URL` is set; `keep` is the local retention.
    pub fn offsite(&self, keep: usize) -> anyhow::Result<Option<OffsiteConfig>> {
        let Some(url) = self.backup_s3_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let url = S3Url::parse(url).map_err(|e| anyhow::anyhow!("LECTERN_BACKUP_S3_URL: {e}"))?;
        Ok(Some(OffsiteConfig {
            url,
            connection: self.connection.connection()?,
            keep: self.backup_s3_keep.unwrap_or(keep).max(1),
            retry: UploadRetry::default(),
            stray_after: Duration::from_secs(86_400),
        }))
    }
}

/// How to reach S3-compatible storage (also for `restore --from s3://...`).
#[derive(Debug, Clone, Default, Args)]
pub struct S3ConnectionArgs {
    /// Endpoint of an S3-compatible server (MinIO, Ceph, Garage...), e.g.
    /// https://minio.internal:9000. Default: AWS S3 in the region.
    #[arg(long, env = "LECTERN_BACKUP_S3_ENDPOINT")]
    pub backup_s3_endpoint: Option<String>,
    /// The bucket's region (S3-compatible servers mostly accept any).
    #[arg(long, env = "LECTERN_BACKUP_S3_REGION", default_value = "us-east-1")]
    pub backup_s3_region: String,
    /// Accept a plain-http endpoint on another machine (backups and signatures would cross the
    /// network unencrypted). Loopback endpoints may always be http.
    #[arg(long, env = "LECTERN_BACKUP_S3_ALLOW_HTTP")]
    pub backup_s3_allow_http: bool,
    /// Credentials: the standard AWS variables (prefer the environment to the flag). Unset: the
    /// instance's role from the EC2 metadata service.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub aws_access_key_id: Option<String>,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub aws_secret_access_key: Option<String>,
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub aws_session_token: Option<String>,
}

impl S3ConnectionArgs {
    pub fn connection(&self) -> anyhow::Result<S3Connection> {
        let secret = |v: &Option<String>| {
            v.as_ref().filter(|s| !s.is_empty()).map(|s| Secret::new(s.clone().into_bytes()))
        };
        let endpoint = self.backup_s3_endpoint.as_deref().filter(|e| !e.trim().is_empty());
        let endpoint = endpoint.map(|e| check_endpoint(e, self.backup_s3_allow_http)).transpose()?;
        let (access_key_id, secret_access_key) =
            (secret(&self.aws_access_key_id), secret(&self.aws_secret_access_key));
        if access_key_id.is_some() != secret_access_key.is_some() {
            anyhow::bail!("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither");
        }
        let region = match self.backup_s3_region.trim() {
            "" => "us-east-1".to_owned(),
            r => r.to_owned(),
        };
        Ok(S3Connection {
            endpoint,
            region,
            access_key_id,
            secret_access_key,
            session_token: secret(&self.aws_session_token),
            ..S3Connection::default()
        })
    }
}

/// `s3://bucket/some/key`: a bucket and a path in it (without leading or trailing slashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub path: String,
}

impl S3Url {
    pub fn parse(raw: &str) -> Result<S3Url, String> {
        let rest =
            raw.trim().strip_prefix("s3://").ok_or_else(|| format!("{raw:?} must start with s3://"))?;
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens.
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !bucket_ok {
            return Err(format!("{bucket:?} is not a valid bucket name"));
        }
        let path = path.trim_matches('/');
        if path.split('/').any(|seg| seg == "." || seg == "..") || path.contains("//") {
            return Err(format!("{raw:?} has an invalid path"));
        }
        Ok(S3Url { bucket: bucket.to_owned(), path: path.to_owned() })
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.path.as_str() {
            "" => write!(f, "s3://{}", self.bucket),
            path => write!(f, "s3://{}/{path}", self.bucket),
        }
    }
}

/// How to reach S3-compatible storage.
#[derive(Debug, Clone)]
pub struct S3Connection {
    /// `None`: AWS itself. Checked: https, or http on loopback or when explicitly allowed.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<Secret>,
    pub secret_access_key: Option<Secret>,
    pub session_token: Option<Secret>,
    /// Longest a single request may take (one part of an upload, one listing page).
    pub request_timeout: Duration,
    /// Retries of one failed request inside an attempt (connection reset, 503 slow down).
    pub request_retries: usize,
}

impl Default for S3Connection {
    fn default() -> S3Connection {
        S3Connection {
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            request_timeout: Duration::from_secs(120),
            request_retries: 2,
        }
    }
}

/// How often an upload is tried before it is reported failed.
#[derive(Debug, Clone, Copy)]
pub struct UploadRetry {
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
}

impl Default for UploadRetry {
    fn default() -> UploadRetry {
        // About 30 s of waiting in all: rides out a restarting endpoint, not a long outage (the
        // next scheduled backup tries again).
        UploadRetry { attempts: 4, backoff: Duration::from_secs(4) }
    }
}

/// Where backups are copied off the machine, and how many are kept there.
#[derive(Debug, Clone)]
pub struct OffsiteConfig {
    pub url: S3Url,
    pub connection: S3Connection,
    pub keep: usize,
    pub retry: UploadRetry,
    /// An object under the prefix that never became a complete backup (an upload cut off before
    /// its manifest) is deleted once this old; younger ones may be uploads in progress.
    pub stray_after: Duration,
}

/// An endpoint URL without a trailing slash, refused if it would send backups in the clear.
pub fn check_endpoint(raw: &str, allow_http: bool) -> anyhow::Result<String> {
    let url = raw.trim().trim_end_matches('/');
    let (plain, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        _ => anyhow::bail!("LECTERN_BACKUP_S3_ENDPOINT {raw:?} must start with https:// or http://"),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || rest.contains(char::is_whitespace) {
        anyhow::bail!("LECTERN_BACKUP_S3_ENDPOINT {raw:?} is not a valid URL");
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if plain && !loopback && !allow_http {
        anyhow::bail!(
            "LECTERN_BACKUP_S3_ENDPOINT {raw:?} is plain http to another machine: use https, or set \
             LECTERN_BACKUP_S3_ALLOW_HTTP=true if the network path is trusted"
        );
    }
    Ok(url.to_owned())
}

pub const DEFAULT_STRIPE_API_BASE: &str = "https://api.stripe.com";

pub const DEFAULT_YOOKASSA_API_BASE: &str = "https://api.yookassa.ru/v3";

/// The networks YooKassa sends notifications from (its webhook documentation).
pub const YOOKASSA_NETWORKS: &[&str] = &[
    "185.71.76.0/27",
    "185.71.77.0/27",
    "77.75.153.0/25",
    "77.75.154.128/25",
    "77.75.156.11",
    "77.75.156.35",
    "2a02:5180::/32",
];

/// A network (`10.0.0.0/8`, `2a02:5180::/32`) or a single address (`77.75.156.11`).
pub fn parse_network(s: &str) -> std::result::Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR range"))
}

/// Which payment providers are offered, with their keys.
#[derive(Debug, Clone, Default)]
pub struct PaymentsConfig {
    /// The built-in Pay / Decline page (`LECTERN_PAYMENTS_TEST=1` or `--demo`).
    pub test: bool,
    pub stripe: Option<StripeConfig>,
    pub yookassa: Option<YooKassaConfig>,
    pub rules: MoneyRules,
}

/// How money is shared and given back.
#[derive(Debug, Clone)]
pub struct MoneyRules {
    pub platform_fee_percent: u8,
    pub refund_window: Duration,
    /// Percent of a course's lessons completed after which no refund is asked for.
    pub refund_max_progress: u8,
    pub refund_auto: bool,
    pub payout_hold: Duration,
    pub payout_min_minor: i64,
}

impl Default for MoneyRules {
    fn default() -> MoneyRules {
        MoneyRules {
            platform_fee_percent: 20,
            refund_window: Duration::from_secs(14 * 86_400),
            refund_max_progress: 30,
            refund_auto: false,
            payout_hold: Duration::from_secs(14 * 86_400),
            payout_min_minor: 1000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret,
    pub webhook_secret: Secret,
    /// Without a trailing slash.
    pub api_base: String,
}

#[derive(Debug, Clone)]
pub struct YooKassaConfig {
    /// The shop id: half of HTTP Basic (`shopId:secretKey`); an identifier, not a secret.
    pub shop_id: String,
    pub secret_key: Secret,
    /// Without a trailing slash (`https://api.yookassa.ru/v3`).
    pub api_base: String,
    /// Notifications are accepted only from these networks.
    pub networks: Vec<IpNet>,
    /// The receipt's `vat_code` (1 = no VAT).
    pub vat_code: u8,
}

impl YooKassaConfig {
    /// YooKassa's published notification networks.
    pub fn published_networks() -> Vec<IpNet> {
        YOOKASSA_NETWORKS.iter().map(|n| parse_network(n).expect("the published list parses")).collect()
    }
}

/// When engagement mail goes out.
#[derive(Debug, Clone)]
pub struct EngagementConfig {
    /// Inactivity before a reminder (`LECTERN_REMINDER_DAYS`, default 3 days).
    pub reminder_after: Duration,
    /// The school's offset from UTC in minutes (`LECTERN_SCHOOL_UTC_OFFSET`).
    pub utc_offset_minutes: i32,
}

impl Default for EngagementConfig {
    fn default() -> EngagementConfig {
        EngagementConfig { reminder_after: Duration::from_secs(3 * 86_400), utc_offset_minutes: 0 }
    }
}

/// `+03:00`, `-05:30`, `Z` or `+00:00` → minutes east of UTC.
pub fn parse_utc_offset(s: &str) -> Result<i32, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Ok(0);
    }
    let bad = || format!("{s:?} is not a UTC offset such as +03:00 or -05:00");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(sign * (h * 60 + m))
}

/// The largest file each kind of upload may be, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Lesson videos (`LECTERN_MAX_UPLOAD_MB`, default 2048 MB).
    pub video_bytes: u64,
    /// Covers (10 MB).
    pub image_bytes: u64,
    /// Attachments and verification documents (20 MB).
    pub document_bytes: u64,
    /// An upload whose next bytes take longer than this is abandoned (a slow link is fine,
    /// a stalled one is not: uploads are exempt from the request timeout).
    pub idle: Duration,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            video_bytes: 2048 << 20,
            image_bytes: 10 << 20,
            document_bytes: 20 << 20,
            idle: Duration::from_secs(60),
        }
    }
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
    /// Engagement mail: reminders and digests.
    pub engagement: EngagementConfig,
    /// Payment providers (a provider without its keys is not offered).
    pub payments: PaymentsConfig,
    pub max_body_bytes: usize,
    /// Upload limits per kind of file (`LECTERN_MAX_UPLOAD_MB` for videos).
    pub uploads: UploadLimits,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub access_ttl: Duration,
    pub session_lifetime: Duration,
    pub admin: Option<(String, Secret)>,
    /// Concurrent password hashes (each takes ~19 MiB).
    pub hash_concurrency: usize,
    /// Bytes of course records and curricula kept in memory.
    pub record_cache_bytes: u64,
    /// Bytes of rendered anonymous pages kept in memory.
    pub page_cache_bytes: u64,
    /// Bytes of the store's page cache.
    pub store_cache_bytes: usize,
    /// Zero: no scheduled backups.
    pub backup_every: Duration,
    pub backup_keep: usize,
    /// Off-host copies of every backup (`LECTERN_BACKUP_S3_URL`).
    pub offsite: Option<OffsiteConfig>,
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
            payments: PaymentsConfig::default(),
            mail_from: "Lectern <no-reply@localhost>".into(),
            engagement: EngagementConfig::default(),
            max_body_bytes: 1024 * 1024,
            uploads: UploadLimits::default(),
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
            access_ttl: Duration::from_secs(15 * 60),
            session_lifetime: Duration::from_secs(30 * 86_400),
            admin: None,
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            record_cache_bytes: 32 << 20,
            page_cache_bytes: 16 << 20,
            store_cache_bytes: DEFAULT_STORE_CACHE_BYTES,
            backup_every: Duration::ZERO,
            backup_keep: 7,
            offsite: None,
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
        let offsite = a.s3.offsite(a.backup_keep)?;
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
            payments: PaymentsConfig {
                // `--demo` turns the test provider on: the demo school must be able to sell.
                test: a.payments_test || a.demo,
                stripe: match (a.stripe_secret_key, a.stripe_webhook_secret) {
                    (Some(key), Some(hook)) if !key.is_empty() && !hook.is_empty() => Some(StripeConfig {
                        secret_key: Secret::new(key.into_bytes()),
                        webhook_secret: Secret::new(hook.into_bytes()),
                        api_base: a.stripe_api_base.trim_end_matches('/').to_owned(),
                    }),
                    _ => None,
                },
                yookassa: match (a.yookassa_shop_id, a.yookassa_secret_key) {
                    (Some(shop), Some(key)) if !shop.trim().is_empty() && !key.is_empty() => {
                        Some(YooKassaConfig {
                            shop_id: shop.trim().to_owned(),
                            secret_key: Secret::new(key.into_bytes()),
                            api_base: a.yookassa_api_base.trim_end_matches('/').to_owned(),
                            networks: a.yookassa_networks,
                            vat_code: a.yookassa_vat_code,
                        })
                    }
                    _ => None,
                },
                rules: MoneyRules {
                    platform_fee_percent: a.platform_fee_percent,
                    refund_window: Duration::from_secs(u64::from(a.refund_window_days) * 86_400),
                    refund_max_progress: a.refund_max_progress,
                    refund_auto: a.refund_auto,
                    payout_hold: Duration::from_secs(
                        u64::from(a.payout_hold_days.unwrap_or(a.refund_window_days)) * 86_400,
                    ),
                    payout_min_minor: a.payout_min_minor.max(1),
                },
            },
            mail_from: a.mail_from,
            engagement: EngagementConfig {
                reminder_after: Duration::from_secs(u64::from(a.reminder_days.max(1)) * 86_400),
                utc_offset_minutes: a.school_utc_offset,
            },
            max_body_bytes: a.max_body_bytes,
            uploads: UploadLimits { video_bytes: a.max_upload_mb.max(1) << 20, ..UploadLimits::default() },
            request_timeout: Duration::from_secs(a.request_timeout_secs.max(1)),
            shutdown_timeout: Duration::from_secs(a.shutdown_timeout_secs),
            session_lifetime: Duration::from_secs(a.session_days.max(1) * 86_400),
            admin,
            backup_every: a.backup_every,
            backup_keep: a.backup_keep,
            offsite,
            metrics_token: a.metrics_token.filter(|t| !t.is_empty()).map(|t| Secret::new(t.into_bytes())),
            record_cache_bytes: a.record_cache_mb.max(1) << 20,
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
        assert_eq!(parse_utc_offset("+03:00"), Ok(180));
        assert_eq!(parse_utc_offset("-05:30"), Ok(-330));
        assert_eq!(parse_utc_offset("Z"), Ok(0));
        assert!(parse_utc_offset("03:00").is_err() && parse_utc_offset("+25:00").is_err());
        assert!(normalize_public_url("ftp://x").is_err());
        assert!(normalize_public_url("https://").is_err());
    }

    #[test]
    fn s3_urls_and_endpoints_are_checked() {
        let u = S3Url::parse("s3://school-backups/lectern/prod/").unwrap();
        assert_eq!((u.bucket.as_str(), u.path.as_str()), ("school-backups", "lectern/prod"));
        assert_eq!(u.to_string(), "s3://school-backups/lectern/prod");
        assert_eq!(S3Url::parse("s3://school-backups").unwrap().path, "");
        for bad in ["https://x/y", "s3://", "s3://UPPER", "s3://ab", "s3://b-ok/../x", "s3://b-ok/a//b"] {
            assert!(S3Url::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_endpoint("https://minio.example:9000/", false).unwrap(),
            "https://minio.example:9000"
        );
        for local in ["http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"] {
            assert!(check_endpoint(local, false).is_ok(), "{local}");
        }
        assert!(check_endpoint("http://minio.example:9000", false).is_err());
        assert!(check_endpoint("http://minio.example:9000", true).is_ok());
        assert!(check_endpoint("ftp://minio.example", true).is_err());
    }

    #[test]
    fn s3_credentials_never_print() {
        let connection = S3ConnectionArgs {
            aws_access_key_id: Some("AKIDEXAMPLE".into()),
            aws_secret_access_key: Some("wJalrXUtnFEMI".into()),
            ..S3ConnectionArgs::default()
        };
        let args = S3Args {
            backup_s3_url: Some("s3://school-backups/x".into()),
            backup_s3_keep: None,
            connection: connection.clone(),
        };
        let offsite = args.offsite(3).unwrap().unwrap();
        assert_eq!((offsite.keep, offsite.connection.region.as_str()), (3, "us-east-1"));
        let shown = format!("{offsite:?}");
        assert!(!shown.contains("AKIDEXAMPLE") && !shown.contains("wJalrXUtnFEMI"), "{shown}");
        let half = S3ConnectionArgs { aws_secret_access_key: None, ..connection };
        assert!(half.connection().is_err(), "a key id without its secret is refused");
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

    #[test]
    fn yookassa_is_configured_only_with_both_keys_and_defaults_to_its_published_networks() {
        #[derive(clap::Parser)]
        struct Cmd {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let parse = |args: &[&str]| {
            let a = <Cmd as clap::Parser>::try_parse_from([&["serve"], args].concat()).unwrap().serve;
            Config::from_args(a).unwrap().payments.yookassa
        };
        assert!(parse(&[]).is_none());
        assert!(parse(&["--yookassa-shop-id", "506751"]).is_none(), "a shop id without its key");
        let yk = parse(&["--yookassa-shop-id", "506751", "--yookassa-secret-key", "test_sEcReT"]).unwrap();
        assert_eq!(yk.api_base, DEFAULT_YOOKASSA_API_BASE);
        assert_eq!(yk.networks, YooKassaConfig::published_networks());
        assert_eq!(yk.networks.len(), 7);
        assert!(yk.networks.contains(&"77.75.156.11/32".parse().unwrap()));
        assert_eq!(yk.vat_code, 1);
        assert!(!format!("{yk:?}").contains("sEcReT"));
        let yk = parse(&[
            "--yookassa-shop-id=1",
            "--yookassa-secret-key=k",
            "--yookassa-api-base=http://127.0.0.1:9/v3/",
            "--yookassa-networks=127.0.0.1, 10.0.0.0/8",
            "--yookassa-vat-code=11",
        ])
        .unwrap();
        assert_eq!(yk.api_base, "http://127.0.0.1:9/v3");
        assert_eq!(
            yk.networks,
            vec!["127.0.0.1/32".parse::<IpNet>().unwrap(), "10.0.0.0/8".parse().unwrap()]
        );
        assert_eq!(yk.vat_code, 11);
        assert!(parse_network("example.com").is_err());
        let refused =
            |args: &[&str]| <Cmd as clap::Parser>::try_parse_from([&["serve"], args].concat()).is_err();
        assert!(refused(&["--yookassa-vat-code=0"]));
        assert!(refused(&["--yookassa-networks=10.0.0.0/33"]));
    }

    #[test]
    fn the_commerce_switches_are_plain_flags() {
        #[derive(clap::Parser)]
        struct Cmd {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let parse = |args: &[&str]| {
            let a = <Cmd as clap::Parser>::try_parse_from([&["serve"], args].concat()).unwrap().serve;
            Config::from_args(a).unwrap().payments
        };
        assert!(!parse(&[]).test && !parse(&[]).rules.refund_auto);
        let on = parse(&["--payments-test", "--refund-auto"]);
        assert!(on.test && on.rules.refund_auto);
        // `LECTERN_PAYMENTS_TEST=1` (as documented) is proven by the crash harness, which starts
        // the real binary with it.
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_every("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_every("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_every("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_every("0").unwrap(), Duration::ZERO);
        assert!(parse_every("soon").is_err());
        assert!(parse_every("5y").is_err());
    }
}
