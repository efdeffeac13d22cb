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
