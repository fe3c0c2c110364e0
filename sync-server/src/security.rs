//! What the relay adds to every response to keep the app's origin to itself, and the limit
//! on guessing invitation codes.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The security headers of every response.
pub struct Headers {
    csp: HeaderValue,
}

impl Headers {
    /// The policy for the app in `app_dir`: scripts only from the relay itself plus the inline
    /// start-up script Trunk writes into `index.html` (allowed by its hash, read once here),
    /// WebAssembly compilation (`wasm-unsafe-eval`, not `unsafe-eval`), connections only to the
    /// relay (its API and sync socket), and no framing by other sites.
    pub fn for_app(app_dir: &Path) -> Self {
        let index = std::fs::read_to_string(app_dir.join("index.html")).unwrap_or_default();
        let hashes: String = inline_scripts(&index)
            .map(|script| {
                let digest = Sha256::digest(script.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
             connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        Self {
            csp: HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'",
            )),
        }
    }

    pub fn policy(&self) -> &str {
        self.csp.to_str().unwrap_or_default()
    }
}

/// The bodies of `index.html`'s inline scripts (those without `src`), exactly as the browser
/// hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let after = &rest[start..];
            let open_end = after.find('>')?;
            let tag = &after[..open_end];
            let body_start = start + open_end + 1;
            let body_len = rest[body_start..].find("</script>")?;
            let body = &rest[body_start..body_start + body_len];
            rest = &rest[body_start + body_len..];
            if !tag.contains(" src=") {
                return Some(body);
            }
        }
    })
}

pub async fn headers(State(policy): State<Arc<Headers>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

type Keyed = governor::RateLimiter<
    IpAddr,
    governor::state::keyed::DefaultKeyedStateStore<IpAddr>,
    governor::clock::DefaultClock,
>;

/// Invitation redemptions per client address: a code has 50 random bits, and this keeps
/// guessing at a few dozen tries a minute per address. Behind a reverse proxy every client
/// shares the proxy's address; README shows how the proxy limits per client instead.
pub struct JoinLimiter {
    limiter: Keyed,
}

impl JoinLimiter {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
        }
    }

    /// Whether `peer` may try once more now. Unknown peers (tests driving the router without
    /// a socket) share one bucket.
    pub fn allow(&self, peer: Option<ConnectInfo<SocketAddr>>) -> bool {
        let ip = peer.map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip());
        // Forget addresses whose bucket is full again, so the table stays small.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<head><script type="module">
import init from '/app.js';
</script><script src="/x.js"></script><script>b()</script></head>"#;
        let found: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(found, vec!["\nimport init from '/app.js';\n", "b()"]);
    }

    #[test]
    fn the_policy_allows_the_inline_script_by_hash_and_wasm_compilation() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<script type=\"module\">a()</script>",
        )
        .unwrap();
        let policy = Headers::for_app(dir.path());
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"a()"));
        assert!(policy.policy().contains(&format!("'sha256-{expected}'")));
        assert!(policy.policy().contains("'wasm-unsafe-eval'"));
        assert!(policy.policy().contains("frame-ancestors 'none'"));
        assert!(!policy.policy().contains("'unsafe-eval'"));
    }

    #[test]
    fn an_address_runs_out_of_join_attempts_and_another_does_not() {
        let limiter = JoinLimiter::new(3);
        let a = Some(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1))));
        let b = Some(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 1))));
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
    }
}
