use std::process::ExitCode;

use clap::Parser;
use lectern::app::{App, Server, shutdown_signal};
use lectern::cli::{AdminCommand, Cli, Command};
use lectern::config::Config;
use lectern::identity::{Email, Name, Password, Role};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    lectern::telemetry::init(&cli.log_format);
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lectern: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let config = Config::from_args(*args)?;
            if config.demo {
                tracing::warn!(
                    "--demo: this build has no demo school yet (it comes with the catalog); starting empty"
                );
            }
            let server = Server::bind(App::build(config).await?).await?;
            server.run_until(shutdown_signal()).await
        }
        Command::Admin(AdminCommand::Create { email, password, name, data_dir }) => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {}", e.message))?;
            let password = Password::parse("password", &password)
                .map_err(|e| anyhow::anyhow!("--password {}", e.message))?;
            let name = Name::parse(&name).map_err(|e| anyhow::anyhow!("--name {}", e.message))?;
            let state = App::build(Config::new(&data_dir)).await?;
            let user = state.identity.create_account(email, password, name, Role::Admin).await?;
            println!("created admin {} ({})", user.email, user.id);
            state.store.clone().close().await;
            Ok(())
        }
    }
}
