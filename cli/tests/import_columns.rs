//! `wardgis import --column`: a spreadsheet export whose headers wardgis does not recognise
//! (`X坐标`, `桩型` …) imports once the user says what each column fills; checked with GDAL.

mod common;
use common::*;

/// Headers as a survey team writes them; none is a name wardgis matches by itself.
const HEADER: &str = "桩名,X坐标,Y坐标,桩型,端口,运营商,备注";
const ROWS: [(&str, f64, f64, &str, u32); 3] =
    [("映射测试一号", 119.8231, 31.3562, "机动车", 4), ("映射测试二号", 119.8302, 31.3611, "非机动车", 10), ("映射测试三号", 119.8155, 31.3488, "car", 2)];

fn csv_text() -> String {
    let mut s = format!("{HEADER}\r\n");
    for (name, x, y, ty, ports) in ROWS {
        s.push_str(&format!("{name},{x},{y},{ty},{ports},城投,旧表\r\n"));
    }
    s
}

const MAPPING: [&str; 5] = ["桩名=name", "X坐标=lon", "Y坐标=lat", "桩型=vehicle_type", "端口=ports"];

fn import(project: &str, file: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", project, "chargers", file];
    args.extend_from_slice(extra);
    wardgis(&args)
}

#[test]
fn unrecognised_headers_import_through_the_column_mapping_in_gbk_and_utf8_with_bom() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let before = gdal_points(&project, "chargers").len();

    let gbk = dir.path().join("chargers-gbk.csv");
    let text = csv_text();
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    std::fs::write(&gbk, &bytes).unwrap();
    let utf8_bom = dir.path().join("chargers-bom.csv");
    std::fs::write(&utf8_bom, [&b"\xEF\xBB\xBF"[..], csv_text().as_bytes()].concat()).unwrap();

    for file in [&gbk, &utf8_bom] {
        let f = file.to_str().unwrap();
        // Without a mapping the file is refused, naming what it lacks and the headers it has.
        let refused = import(p, f, &[]);
        assert!(!refused.status.success());
        let msg = stderr(&refused);
        assert!(msg.contains("longitude column") && msg.contains("`X坐标`"), "{msg}");

        let mut args = Vec::new();
        for m in MAPPING {
            args.extend(["--column", m]);
        }
        let out = ok(import(p, f, &args));
        assert!(stderr(&out).contains("运营商"), "the unmapped columns are still reported as ignored: {}", stderr(&out));
    }

    // GDAL reads both imports: names, positions and the mapped fields.
    let all = gdal_features(&project, &["chargers"]);
    assert_eq!(all.len(), before + 2 * ROWS.len());
    for (name, x, y, ty, ports) in ROWS {
        let got: Vec<&serde_json::Value> = all.iter().filter(|f| f["properties"]["name"] == name).collect();
        assert_eq!(got.len(), 2, "{name} once from each file");
        for f in got {
            let c = &f["geometry"]["coordinates"];
            assert!((c[0].as_f64().unwrap() - x).abs() < 1e-7 && (c[1].as_f64().unwrap() - y).abs() < 1e-7, "{f}");
            let want_ty = if ty == "非机动车" { "ebike" } else { "car" };
            assert_eq!(f["properties"]["vehicle_type"], want_ty);
            assert_eq!(f["properties"]["ports"], ports);
        }
    }
}

#[test]
fn a_mapping_to_an_unknown_field_is_refused_listing_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let file = dir.path().join("c.csv");
    std::fs::write(&file, csv_text()).unwrap();
    let out = import(project.to_str().unwrap(), file.to_str().unwrap(), &["--column", "端口=port"]);
    assert!(!out.status.success());
    let msg = stderr(&out);
    assert!(msg.contains("`port`") && msg.contains("vehicle_type, ports") && msg.contains("lon, lat"), "{msg}");
    let malformed = import(project.to_str().unwrap(), file.to_str().unwrap(), &["--column", "端口"]);
    assert!(stderr(&malformed).contains("COLUMN=TARGET"), "{}", stderr(&malformed));
}
