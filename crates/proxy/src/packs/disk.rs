//! The packs' bytes on disk: content hashes, brotli copies, atomic writes and the sweep of
//! packs past their retention time (shared with `publish`).

use std::io::Write;
use std::time::Duration;

/// Why packs could not be written to disk.
#[derive(Debug)]
pub struct DiskError(pub std::io::Error);

impl std::fmt::Display for DiskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write packs: {}", self.0)
    }
}

/// The content address of a pack: the first 128 bits of its SHA-256, in hex.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality.min(11), 22);
        let _ = w.write_all(bytes);
    }
    out
}

/// Creates `dir` if needed and writes `dir/name` atomically ([`crate::persist::write_atomic`]).
pub fn write_atomic_in(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
    std::fs::create_dir_all(dir).map_err(DiskError)?;
    crate::persist::write_atomic(&dir.join(name), bytes).map_err(DiskError)
}

/// Deletes pack files (and their compressed copies) that `keep` does not name and that are
/// older than `retention`. Returns how many packs went. Used for the
/// live pack directory and for `publish`'s output.
pub fn sweep_dir(dir: &std::path::Path, keep: &[String], retention: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(hash) = name
            .strip_suffix(".pack")
            .or_else(|| name.strip_suffix(".pack.gz"))
            .or_else(|| name.strip_suffix(".pack.br"))
        else {
            continue;
        };
        if keep.iter().any(|k| k == hash) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_none_or(|age| age >= retention);
        if old && std::fs::remove_file(e.path()).is_ok() && name.ends_with(".pack") {
            n += 1;
        }
    }
    n
}
