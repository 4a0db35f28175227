//! What Activity Finder does with OpenActive data: the index of upcoming occurrences, the
//! filters and their live counts, ranking, distances and the URL contract. No I/O: the browser
//! app calls it, and `cargo test` checks it natively.

pub mod display;
pub mod embed;
pub mod filter;
pub mod geo;
pub mod ics;
pub mod index;
pub mod picker;
pub mod postcode;
pub mod qr;
pub mod query;
pub mod shortlist;
pub mod summary;
pub mod url;
pub mod vocab;

pub use filter::Filters;
pub use index::{ActivityVocabulary, Index};
pub use query::{FilterKind, Outcome, QueryState};
