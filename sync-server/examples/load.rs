//! Relay load benchmark (not a test): starts the release relay binary, connects pairs of
//! protocol-level clients sharing one document per pair, has every client make one edit a
//! second, and prints the edits per second the peers received, the edit-to-peer latency
//! (p50/p99), the relay's CPU time per edit and its resident memory, at increasing client
//! counts, with group commit and with one transaction per write side by side.
//!
//! ```sh
//! cargo build --release -p sync-server
//! cargo run --release -p sync-server --example load -- 100 200 400
//! ```
//! Arguments: client counts (default 50 100 200 400). `NASTAVNIK_LOAD_SECONDS` sets how long
//! each run measures (default 10). With `NASTAVNIK_LOAD_POSTGRES=postgres://…/postgres` (a
//! server where the benchmark may create databases, e.g. from `scripts/postgres start DIR`)
//! the relay stores into a fresh PostgreSQL database per run instead of SQLite.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use futures_util::{SinkExt, StreamExt};
use sync_core::client::{Client, ClientEvent};
use sync_core::wire;
use sync_core::{DocumentId, PeerId};
use sync_server::Store;
use tokio_tungstenite::tungstenite::Message as Ws;

type Docs = std::collections::BTreeMap<DocumentId, automerge::Automerge>;

struct Run {
    clients: usize,
    group_commit: usize,
    edits_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms_per_edit: f64,
    rss_mb: f64,
}

#[tokio::main]
async fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counts = if counts.is_empty() {
        vec![50, 100, 200, 400]
    } else {
        counts
    };
    let seconds: u64 = std::env::var("NASTAVNIK_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let relay = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/sync-server");
    assert!(
        relay.exists(),
        "build the relay first: cargo build --release -p sync-server"
    );
    println!(
        "relay load ({}): pairs of clients share a document, one edit per client per second, {seconds} s per run, loopback",
        if std::env::var_os("NASTAVNIK_LOAD_POSTGRES").is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "{:>8} {:>13} {:>10} {:>9} {:>9} {:>12} {:>9}",
        "clients", "commit", "edits/s", "p50 ms", "p99 ms", "CPU ms/edit", "RSS MB"
    );
    for &clients in &counts {
        for group_commit in [1, sync_server::store::DEFAULT_GROUP_COMMIT] {
            let run = measure(&relay, clients & !1, group_commit, seconds).await;
            println!(
                "{:>8} {:>13} {:>10.0} {:>9.1} {:>9.1} {:>12.2} {:>9.1}",
                run.clients,
                if run.group_commit == 1 {
                    "per write".to_owned()
                } else {
                    format!("group ≤{}", run.group_commit)
                },
                run.edits_per_second,
                run.p50_ms,
                run.p99_ms,
                run.cpu_ms_per_edit,
                run.rss_mb
            );
        }
    }
}

/// A fresh database on the PostgreSQL server `admin` names.
async fn fresh_postgres(admin: &str) -> String {
    let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let name = format!("nastavnik_load_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn measure(relay: &Path, clients: usize, group_commit: usize, seconds: u64) -> Run {
    let data = tempfile::tempdir().unwrap();
    let postgres = match std::env::var("NASTAVNIK_LOAD_POSTGRES") {
        Ok(admin) => Some(fresh_postgres(&admin).await),
        Err(_) => None,
    };
    let store = match &postgres {
        Some(url) => Store::open_postgres(url).await.unwrap(),
        None => Store::open_dir(data.path()).unwrap(),
    };
    let mut tokens = Vec::new();
    // Twenty devices per school, as in a real region.
    let mut school = None;
    for i in 0..clients {
        if i % 20 == 0 {
            let (s, invitation) = store.create_school(&format!("Школа {i}")).await.unwrap();
            let curator = store.redeem(&invitation.code, "куратор").await.unwrap();
            tokens.push(curator.token);
            school = Some((s.id, curator.device.id));
            continue;
        }
        let (s, by) = school.as_ref().unwrap();
        let invitation = store
            .invite(s, sync_server::accounts::Role::Staff, Some(by))
            .await
            .unwrap();
        tokens.push(
            store
                .redeem(&invitation.code, "планшет")
                .await
                .unwrap()
                .token,
        );
    }
    drop(store);
    let mut child = std::process::Command::new(relay)
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .args(["--app", "/nonexistent", "--group-commit"])
        .arg(group_commit.to_string())
        .args(postgres.iter().flat_map(|url| ["--postgres", url.as_str()]))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        line.trim()
            .strip_prefix("listening on http://")
            .unwrap()
            .to_owned()
    };
    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let measuring = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    // Pairs are in the same school (tokens 2k and 2k+1; a school has 20 devices).
    for (pair, tokens) in tokens.chunks(2).enumerate() {
        let doc = DocumentId::random();
        for (side, token) in tokens.iter().enumerate() {
            let (addr, token) = (addr.clone(), token.clone());
            let (latencies, measuring) = (latencies.clone(), measuring.clone());
            tasks.push(tokio::spawn(async move {
                client(&addr, &token, doc, side, pair, epoch, latencies, measuring).await;
            }));
        }
    }
    // Warm up: every client connected and its document synced once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cpu_before = cpu_ms(child.id());
    latencies.lock().unwrap().clear();
    measuring.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, std::sync::atomic::Ordering::SeqCst);
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_ms(child.id()) - cpu_before;
    let rss_mb = rss_kb(child.id()) as f64 / 1024.0;
    for t in tasks {
        t.abort();
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        if lat.is_empty() {
            f64::NAN
        } else {
            lat[((lat.len() - 1) as f64 * q) as usize]
        }
    };
    Run {
        clients,
        group_commit,
        edits_per_second: lat.len() as f64 / elapsed,
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        cpu_ms_per_edit: cpu / lat.len().max(1) as f64,
        rss_mb,
    }
}

/// One client: edits its side of the pair's document once a second (staggered) and records
/// how long each of the peer's edits took to arrive.
#[allow(clippy::too_many_arguments)]
async fn client(
    addr: &str,
    token: &str,
    doc: DocumentId,
    side: usize,
    pair: usize,
    epoch: Instant,
    latencies: Arc<Mutex<Vec<f64>>>,
    measuring: Arc<std::sync::atomic::AtomicBool>,
) {
    let Ok((mut ws, _)) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/sync?token={token}")).await
    else {
        return;
    };
    let mut client = Client::new(PeerId::new(format!("load-{pair}-{side}")));
    let mut docs = Docs::new();
    let mine = if side == 0 { "a" } else { "b" };
    let theirs = if side == 0 { "b" } else { "a" };
    // Each side brings its own first change, so the document exists for both from the start.
    let mut first = sync_core::new_document();
    let mut tx = first.transaction();
    let _ = tx.put(automerge::ROOT, mine, 0i64);
    tx.commit();
    docs.insert(doc, first);
    if ws
        .send(Ws::Binary(client.join().encode().into()))
        .await
        .is_err()
    {
        return;
    }
    let mut last_seen = 0i64;
    // Staggered over the second, so edits do not all arrive at once.
    let offset = Duration::from_millis(((pair * 2 + side) * 37 % 1000) as u64);
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + offset, Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if client.is_connected() {
                    let now = epoch.elapsed().as_micros() as i64;
                    let d = docs.get_mut(&doc).unwrap();
                    let mut tx = d.transaction();
                    let _ = tx.put(automerge::ROOT, mine, now);
                    tx.commit();
                }
            }
            frame = ws.next() => {
                let Some(Ok(Ws::Binary(bytes))) = frame else { return };
                let Ok(msg) = wire::decode(&bytes, usize::MAX) else { return };
                let Ok(events) = client.receive(msg, &mut docs) else { return };
                if events.contains(&ClientEvent::Unavailable(doc)) {
                    // The peer's first change has not arrived yet: ask again.
                    client.retry_unavailable();
                }
                if events.contains(&ClientEvent::Changed(doc))
                    && let Ok(Some((value, _))) = docs[&doc].get(automerge::ROOT, theirs)
                    && let Some(sent) = value.as_i64()
                    && sent > last_seen
                {
                    last_seen = sent;
                    if measuring.load(std::sync::atomic::Ordering::SeqCst) {
                        let ms = (epoch.elapsed().as_micros() as i64 - sent) as f64 / 1000.0;
                        latencies.lock().unwrap().push(ms);
                    }
                }
            }
        }
        for msg in client.poll_all(&docs) {
            if ws.send(Ws::Binary(msg.encode().into())).await.is_err() {
                return;
            }
        }
    }
}

fn proc_status(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn rss_kb(pid: u32) -> u64 {
    proc_status(pid, "VmRSS:")
}

/// The process's user + system CPU time, in milliseconds.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name.
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    // Clock ticks are 100 a second on Linux.
    ticks as f64 * 10.0
}
