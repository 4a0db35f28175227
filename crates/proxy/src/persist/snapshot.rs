//! The on-disk layout of one feed's compacted state (JSON lines: a header, then `R`, `H` and
//! `P` lines) and its reader, including the layout written before version 2.

use chrono::{DateTime, Utc};
use openactive::rpde::parse_item;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::relay::{
    FeedStore, Held, IndexEntry, ItemId, Modified, Parked, Record, ends_of, id_from_json,
};

/// Why a saved state could not be read (the caller starts afresh).
#[derive(Debug)]
pub enum SnapshotError {
    /// The state has no header line.
    Empty,
    /// A line is not what [`FeedStore::write_snapshot`] writes.
    Corrupt(String),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::Empty => f.write_str("empty state"),
            SnapshotError::Corrupt(e) => write!(f, "corrupt state: {e}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The store's snapshot layout. 0 (no `version` in the header): written before the proxy read
/// items through `openactive` (resync ids saved as JSON text; records without `kind`).
/// 2: adds `P` lines (parked children) and `overflowed`/`resync_wanted` in the header; read
/// by this version only (a version-1 reader refuses the `P` lines and starts afresh).
const SNAPSHOT_VERSION: u32 = 2;

/// `Modified` as saved on disk (integers as decimal text so no precision is lost).
#[derive(Serialize, Deserialize)]
enum SavedModified {
    #[serde(rename = "i")]
    Int(String),
    #[serde(rename = "s")]
    Str(String),
}

impl From<&Modified> for SavedModified {
    fn from(m: &Modified) -> Self {
        match m {
            Modified::Int(i) => SavedModified::Int(i.to_string()),
            Modified::Str(s) => SavedModified::Str(s.clone()),
        }
    }
}

impl SavedModified {
    fn restore(self) -> Result<Modified, SnapshotError> {
        match self {
            SavedModified::Int(t) => t
                .parse()
                .map(Modified::Int)
                .map_err(|_| SnapshotError::Corrupt("bad saved modified".into())),
            SavedModified::Str(s) => Ok(Modified::Str(s)),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SavedHeader {
    #[serde(default)]
    version: u32,
    next_seq: u64,
    cursor: Option<String>,
    pass_started: Option<DateTime<Utc>>,
    resync_seen: Option<Vec<String>>,
    outside: Vec<String>,
    #[serde(default)]
    overflowed: Vec<String>,
    #[serde(default)]
    resync_wanted: bool,
}

#[derive(Serialize)]
struct SavedRecordOut<'a> {
    seq: u64,
    /// The item id as JSON text (a string or a number, as published).
    key: &'a str,
    kind: &'a str,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedRecordIn {
    seq: u64,
    key: String,
    #[serde(default)]
    kind: Option<String>,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
    item: Box<RawValue>,
}

#[derive(Serialize)]
struct SavedHeldOut<'a> {
    key: &'a str,
    kind: &'a str,
    id: &'a RawValue,
    modified: SavedModified,
    data: &'a RawValue,
    starts: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct SavedParkedOut<'a> {
    parent: &'a str,
    kind: &'a str,
    id: &'a RawValue,
    modified: SavedModified,
    data: &'a RawValue,
    ends: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedParkedIn {
    parent: String,
    kind: String,
    id: Box<RawValue>,
    modified: SavedModified,
    data: Box<RawValue>,
    ends: Option<DateTime<Utc>>,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedHeldIn {
    id: Box<RawValue>,
    kind: String,
    modified: SavedModified,
    data: Box<RawValue>,
    starts: DateTime<Utc>,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
}

impl FeedStore {
    /// Writes the whole state as JSON lines: a header line, then `R` (relayed record) and `H`
    /// (held-back item) lines. Relayed item JSON is embedded verbatim.
    pub fn write_snapshot(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let header = SavedHeader {
            version: SNAPSHOT_VERSION,
            next_seq: self.next_seq,
            cursor: self.cursor.clone(),
            pass_started: self.pass_started,
            resync_seen: self
                .resync_seen
                .as_ref()
                .map(|s| s.iter().cloned().collect()),
            outside: self.outside.iter().cloned().collect(),
            overflowed: self.overflowed.iter().cloned().collect(),
            resync_wanted: self.resync_wanted,
        };
        serde_json::to_writer(&mut *out, &header)?;
        out.push(b'\n');
        for (seq, rec) in &self.log {
            let Some(cur) = self.index.get(&rec.key) else {
                continue;
            };
            let id = ItemId {
                text: &rec.key,
                number: cur.id_number,
            };
            out.extend_from_slice(b"R");
            let meta = SavedRecordOut {
                seq: *seq,
                key: &id.json(),
                kind: &cur.kind,
                modified: (&cur.modified).into(),
                ends: cur.ends,
                deleted_at: cur.deleted_at,
                hash: cur.data_hash,
                seen: cur.seen,
            };
            let mut line = serde_json::to_vec(&meta)?;
            line.pop(); // the closing brace
            out.extend_from_slice(&line);
            out.extend_from_slice(b",\"item\":");
            out.extend_from_slice(rec.json.as_bytes());
            out.extend_from_slice(b"}\n");
        }
        for (key, h) in &self.held {
            let id_json = ItemId {
                text: key,
                number: h.id_number,
            }
            .json();
            let id = RawValue::from_string(id_json)?;
            out.extend_from_slice(b"H");
            let held = SavedHeldOut {
                key: id.get(),
                kind: &h.kind,
                id: &id,
                modified: (&h.modified).into(),
                data: &h.data,
                starts: h.starts,
                seen: h.seen,
            };
            serde_json::to_writer(&mut *out, &held)?;
            out.push(b'\n');
        }
        for (key, p) in &self.parked {
            let id = RawValue::from_string(
                ItemId {
                    text: key,
                    number: p.id_number,
                }
                .json(),
            )?;
            out.extend_from_slice(b"P");
            let parked = SavedParkedOut {
                parent: &p.parent,
                kind: &p.kind,
                id: &id,
                modified: (&p.modified).into(),
                data: &p.data,
                ends: p.ends,
                seen: p.seen,
            };
            serde_json::to_writer(&mut *out, &parked)?;
            out.push(b'\n');
        }
        Ok(())
    }

    /// Reads what [`FeedStore::write_snapshot`] wrote, this version or the one before (whose
    /// records are completed by reading their relayed item with `openactive`, so items with
    /// offset-less dates saved without an expiry get one).
    pub fn read_snapshot<'a>(
        mut lines: impl Iterator<Item = &'a str>,
    ) -> Result<Self, SnapshotError> {
        let err = |e: serde_json::Error| SnapshotError::Corrupt(e.to_string());
        let bad_id = || SnapshotError::Corrupt("bad saved item id".into());
        let header: SavedHeader =
            serde_json::from_str(lines.next().ok_or(SnapshotError::Empty)?).map_err(err)?;
        let mut store = FeedStore::new(header.next_seq);
        store.cursor = header.cursor;
        store.pass_started = header.pass_started;
        store.resync_seen = match header.resync_seen {
            None => None,
            Some(ids) if header.version == 0 => Some(
                ids.iter()
                    .map(|k| id_from_json(k).map(|(t, _)| t).ok_or_else(bad_id))
                    .collect::<Result<_, _>>()?,
            ),
            Some(ids) => Some(ids.into_iter().collect()),
        };
        store.outside = header.outside.into_iter().collect();
        store.overflowed = header.overflowed.into_iter().collect();
        store.resync_wanted = header.resync_wanted;
        for line in lines {
            if let Some(rec) = line.strip_prefix('R') {
                let r: SavedRecordIn = serde_json::from_str(rec).map_err(err)?;
                let (key, id_number) = id_from_json(&r.key).ok_or_else(bad_id)?;
                let (kind, ends) = match r.kind {
                    Some(kind) => (kind, r.ends),
                    None => {
                        // Saved by the proxy's former reader: the relayed item says its kind,
                        // and a live item's expiry is read again from its data.
                        let item = parse_item(r.item.get())
                            .map_err(|s| SnapshotError::Corrupt(s.reason))?;
                        let ends = match (&item.opportunity, r.deleted_at) {
                            (Some(opp), None) => r.ends.or_else(|| ends_of(opp)),
                            _ => r.ends,
                        };
                        (item.kind, ends)
                    }
                };
                if r.deleted_at.is_none() {
                    store.live += 1;
                }
                store.index.insert(
                    key.clone(),
                    IndexEntry {
                        seq: r.seq,
                        modified: r.modified.restore()?,
                        ends,
                        deleted_at: r.deleted_at,
                        data_hash: r.hash,
                        kind: kind.into(),
                        id_number,
                        seen: r.seen,
                    },
                );
                store.next_seq = store.next_seq.max(r.seq + 1);
                store.log.insert(
                    r.seq,
                    Record {
                        key,
                        json: r.item.get().into(),
                    },
                );
            } else if let Some(held) = line.strip_prefix('H') {
                let h: SavedHeldIn = serde_json::from_str(held).map_err(err)?;
                let (key, id_number) = id_from_json(h.id.get()).ok_or_else(bad_id)?;
                store.held.insert(
                    key,
                    Held {
                        kind: h.kind,
                        id_number,
                        modified: h.modified.restore()?,
                        data: h.data,
                        starts: h.starts,
                        seen: h.seen,
                    },
                );
            } else if let Some(parked) = line.strip_prefix('P') {
                let p: SavedParkedIn = serde_json::from_str(parked).map_err(err)?;
                let (key, id_number) = id_from_json(p.id.get()).ok_or_else(bad_id)?;
                let parked = Parked {
                    parent: p.parent,
                    kind: p.kind,
                    id_number,
                    modified: p.modified.restore()?,
                    data: p.data,
                    ends: p.ends,
                    seen: p.seen,
                };
                store.park(&key, parked);
            } else if !line.is_empty() {
                return Err(SnapshotError::Corrupt("unknown line".into()));
            }
        }
        Ok(store)
    }
}
