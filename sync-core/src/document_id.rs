use std::fmt;
use std::str::FromStr;

/// A document's identity: 16 random bytes (a UUID), written as automerge-repo writes them,
/// bs58check-encoded, optionally inside an `automerge:` URL.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentIdError {
    #[error("document id is not valid bs58check: {0}")]
    Encoding(String),
    #[error("document id must be 16 bytes, got {0}")]
    Length(usize),
}

impl DocumentId {
    pub const URL_PREFIX: &'static str = "automerge:";

    /// A new random id; randomness comes from the caller's platform through `uuid`.
    pub fn random() -> Self {
        Self(*uuid::Uuid::new_v4().as_bytes())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:<id>` URL a document is shared by.
    pub fn url(&self) -> String {
        format!("{}{}", Self::URL_PREFIX, self)
    }

    /// Accepts either a bare id or an `automerge:` URL (a `#heads` suffix is ignored).
    pub fn parse_url_or_id(input: &str) -> Result<Self, DocumentIdError> {
        let bare = input
            .trim()
            .strip_prefix(Self::URL_PREFIX)
            .unwrap_or(input.trim());
        let bare = bare.split('#').next().unwrap_or_default();
        bare.parse()
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|e| DocumentIdError::Encoding(e.to_string()))?;
        let len = bytes.len();
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| DocumentIdError::Length(len))?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_its_url() {
        let id = DocumentId::random();
        assert_eq!(DocumentId::parse_url_or_id(&id.url()), Ok(id));
        assert_eq!(id.to_string().parse::<DocumentId>(), Ok(id));
    }

    #[test]
    fn a_known_automerge_repo_id_decodes_to_its_uuid() {
        // bs58check of the UUID 00112233-4455-6677-8899-aabbccddeeff, as automerge-repo writes it.
        let bytes = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ];
        let id = DocumentId::from_bytes(bytes);
        let text = id.to_string();
        assert!(
            text.starts_with('1'),
            "a leading zero byte is a leading '1' in base58: {text}"
        );
        assert_eq!(text.parse::<DocumentId>().unwrap().as_bytes(), &bytes);
    }

    #[test]
    fn a_corrupted_id_is_rejected_not_misread() {
        let mut text = DocumentId::random().to_string();
        let last = text.pop().unwrap();
        text.push(if last == 'a' { 'b' } else { 'a' });
        assert!(matches!(
            text.parse::<DocumentId>(),
            Err(DocumentIdError::Encoding(_))
        ));
        assert!("".parse::<DocumentId>().is_err());
        let short = bs58::encode([1u8, 2, 3]).with_check().into_string();
        assert_eq!(short.parse::<DocumentId>(), Err(DocumentIdError::Length(3)));
    }
}
