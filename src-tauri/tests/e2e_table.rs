//! End-to-end: the attribute table in the real window. Open the chargers' table from the layer
//! panel; a wrong filter is shown pointing at its column; a CQL2 filter leaves the rows the
//! core selects; rows chosen with click and Ctrl+click are highlighted on the map (checked in
//! the map's rendered features, whose `state.selected` MapLibre reports); and the reverse: a
//! box drawn on the map with the select tool selects features whose rows show selected, with
//! the count. A screenshot of the table with a selection.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::{fresh_demo, js, open_window, settle, wait_for};
use fantoccini::actions::{Actions, InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;
use wardgis::filter::Filter;

const FILTER: &str = "name LIKE '%新村%' AND ports > 4";

/// Types `text` into the table's filter box (as an input event, which the page listens to)
/// and presses its Filter button.
async fn filter(c: &fantoccini::Client, text: &str) {
    let set = format!(
        "const i = document.getElementById('table-filter'); i.value = {}; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true",
        serde_json::to_string(text).unwrap()
    );
    js(c, &set).await;
    c.find(Locator::Css("#table-filter-apply")).await.unwrap().click().await.unwrap();
}

fn fids(v: &serde_json::Value) -> BTreeSet<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

/// The chargers the map draws with the feature-state `selected`, by id.
const HIGHLIGHTED: &str = "return [...new Set(window.wardgis.map.queryRenderedFeatures({layers: ['chargers-selected']}).filter(f => f.state && f.state.selected).map(f => f.id))]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_and_map_share_one_selection() {
    common::again_after_page_crash(table_and_map_share_one_selection_scenario).await;
}

async fn table_and_map_share_one_selection_scenario() {
    let project = fresh_demo("e2e-table");
    let expected: Vec<i64> = {
        let p = wardgis::Project::open(Path::new(&project), wardgis::Catalog::discover().unwrap()).unwrap();
        let f = Filter::parse(p.catalog().kind("chargers").unwrap(), FILTER).unwrap();
        p.query_fids("chargers", Some(&f), None).unwrap()
    };
    assert!(expected.len() >= 3, "the filter should leave a few chargers: {expected:?}");

    let window = open_window(std::slice::from_ref(&project), &[]).await;
    let c = window.client.clone();
    wait_for(&c, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;

    // The checks read the Chinese strings (the language is remembered between runs).
    common::in_chinese(&c).await;

    // 1. The layer panel opens the chargers' table: every row counted, the first rows drawn.
    c.find(Locator::Css("button.open-table[data-layer='chargers']")).await.unwrap().click().await.unwrap();
    wait_for(&c, "the table's rows", "return document.querySelectorAll('#attribute-table .row[data-fid]').length > 3", Duration::from_secs(10)).await;
    let count = js(&c, "return document.getElementById('table-count').textContent").await;
    assert_eq!(count, "175 / 175 行");
    // Headers come from the catalog (label and unit), enum values show their label.
    let headers = js(&c, "return [...document.querySelectorAll('#attribute-table .head')].map(h => h.textContent.trim())").await;
    assert!(headers.as_array().unwrap().iter().any(|h| h == "车辆类型"), "{headers}");
    let cells = js(&c, "return [...document.querySelectorAll('#attribute-table .row[data-fid] .cell')].map(c => c.textContent)").await;
    assert!(cells.as_array().unwrap().iter().any(|v| v == "机动车" || v == "非机动车"), "enum labels in the cells: {cells}");

    // 2. A wrong filter is shown with its column and a caret under it.
    filter(&c, "ports > 2 AND portz = 1").await;
    let err = wait_for(&c, "the filter error", "const e = document.getElementById('filter-error'); return e && e.textContent", Duration::from_secs(5)).await;
    let err = err.as_str().unwrap();
    assert!(err.contains("第 15 个字符") && err.contains("unknown field `portz`"), "{err}");
    let caret = js(&c, "return document.querySelector('#filter-error pre').textContent.split('\\n')[1]").await;
    assert_eq!(caret.as_str().unwrap(), format!("{}^", " ".repeat(14)));

    // 3. The filter leaves exactly the rows the core selects, in fid order.
    filter(&c, FILTER).await;
    wait_for(&c, "the filtered count", &format!("return document.getElementById('table-count').textContent.startsWith('{} /')", expected.len()), Duration::from_secs(5)).await;
    assert!(js(&c, "return document.getElementById('filter-error') === null").await.as_bool().unwrap());
    let shown = wait_for(
        &c,
        "the filtered rows",
        &format!("const r = [...document.querySelectorAll('#attribute-table .row[data-fid]')].map(r => Number(r.dataset.fid)); return r.length === {} && r", expected.len()),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(shown.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect::<Vec<_>>(), expected);

    // 4. Click the first row, Ctrl+click the third: two selected, highlighted on the map.
    let first = c.find(Locator::Css(&format!("#attribute-table .row[data-fid='{}']", expected[0]))).await.unwrap();
    first.click().await.unwrap();
    let third = c.find(Locator::Css(&format!("#attribute-table .row[data-fid='{}']", expected[2]))).await.unwrap();
    let ctrl = KeyActions::new("keys".into()).then(KeyAction::Down { value: '\u{E009}' });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause { duration: Duration::from_millis(10) })
        .then(PointerAction::MoveToElement { element: third, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(Actions::from(ctrl).and(mouse)).await.unwrap();
    c.release_actions().await.unwrap();
    wait_for(&c, "two selected", "return document.getElementById('selection-count').textContent === '已选 2 个'", Duration::from_secs(5)).await;
    let want: BTreeSet<i64> = [expected[0], expected[2]].into();
    assert_eq!(fids(&js(&c, "return window.wardgis.selectedFids()").await), want);
    c.find(Locator::Css("#zoom-to-selection")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    settle(&c).await;
    assert_eq!(fids(&js(&c, HIGHLIGHTED).await), want, "the map highlights exactly the selected rows");
    let rows_selected = js(&c, "return [...document.querySelectorAll('#attribute-table .row.selected')].map(r => Number(r.dataset.fid))").await;
    assert_eq!(fids(&rows_selected), want);

    // 5. The reverse: clear the filter, take the select tool and draw a box on the map around
    // a few chargers; their rows show selected, the count follows, the map highlights them.
    c.find(Locator::Css("#table-filter-clear")).await.unwrap().click().await.unwrap();
    wait_for(&c, "all rows again", "return document.getElementById('table-count').textContent.startsWith('175 /')", Duration::from_secs(5)).await;
    js(&c, "window.wardgis.map.jumpTo({center: [119.8205, 31.3605], zoom: 15}); return true").await;
    settle(&c).await;
    c.find(Locator::Css("button[data-tool='select']")).await.unwrap().click().await.unwrap();
    // A box holding some chargers, with none within 6 px of its edges (so rounding cannot
    // decide), as pixels of the canvas — left of where the feature panel floats.
    let boxed = js(&c, r#"
        const m = window.wardgis.map;
        const canvas = m.getCanvas().getBoundingClientRect();
        const pts = m.queryRenderedFeatures({layers: ['chargers']}).map(f => ({id: f.id, p: m.project(f.geometry.coordinates)}));
        for (const size of [120, 160, 200, 90]) {
          for (let x0 = 40; x0 + size < canvas.width - 340; x0 += 20) {
            for (let y0 = 40; y0 + size < canvas.height - 60; y0 += 20) {
              const x1 = x0 + size, y1 = y0 + size;
              const near = pts.filter(q => q.p.x > x0 - 6 && q.p.x < x1 + 6 && q.p.y > y0 - 6 && q.p.y < y1 + 6);
              const inside = pts.filter(q => q.p.x > x0 + 6 && q.p.x < x1 - 6 && q.p.y > y0 + 6 && q.p.y < y1 - 6);
              if (inside.length >= 2 && inside.length <= 8 && near.length === inside.length) {
                return {x0, y0, x1, y1, w: canvas.width, h: canvas.height, ids: [...new Set(inside.map(q => q.id))]};
              }
            }
          }
        }
        return null;"#).await;
    assert!(!boxed.is_null(), "no clear box of chargers on screen");
    let (x0, y0, x1, y1, w, h) = (boxed["x0"].as_f64().unwrap(), boxed["y0"].as_f64().unwrap(), boxed["x1"].as_f64().unwrap(), boxed["y1"].as_f64().unwrap(), boxed["w"].as_f64().unwrap(), boxed["h"].as_f64().unwrap());
    let in_box = fids(&boxed["ids"]);
    let canvas = c.find(Locator::Css("#map canvas")).await.unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: canvas.clone(), duration: None, x: (x0 - w / 2.0).round(), y: (y0 - h / 2.0).round() })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveToElement { element: canvas.clone(), duration: Some(Duration::from_millis(200)), x: ((x0 + x1) / 2.0 - w / 2.0).round(), y: ((y0 + y1) / 2.0 - h / 2.0).round() })
        .then(PointerAction::MoveToElement { element: canvas, duration: Some(Duration::from_millis(200)), x: (x1 - w / 2.0).round(), y: (y1 - h / 2.0).round() })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(drag).await.unwrap();
    let label = format!("已选 {} 个", in_box.len());
    wait_for(&c, "the box's selection count", &format!("return document.getElementById('selection-count').textContent === '{label}'"), Duration::from_secs(5)).await;
    assert_eq!(fids(&js(&c, "return window.wardgis.selectedFids()").await), in_box);
    // The table scrolled to the first selected row, which shows selected.
    let first_selected = wait_for(
        &c,
        "a selected row in sight",
        "const r = document.querySelector('#attribute-table .row.selected'); return r && Number(r.dataset.fid)",
        Duration::from_secs(5),
    )
    .await;
    assert!(in_box.contains(&first_selected.as_i64().unwrap()));
    settle(&c).await;
    assert_eq!(fids(&js(&c, HIGHLIGHTED).await), in_box, "the map highlights the boxed features");

    // 6. A screenshot of the table with the selection, for the README.
    c.find(Locator::Css("button[data-tool='identify']")).await.unwrap().click().await.unwrap();
    let png = c.screenshot().await.expect("screenshot");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wardgis-e2e-table.png");
    std::fs::write(&out, &png).unwrap();
    eprintln!("SCREENSHOT: {}", out.display());
    if std::env::var_os("WARDGIS_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot-table.png"), &png).unwrap();
    }
}
