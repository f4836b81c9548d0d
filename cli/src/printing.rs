//! `wardgis print`: ward maps as PDF or PNG, one document or a file per ward, with a
//! progress bar on a terminal.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wardgis::print::ward_map::{choose_wards, ward_maps, ward_maps_pdf, WardChoice, WardMapOptions, WardPages};
use wardgis::print::{Orientation, PageFont, Paper};
use wardgis::Project;

use crate::commands::Failure;

/// The command's options, as parsed.
pub struct Request {
    pub paper: String,
    pub landscape: bool,
    pub layers: Option<Vec<String>>,
    pub png: bool,
    pub dpi: u32,
    pub office: Option<String>,
    pub date: Option<String>,
    pub out: PathBuf,
}

/// Where the output goes: one file, or a file per ward in a folder.
enum Target {
    File(PathBuf),
    Folder(PathBuf),
}

fn target(out: &Path, png: bool) -> Result<Target, Failure> {
    let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("pdf") if png => Err(Failure::Usage(format!("--png writes PNG images, but --out {} ends in .pdf; give a .png file or a folder", out.display()))),
        Some("png") if !png => Err(Failure::Usage(format!("--out {} ends in .png: add --png, or give a .pdf file or a folder", out.display()))),
        Some("pdf" | "png") => Ok(Target::File(out.to_path_buf())),
        _ => Ok(Target::Folder(out.to_path_buf())),
    }
}

pub fn print(project: &Project, which: &WardChoice, request: &Request) -> Result<(), Failure> {
    let started = Instant::now();
    let paper = if request.paper.eq_ignore_ascii_case("A3") { Paper::A3 } else { Paper::A4 };
    let orientation = if request.landscape { Orientation::Landscape } else { Orientation::Portrait };
    let date = match &request.date {
        Some(d) => {
            let parsed = wardgis::dates::parse_ymd(d).ok_or_else(|| Failure::Usage(format!("--date {d}: not a date; write it as YYYY-MM-DD, e.g. 2026-11-27")))?;
            wardgis::dates::ymd(parsed)
        }
        None => wardgis::dates::ymd(wardgis::dates::today_cst().date()),
    };
    let options = WardMapOptions { paper, orientation, layers: request.layers.clone(), office: request.office.clone(), date };
    let target = target(&request.out, request.png)?;
    let wards = choose_wards(project, which)?;
    if let (Target::File(file), true, true) = (&target, request.png, wards.len() > 1) {
        return Err(Failure::Usage(format!("{} wards make several images: give --out a folder instead of {}", wards.len(), file.display())));
    }
    let font = PageFont::find_and_load()?;

    let bar = ProgressBar::with_draw_target(Some(wards.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("a valid template"));
    let printed = ward_maps(project, &wards, &options, &font, &mut |done, _, ward| {
        bar.set_position(done as u64);
        bar.set_message(ward.to_owned());
    })?;
    bar.finish_and_clear();

    let mut written = Vec::new();
    match &target {
        Target::File(file) if !request.png => {
            write(file, &ward_maps_pdf(&printed, &font)?)?;
            written.push(file.clone());
        }
        Target::File(file) => written.extend(write_pngs(&printed[0], file, request.dpi, &font)?),
        Target::Folder(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Failure::Data(wardgis::Error::Print(format!("{}: cannot create the folder: {e}", dir.display()))))?;
            // ward_maps lays the wards out in the order given.
            for (ward, laid_out) in wards.iter().zip(&printed) {
                let stem = file_stem(ward);
                if request.png {
                    written.extend(write_pngs(laid_out, &dir.join(format!("{stem}.png")), request.dpi, &font)?);
                } else {
                    let file = dir.join(format!("{stem}.pdf"));
                    write(&file, &ward_maps_pdf(std::slice::from_ref(laid_out), &font)?)?;
                    written.push(file);
                }
            }
        }
    }
    let pages: usize = printed.iter().map(|w| w.pages.len()).sum();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "printed {} ward(s), {pages} page(s), in {seconds:.2} s ({:.3} s a page); wrote {}",
        printed.len(),
        seconds / pages.max(1) as f64,
        if written.len() == 1 { written[0].display().to_string() } else { format!("{} files", written.len()) }
    );
    Ok(())
}

/// `<subdistrict>-<community>`, with characters a file name cannot hold replaced.
fn file_stem(ward: &wardgis::print::ward_map::Ward) -> String {
    let raw = if ward.subdistrict.is_empty() { ward.name.clone() } else { format!("{}-{}", ward.subdistrict, ward.name) };
    raw.chars().map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c }).collect()
}

/// The ward's pages as PNG images: `file` for the map, `file-2.png`, … for the table pages.
fn write_pngs(ward: &WardPages, file: &Path, dpi: u32, font: &PageFont) -> Result<Vec<PathBuf>, Failure> {
    let pdf = ward_maps_pdf(std::slice::from_ref(ward), font)?;
    let mut written = Vec::new();
    for k in 0..ward.pages.len() {
        let png = wardgis::print::raster::render_png(&pdf, k, dpi as f32)?;
        let path = if k == 0 {
            file.to_path_buf()
        } else {
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("ward");
            file.with_file_name(format!("{stem}-{}.png", k + 1))
        };
        write(&path, &png)?;
        written.push(path);
    }
    Ok(written)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure::Data(wardgis::Error::Print(format!("{}: cannot write: {e}", path.display()))))
}
