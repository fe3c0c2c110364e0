use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use sync_server::{AppState, Config, Store, app};
use tracing_subscriber::EnvFilter;

/// The Наставник relay: serves the app and syncs schools' documents.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "NASTAVNIK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the embedded database.
    #[arg(long, env = "NASTAVNIK_DATA", default_value = "./data")]
    data: PathBuf,
    /// Directory of the built app.
    #[arg(long, env = "NASTAVNIK_APP", default_value = "dist")]
    app: PathBuf,
    /// Largest accepted WebSocket frame, in bytes.
    #[arg(long, env = "NASTAVNIK_MAX_FRAME", default_value_t = 16 * 1024 * 1024)]
    max_frame: usize,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("sync-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open_dir(&args.data)?;
    if !args.app.join("index.html").exists() {
        tracing::warn!(app = %args.app.display(), "no built app here: only /sync will work");
    }
    let state = AppState::new(
        store,
        Config {
            app_dir: args.app,
            max_frame: args.max_frame,
        },
    );
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    // Tests and scripts read this line to learn the port when listening on :0.
    println!("listening on http://{}", listener.local_addr()?);
    tracing::info!(addr = %listener.local_addr()?, "relay started");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
