//! «Сохранить копию данных школы»: every document a device holds of its school, in one file
//! the curator keeps (a USB stick, the school's computer), and its restore.
//!
//! The file is CBOR: a format tag and version, the school document's id, the school's name and
//! the time it was saved, then each document's id and its full Automerge save. Restoring
//! *merges* each document into what the device holds (a CRDT merge loses nothing on either
//! side), so restoring an old copy over newer data is harmless.
//!
//! Decoding is bounded: the file size, the number of documents and each document's inflated
//! size are checked before Automerge parses anything.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::DocumentId;

pub const FORMAT: &str = "nastavnik-school-copy";
pub const VERSION: u32 = 1;
/// The largest copy accepted (a school's year is a few megabytes).
pub const MAX_FILE: usize = 256 * 1024 * 1024;
/// The most documents one copy may hold.
pub const MAX_DOCUMENTS: usize = 100_000;

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    school: String,
    name: String,
    saved_at: i64,
    documents: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    id: String,
    #[serde(with = "serde_bytes_compat")]
    data: Vec<u8>,
}

/// A decoded copy, every document parsed.
#[derive(Debug)]
pub struct SchoolCopy {
    pub school: DocumentId,
    pub name: String,
    pub saved_at: i64,
    pub documents: Vec<(DocumentId, Automerge)>,
    /// Ids of documents in the file that could not be read (kept out, reported).
    pub damaged: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CopyError {
    #[error("Файл слишком большой для копии данных школы.")]
    TooLarge,
    #[error("Это не копия данных школы «Наставника» (файл не читается).")]
    NotACopy,
    #[error("Копия сделана более новой версией приложения; обновите приложение.")]
    NewerVersion,
    #[error("В копии слишком много документов.")]
    TooManyDocuments,
}

/// Encodes a copy of `documents` (ids with full saves) of the school `school`.
pub fn encode(
    school: DocumentId,
    name: &str,
    saved_at: i64,
    documents: impl IntoIterator<Item = (DocumentId, Vec<u8>)>,
) -> Vec<u8> {
    let file = File {
        format: FORMAT.into(),
        version: VERSION,
        school: school.to_string(),
        name: name.into(),
        saved_at,
        documents: documents
            .into_iter()
            .map(|(id, data)| Entry {
                id: id.to_string(),
                data,
            })
            .collect(),
    };
    let mut out = Vec::new();
    // Writing CBOR into a Vec cannot fail.
    ciborium::into_writer(&file, &mut out).expect("CBOR into memory");
    out
}

/// Decodes a copy. A document that does not parse (or would inflate beyond the bound) is left
/// out and named in [`SchoolCopy::damaged`]; a file that is not a copy at all is an error.
pub fn decode(bytes: &[u8]) -> Result<SchoolCopy, CopyError> {
    if bytes.len() > MAX_FILE {
        return Err(CopyError::TooLarge);
    }
    let file: File = ciborium::from_reader(bytes).map_err(|_| CopyError::NotACopy)?;
    if file.format != FORMAT {
        return Err(CopyError::NotACopy);
    }
    if file.version > VERSION {
        return Err(CopyError::NewerVersion);
    }
    if file.documents.len() > MAX_DOCUMENTS {
        return Err(CopyError::TooManyDocuments);
    }
    let school = file.school.parse().map_err(|_| CopyError::NotACopy)?;
    let mut documents = Vec::with_capacity(file.documents.len());
    let mut damaged = Vec::new();
    for entry in file.documents {
        let parsed = entry.id.parse::<DocumentId>().ok().and_then(|id| {
            crate::inflate::check([entry.data.as_slice()], crate::inflate::MAX_INFLATED_BYTES)
                .ok()?;
            let doc = Automerge::load_with_options(
                &entry.data,
                automerge::LoadOptions::new().text_encoding(crate::TEXT_ENCODING),
            )
            .ok()?;
            Some((id, doc))
        });
        match parsed {
            Some(doc) => documents.push(doc),
            None => damaged.push(entry.id.chars().take(64).collect()),
        }
    }
    Ok(SchoolCopy {
        school,
        name: file.name.chars().take(500).collect(),
        saved_at: file.saved_at,
        documents,
        damaged,
    })
}

/// Byte strings as CBOR bytes (not arrays of integers): a third of the size.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;

    fn doc(key: &str, value: &str) -> Automerge {
        let mut d = crate::new_document();
        let mut tx = d.transaction();
        tx.put(automerge::ROOT, key, value).unwrap();
        tx.commit();
        d
    }

    #[test]
    fn a_copy_round_trips_every_document() {
        let school = DocumentId::random();
        let person = DocumentId::random();
        let bytes = encode(
            school,
            "МБОУ «Лесная СОШ»",
            1_790_000_000_000,
            [
                (school, doc("name", "Лесная").save()),
                (person, doc("name", "Петрова Анна").save()),
            ],
        );
        let copy = decode(&bytes).unwrap();
        assert_eq!(copy.school, school);
        assert_eq!(copy.name, "МБОУ «Лесная СОШ»");
        assert_eq!(copy.documents.len(), 2);
        assert!(copy.damaged.is_empty());
        let (id, restored) = &copy.documents[1];
        assert_eq!(*id, person);
        let (value, _) = restored.get(automerge::ROOT, "name").unwrap().unwrap();
        assert_eq!(value.into_string().unwrap(), "Петрова Анна");
    }

    #[test]
    fn what_is_not_a_copy_is_refused_and_a_damaged_document_is_left_out() {
        assert_eq!(decode(b"").unwrap_err(), CopyError::NotACopy);
        assert_eq!(
            decode(b"PK\x03\x04 a spreadsheet").unwrap_err(),
            CopyError::NotACopy
        );
        let school = DocumentId::random();
        let good = encode(school, "Школа", 0, [(school, doc("k", "v").save())]);
        assert_eq!(
            decode(&good[..good.len() / 2]).unwrap_err(),
            CopyError::NotACopy
        );
        let bad = encode(
            school,
            "Школа",
            0,
            [
                (school, doc("k", "v").save()),
                (
                    DocumentId::random(),
                    b"\x85\x6f\x4a\x83 not automerge".to_vec(),
                ),
            ],
        );
        let copy = decode(&bad).unwrap();
        assert_eq!(copy.documents.len(), 1);
        assert_eq!(copy.damaged.len(), 1);
    }

    #[test]
    fn a_copy_from_a_newer_app_is_refused() {
        let school = DocumentId::random();
        let mut file: File = ciborium::from_reader(&encode(school, "Ш", 0, [])[..]).unwrap();
        file.version = VERSION + 1;
        let mut bytes = Vec::new();
        ciborium::into_writer(&file, &mut bytes).unwrap();
        assert_eq!(decode(&bytes).unwrap_err(), CopyError::NewerVersion);
    }
}
