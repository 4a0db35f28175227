//! When a filter change moves the map. Fitting the map to the results on every change made it
//! jump while a person narrowed a search they were already looking at, and a move is most of a
//! filter change's cost on a wide screen (Leaflet re-places its tiles, and a new zoom regroups
//! every marker). So the map moves only when the results are not shown well where it is: some
//! lie outside the view, or they would fill it at a zoom more than one level closer.
//!
//! Pure Web Mercator arithmetic (what Leaflet's `project` and `getBoundsZoom` do for EPSG:3857),
//! so it is tested without a browser.

/// Web Mercator position in pixels at `zoom` (Leaflet's `project` for EPSG:3857).
pub(super) fn project(at: (f64, f64), zoom: f64) -> (f64, f64) {
    let scale = 256.0 * 2f64.powf(zoom);
    let lat = at.0.clamp(-85.0511, 85.0511).to_radians();
    let x = (at.1 + 180.0) / 360.0 * scale;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * scale;
    (x, y)
}

/// A box of latitudes and longitudes: (south, west, north, east).
pub(super) type LatLonBox = (f64, f64, f64, f64);

/// The box around these points, if any.
pub(super) fn box_of(points: impl IntoIterator<Item = (f64, f64)>) -> Option<LatLonBox> {
    points.into_iter().fold(None, |b, (lat, lon)| {
        Some(match b {
            None => (lat, lon, lat, lon),
            Some((s, w, n, e)) => (s.min(lat), w.min(lon), n.max(lat), e.max(lon)),
        })
    })
}

/// The closest whole zoom, at most `max_zoom`, at which `results` fit in a map of `size`
/// pixels less `pad` pixels on each side (Leaflet's `getBoundsZoom` with `zoomSnap` 1, as
/// `fitBounds` uses it).
pub(super) fn fit_zoom(results: LatLonBox, size: (f64, f64), pad: f64, max_zoom: f64) -> f64 {
    let (s, w, n, e) = results;
    let (x0, y0) = project((n, w), 0.0);
    let (x1, y1) = project((s, e), 0.0);
    let (bw, bh) = ((x1 - x0).abs(), (y1 - y0).abs());
    let (aw, ah) = ((size.0 - 2.0 * pad).max(1.0), (size.1 - 2.0 * pad).max(1.0));
    let scale = (aw / bw).min(ah / bh);
    if !scale.is_finite() {
        return max_zoom;
    }
    // Within 1% of a whole level counts as that level (as Leaflet rounds before it floors).
    let z = (scale.log2() * 100.0).round() / 100.0;
    z.floor().min(max_zoom)
}

/// Whether the map, showing `view` at `zoom` in a map of `size` pixels, should move to show
/// `results`: some of them lie outside the view less `pad` pixels on each side, or the zoom
/// that fits them is more than one level closer than this one.
pub(super) fn needs_fit(
    view: LatLonBox,
    zoom: f64,
    results: LatLonBox,
    size: (f64, f64),
    pad: f64,
    max_zoom: f64,
) -> bool {
    let (vs, vw, vn, ve) = view;
    let (rs, rw, rn, re) = results;
    let (vx0, vy0) = project((vn, vw), zoom);
    let (vx1, vy1) = project((vs, ve), zoom);
    let (rx0, ry0) = project((rn, rw), zoom);
    let (rx1, ry1) = project((rs, re), zoom);
    let inside = rx0 >= vx0 + pad && rx1 <= vx1 - pad && ry0 >= vy0 + pad && ry1 <= vy1 - pad;
    !inside || fit_zoom(results, size, pad, max_zoom) > zoom.round() + 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: (f64, f64) = (600.0, 800.0);
    const PAD: f64 = 24.0;

    /// The view of a map of `SIZE` centred on `centre` at `zoom`.
    fn view(centre: (f64, f64), zoom: f64) -> LatLonBox {
        // Inverse of `project` for the corners.
        let (cx, cy) = project(centre, zoom);
        let scale = 256.0 * 2f64.powf(zoom);
        let unproject = |x: f64, y: f64| {
            let lon = x / scale * 360.0 - 180.0;
            let n = std::f64::consts::PI * (1.0 - 2.0 * y / scale);
            (n.sinh().atan().to_degrees(), lon)
        };
        let (n, w) = unproject(cx - SIZE.0 / 2.0, cy - SIZE.1 / 2.0);
        let (s, e) = unproject(cx + SIZE.0 / 2.0, cy + SIZE.1 / 2.0);
        (s, w, n, e)
    }

    #[test]
    fn the_zoom_that_fits_greater_london_in_a_tall_pane() {
        let london = (51.29, -0.51, 51.69, 0.33);
        assert_eq!(fit_zoom(london, SIZE, PAD, 15.0), 9.0);
        assert_eq!(fit_zoom(london, (1200.0, 900.0), PAD, 15.0), 10.0);
    }

    #[test]
    fn one_place_fits_at_the_closest_zoom_allowed() {
        let one = (51.54, -0.0, 51.54, -0.0);
        assert_eq!(fit_zoom(one, SIZE, PAD, 15.0), 15.0);
        assert!(needs_fit(
            view((51.5, -0.12), 10.0),
            10.0,
            one,
            SIZE,
            PAD,
            15.0
        ));
    }

    #[test]
    fn results_already_shown_well_keep_the_view() {
        // Looking at London at the zoom that fits it; a filter keeps results across London.
        let v = view((51.49, -0.09), 9.0);
        let across = (51.35, -0.4, 51.62, 0.2);
        assert!(!needs_fit(v, 9.0, across, SIZE, PAD, 15.0));
        // Fewer results, over most of it (one level closer would fit them): kept.
        let half = (51.4, -0.45, 51.65, 0.15);
        assert!(!needs_fit(v, 9.0, half, SIZE, PAD, 15.0));
    }

    #[test]
    fn results_outside_the_view_or_small_in_it_move_the_map() {
        let v = view((51.49, -0.09), 9.0);
        // Partly outside (London and Paris).
        assert!(needs_fit(
            v,
            9.0,
            (48.85, -0.1, 51.5, 2.35),
            SIZE,
            PAD,
            15.0
        ));
        // Just inside the edge, within the padding.
        let (s, w, n, _) = v;
        assert!(needs_fit(
            v,
            9.0,
            (s + 0.3, w + 0.0001, n - 0.3, w + 0.2),
            SIZE,
            PAD,
            15.0
        ));
        // Within 2 km of E15: a neighbourhood, three levels closer.
        assert!(needs_fit(
            v,
            9.0,
            (51.53, -0.03, 51.56, 0.03),
            SIZE,
            PAD,
            15.0
        ));
    }

    #[test]
    fn the_box_of_points() {
        assert_eq!(box_of([]), None);
        assert_eq!(
            box_of([(51.5, -0.1), (51.4, 0.2), (51.6, 0.0)]),
            Some((51.4, -0.1, 51.6, 0.2))
        );
    }
}
