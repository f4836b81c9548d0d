//! The `tiles://` scheme: `tiles://localhost/<layer>/<z>/<x>/<y>.pbf` → a vector tile cut by
//! `wardgis::tiles` from the open project. Anything else is answered with a 4xx, never a
//! panic: unknown layers, numbers out of range or malformed, and path tricks.

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder, Wry};
use wardgis::tiles::TileId;

use crate::project_state::ProjectState;

/// A tile request, parsed from a URI path.
#[derive(Debug, PartialEq, Eq)]
pub struct TileRequest {
    pub layer: String,
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// Parses `/<layer>/<z>/<x>/<y>.pbf`. Only lower-case ids and plain decimal numbers pass,
/// so `..`, `%2e%2e`, absolute paths and query tricks are refused here.
pub fn parse_path(path: &str) -> Result<TileRequest, String> {
    let rest = path.strip_prefix('/').ok_or("path must start with /")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let [layer, z, x, y_pbf] = parts.as_slice() else {
        return Err(format!("expected /<layer>/<z>/<x>/<y>.pbf, got `{path}`"));
    };
    let y = y_pbf.strip_suffix(".pbf").ok_or("tile must end in .pbf")?;
    let valid_id = !layer.is_empty()
        && layer.len() <= 64
        && layer.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid_id {
        return Err(format!("`{layer}` is not a layer id"));
    }
    let num = |s: &str, what: &str| -> Result<u64, String> {
        if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{what} `{s}` is not a whole number"));
        }
        s.parse::<u64>().map_err(|_| format!("{what} `{s}` is out of range"))
    };
    let (z, x, y) = (num(z, "zoom")?, num(x, "x")?, num(y, "y")?);
    Ok(TileRequest {
        layer: (*layer).to_owned(),
        z: u8::try_from(z).map_err(|_| format!("zoom {z} is out of range"))?,
        x: u32::try_from(x).map_err(|_| format!("x {x} is out of range"))?,
        y: u32::try_from(y).map_err(|_| format!("y {y} is out of range"))?,
    })
}

/// Answers one request off the main thread, so a slow tile never blocks the window.
pub fn handle(ctx: UriSchemeContext<'_, Wry>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    std::thread::spawn(move || {
        let response = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| respond(&app, request.uri().path()))) {
            Ok(r) => r,
            Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "tile cutting failed".into()),
        };
        responder.respond(response);
    });
}

fn respond(app: &tauri::AppHandle, path: &str) -> Response<Vec<u8>> {
    let req = match parse_path(path) {
        Ok(r) => r,
        Err(msg) => return text(StatusCode::BAD_REQUEST, msg),
    };
    let tile = match TileId::new(req.z, req.x, req.y) {
        Ok(t) => t,
        Err(e) => return text(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let state = app.state::<ProjectState>();
    let result = state.with(|p| {
        p.catalog().kind(&req.layer)?;
        wardgis::tiles::layer_tile(p, &req.layer, tile)
    });
    match result {
        Ok(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/x-protobuf")
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            // A layer's tiles change when its features do (`project-changed`); MapLibre keeps
            // its own cache and reloads what changed, so the webview must keep none.
            .header(header::CACHE_CONTROL, "no-store")
            .body(bytes)
            .unwrap_or_else(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "bad response".into())),
        Err(msg) if msg.starts_with("unknown layer") => text(StatusCode::NOT_FOUND, msg),
        Err(msg) => text(StatusCode::INTERNAL_SERVER_ERROR, msg),
    }
}

fn text(status: StatusCode, msg: String) -> Response<Vec<u8>> {
    let mut r = Response::new(msg.into_bytes());
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_tile_path() {
        assert_eq!(
            parse_path("/chargers/14/13645/6693.pbf"),
            Ok(TileRequest { layer: "chargers".into(), z: 14, x: 13645, y: 6693 })
        );
    }

    #[test]
    fn refuses_tricks_and_malformed_numbers() {
        for bad in [
            "/../../etc/passwd",
            "/chargers/../../etc/passwd.pbf",
            "/%2e%2e/14/1/1.pbf",
            "/Chargers/14/1/1.pbf",
            "/chargers/14/1/1",
            "/chargers/14/-1/1.pbf",
            "/chargers/14/1.5/1.pbf",
            "/chargers/300/1/1.pbf",
            "/chargers/14/99999999999/1.pbf",
            "/chargers/14/1/1.pbf/extra",
            "chargers/14/1/1.pbf",
            "",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
