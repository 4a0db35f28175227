//! The views: filters, results list, map pane, session detail and loading status.

pub mod detail;
pub mod embed_page;
pub mod filters;
pub mod map_view;
pub mod results;
pub mod share;
pub mod shortlist;
pub mod status;
pub mod why;
