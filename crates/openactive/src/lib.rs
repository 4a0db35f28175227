//! OpenActive for Activity Finder: RPDE pages, the opportunity model, the parent/child join,
//! schedules, occurrence hygiene and the controlled vocabularies. Pure Rust, no I/O: compiles
//! natively (proxy, tests) and to wasm32 (browser app).

pub mod check;
pub mod hygiene;
pub mod join;
pub mod lenient;
pub mod model;
pub mod occurrence;
pub mod rpde;
pub mod schedule;
pub mod vocab;

pub use join::Store;
pub use occurrence::{
    AgeRange, ConceptRef, Dataset, Details, Gender, Occurrence, Offer, OpportunityKind, Organizer,
    Venue,
};
pub use rpde::{
    Changes, FeedState, Flag, Item, ItemState, Modified, Page, PageError, ParseReport, Skip,
    parse_page, parse_page_model,
};
pub use vocab::{ActivityList, ConceptList};
