//! Text filters applied as the person types (debounced, one history entry).

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// How long typing must pause before what was typed is applied.
pub(super) const TYPING_PAUSE_MS: u64 = 300;

/// A text filter applied as the person types, without a query (and a URL write) per
/// keystroke: the first keystroke after a pause applies at once; later ones are collected and
/// applied once typing pauses for [`TYPING_PAUSE_MS`]. Typing replaces the current history
/// entry (never one entry per keystroke).
#[derive(Clone, Copy)]
pub(super) struct TypedFilter {
    ctx: Ctx,
    set: fn(&mut finder::Filters, String),
    /// The value waiting for the pause, and the timer that will apply it.
    pending: StoredValue<Option<(String, TimeoutHandle)>, LocalStorage>,
    /// When the last keystroke came (ms, `performance.now()`).
    last: StoredValue<f64>,
}

impl TypedFilter {
    pub(super) fn new(ctx: Ctx, set: fn(&mut finder::Filters, String)) -> Self {
        TypedFilter {
            ctx,
            set,
            pending: StoredValue::new_local(None),
            last: StoredValue::new(f64::NEG_INFINITY),
        }
    }
    fn now() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    pub(super) fn apply(self, v: String) {
        let set = self.set;
        self.ctx
            .update_filters(History::Replace, move |f| set(f, v));
    }
    pub(super) fn input(self, v: String) {
        let now = Self::now();
        let paused = now - self.last.get_value() >= TYPING_PAUSE_MS as f64;
        self.last.set_value(now);
        if let Some((_, h)) = self.pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        if paused {
            self.apply(v);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                if let Some((v, _)) = self.pending.try_update_value(Option::take).flatten() {
                    self.apply(v);
                }
            },
            std::time::Duration::from_millis(TYPING_PAUSE_MS),
        );
        if let Ok(h) = handle {
            self.pending.set_value(Some((v, h)));
        }
    }
    /// Forgets what is waiting (the filters were cleared).
    pub(super) fn cancel(self) {
        if let Some((_, h)) = self.pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
    }
}
