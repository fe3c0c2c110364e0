//! Prometheus metrics, served at `/metrics` in the text exposition format.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntGauge, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    pub connections: IntGauge,
    pub documents_loaded: IntGauge,
    pub bytes_received: IntCounter,
    pub bytes_sent: IntCounter,
    pub sync_seconds: Histogram,
    pub refused_connections: IntCounter,
    pub throttled: IntCounter,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("a valid metric name");
            registry
                .register(Box::new(g.clone()))
                .expect("registered once");
            g
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("a valid metric name");
            registry
                .register(Box::new(c.clone()))
                .expect("registered once");
            c
        };
        let connections = gauge("nastavnik_connections", "Open sync connections.");
        let documents_loaded = gauge("nastavnik_documents_loaded", "Documents held in memory.");
        let bytes_received = counter(
            "nastavnik_bytes_received_total",
            "Bytes received in sync frames.",
        );
        let bytes_sent = counter("nastavnik_bytes_sent_total", "Bytes sent in sync frames.");
        let refused_connections = counter(
            "nastavnik_refused_connections_total",
            "Connections refused for a bad or revoked credential.",
        );
        let throttled = counter(
            "nastavnik_throttled_total",
            "Times a connection over its work budget was paused before its next message was read.",
        );
        let sync_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "nastavnik_sync_seconds",
                "Time from a sync message's arrival to its replies being queued, storage included.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
        )
        .expect("valid histogram options");
        registry
            .register(Box::new(sync_seconds.clone()))
            .expect("registered once");
        Self {
            registry,
            connections,
            documents_loaded,
            bytes_received,
            bytes_sent,
            sync_seconds,
            refused_connections,
            throttled,
        }
    }

    /// The exposition, with the number of stored documents read at scrape time.
    pub fn render(&self, documents_stored: Option<u64>) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed families.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        let mut text = String::from_utf8_lossy(&out).into_owned();
        if let Some(n) = documents_stored {
            text.push_str("# HELP nastavnik_documents_stored Documents in the relay's database.\n");
            text.push_str("# TYPE nastavnik_documents_stored gauge\n");
            text.push_str(&format!("nastavnik_documents_stored {n}\n"));
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
