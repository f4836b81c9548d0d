//! What the end-to-end tests share: Xvfb, tauri-driver (over WebKitWebDriver) and a WebDriver
//! session on the real `wardgis-desktop` binary, and small helpers to run scripts in the page.
//!
//! Needs Xvfb, tauri-driver and WebKitWebDriver (scripts/install-deps.sh installs them) and
//! ui/dist built (scripts/test.sh builds it).
#![allow(dead_code)] // each test binary uses its own part

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Kills a child process when the test ends, however it ends.
pub struct Reaper(pub Child);
impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Like [`Reaper`], for a child started as the leader of its own process group
/// (`process_group(0)`): the whole group goes, so tauri-driver's WebKitWebDriver (and a window
/// a failed test left open) does not outlive the test.
pub struct GroupReaper(pub Child);
impl Drop for GroupReaper {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn require(tool: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|d| d.join(tool)).find(|p| p.is_file())
    });
    let home_cargo = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin").join(tool));
    found
        .or(home_cargo.filter(|p| p.is_file()))
        .unwrap_or_else(|| panic!("`{tool}` not found; run scripts/install-deps.sh (it installs Xvfb, WebKitWebDriver and tauri-driver)"))
}

/// Starts Xvfb on a free display number unless a display is already there.
pub fn display() -> (String, Option<Reaper>) {
    if let Ok(d) = std::env::var("WARDGIS_E2E_DISPLAY") {
        return (d, None);
    }
    let xvfb = require("Xvfb");
    for n in 90..120 {
        let (socket, lock) = (format!("/tmp/.X11-unix/X{n}"), format!("/tmp/.X{n}-lock"));
        if Path::new(&socket).exists() || Path::new(&lock).exists() {
            // A display whose server is gone (killed without cleaning up) is free again.
            let pid = std::fs::read_to_string(&lock).ok().and_then(|t| t.trim().parse::<u32>().ok());
            let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
            if alive || pid.is_none() && Path::new(&lock).exists() {
                continue;
            }
            let _ = std::fs::remove_file(&lock);
            let _ = std::fs::remove_file(&socket);
        }
        let child = Command::new(&xvfb)
            .args([format!(":{n}"), "-screen".into(), "0".into(), "1280x900x24".into(), "-nolisten".into(), "tcp".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let reaper = Reaper(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (format!(":{n}"), Some(reaper));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("Xvfb :{n} did not start");
    }
    panic!("no free X display number");
}

/// The window under test: Xvfb (unless a display is given), tauri-driver and the session.
pub struct Window {
    pub client: Client,
    /// When the session was asked for, i.e. when the app was launched (after Xvfb and the
    /// driver were up): what cold-start times are measured from.
    pub launched: Instant,
    _driver: GroupReaper,
    _xvfb: Option<Reaper>,
}

/// Starts tauri-driver (with `env` added to what the app inherits) and opens the app on
/// `args` (the project file).
pub async fn open_window(args: &[String], env: &[(&str, &Path)]) -> Window {
    let (display, xvfb) = display();
    let tauri_driver = require("tauri-driver");
    let webkit_driver = require("WebKitWebDriver");
    let (port, native_port) = (free_port(), free_port());
    let mut cmd = Command::new(tauri_driver);
    cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
        .arg("--native-driver")
        .arg(webkit_driver)
        .env("DISPLAY", &display)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let driver = GroupReaper(cmd.spawn().expect("start tauri-driver"));
    let launched = Instant::now();
    let client = connect(port, args).await;
    Window { client, launched, _driver: driver, _xvfb: xvfb }
}

async fn connect(port: u16, args: &[String]) -> Client {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": env!("CARGO_BIN_EXE_wardgis-desktop"), "args": args }
        });
        let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
        match ClientBuilder::native().capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(c) => return c,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for tauri-driver: {e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("cannot start a WebDriver session: {e}"),
        }
    }
}

/// Runs a script in the page. WebKitWebDriver now and then answers "Could not parse script
/// result" for a script that ran (seen once on a loaded 2-core CI machine, on
/// `return window.__idle === true`); that one answer is asked again, a few times.
pub async fn js(c: &Client, script: &str) -> Value {
    let mut tries = 0;
    loop {
        match c.execute(script, vec![]).await {
            Ok(v) => return v,
            Err(e) if tries < 5 && e.to_string().contains("Could not parse script result") => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("script failed: {e}\n{script}"),
        }
    }
}

pub async fn wait_for(c: &Client, what: &str, script: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let v = js(c, script).await;
        if !(v.is_null() || v == json!(false)) {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until MapLibre has drawn everything it asked for after a change.
pub async fn settle(c: &Client) {
    js(c, "window.__idle = false; window.wardgis.map.once('idle', () => window.__idle = true); window.wardgis.map.triggerRepaint(); return true").await;
    wait_for(c, "map idle", "return window.__idle === true", Duration::from_secs(20)).await;
}

/// Clicks the map canvas at a pixel of the canvas (as `map.project` gives it), as a user would.
pub async fn click_map(c: &Client, x: f64, y: f64, w: f64, h: f64) {
    let canvas = c.find(Locator::Css("#map canvas")).await.expect("map canvas");
    let click = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: (x - w / 2.0).round(),
            y: (y - h / 2.0).round(),
        })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(click).await.expect("click on the map");
}

/// Moves the pointer over a pixel of the map canvas without clicking (drawing tools follow
/// the pointer before a click).
pub async fn hover_map(c: &Client, x: f64, y: f64, w: f64, h: f64) {
    let canvas = c.find(Locator::Css("#map canvas")).await.unwrap();
    let moves = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
        element: canvas,
        duration: Some(Duration::from_millis(100)),
        x: (x - w / 2.0).round(),
        y: (y - h / 2.0).round(),
    });
    c.perform_actions(moves).await.expect("hover");
}

/// Puts the page in Chinese, whatever language an earlier run left remembered in the
/// webview's storage (every test reads the Chinese first).
pub async fn in_chinese(c: &Client) {
    js(c, "if (document.documentElement.lang !== 'zh-CN') document.getElementById('lang-toggle').click(); return true").await;
    wait_for(c, "the page in Chinese", "return document.documentElement.lang === 'zh-CN'", Duration::from_secs(5)).await;
}

/// A demo district made by the real `wardgis demo` in a fresh temporary folder, open in the
/// window (with the source tree's catalog) once its map is first idle, in Chinese.
pub struct DemoWindow {
    pub dir: tempfile::TempDir,
    pub layers: PathBuf,
    pub project: PathBuf,
    pub window: Window,
}

pub async fn demo_window() -> DemoWindow {
    let dir = tempfile::tempdir().unwrap();
    let layers = Path::new(env!("CARGO_MANIFEST_DIR")).join("../layers");
    let project = dir.path().join("d.gpkg");
    cli(&layers, &["demo", project.to_str().unwrap()]);
    let window = open_window(&[project.to_string_lossy().into_owned()], &[("WARDGIS_LAYERS", &layers)]).await;
    wait_for(&window.client, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;
    in_chinese(&window.client).await;
    DemoWindow { dir, layers, project, window }
}

/// Runs one end-to-end scenario, and runs it once more — from the start, with a new window —
/// only when WebKit's web process died under the first run ("session deleted because of page
/// crash or hang"). Under Xvfb WebKitGTK composites with Mesa's software rasteriser, whose
/// compositor thread crashes now and then under load (RELIABILITY.md); that is the machine's
/// renderer failing, not the page. Any other failure, or a second crash, fails the test, and
/// the retry is printed so a run that needed it is visible.
pub async fn again_after_page_crash<F, Fut>(scenario: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    for attempt in 1..=2 {
        let Err(failure) = tokio::spawn(scenario()).await else { return };
        let Ok(payload) = failure.try_into_panic() else { panic!("the scenario was cancelled") };
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if attempt == 1 && message.contains("page crash or hang") {
            // Written to the process's stderr, not through the test's captured output, so a
            // passing run that needed the retry still shows it.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "RETRY: WebKit's web process died under the first run ({message}); running the scenario again");
            continue;
        }
        std::panic::resume_unwind(payload);
    }
}

/// The `wardgis` CLI built beside the desktop binary (`cargo test --workspace` builds both).
pub fn wardgis_cli() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_wardgis-desktop")).with_file_name(format!("wardgis{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.is_file(), "{} not found; build the CLI first (cargo build -p wardgis-cli), or run cargo test --workspace", exe.display());
    exe
}

/// Runs the `wardgis` CLI with the catalog folder `layers`; fails the test when it fails.
pub fn cli(layers: &Path, args: &[&str]) -> String {
    let out = Command::new(wardgis_cli()).args(args).env("WARDGIS_LAYERS", layers).output().expect("run wardgis");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wardgis {args:?} failed: {}{}", stdout, String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Waits for the feature panel to open after a click and returns its heading (the feature's
/// name).
pub async fn feature_heading(c: &Client) -> Value {
    wait_for(
        c,
        "the feature panel",
        "const p = document.getElementById('feature-panel'); return !p.hidden && document.getElementById('feature-heading').textContent",
        Duration::from_secs(10),
    )
    .await
}

/// A fresh demo project for this test process, made by core's demo generator, in a folder
/// named after `test` (so tests running at once do not share a file).
pub fn fresh_demo(test: &str) -> String {
    let dir = std::env::temp_dir().join(format!("wardgis-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("demo.gpkg");
    let _ = std::fs::remove_file(&path);
    let catalog = wardgis::Catalog::discover().unwrap();
    wardgis::demo::create_project(&path, catalog, wardgis::demo::DEMO_SEED).unwrap();
    path.to_string_lossy().into_owned()
}
