//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::ServeArgs;

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
