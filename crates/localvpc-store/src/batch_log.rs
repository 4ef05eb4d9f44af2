//! The batch log: an append-only file of batches in front of the SQLite file, so that making a batch durable costs
//! one `write` and one `fdatasync` — not a SQLite transaction (B-tree pages, WAL frames, checkpoints).
//!
//! Files: `<database>-batches-<generation>` next to the database, generation a zero-padded counter. One file is
//! *current* (batches are appended to it); older ones wait to be folded into SQLite, and are deleted once they
//! are. On disk a file is a sequence of frames:
//!
//! ```text
//! frame   = length:u32le  crc32(payload):u32le  payload
//! payload = entry*
//! entry   = 0 kind account region id body     (put)
//!         | 1 kind account region id          (delete)
//!         | 2 key value                       (meta)
//!         | 3                                 (reset: everything before it is gone)
//! string  = length:u32le utf8-bytes
//! ```
//!
//! A file is preallocated with zeros (see [`PREALLOCATE`]); a frame of length 0 is that tail. A frame is all or
//! nothing: reading stops at the first frame that is empty, short or fails its checksum — the end, or the tail a
//! crash left mid-write, which was never acknowledged. Entries hold absolute values (the last write of a key wins),
//! so folding a file into SQLite twice (a crash after the fold, before the delete) leaves the same state.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::Write;

const PUT: u8 = 0;
const DELETE: u8 = 1;
const META: u8 = 2;
const RESET: u8 = 3;

/// A record's key: kind, account, region, ID.
pub(crate) type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The net effect of a run of batches: what they leave of each record and meta key, and whether they began by
/// wiping everything before them. It borrows its text from the log bytes it was decoded from (a fold reads a
/// whole file and copies nothing of it), and keeps keys sorted, so SQLite receives them in its own key order.
#[derive(Debug, Default)]
pub(crate) struct NetEffect<'a> {
    /// A reset happened: nothing older than these batches survives.
    pub(crate) reset: bool,
    /// Each record written: its last body, or `None` if it was last deleted.
    pub(crate) records: BTreeMap<Key<'a>, Option<&'a str>>,
    /// Each meta key written, with its last value.
    pub(crate) meta: BTreeMap<&'a str, &'a str>,
}

impl<'a> NetEffect<'a> {
    /// Adds one batch on top.
    pub(crate) fn add(&mut self, writes: &[Write<'a>]) {
        for write in writes {
            match *write {
                Write::Put { kind, account, region, id, body } => {
                    self.records.insert((kind, account, region, id), Some(body));
                }
                Write::Delete { kind, account, region, id } => {
                    self.records.insert((kind, account, region, id), None);
                }
                Write::Meta { key, value } => {
                    self.meta.insert(key, value);
                }
            }
        }
    }

    /// Wipes everything before (a reset).
    pub(crate) fn reset(&mut self) {
        *self = NetEffect { reset: true, ..NetEffect::default() };
    }
}

/// One batch (or a reset) as a frame.
pub(crate) fn encode(writes: &[Write<'_>], reset: bool) -> Vec<u8> {
    let mut payload = Vec::with_capacity(64 + writes.iter().map(write_size).sum::<usize>());
    if reset {
        payload.push(RESET);
    }
    for write in writes {
        match *write {
            Write::Put { kind, account, region, id, body } => {
                payload.push(PUT);
                for text in [kind, account, region, id, body] {
                    put_string(&mut payload, text);
                }
            }
            Write::Delete { kind, account, region, id } => {
                payload.push(DELETE);
                for text in [kind, account, region, id] {
                    put_string(&mut payload, text);
                }
            }
            Write::Meta { key, value } => {
                payload.push(META);
                put_string(&mut payload, key);
                put_string(&mut payload, value);
            }
        }
    }
    let mut frame = Vec::with_capacity(8 + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame
}

fn write_size(write: &Write<'_>) -> usize {
    let texts = match *write {
        Write::Put { kind, account, region, id, body } => {
            kind.len() + account.len() + region.len() + id.len() + body.len()
        }
        Write::Delete { kind, account, region, id } => kind.len() + account.len() + region.len() + id.len(),
        Write::Meta { key, value } => key.len() + value.len(),
    };
    1 + 5 * 4 + texts
}

fn put_string(payload: &mut Vec<u8>, text: &str) {
    payload.extend_from_slice(&(text.len() as u32).to_le_bytes());
    payload.extend_from_slice(text.as_bytes());
}

/// A log file's bytes, frames and the zeros after them.
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Adds a log file's whole frames (its [`read`] bytes) to `effect`; stops at the first torn or corrupt frame.
/// Returns the number of bytes of whole frames (where the next append goes).
pub(crate) fn replay<'a>(bytes: &'a [u8], effect: &mut NetEffect<'a>) -> u64 {
    let mut offset = 0;
    while let Some(payload) = frame_at(bytes, offset) {
        if decode(payload, effect).is_none() {
            break;
        }
        offset += 8 + payload.len();
    }
    offset as u64
}

/// The payload of the whole, intact frame at `offset`, if there is one.
fn frame_at(bytes: &[u8], offset: usize) -> Option<&[u8]> {
    let header = bytes.get(offset..offset + 8)?;
    let length = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    if length == 0 {
        // The zeros written ahead of the frames: the end of the log (no frame is empty, see `encode`).
        return None;
    }
    let checksum = u32::from_le_bytes(header[4..].try_into().ok()?);
    let payload = bytes.get(offset + 8..offset + 8 + length)?;
    (crc32fast::hash(payload) == checksum).then_some(payload)
}

/// Adds one frame's entries to `effect`; `None` if the payload is malformed (then nothing of it is added).
fn decode<'a>(payload: &'a [u8], effect: &mut NetEffect<'a>) -> Option<()> {
    let mut batch = NetEffect::default();
    let mut reader = Reader { bytes: payload, offset: 0 };
    while let Some(tag) = reader.byte() {
        match tag {
            PUT => {
                let [kind, account, region, id, body] = reader.strings()?;
                batch.records.insert((kind, account, region, id), Some(body));
            }
            DELETE => {
                let [kind, account, region, id] = reader.strings()?;
                batch.records.insert((kind, account, region, id), None);
            }
            META => {
                let [key, value] = reader.strings()?;
                batch.meta.insert(key, value);
            }
            RESET => batch.reset(),
            _ => return None,
        }
    }
    if batch.reset {
        effect.reset();
    }
    effect.records.extend(batch.records);
    effect.meta.extend(batch.meta);
    Some(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.offset)?;
        self.offset += 1;
        Some(byte)
    }

    fn string(&mut self) -> Option<&'a str> {
        let length = self.bytes.get(self.offset..self.offset + 4)?;
        let length = u32::from_le_bytes(length.try_into().ok()?) as usize;
        let text = self.bytes.get(self.offset + 4..self.offset + 4 + length)?;
        self.offset += 4 + length;
        std::str::from_utf8(text).ok()
    }

    fn strings<const N: usize>(&mut self) -> Option<[&'a str; N]> {
        let mut strings: [&'a str; N] = [""; N];
        for slot in &mut strings {
            *slot = self.string()?;
        }
        Some(strings)
    }
}

/// The log files next to `database`, oldest first, with their generations.
pub(crate) fn files(database: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let prefix = file_prefix(database);
    let directory = directory_of(database);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&directory)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(generation) = name.to_str().and_then(|name| name.strip_prefix(&prefix)) else { continue };
        if let Ok(generation) = generation.parse::<u64>() {
            files.push((generation, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// The path of generation `generation`'s log file.
pub(crate) fn path(database: &Path, generation: u64) -> PathBuf {
    directory_of(database).join(format!("{}{generation:08}", file_prefix(database)))
}

fn file_prefix(database: &Path) -> String {
    let name = database.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{name}-batches-")
}

fn directory_of(database: &Path) -> PathBuf {
    match database.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes the creation or removal of files in `database`'s folder durable.
pub(crate) fn sync_directory(database: &Path) -> std::io::Result<()> {
    File::open(directory_of(database))?.sync_all()
}

/// Bytes of zeros written ahead of the frames: overwriting blocks that are already allocated and written makes a
/// frame durable with a data-only `fdatasync`, where a growing file needs a journal commit for its new size too
/// (on this project's ext4 VM: ~0.2 ms against ~0.35 ms; preallocation with `fallocate` leaves *unwritten* extents,
/// whose conversion costs the journal commit again, hence real zeros).
pub(crate) const PREALLOCATE: u64 = 9 << 20;

/// The current log file: where batches are appended.
pub(crate) struct Current {
    pub(crate) generation: u64,
    file: File,
    /// Bytes of whole, durable frames: the next frame goes here, and an append that fails is wiped back to it.
    length: u64,
    /// Bytes of the file (frames, then zeros).
    allocated: u64,
    /// Set when a failed append could not be wiped: nothing more may be appended after a torn frame.
    broken: bool,
}

impl Current {
    /// Creates generation `generation` (which must not exist) empty, its first [`PREALLOCATE`] bytes written as zeros.
    pub(crate) fn create(database: &Path, generation: u64) -> std::io::Result<Self> {
        // `create_new`: a log file is never opened over another one (a stale spare must not truncate the current).
        let file = OpenOptions::new().create_new(true).write(true).open(path(database, generation))?;
        let mut current = Current { generation, file, length: 0, allocated: 0, broken: false };
        current.preallocate(PREALLOCATE)?;
        sync_directory(database)?;
        Ok(current)
    }

    /// Bytes of whole frames in the file.
    pub(crate) fn length(&self) -> u64 {
        self.length
    }

    /// Writes `bytes` more zeros at the end of the file, durably (size included).
    fn preallocate(&mut self, bytes: u64) -> std::io::Result<()> {
        let zeros = vec![0u8; 1 << 20];
        let end = self.allocated + bytes;
        let mut offset = self.allocated;
        while offset < end {
            let piece = (end - offset).min(zeros.len() as u64) as usize;
            self.file.write_all_at(&zeros[..piece], offset)?;
            offset += piece as u64;
        }
        self.file.sync_all()?;
        self.allocated = end;
        Ok(())
    }

    /// Appends one frame and makes it durable. On failure its bytes are wiped back to zeros, so no later reader
    /// finds a frame that was never acknowledged, and no later frame follows a torn one.
    pub(crate) fn append(&mut self, frame: &[u8]) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other("the batch log could not be repaired after a failed write"));
        }
        let end = self.length + frame.len() as u64;
        if end > self.allocated {
            self.preallocate((end - self.allocated).max(PREALLOCATE))?;
        }
        match self.file.write_all_at(frame, self.length).and_then(|()| self.file.sync_data()) {
            Ok(()) => {
                self.length = end;
                Ok(())
            }
            Err(error) => {
                let zeros = vec![0u8; frame.len()];
                let wiped = self.file.write_all_at(&zeros, self.length).and_then(|()| self.file.sync_data());
                self.broken = wiped.is_err();
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes() -> Vec<Write<'static>> {
        vec![
            Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-1", body: "{\"a\":\"é\"}" },
            Write::Delete { kind: "vpc", account: "1", region: "r", id: "vpc-2" },
            Write::Meta { key: "next_id", value: "7" },
        ]
    }

    #[test]
    fn frames_round_trip_and_a_torn_tail_is_ignored() {
        let dir = std::env::temp_dir().join(format!("localvpc-batch-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let database = dir.join("state.db");
        let mut current = Current::create(&database, 1).unwrap();
        current.append(&encode(&writes(), false)).unwrap();
        let second = encode(&[Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-1", body: "{}" }], false);
        current.append(&second).unwrap();
        let whole = current.length();
        // A crash in the middle of a third frame.
        let third = encode(&[Write::Meta { key: "next_id", value: "9" }], false);
        std::fs::OpenOptions::new()
            .write(true)
            .open(path(&database, 1))
            .unwrap()
            .write_all_at(&third[..7], whole)
            .unwrap();

        let bytes = read(&path(&database, 1)).unwrap();
        let mut effect = NetEffect::default();
        assert_eq!(replay(&bytes, &mut effect), whole);
        assert_eq!(effect.records[&("vpc", "1", "r", "vpc-1")], Some("{}"), "the last put wins");
        assert_eq!(effect.records[&("vpc", "1", "r", "vpc-2")], None);
        assert_eq!(effect.meta["next_id"], "7", "the torn frame is not applied");
        assert!(!effect.reset);
        assert_eq!(files(&database).unwrap(), vec![(1, path(&database, 1))]);

        // A corrupted byte ends the log at the frame before it.
        let mut bytes = std::fs::read(path(&database, 1)).unwrap();
        let first_length = encode(&writes(), false).len();
        bytes[first_length + 10] ^= 0xff;
        std::fs::write(path(&database, 1), &bytes).unwrap();
        let mut effect = NetEffect::default();
        assert_eq!(replay(&bytes, &mut effect), first_length as u64);
        assert_eq!(effect.records[&("vpc", "1", "r", "vpc-1")], Some("{\"a\":\"é\"}"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_reset_frame_drops_everything_before_it() {
        let mut effect = NetEffect::default();
        effect.add(&writes());
        let mut frame = encode(&[Write::Meta { key: "k", value: "v" }], true);
        let payload = frame.split_off(8);
        decode(&payload, &mut effect).unwrap();
        assert!(effect.reset);
        assert!(effect.records.is_empty());
        assert_eq!(effect.meta.len(), 1);
        assert_eq!(effect.meta["k"], "v");
    }
}
