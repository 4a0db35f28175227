//! What Activity Finder does with OpenActive data: the index of upcoming occurrences, the
//! filters and their live counts, ranking, distances and the URL contract. No I/O: the browser
//! app calls it, and `cargo test` checks it natively.

pub mod collections;
pub mod decimal;
pub mod display;
pub mod embed;
pub mod filter;
pub mod geo;
pub mod ics;
pub mod index;
pub mod london;
pub mod picker;
pub mod postcode;
pub mod qr;
pub mod query;
pub mod shortlist;
pub mod suits;
pub mod summary;
pub mod url;
pub mod vocab;
pub mod why;

pub use filter::Filters;

/// Sorts positions (stable) by a comparison of the positions. Every small, cold sort of
/// positions goes through this one function, so the app's wasm holds one copy of the sort
/// code for them instead of one per call site (each copy is about 4 KB); the hot sorts of a
/// query keep their own, inlined comparisons.
pub fn sort_positions(v: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> std::cmp::Ordering) {
    v.sort_by(|&a, &b| cmp(a, b));
}
pub use index::{ActivityVocabulary, Index, VenueId};
pub use query::{FilterKind, Outcome, QueryState};
