//! A bound on what a sync message inflates to, checked before automerge parses it.
//!
//! Automerge's storage chunks may carry DEFLATE-compressed data: a whole compressed change
//! (chunk type 2), or compressed columns of a document or bundle chunk (the v2 sync message
//! sends a whole document this way on a first sync). Automerge inflates them into memory with no
//! limit, so a one-megabyte message of zeros compressed by a factor of a thousand would take
//! gigabytes before it could be refused. [`check`] walks the chunk headers and column metadata
//! of every chunk in a message and inflates each compressed part into a counting sink, never
//! holding more than a small buffer, and refuses the message once the total passes the limit.
//!
//! Only the framing is read here (lengths, column specifications); anything this walk does not
//! understand is left for automerge to accept or refuse, since nothing here is inflated by it.

use std::io::Read;

/// The most one sync message may inflate to. A school's largest document is a few megabytes
/// uncompressed; this leaves a wide margin and still bounds the relay's memory per message.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const COMPRESSED_CHANGE: u8 = 2;
const BUNDLE: u8 = 3;
/// Bit 3 of a column specification: the column's data is DEFLATE-compressed.
const DEFLATE_BIT: u32 = 0b1000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("sync message inflates to more than {limit} bytes")]
pub struct TooLarge {
    pub limit: u64,
}

/// Checks every chunk in `chunks` (each may hold several concatenated storage chunks, as
/// `Automerge::load_incremental` accepts): their compressed parts together inflate to at most
/// `limit` bytes.
pub fn check<'a>(chunks: impl IntoIterator<Item = &'a [u8]>, limit: u64) -> Result<(), TooLarge> {
    let mut budget = Budget { left: limit, limit };
    for bytes in chunks {
        let mut rest = bytes;
        // A chunk we cannot frame is left for automerge to refuse.
        while let Some((kind, body, after)) = chunk(rest) {
            match kind {
                COMPRESSED_CHANGE => budget.inflate(body)?,
                DOCUMENT => document_columns(body, &mut budget)?,
                BUNDLE => bundle_columns(body, &mut budget)?,
                // Plain changes: automerge refuses compressed columns inside them.
                _ => {}
            }
            rest = after;
        }
    }
    Ok(())
}

struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    /// Inflates `data` into a counting sink, at most `left + 1` bytes of it.
    fn inflate(&mut self, data: &[u8]) -> Result<(), TooLarge> {
        let decoder = flate2::bufread::DeflateDecoder::new(data);
        // A stream that fails to inflate is automerge's to refuse; what it produced counts.
        let n = std::io::copy(&mut decoder.take(self.left + 1), &mut std::io::sink()).unwrap_or(0);
        if n > self.left {
            return Err(TooLarge { limit: self.limit });
        }
        self.left -= n;
        Ok(())
    }
}

/// Splits off one storage chunk: (type, body, what follows).
fn chunk(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let rest = bytes.strip_prefix(&MAGIC)?;
    let rest = rest.get(4..)?; // checksum
    let (&kind, rest) = rest.split_first()?;
    let (len, rest) = uleb(rest)?;
    let len = usize::try_from(len).ok()?;
    (rest.len() >= len).then(|| (kind, &rest[..len], &rest[len..]))
}

fn uleb(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

/// Skips a length-prefixed list of items of `item` bytes each, or of length-prefixed items.
fn skip_list(bytes: &[u8], item: Option<usize>) -> Option<&[u8]> {
    let (count, mut rest) = uleb(bytes)?;
    for _ in 0..count {
        let len = match item {
            Some(n) => n,
            None => {
                let (len, after) = uleb(rest)?;
                rest = after;
                usize::try_from(len).ok()?
            }
        };
        rest = rest.get(len..)?;
    }
    Some(rest)
}

/// Column metadata: (specification, length) pairs.
type Columns = Vec<(u32, usize)>;

fn columns(bytes: &[u8]) -> Option<(Columns, &[u8])> {
    let (count, mut rest) = uleb(bytes)?;
    let mut out = Vec::new();
    for _ in 0..count {
        let (spec, after) = uleb(rest)?;
        let (len, after) = uleb(after)?;
        out.push((u32::try_from(spec).ok()?, usize::try_from(len).ok()?));
        rest = after;
    }
    Some((out, rest))
}

/// Inflates the compressed columns among `meta`, whose data starts at `data`; returns what
/// follows the columns' data.
fn inflate_columns<'a>(
    meta: &[(u32, usize)],
    mut data: &'a [u8],
    budget: &mut Budget,
) -> Result<Option<&'a [u8]>, TooLarge> {
    for &(spec, len) in meta {
        let Some(column) = data.get(..len) else {
            return Ok(None);
        };
        if spec & DEFLATE_BIT != 0 {
            budget.inflate(column)?;
        }
        data = &data[len..];
    }
    Ok(Some(data))
}

/// A document chunk: actors, heads, change columns' metadata, ops columns' metadata, then
/// the change columns' data and the ops columns' data.
fn document_columns(body: &[u8], budget: &mut Budget) -> Result<(), TooLarge> {
    let Some(rest) = skip_list(body, None).and_then(|r| skip_list(r, Some(32))) else {
        return Ok(());
    };
    let Some((change_meta, rest)) = columns(rest) else {
        return Ok(());
    };
    let Some((ops_meta, data)) = columns(rest) else {
        return Ok(());
    };
    let all: Vec<_> = change_meta.into_iter().chain(ops_meta).collect();
    inflate_columns(&all, data, budget).map(|_| ())
}

/// A bundle chunk: dependencies, actors, change columns (metadata then data), ops columns
/// (metadata then data).
fn bundle_columns(body: &[u8], budget: &mut Budget) -> Result<(), TooLarge> {
    let Some(rest) = skip_list(body, Some(32)).and_then(|r| skip_list(r, None)) else {
        return Ok(());
    };
    let Some((change_meta, data)) = columns(rest) else {
        return Ok(());
    };
    let Some(rest) = inflate_columns(&change_meta, data, budget)? else {
        return Ok(());
    };
    let Some((ops_meta, data)) = columns(rest) else {
        return Ok(());
    };
    inflate_columns(&ops_meta, data, budget).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::bufread::DeflateEncoder::new(data, flate2::Compression::best())
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// A storage chunk of `kind` around `body` (the checksum is not checked here).
    fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([0, 0, 0, 0, kind]);
        let mut len = body.len() as u64;
        loop {
            let b = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend(body);
        out
    }

    #[test]
    fn a_real_document_with_compressed_columns_passes() {
        let mut doc = crate::new_document();
        let mut tx = doc.transaction();
        for i in 0..2000 {
            tx.put(ROOT, format!("key{i}"), "значение ".repeat(5))
                .unwrap();
        }
        tx.commit();
        let saved = doc.save();
        assert!(check([saved.as_slice()], MAX_INFLATED_BYTES).is_ok());
        // The same document is refused under a limit smaller than its columns.
        assert_eq!(
            check([saved.as_slice()], 1000),
            Err(TooLarge { limit: 1000 })
        );
        let loaded = automerge::Automerge::load(&saved).unwrap();
        assert_eq!(loaded.keys(ROOT).count(), 2000);
    }

    #[test]
    fn a_compressed_change_bomb_is_refused_without_inflating_it_whole() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = frame(COMPRESSED_CHANGE, &deflate(&zeros));
        assert!(bomb.len() < 20_000, "{} bytes", bomb.len());
        assert_eq!(
            check([bomb.as_slice()], 1024 * 1024),
            Err(TooLarge { limit: 1024 * 1024 })
        );
        // Several chunks in one entry count together.
        let small = frame(COMPRESSED_CHANGE, &deflate(&zeros[..600 * 1024]));
        let two = [small.clone(), small].concat();
        assert!(check([two.as_slice()], 1024 * 1024).is_err());
    }

    #[test]
    fn a_document_column_bomb_is_refused() {
        let column = deflate(&vec![0u8; 4 * 1024 * 1024]);
        let mut body = vec![0, 0]; // no actors, no heads
        body.extend([0]); // no change columns
        body.push(1); // one ops column
        body.push(DEFLATE_BIT as u8 | 0x10);
        let mut len = column.len() as u64;
        while len >= 0x80 {
            body.push((len as u8 & 0x7f) | 0x80);
            len >>= 7;
        }
        body.push(len as u8);
        body.extend(&column);
        let bomb = frame(DOCUMENT, &body);
        assert!(check([bomb.as_slice()], 1024 * 1024).is_err());
        assert!(check([bomb.as_slice()], 8 * 1024 * 1024).is_ok());
    }

    #[test]
    fn garbage_is_left_for_automerge() {
        for input in [
            &b""[..],
            b"\x85\x6f\x4a\x83",
            b"\x85\x6f\x4a\x83\0\0\0\0\x02\xff\xff",
        ] {
            assert!(check([input], 10).is_ok());
        }
    }
}
