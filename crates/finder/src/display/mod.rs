//! Plain-English text for people: dates and times in London time, prices, ages, distances.
//! Pure functions so the wording is tested natively and shared by every view.

mod facts;
mod time;

pub use facts::*;
pub use time::*;
