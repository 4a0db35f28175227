//! A page's and an item's envelope, read by hand so that a key given twice keeps its last
//! value; the checks every item's `id`, `modified` and `state` go through.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{ItemState, Modified, Skip};

/// A page's envelope. As for items, a key given twice keeps its last value.
pub(super) struct RawPage<'a> {
    pub(super) next: Option<Value>,
    pub(super) items: Option<Vec<&'a RawValue>>,
    pub(super) license: Option<Value>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawPage<'a> {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        enum K {
            Next,
            Items,
            License,
            Other,
        }
        impl<'de> Deserialize<'de> for K {
            fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = K;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a key")
                    }
                    fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<K, E> {
                        Ok(match k {
                            "next" => K::Next,
                            "items" => K::Items,
                            "license" => K::License,
                            _ => K::Other,
                        })
                    }
                }
                de.deserialize_identifier(V)
            }
        }
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = RawPage<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RPDE page object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawPage<'a>, A::Error> {
                let mut p = RawPage {
                    next: None,
                    items: None,
                    license: None,
                };
                while let Some(k) = map.next_key::<K>()? {
                    match k {
                        K::Next => p.next = map.next_value()?,
                        K::Items => p.items = map.next_value()?,
                        K::License => p.license = map.next_value()?,
                        K::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
        }
        de.deserialize_map(V(std::marker::PhantomData))
    }
}

/// An item's envelope, with `data` kept raw (`&RawValue`, for relays) or read into a `Value`.
///
/// Read by hand rather than derived so that a key given twice keeps its last value (as a
/// generic JSON reader does) instead of rejecting the item; the repeated keys are noted.
pub(super) struct RawItem<D> {
    pub(super) state: Option<Value>,
    pub(super) kind: Option<Value>,
    pub(super) id: Option<Value>,
    pub(super) modified: Option<Value>,
    pub(super) data: Option<D>,
    /// Keys given more than once.
    pub(super) repeated: Vec<&'static str>,
}

enum Field {
    State,
    Kind,
    Id,
    Modified,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Field, E> {
                Ok(match k {
                    "state" => Field::State,
                    "kind" => Field::Kind,
                    "id" => Field::Id,
                    "modified" => Field::Modified,
                    "data" => Field::Data,
                    _ => Field::Other,
                })
            }
        }
        de.deserialize_identifier(V)
    }
}

impl<'de, D: Deserialize<'de>> Deserialize<'de> for RawItem<D> {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        struct V<D>(std::marker::PhantomData<D>);
        impl<'de, D: Deserialize<'de>> serde::de::Visitor<'de> for V<D> {
            type Value = RawItem<D>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RPDE item object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawItem<D>, A::Error> {
                fn put<T>(
                    slot: &mut Option<T>,
                    v: T,
                    name: &'static str,
                    rep: &mut Vec<&'static str>,
                ) {
                    if slot.is_some() && !rep.contains(&name) {
                        rep.push(name);
                    }
                    *slot = Some(v);
                }
                let mut it = RawItem {
                    state: None,
                    kind: None,
                    id: None,
                    modified: None,
                    data: None,
                    repeated: Vec::new(),
                };
                let mut seen_data = false;
                while let Some(k) = map.next_key::<Field>()? {
                    match k {
                        Field::State => {
                            put(&mut it.state, map.next_value()?, "state", &mut it.repeated);
                        }
                        Field::Kind => {
                            put(&mut it.kind, map.next_value()?, "kind", &mut it.repeated);
                        }
                        Field::Id => put(&mut it.id, map.next_value()?, "id", &mut it.repeated),
                        Field::Modified => {
                            put(
                                &mut it.modified,
                                map.next_value()?,
                                "modified",
                                &mut it.repeated,
                            );
                        }
                        Field::Data => {
                            if seen_data && !it.repeated.contains(&"data") {
                                it.repeated.push("data");
                            }
                            seen_data = true;
                            it.data = map.next_value::<Option<D>>()?;
                        }
                        Field::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(it)
            }
        }
        de.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A skipped item, with its `state` when that could be read.
pub(super) type Failed = (Skip, Option<ItemState>);

/// An `id` published as a number: integers in full, integral floats without `.0`.
pub(super) fn number_id(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

pub(super) fn skip(id: Option<String>, reason: &str) -> Skip {
    Skip {
        item_id: id,
        reason: reason.to_string(),
    }
}

/// Why an item could not be read as an object at all.
pub(super) fn malformed(raw: &RawValue, e: &serde_json::Error) -> Skip {
    let reason = if raw.get().trim_start().starts_with('{') {
        format!("item is malformed: {e}")
    } else {
        "item is not an object".to_string()
    };
    skip(None, &reason)
}

/// An item's envelope, checked: `id` (with whether it was a number), `modified`, `state`
/// and `kind`.
pub(super) type Envelope = (String, bool, Modified, ItemState, String);

pub(super) fn envelope(
    id: Option<Value>,
    modified: Option<&Value>,
    state: Option<&Value>,
    kind: Option<&Value>,
) -> Result<Envelope, Failed> {
    let st = match state.and_then(Value::as_str).map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("updated") => Some(ItemState::Updated),
        Some(s) if s.eq_ignore_ascii_case("deleted") => Some(ItemState::Deleted),
        _ => None,
    };
    let (id, id_is_number) = match id {
        Some(Value::String(s)) if !s.is_empty() => (s, false),
        Some(Value::Number(n)) => (number_id(&n), true),
        _ => return Err((skip(None, "missing or invalid `id`"), st)),
    };
    let Some(modified) = modified.and_then(Modified::from_value) else {
        return Err((skip(Some(id), "missing or invalid `modified`"), st));
    };
    let Some(state) = st else {
        return Err((skip(Some(id), "missing or invalid `state`"), None));
    };
    let kind = kind
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Ok((id, id_is_number, modified, state, kind))
}
