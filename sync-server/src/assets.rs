//! Serving the built app: hashed assets are immutable for a year; `index.html`, the service
//! worker and the manifest are revalidated on every load, so a new build is picked up at once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

/// Whether a file name carries Trunk's content hash (`name-0123456789abcdef.ext`, the
/// extension one of Trunk's hashed kinds): the same rule as `public/sw.js`'s `HASHED`. A route
/// of the app such as `/people/<uuid>` (whose last group is 12 hex digits) has no extension and
/// is not one.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    if !matches!(ext, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        // Trunk writes its 64-bit hash in lowercase hex without leading zeros: usually 16
        // digits, one build in sixteen 15, rarely fewer. Ten is far below any real hash and
        // far above a word that happens to be hex.
        .is_some_and(|(_, hash)| {
            (10..=16).contains(&hash.len())
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Immutable for a year only for a hashed file that is what its name says: the app's
/// `index.html`, which answers every path without a file (routes, and a file a deploy no longer
/// has), is never cached as if it were one.
pub fn cache_control(path: &str, response: &mut Response) {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A 304 to a revalidation of a hashed file keeps it immutable in the browser's cache.
    let fine = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let value = if fine && !html && is_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/app-0123456789abcdef.js"));
        assert!(is_hashed("/app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/style-00ff00ff00ff00ff.css"));
        // A hash with a leading zero, as Trunk names it (a real build's name).
        assert!(is_hashed("/app-715dc28a7646de6.js"));
        assert!(is_hashed("/app-715dc28a7646de6_bg.wasm"));
        assert!(!is_hashed("/export-worker.js"));
        assert!(!is_hashed("/icon-bad.png"));
        // The app's routes: a record's id ends in 12 hex digits, and carries no extension.
        assert!(!is_hashed("/people/6f1c2b3a-1d2e-4f50-9a8b-0c1d2e3f4a5b"));
        assert!(!is_hashed("/pairs/6f1c2b3a-1d2e-4f50-9a8b-0c1d2e3f4a5b"));
        assert!(!is_hashed("/app-0123456789ABCDEF.js"));
        assert!(!is_hashed("/app-0123456789abcdef.html"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/sw.js"));
        assert!(!is_hashed("/icons/icon-192.png"));
        assert!(!is_hashed("/manifest.webmanifest"));
    }
}
