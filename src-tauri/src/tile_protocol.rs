//! The `tiles://` scheme: `tiles://localhost/<layer>/<z>/<x>/<y>.pbf` → a vector tile cut by
//! `wardgis::tiles` from the open project. Anything else is answered with a 4xx, never a
//! panic: unknown layers, numbers out of range or malformed, and path tricks.
//!
//! Tiles are cut by a fixed pool of worker threads (as many as the store has readers), fed
//! through a bounded queue: a burst of requests while panning waits its turn instead of
//! starting a thread each, and a queue that is full (the machine cannot keep up) is answered
//! 503 at once, which MapLibre retries.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{AppHandle, Manager, UriSchemeContext, UriSchemeResponder, Wry};
use wardgis::tiles::TileId;

use crate::project_state::{ProjectState, StateError};

/// Tile-cutting threads.
pub const WORKERS: usize = wardgis::store::gpkg::READERS;

/// Requests waiting for a worker before new ones are refused with 503.
pub const QUEUE: usize = 512;

type Job = (String, UriSchemeResponder);

static QUEUE_TX: OnceLock<SyncSender<Job>> = OnceLock::new();

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

/// Hands one request to the worker pool (started on first use), so a slow tile never blocks
/// the window.
pub fn handle(ctx: UriSchemeContext<'_, Wry>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let tx = QUEUE_TX.get_or_init(|| start_workers(ctx.app_handle().clone()));
    match tx.try_send((request.uri().path().to_owned(), responder)) {
        Ok(()) => {}
        Err(TrySendError::Full((_, responder)) | TrySendError::Disconnected((_, responder))) => {
            responder.respond(text(StatusCode::SERVICE_UNAVAILABLE, "too many tile requests waiting; try again".into()));
        }
    }
}

fn start_workers(app: AppHandle) -> SyncSender<Job> {
    let (tx, rx) = sync_channel::<Job>(QUEUE);
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..WORKERS {
        let (app, rx) = (app.clone(), Arc::clone(&rx));
        std::thread::Builder::new()
            .name(format!("wardgis-tiles-{i}"))
            .spawn(move || work(&app, &rx))
            .expect("a tile worker starts");
    }
    tx
}

fn work(app: &AppHandle, rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((path, responder)) = job else { return };
        let response = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| respond(app, &path))) {
            Ok(r) => r,
            Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "tile cutting failed".into()),
        };
        responder.respond(response);
    }
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
        Err(StateError::Core(e @ wardgis::Error::UnknownLayer { .. })) => text(StatusCode::NOT_FOUND, e.to_string()),
        Err(StateError::Core(e @ wardgis::Error::Storage(_))) => text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(StateError::NoProject) => text(StatusCode::SERVICE_UNAVAILABLE, StateError::NoProject.to_string()),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
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
