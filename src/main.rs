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
            let demo = config.demo;
            let state = App::build(config).await?;
            if demo {
                let report = lectern::demo::load(&state).await?;
                lectern::demo::print_accounts(&state.config.public_url, &report);
            }
            Server::bind(state).await?.run_until(shutdown_signal()).await
        }
        Command::Reindex { data_dir, index_dir } => {
            let mut config = Config::new(&data_dir);
            config.index_dir = index_dir;
            let state = App::build(config).await?;
            let search = state.search.clone();
            let t = std::time::Instant::now();
            let n = tokio::task::spawn_blocking(move || search.rebuild()).await??;
            println!("indexed {n} published courses in {:.2} s", t.elapsed().as_secs_f64());
            state.store.clone().close().await;
            Ok(())
        }
        Command::Seed(args) => {
            let mut config = Config::new(&args.data_dir);
            config.index_dir = args.index_dir.clone();
            let state = App::build(config).await?;
            let report = lectern::seed::run(&state, &args.options()).await?;
            println!("{report}");
            state.store.clone().close().await;
            Ok(())
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
