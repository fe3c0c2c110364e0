use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use sync_server::accounts::{Role, SchoolId};
use sync_server::{AppState, Config, Store, app};
use tracing_subscriber::EnvFilter;

/// The Наставник relay: serves the app and syncs schools' documents.
///
/// With no subcommand it serves. `school …` subcommands are for the relay's operator.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Directory of the embedded database.
    #[arg(long, env = "NASTAVNIK_DATA", default_value = "./data", global = true)]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "NASTAVNIK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the built app.
    #[arg(long, env = "NASTAVNIK_APP", default_value = "dist")]
    app: PathBuf,
    /// Largest accepted WebSocket frame, in bytes.
    #[arg(long, env = "NASTAVNIK_MAX_FRAME", default_value_t = sync_server::DEFAULT_MAX_FRAME)]
    max_frame: usize,
    /// Open connections accepted at once; beyond that a new one is closed at once.
    #[arg(long, env = "NASTAVNIK_MAX_CONNECTIONS", default_value_t = 8192)]
    max_connections: usize,
    /// Open sync connections one device may have at once.
    #[arg(
        long,
        env = "NASTAVNIK_MAX_CONNECTIONS_PER_DEVICE",
        default_value_t = 8
    )]
    max_connections_per_device: usize,
    /// Seconds a client has to send a request's headers, and an API call to complete.
    #[arg(long, env = "NASTAVNIK_REQUEST_TIMEOUT", default_value_t = 10)]
    request_timeout_secs: u64,
    /// Seconds a sync connection has to send `join`.
    #[arg(long, env = "NASTAVNIK_JOIN_TIMEOUT", default_value_t = 10)]
    join_timeout_secs: u64,
    /// Seconds between the relay's pings on a sync connection.
    #[arg(long, env = "NASTAVNIK_PING_INTERVAL", default_value_t = 20)]
    ping_interval_secs: u64,
    /// Seconds of silence (not even a pong) after which a sync connection is closed.
    #[arg(long, env = "NASTAVNIK_IDLE_TIMEOUT", default_value_t = 60)]
    idle_timeout_secs: u64,
    /// Print the link that joins a device with this invitation code, at the address the relay
    /// actually listens on (used by `scripts/start`).
    #[arg(long, hide = true)]
    announce_invitation: Option<String>,
    /// Address of the operator's `/metrics` listener (Prometheus). Without it, no metrics are
    /// served; they are never served on the public `--listen` address.
    #[arg(long, env = "NASTAVNIK_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Chunk writes committed together in one database transaction at most (group commit; 1 gives
    /// a transaction and an fsync per write, for comparison).
    #[arg(long, env = "NASTAVNIK_GROUP_COMMIT", default_value_t = sync_server::store::DEFAULT_GROUP_COMMIT)]
    group_commit: usize,
    /// Documents held in memory at once; beyond it the least recently used one is unloaded.
    #[arg(long, env = "NASTAVNIK_MAX_DOCUMENTS_IN_MEMORY", default_value_t = sync_server::hub::DEFAULT_MAX_LOADED)]
    max_documents_in_memory: usize,
    /// Invitation codes one client address may try per minute (`/api/join`).
    #[arg(long, env = "NASTAVNIK_JOIN_ATTEMPTS_PER_MINUTE", default_value_t = 30)]
    join_attempts_per_minute: u32,
    /// Sustained messages per second one connection may send.
    #[arg(long, env = "NASTAVNIK_MAX_MESSAGES_PER_SECOND", default_value_t = 200)]
    max_messages_per_second: u32,
    /// Documents one school may keep on this relay.
    #[arg(
        long,
        env = "NASTAVNIK_MAX_DOCUMENTS_PER_SCHOOL",
        default_value_t = 10_000
    )]
    max_documents_per_school: u64,
    /// Bytes one school's documents may take on this relay.
    #[arg(long, env = "NASTAVNIK_MAX_SCHOOL_BYTES", default_value_t = 256 * 1024 * 1024)]
    max_school_bytes: u64,
    /// Bytes of growth one device may cause in a day.
    #[arg(long, env = "NASTAVNIK_MAX_DEVICE_BYTES_PER_DAY", default_value_t = 64 * 1024 * 1024)]
    max_device_bytes_per_day: u64,
    /// New documents one device may bring in a day.
    #[arg(
        long,
        env = "NASTAVNIK_MAX_DEVICE_DOCUMENTS_PER_DAY",
        default_value_t = 2_000
    )]
    max_device_documents_per_day: u64,
    /// PostgreSQL connection string (`postgres://user:password@host/db`): several relay
    /// instances share it. Without it the relay uses its embedded SQLite database in `--data`.
    #[arg(long, env = "NASTAVNIK_POSTGRES")]
    postgres: Option<String>,
    /// A file holding the PostgreSQL connection string (readable by the relay's user only), so
    /// that its password is neither on the command line nor in the environment.
    #[arg(long, env = "NASTAVNIK_POSTGRES_FILE", conflicts_with = "postgres")]
    postgres_file: Option<PathBuf>,
    /// The certificate authority (PEM) of the PostgreSQL server: the connection is then over
    /// TLS and the server's certificate verified against it. With `sslmode=require` in the
    /// connection string and no CA file, public certificate authorities are trusted.
    #[arg(long, env = "NASTAVNIK_POSTGRES_CA")]
    postgres_ca: Option<PathBuf>,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, env = "NASTAVNIK_LOG_JSON")]
    log_json: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Schools on this relay.
    School {
        #[command(subcommand)]
        command: SchoolCommand,
    },
}

#[derive(Subcommand, Debug)]
enum SchoolCommand {
    /// Creates a school and prints the invitation for its curator's first device.
    Create {
        #[arg(long)]
        name: String,
    },
    /// Prints a new invitation for a curator's device of an existing school.
    Invite {
        #[arg(long)]
        school: String,
    },
    /// Lists the schools.
    List,
    /// Writes one school (its devices and every document) to a file.
    Backup {
        #[arg(long)]
        school: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restores a school from a backup file into a relay that does not have it.
    Restore {
        #[arg(long)]
        file: PathBuf,
    },
}

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Purging in the background returns freed pages to the system after jemalloc's decay time
    // (10 s) even when the relay is idle and allocates nothing that would trigger it.
    #[cfg(target_os = "linux")]
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        eprintln!("jemalloc background threads: {e}");
    }
    let args = Args::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Logs go to stderr; stdout carries only what scripts read (`listening on …`, subcommand results).
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if args.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    let result = match args.command {
        None => serve(args).await,
        Some(Command::School { ref command }) => match open_store(&args).await {
            Ok(store) => school(store, command).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("sync-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn open_store(args: &Args) -> Result<Store, Box<dyn std::error::Error>> {
    let from_file = match &args.postgres_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    Ok(match from_file.as_ref().or(args.postgres.as_ref()) {
        Some(url) => {
            Store::open_postgres_grouped(url, args.postgres_ca.as_deref(), args.group_commit)
                .await?
        }
        None => Store::open_dir_with(&args.data, args.group_commit)?,
    })
}

async fn school(store: Store, command: &SchoolCommand) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        SchoolCommand::Create { name } => {
            let (school, invitation) = store.create_school(name).await?;
            println!("school {} «{}»", school.id, school.name);
            println!("curator invitation {}", invitation.code);
        }
        SchoolCommand::Invite { school } => {
            let invitation = store
                .invite(&SchoolId(school.clone()), Role::Curator, None)
                .await?;
            println!("curator invitation {}", invitation.code);
        }
        SchoolCommand::List => {
            for school in store.schools().await? {
                println!("{}\t{}", school.id, school.name);
            }
        }
        SchoolCommand::Backup { school, out } => {
            let backup = store.backup(&SchoolId(school.clone())).await?;
            backup.write_to(out)?;
            println!(
                "backed up school {} ({} documents) to {}",
                school,
                backup.document_count(),
                out.display()
            );
        }
        SchoolCommand::Restore { file } => {
            let backup = sync_server::backup::Backup::from_bytes(&std::fs::read(file)?)?;
            let (id, documents) = (backup.school_id().to_owned(), backup.document_count());
            store.restore(backup).await?;
            println!("restored school {id} ({documents} documents)");
        }
    }
    Ok(())
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let store = open_store(&args).await?;
    if !args.app.join("index.html").exists() {
        tracing::warn!(app = %args.app.display(), "no built app here: only /sync will work");
    }
    let secs = std::time::Duration::from_secs;
    let config = Config {
        max_frame: args.max_frame,
        max_messages_per_second: args.max_messages_per_second,
        quota: sync_server::store::Quota {
            max_documents: args.max_documents_per_school,
            max_school_bytes: args.max_school_bytes,
            max_device_bytes_per_day: args.max_device_bytes_per_day,
            max_device_documents_per_day: args.max_device_documents_per_day,
        },
        max_connections: args.max_connections,
        max_connections_per_device: args.max_connections_per_device,
        request_timeout: secs(args.request_timeout_secs),
        join_attempts_per_minute: args.join_attempts_per_minute,
        max_documents_in_memory: args.max_documents_in_memory,
        timeouts: sync_server::Timeouts {
            join: secs(args.join_timeout_secs),
            ping: secs(args.ping_interval_secs),
            idle: secs(args.idle_timeout_secs),
        },
        ..Config::new(args.app)
    };
    sync_server::raise_open_files_limit();
    let state = AppState::new(store, config.clone());
    state.hub.follow_other_instances();
    if let Some(metrics_addr) = args.metrics_listen {
        let metrics_listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        // Printed before the `listening on` line, which scripts and tests wait for.
        println!(
            "metrics on http://{}/metrics",
            metrics_listener.local_addr()?
        );
        let metrics_app = sync_server::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, metrics_app).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when listening on :0.
    println!("listening on http://{addr}");
    if let Some(code) = &args.announce_invitation {
        // An address on all interfaces is reached from this machine as localhost.
        let host = if addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", addr.port())
        } else {
            addr.to_string()
        };
        println!("\nОткройте на планшете куратора: http://{host}/join/{code}");
        if addr.ip().is_unspecified() {
            println!(
                "(с планшета в сети школы: http://<адрес этого компьютера>:{}/join/{code})",
                addr.port()
            );
        }
        println!();
    }
    tracing::info!(%addr, "relay started");
    sync_server::serve(listener, app(state), &config, shutdown_signal()).await;
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
