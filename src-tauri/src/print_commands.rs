//! The print dialog's commands: the wards to choose from, a preview of one ward's map (its
//! first page as a PNG, with its page and facility counts) and the export of its PDF. The
//! layout, the PDF and the rasterising are the core's (`wardgis::print`); this file only
//! carries the dialog's choices across and the results back.

use std::path::PathBuf;

use base64::Engine;
use geo_types::Coord;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use wardgis::print::ward_map::{choose_wards, ward_maps_pdf, ward_pages, WardChoice, WardMapOptions, WardPages, WARD_LAYER};
use wardgis::print::{Orientation, PageFont, Paper};
use wardgis::{Error, Project};

use crate::project_state::ProjectState;

/// The preview's resolution: page 1 of A4 is about 830 × 1170 pixels, sharp enough to read
/// the names in the dialog and quick to render.
const PREVIEW_DPI: f32 = 100.0;

/// The page font, loaded on the first print and kept (loading it takes ~20 ms; a preview
/// after every change of the dialog should not pay that each time).
#[derive(Default)]
pub struct PrintFont(Mutex<Option<PageFont>>);

impl PrintFont {
    pub(crate) fn get(&self) -> Result<PageFont, Error> {
        let mut font = self.0.lock();
        if let Some(f) = font.as_ref() {
            return Ok(f.clone());
        }
        let loaded = PageFont::find_and_load()?;
        *font = Some(loaded.clone());
        Ok(loaded)
    }
}

/// A ward the dialog offers: the community's fid, name and subdistrict.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WardEntry {
    #[ts(type = "number")]
    pub fid: i64,
    pub name: String,
    pub subdistrict: String,
}

/// The wards to choose from, in the core's order (subdistrict, then name), and the one under
/// the point the page asked about (the map's centre), if any.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintWards {
    pub wards: Vec<WardEntry>,
    #[ts(type = "number | null")]
    pub at_point: Option<i64>,
}

/// What the print dialog chose.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct PrintRequest {
    /// The community's name.
    pub ward: String,
    pub paper: PrintPaper,
    pub landscape: bool,
    /// The catalog ids of the layers to draw.
    pub layers: Vec<String>,
    /// The issuing office printed in the footer; empty leaves a line to write it on.
    pub office: String,
}

/// The paper sizes the dialog offers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
pub enum PrintPaper {
    A4,
    A3,
}

/// A preview: page 1 as a PNG data URL, and how many pages and facilities the printed ward
/// has.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintPreview {
    pub png: String,
    pub pages: u32,
    pub facilities: u32,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintExported {
    pub path: String,
    pub pages: u32,
    pub facilities: u32,
}

/// Every ward of the project; `at` (`[lon, lat]`) also names the ward containing it.
#[tauri::command]
pub async fn print_wards(state: State<'_, ProjectState>, at: Option<[f64; 2]>) -> Result<PrintWards, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let wards = choose_wards(&project, &WardChoice::All)?;
        let at_point = match at {
            Some([x, y]) => project.within(WARD_LAYER, Coord { x, y }, 0.0)?.first().map(|hit| hit.fid),
            None => None,
        };
        let wards = wards.into_iter().map(|w| WardEntry { fid: w.fid, name: w.name, subdistrict: w.subdistrict }).collect();
        Ok::<_, Error>(PrintWards { wards, at_point })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Lays out the ward as the request says and renders the PDF (the same bytes an export writes).
fn print_ward(project: &Project, request: &PrintRequest, font: &PageFont) -> Result<(WardPages, Vec<u8>), Error> {
    let ward = choose_wards(project, &WardChoice::Ward(request.ward.clone()))?.remove(0);
    let options = WardMapOptions {
        paper: match request.paper {
            PrintPaper::A4 => Paper::A4,
            PrintPaper::A3 => Paper::A3,
        },
        orientation: if request.landscape { Orientation::Landscape } else { Orientation::Portrait },
        layers: Some(request.layers.clone()),
        office: Some(request.office.trim().to_owned()).filter(|o| !o.is_empty()),
        date: wardgis::dates::ymd(wardgis::dates::today_cst().date()),
    };
    let printed = ward_pages(project, &ward, &options, font)?;
    let pdf = ward_maps_pdf(std::slice::from_ref(&printed), font)?;
    Ok((printed, pdf))
}

/// The ward's first page as the PDF export would print it, rasterised, with its counts.
#[tauri::command]
pub async fn print_preview(state: State<'_, ProjectState>, font: State<'_, PrintFont>, request: PrintRequest) -> Result<PrintPreview, String> {
    let project = state.current().ok_or("no project is open")?;
    let font = font.get().map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn_blocking(move || {
        let (printed, pdf) = print_ward(&project, &request, &font)?;
        let png = wardgis::print::raster::render_png(&pdf, 0, PREVIEW_DPI)?;
        Ok::<_, Error>(PrintPreview {
            png: format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&png)),
            pages: printed.pages.len() as u32,
            facilities: printed.facilities as u32,
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the ward's PDF to `path` (the page asked the user where).
#[tauri::command]
pub async fn print_export(state: State<'_, ProjectState>, font: State<'_, PrintFont>, request: PrintRequest, path: String) -> Result<PrintExported, String> {
    let project = state.current().ok_or("no project is open")?;
    let font = font.get().map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn_blocking(move || {
        let (printed, pdf) = print_ward(&project, &request, &font)?;
        let file = PathBuf::from(&path);
        std::fs::write(&file, pdf).map_err(|e| Error::Print(format!("{}: cannot write the PDF: {e}", file.display())))?;
        Ok::<_, Error>(PrintExported { path, pages: printed.pages.len() as u32, facilities: printed.facilities as u32 })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the TypeScript types of what the print commands send and take.
#[cfg(test)]
pub(crate) fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    PrintWards::export_all(cfg)?;
    PrintRequest::export_all(cfg)?;
    PrintPreview::export_all(cfg)?;
    PrintExported::export_all(cfg)?;
    Ok(())
}
