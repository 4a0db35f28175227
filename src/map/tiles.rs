//! The basemap after a move the app makes (a filter change fitting the map to its results):
//! the new tiles are laid out and requested when the page is next idle (within 100 ms), not in
//! the frame that shows the change. Until then the tiles already there stay, scaled and moved
//! into place for the new view, as Leaflet shows them during its own zoom animation. Leaflet
//! would otherwise, in that frame, throw every tile away (a move without animation resets the
//! view), build a tile level with a forced layout and create the new tiles' images: about 6 ms
//! of the 20 to 30 ms a map-moving filter change took on a laptop, and the map went blank until
//! new tiles arrived. Moves the person makes (dragging, zooming, the zoom buttons) are not
//! deferred.
//!
//! Done by wrapping the tile layer's own handlers (`GridLayer`'s `_invalidateAll`,
//! `_resetView` and `_onMoveEnd` in Leaflet 1.9) on the instance before it is added to the map:
//! Leaflet reads them from the instance when it registers the layer's events. When a Leaflet
//! without them is loaded, the layer is left as it is.

use leaflet::Map;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The tile layer's handlers that are wrapped, and the method that places its tile levels.
const INVALIDATE: &str = "_invalidateAll";
const RESET: &str = "_resetView";
const MOVE_END: &str = "_onMoveEnd";
const ZOOM_TRANSFORMS: &str = "_setZoomTransforms";

/// Longest wait for an idle moment before the tiles are brought up to date anyway.
const IDLE_TIMEOUT_MS: u32 = 100;

struct State {
    layer: JsValue,
    map: Map,
    /// Set while the app moves the map: the layer's handlers then only note that work waits.
    deferring: Cell<bool>,
    /// Work waits (a reset of the tile grid and an update of the tiles shown); an idle
    /// callback is asked for when this turns true.
    pending: Cell<bool>,
    reset: js_sys::Function,
    move_end: js_sys::Function,
    invalidate: js_sys::Function,
    zoom_transforms: js_sys::Function,
}

impl State {
    /// Brings the tiles up to date with the view, if work waits.
    fn flush(&self) {
        if self.pending.replace(false) {
            let _ = self.reset.call0(&self.layer);
            let _ = self.move_end.call0(&self.layer);
        }
    }

    /// Notes that work waits, moves the tiles there are into place, and asks for an idle moment.
    fn defer(self: &Rc<Self>) {
        let was_pending = self.pending.replace(true);
        let centre = self.map.get_center();
        let _ = self.zoom_transforms.call2(
            &self.layer,
            centre.as_ref(),
            &JsValue::from_f64(self.map.get_zoom()),
        );
        if !was_pending {
            let me: Weak<State> = Rc::downgrade(self);
            crate::idle::when_idle(IDLE_TIMEOUT_MS, move || {
                if let Some(me) = me.upgrade() {
                    me.flush();
                }
            });
        }
    }
}

/// The tile layer's handlers, wrapped; dropped after the map is removed (`ResultsMap`'s last
/// field), so Leaflet never calls a freed closure.
pub(super) struct TilesLater {
    state: Option<Rc<State>>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl TilesLater {
    /// Wraps `layer`'s handlers; call before the layer is added to `map`.
    pub(super) fn wrap(layer: &JsValue, map: &Map) -> TilesLater {
        let get = |name: &str| -> Option<js_sys::Function> {
            js_sys::Reflect::get(layer, &JsValue::from_str(name))
                .ok()?
                .dyn_into()
                .ok()
        };
        let (Some(invalidate), Some(reset), Some(move_end), Some(zoom_transforms)) = (
            get(INVALIDATE),
            get(RESET),
            get(MOVE_END),
            get(ZOOM_TRANSFORMS),
        ) else {
            return TilesLater {
                state: None,
                _handlers: Vec::new(),
            };
        };
        let state = Rc::new(State {
            layer: layer.clone(),
            map: map.clone(),
            deferring: Cell::new(false),
            pending: Cell::new(false),
            reset,
            move_end,
            invalidate,
            zoom_transforms,
        });
        // Each wrapper: while the app moves the map, defer; otherwise bring the tiles up to
        // date first (work may wait from the app's last move), then do what Leaflet does.
        let wrapper = |original: fn(&State) -> &js_sys::Function| {
            let me = Rc::downgrade(&state);
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let Some(me) = me.upgrade() else { return };
                if me.deferring.get() {
                    me.defer();
                } else {
                    me.flush();
                    let _ = original(&me).call1(&me.layer, &e);
                }
            })
        };
        let handlers = vec![
            wrapper(|s| &s.invalidate),
            wrapper(|s| &s.reset),
            wrapper(|s| &s.move_end),
        ];
        for (name, h) in [INVALIDATE, RESET, MOVE_END].iter().zip(&handlers) {
            let _ = js_sys::Reflect::set(layer, &JsValue::from_str(name), h.as_ref());
        }
        TilesLater {
            state: Some(state),
            _handlers: handlers,
        }
    }

    /// Runs `f` (the app moving the map) with the tiles' work deferred.
    pub(super) fn during(&self, f: impl FnOnce()) {
        match &self.state {
            Some(s) => {
                let was = s.deferring.replace(true);
                f();
                s.deferring.set(was);
            }
            None => f(),
        }
    }
}
