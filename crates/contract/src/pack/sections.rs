//! The container: the magic, the version byte and `[tag][flags][length][payload]` sections.

use super::{MAGIC, PackError, REQUIRED, SECTION_CORE, SECTION_DETAILS, SECTION_MORE, VERSION};

/// `MAGIC`, the version and one required section.
pub(super) fn container(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 11);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    append_section(&mut out, tag, true, payload);
    out
}

/// Reads the sections of a pack (or detail chunk) and returns the payload of section `want`.
pub(super) fn section(bytes: &[u8], want: u8) -> Result<&[u8], PackError> {
    optional_section(bytes, want)?.ok_or(PackError::NoCore)
}

/// Reads the sections of a pack (or detail chunk) and returns the payload of section `want`
/// when there is one.
pub(super) fn optional_section(bytes: &[u8], want: u8) -> Result<Option<&[u8]>, PackError> {
    if bytes.len() < 5 {
        return Err(if bytes.starts_with(&MAGIC[..bytes.len().min(4)]) {
            PackError::Truncated
        } else {
            PackError::NotAPack
        });
    }
    if bytes[..4] != MAGIC {
        return Err(PackError::NotAPack);
    }
    if bytes[4] != VERSION {
        return Err(PackError::NewerVersion(bytes[4]));
    }
    let mut rest = &bytes[5..];
    let mut core = None;
    while !rest.is_empty() {
        if rest.len() < 6 {
            return Err(PackError::Truncated);
        }
        let (tag, flags) = (rest[0], rest[1]);
        let len = u32::from_le_bytes([rest[2], rest[3], rest[4], rest[5]]) as usize;
        let body = rest.get(6..6 + len).ok_or(PackError::Truncated)?;
        match tag {
            _ if tag == want => core = Some(body),
            SECTION_CORE | SECTION_DETAILS | SECTION_MORE => {}
            _ if flags & REQUIRED != 0 => return Err(PackError::UnknownRequiredSection(tag)),
            _ => {}
        }
        rest = &rest[6 + len..];
    }
    Ok(core)
}

/// Appends an optional section a reader of this version skips (for tests of forward
/// compatibility, and for fields added later).
pub fn append_section(pack: &mut Vec<u8>, tag: u8, required: bool, payload: &[u8]) {
    pack.push(tag);
    pack.push(if required { REQUIRED } else { 0 });
    pack.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    pack.extend_from_slice(payload);
}
