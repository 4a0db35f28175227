//! One RPDE item and its `data`, read into the model.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use super::envelope::{Failed, RawItem, envelope, malformed, skip};
use super::{Item, ItemState, Skip};
use crate::model::Opportunity;

/// Why an item's `data` could not be read into the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// Not valid JSON (with the parser's message).
    Malformed(String),
    /// Valid JSON, but not an object.
    NotAnObject,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Malformed(e) => write!(f, "`data` is malformed: {e}"),
            DataError::NotAnObject => f.write_str("`data` is not an object"),
        }
    }
}

impl std::error::Error for DataError {}

/// Reads an item's `data` text (e.g. the exact bytes a relay kept) into the model.
///
/// ```
/// use openactive::model::OpportunityType;
/// let o = openactive::rpde::parse_data(r#"{"@type":"ScheduledSession","startDate":"2026-01-10T09:00:00"}"#).unwrap();
/// assert_eq!(o.kind, OpportunityType::ScheduledSession);
/// assert!(o.start.is_some());
/// assert!(openactive::rpde::parse_data("[1]").is_err());
/// ```
pub fn parse_data(data: &str) -> Result<Opportunity, DataError> {
    let value: Value =
        serde_json::from_str(data).map_err(|e| DataError::Malformed(e.to_string()))?;
    match value {
        Value::Object(map) => Ok(Opportunity::from_document(map)),
        _ => Err(DataError::NotAnObject),
    }
}

/// Parses one RPDE item on its own (e.g. a relayed item kept on disk), with the same rules
/// as items on a page; `data` is kept raw as in [`parse_page`](super::parse_page).
///
/// ```
/// let item = openactive::rpde::parse_item(r#"{"state":"deleted","kind":"Slot","id":12,"modified":3}"#).unwrap();
/// assert_eq!((item.id.as_str(), item.id_is_number), ("12", true));
/// assert!(openactive::rpde::parse_item(r#"{"state":"updated","id":"a","modified":1}"#).is_err());
/// ```
pub fn parse_item(text: &str) -> Result<Item, Skip> {
    let raw: &RawValue =
        serde_json::from_str(text).map_err(|e| skip(None, &format!("item is malformed: {e}")))?;
    parse_item_raw(raw)
        .map(|(item, _notes)| item)
        .map_err(|(skip, _)| skip)
}

/// Whether an RPDE `kind` (or a data `@type`) names a parent: a series, facility, course or
/// place that child items (sessions, slots, course instances) reference. Read leniently, as
/// [`OpportunityType::parse`](crate::model::OpportunityType::parse) does.
///
/// ```
/// use openactive::rpde::is_parent_kind;
/// assert!(is_parent_kind("SessionSeries") && is_parent_kind("IndividualFacilityUse"));
/// assert!(is_parent_kind("Course") && is_parent_kind("Place") && is_parent_kind("EventSeries"));
/// assert!(!is_parent_kind("ScheduledSession") && !is_parent_kind("Slot"));
/// ```
pub fn is_parent_kind(kind: &str) -> bool {
    crate::model::OpportunityType::parse(kind).is_parent_type()
}

fn repeated_notes(repeated: &[&str]) -> Vec<String> {
    repeated
        .iter()
        .map(|k| format!("duplicate key `{k}` in the item (the last value is kept)"))
        .collect()
}

pub(super) fn parse_item_raw(raw: &RawValue) -> Result<(Item, Vec<String>), Failed> {
    let item: RawItem<&RawValue> =
        serde_json::from_str(raw.get()).map_err(|e| (malformed(raw, &e), None))?;
    let notes = repeated_notes(&item.repeated);
    let (id, id_is_number, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let (data, opportunity) = match state {
        ItemState::Deleted => (None, None),
        ItemState::Updated => {
            let up = Some(ItemState::Updated);
            let Some(data) = item.data.filter(|d| d.get() != "null") else {
                return Err((skip(Some(id), "updated item without `data`"), up));
            };
            let opp =
                parse_data(data.get()).map_err(|e| (skip(Some(id.clone()), &e.to_string()), up))?;
            (Some(data.to_owned()), Some(Arc::new(opp)))
        }
    };
    Ok((
        Item {
            id,
            id_is_number,
            kind,
            modified,
            state,
            data,
            opportunity,
        },
        notes,
    ))
}

/// [`parse_item`] reading `data` in the same pass, keeping no raw bytes.
pub(super) fn parse_item_model(raw: &RawValue) -> Result<(Item, Vec<String>), Failed> {
    let item: RawItem<Value> =
        serde_json::from_str(raw.get()).map_err(|e| (malformed(raw, &e), None))?;
    let notes = repeated_notes(&item.repeated);
    let (id, id_is_number, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let opportunity = match state {
        ItemState::Deleted => None,
        ItemState::Updated => match item.data {
            None | Some(Value::Null) => {
                return Err((
                    skip(Some(id), "updated item without `data`"),
                    Some(ItemState::Updated),
                ));
            }
            Some(Value::Object(map)) => Some(Arc::new(Opportunity::from_document(map))),
            Some(_) => {
                return Err((
                    skip(Some(id), "`data` is not an object"),
                    Some(ItemState::Updated),
                ));
            }
        },
    };
    Ok((
        Item {
            id,
            id_is_number,
            kind,
            modified,
            state,
            data: None,
            opportunity,
        },
        notes,
    ))
}
