//! The opportunity model, read leniently from JSON-LD `data`: every OpenActive opportunity
//! type, `type`/`@type` and `id`/`@id` aliases, one-or-many values, numbers as strings,
//! legacy pre-2.0 shapes, references given as a URL or an embedded object, unknown fields kept.
//!
//! One file per concern, each using only the earlier ones: `common` ([`Ref`], key readers),
//! `kind` ([`OpportunityType`]), `concepts`, `terms` (gender, age range, offers, organiser),
//! `place` ([`Place`]), `dates` ([`Schedule`], date-time checks), `opportunity`
//! ([`Opportunity`], [`EventStatus`]), `read` ([`Opportunity::from_map`]), `document`
//! ([`Opportunity::from_document`]).

mod common;
mod concepts;
mod dates;
mod document;
mod kind;
mod opportunity;
mod place;
mod read;
mod terms;

pub use common::Ref;
pub use concepts::{concept, take_special_requirements};
pub use dates::Schedule;
pub use kind::OpportunityType;
pub use opportunity::{EventStatus, Opportunity};
pub use place::Place;
pub use terms::gender;
