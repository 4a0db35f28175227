//! The reader's notes counted by kind.

/// A note with its particulars taken out, to count notes by kind (a trailing `[+N more …]` is
/// dropped too): text in backticks is
/// kept when it names a field (`` `endDate` ``) and dropped otherwise, digits are dropped.
///
/// ```
/// use openactive::check::note_kind;
/// assert_eq!(
///     note_kind("compound type `SessionSeries.ScheduledSession` read as SessionSeries"),
///     "compound type read as SessionSeries"
/// );
/// assert_eq!(
///     note_kind("`startDate` 2024-01-10T09:00:00+05:30 has offset +05:30, not a UK offset (the instant is kept)"),
///     "`startDate` has offset not a UK offset (the instant is kept)"
/// );
/// assert_eq!(note_kind("type `Slots` read as Slot [+3 more in this item]"), "type read as Slot");
/// assert_eq!(note_kind("type `slot` read as Slot"), "type read as Slot");
/// assert_eq!(
///     note_kind("duplicate key `modified` in the item (the last value is kept)"),
///     "duplicate key `modified` in the item (the last value is kept)"
/// );
/// ```
pub fn note_kind(note: &str) -> String {
    let note = note.split(" [+").next().unwrap_or(note);
    let mut out = String::new();
    for (i, part) in note.split('`').enumerate() {
        if i % 2 == 1 {
            if is_field_name(part) {
                out.push('`');
                out.push_str(part);
                out.push('`');
            }
        } else {
            out.push_str(part);
        }
    }
    out.split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A property name as the notes quote them: camelCase (`startDate`, `eventSchedule`) or one of
/// the RPDE envelope's one-word keys (a lower-case type name such as `sessionseries` is not).
fn is_field_name(s: &str) -> bool {
    let mut chars = s.chars();
    let first_lower = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let alpha = s.chars().all(|c| c.is_ascii_alphabetic());
    first_lower
        && alpha
        && (s.chars().any(|c| c.is_ascii_uppercase())
            || matches!(
                s,
                "modified" | "data" | "id" | "kind" | "state" | "next" | "items" | "license"
            ))
}
