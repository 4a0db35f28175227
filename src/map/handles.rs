//! What the map registers with Leaflet, owned by handles that release it when dropped: a
//! listener is unregistered before its closure is freed (Leaflet never calls a freed closure),
//! a marker leaves its layer group, and the map itself is removed (its layers, listeners and
//! DOM). No closure is leaked with `forget`.

use leaflet::{Evented, Layer, LayerGroup, Map};
use std::ops::Deref;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A Leaflet event handler.
pub(super) type Handler = Closure<dyn FnMut(JsValue)>;

/// An event listener on a Leaflet object (the map, a marker), registered for as long as this
/// handle lives.
pub(super) struct Listener {
    target: Evented,
    event: &'static str,
    handler: Handler,
}

impl Listener {
    /// Registers `handler` for `event` on `target`.
    pub(super) fn on(target: &JsValue, event: &'static str, handler: Handler) -> Listener {
        let target: Evented = target.clone().unchecked_into();
        target.on(event, handler.as_ref().unchecked_ref());
        Listener {
            target,
            event,
            handler,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.target
            .off(self.event, self.handler.as_ref().unchecked_ref());
    }
}

/// A DOM event listener on an element (a popup's content), removed when dropped.
pub(super) struct DomListener {
    target: web_sys::EventTarget,
    event: &'static str,
    handler: Closure<dyn FnMut(web_sys::Event)>,
}

impl DomListener {
    /// Registers `handler` for `event` on `target`.
    pub(super) fn on(
        target: &web_sys::EventTarget,
        event: &'static str,
        handler: Closure<dyn FnMut(web_sys::Event)>,
    ) -> DomListener {
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        DomListener {
            target: target.clone(),
            event,
            handler,
        }
    }
}

impl Drop for DomListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, self.handler.as_ref().unchecked_ref());
    }
}

/// A layer (a marker) on a layer group, taken off the group when dropped.
pub(super) struct OnLayer<L: AsRef<Layer>> {
    group: LayerGroup,
    layer: L,
}

impl<L: AsRef<Layer>> OnLayer<L> {
    /// Adds `layer` to `group`.
    pub(super) fn add(group: &LayerGroup, layer: L) -> OnLayer<L> {
        group.add_layer(layer.as_ref());
        OnLayer {
            group: group.clone(),
            layer,
        }
    }
}

impl<L: AsRef<Layer>> Deref for OnLayer<L> {
    type Target = L;
    fn deref(&self) -> &L {
        &self.layer
    }
}

impl<L: AsRef<Layer>> Drop for OnLayer<L> {
    fn drop(&mut self) {
        self.group.remove_layer(self.layer.as_ref());
    }
}

/// The Leaflet map, removed when dropped: Leaflet then takes off its layers and controls,
/// unregisters its DOM listeners and empties its container.
pub(super) struct MapHandle(Map);

impl MapHandle {
    pub(super) fn new(map: Map) -> MapHandle {
        MapHandle(map)
    }
}

impl Deref for MapHandle {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.0
    }
}

impl Drop for MapHandle {
    fn drop(&mut self) {
        self.0.remove();
    }
}
