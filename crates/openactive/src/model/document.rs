//! A whole `data` document ([`Opportunity::from_document`], [`Opportunity::from_json`]):
//! locations given only by `@id` filled in from a Place elsewhere in the same document.

use serde_json::{Map, Value};

use crate::lenient::local_name;

use super::common::Ref;
use super::opportunity::Opportunity;
use super::place::Place;

impl Opportunity {
    /// Reads a whole `data` document: [`Opportunity::from_map`], then locations given only as
    /// a reference (`"location": "https://…/places/1"` or `{"@id": …}` alone) are filled in
    /// from a Place with that `@id` elsewhere in the same document (another object's
    /// `location`, an embedded parent or child, or a top-level property such as `@graph`).
    pub fn from_document(m: Map<String, Value>) -> Opportunity {
        let mut o = Opportunity::from_map(m);
        if !o.has_bare_location() {
            return o;
        }
        let mut places: Vec<Place> = Vec::new();
        o.collect_places(&mut places);
        for v in o.extra.values() {
            let xs: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for x in xs {
                let is_place = x
                    .get("@type")
                    .or_else(|| x.get("type"))
                    .and_then(Value::as_str)
                    .is_some_and(|t| local_name(t).eq_ignore_ascii_case("Place"));
                if is_place && let Some(Ref::Embedded(p)) = Place::from_value(x.clone()) {
                    places.push(p);
                }
            }
        }
        places.retain(|p| p.id.is_some() && p.has_content());
        if !places.is_empty() {
            o.fill_places(&places);
        }
        o
    }

    /// Whether this object or one embedded in it gives its location only by `@id`.
    fn has_bare_location(&self) -> bool {
        match &self.location {
            Some(Ref::Id(_)) => return true,
            Some(Ref::Embedded(p)) if !p.has_content() => return true,
            _ => {}
        }
        self.children_ref().any(Opportunity::has_bare_location)
    }

    fn collect_places(&self, out: &mut Vec<Place>) {
        if let Some(Ref::Embedded(p)) = &self.location {
            out.push(p.clone());
        }
        for c in self.children_ref() {
            c.collect_places(out);
        }
    }

    fn fill_places(&mut self, places: &[Place]) {
        let wanted = match &self.location {
            Some(Ref::Id(id)) => Some(id.clone()),
            Some(Ref::Embedded(p)) if !p.has_content() => p.id.clone(),
            _ => None,
        };
        if let Some(id) = wanted
            && let Some(p) = places.iter().find(|p| p.id.as_deref() == Some(id.as_str()))
        {
            self.location = Some(Ref::Embedded(p.clone()));
        }
        for c in self.children_mut() {
            c.fill_places(places);
        }
    }

    /// Reads an opportunity from JSON text (e.g. an item's raw `data`).
    ///
    /// ```
    /// use openactive::model::{Opportunity, OpportunityType};
    /// let o = Opportunity::from_json(r#"{"type":"Slot","id":"https://x/1","remainingUses":"0",
    ///   "facilityUse":"https://x/fu","offer":{"price":"0.00"},"beta:x":1}"#).unwrap();
    /// assert_eq!(o.kind, OpportunityType::Slot);
    /// assert_eq!(o.remaining, Some(0));
    /// assert_eq!(o.offers.unwrap()[0].currency.as_deref(), Some("GBP"));
    /// assert!(o.extra.contains_key("beta:x"));
    /// ```
    pub fn from_json(text: &str) -> Result<Opportunity, serde_json::Error> {
        let m: Map<String, Value> = serde_json::from_str(text)?;
        Ok(Opportunity::from_document(m))
    }
}
