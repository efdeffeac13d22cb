//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{S3Args, S3ConnectionArgs, S3Url, ServeArgs};

/// Lectern: a whole online school in one binary.
#[derive(Debug, Parser)]
#[command(name = "lectern", version, about)]
pub struct Cli {
    /// Log format: json or pretty.
    #[arg(long, global = true, env = "LECTERN_LOG_FORMAT", default_value = "json")]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the school.
    Serve(Box<ServeArgs>),
    /// Administration on a stopped data dir.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Rebuild the search index from the store (server stopped).
    Reindex {
        #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        #[arg(long, env = "LECTERN_INDEX_DIR", default_value = "./index")]
        index_dir: PathBuf,
    },
    /// Fill a data dir with a synthetic school for benchmarks (server stopped).
    Seed(SeedArgs),
    /// Write a consistent backup to a file: directly from a stopped data dir, or through a
    /// running server (`--server`, with LECTERN_ADMIN_EMAIL and LECTERN_ADMIN_PASSWORD). With
    /// LECTERN_BACKUP_S3_URL set it is also uploaded (by the server, with `--server`).
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        /// The running server on this host, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: Option<String>,
        /// Backups kept in the bucket unless LECTERN_BACKUP_S3_KEEP says otherwise.
        #[arg(long, env = "LECTERN_BACKUP_KEEP", default_value_t = 7)]
        backup_keep: usize,
        #[command(flatten)]
        s3: S3Args,
    },
    /// Restore a backup into a new data dir (checksum and schema verified first).
    Restore {
        /// A backup file, s3://BUCKET/PREFIX/NAME, or s3://BUCKET/PREFIX/latest for the newest
        /// complete backup in the bucket.
        #[arg(long, value_parser = BackupSource::parse)]
        from: BackupSource,
        #[arg(long)]
        data_dir: PathBuf,
        /// Default: <data-dir>/../index next to it is not assumed; give it or get <data-dir>/index.
        #[arg(long)]
        index_dir: Option<PathBuf>,
        #[command(flatten)]
        s3: S3ConnectionArgs,
    },
    /// Check that every counter matches the records (server stopped). Exit 1 on problems.
    Check {
        #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Exit 0 if the server answers ready (for container health checks).
    Health {
        #[arg(long, default_value = "http://127.0.0.1:8080/health/ready")]
        url: String,
    },
}

/// Where `lectern restore` reads a backup.
#[derive(Debug, Clone)]
pub enum BackupSource {
    File(PathBuf),
    S3(S3Url),
}

impl BackupSource {
    pub fn parse(raw: &str) -> Result<BackupSource, String> {
        if raw.starts_with("s3://") {
            S3Url::parse(raw).map(BackupSource::S3)
        } else {
            Ok(BackupSource::File(raw.into()))
        }
    }
}

impl std::fmt::Display for BackupSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackupSource::File(path) => write!(f, "{}", path.display()),
            BackupSource::S3(url) => write!(f, "{url}"),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    #[arg(long, env = "LECTERN_INDEX_DIR", default_value = "./index")]
    pub index_dir: PathBuf,
    /// Published courses to create.
    #[arg(long, default_value_t = 10_000)]
    pub courses: usize,
    /// Students to create (plus one teacher per 10 courses).
    #[arg(long, default_value_t = 100_000)]
    pub users: usize,
    /// Enrollments per student.
    #[arg(long, default_value_t = 4)]
    pub enrollments_per_user: usize,
    /// Lessons per course.
    #[arg(long, default_value_t = 10)]
    pub lessons: usize,
    /// Seed of the random generator (same seed, same school).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

impl SeedArgs {
    pub fn options(&self) -> crate::seed::Options {
        crate::seed::Options {
            courses: self.courses,
            users: self.users,
            enrollments_per_user: self.enrollments_per_user,
            lessons: self.lessons,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, env = "LECTERN_NEW_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[arg(long, env = "LECTERN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}
