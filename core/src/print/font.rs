//! Finding and loading the CJK font every printed page uses (Noto Sans CJK SC: it covers
//! Chinese and Latin, so one font does for the whole page). The font is embedded in the PDF
//! as a subset, so the reader needs nothing installed and the text stays selectable.
//!
//! Where the font comes from, first found wins:
//! 1. the file named by `WARDGIS_CJK_FONT` (an administrator's choice, or a test's);
//! 2. `assets/fonts/` beside the executable, then in the source checkout (what wardgis ships);
//! 3. Debian's `fonts-noto-cjk` package.
//!
//! A collection file (`.ttc`) holds several faces (JP, KR, SC, TC, HK); the Simplified
//! Chinese one is chosen by its family name, not by a face number that differs between
//! releases of the collection.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustybuzz::ttf_parser;

use crate::{Error, Result};

/// The environment variable that names the font file to use instead of the search.
pub const FONT_ENV: &str = "WARDGIS_CJK_FONT";

/// The file names looked for in an `assets/fonts/` directory, the single-face file first.
const ASSET_FILES: [&str; 2] = ["NotoSansCJKsc-Regular.otf", "NotoSansCJK-Regular.ttc"];

/// Where Debian's `fonts-noto-cjk` installs the collection.
const DEBIAN_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The family a face of a collection must have to be chosen.
const FAMILY: &str = "Noto Sans CJK SC";

/// A loaded font face: its bytes (shared, never copied), the face's index in the file, and
/// krilla's handle for embedding it. Cloning is cheap; load once per batch of pages.
#[derive(Clone)]
pub struct PageFont {
    pub(crate) data: Arc<Vec<u8>>,
    pub(crate) index: u32,
    pub(crate) krilla: krilla::text::Font,
    /// Where it was loaded from, for messages.
    pub path: PathBuf,
}

impl std::fmt::Debug for PageFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageFont").field("path", &self.path).field("index", &self.index).finish()
    }
}

impl PageFont {
    /// Finds the font (see the module's order) and loads it.
    pub fn find_and_load() -> Result<PageFont> {
        PageFont::load(&find_font()?)
    }

    /// Loads a font file: a single face (`.otf`, `.ttf`) or, from a collection, its
    /// Simplified Chinese face.
    pub fn load(path: &Path) -> Result<PageFont> {
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let index = choose_face(&data).map_err(|message| Error::Print(format!("font {}: {message}", path.display())))?;
        let data = Arc::new(data);
        let krilla = krilla::text::Font::new(data.clone().into(), index).ok_or_else(|| {
            Error::Print(format!("font {}: face {index} cannot be embedded in a PDF (not an OpenType outline font)", path.display()))
        })?;
        Ok(PageFont { data, index, krilla, path: path.to_path_buf() })
    }
}

/// The font file to use: the first that exists of the places in the module's order, or an
/// error listing every place looked at and how to point wardgis at a font.
pub fn find_font() -> Result<PathBuf> {
    find_font_in(std::env::var_os(FONT_ENV).map(PathBuf::from), &asset_dirs(), Path::new(DEBIAN_FONT))
}

/// [`find_font`] over given places: the override, the asset directories, the system file.
fn find_font_in(override_path: Option<PathBuf>, asset_dirs: &[PathBuf], system: &Path) -> Result<PathBuf> {
    if let Some(path) = override_path {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Print(format!("{FONT_ENV}={}: no such font file", path.display())))
        };
    }
    let mut looked = Vec::new();
    for dir in asset_dirs {
        for name in ASSET_FILES {
            let path = dir.join(name);
            if path.is_file() {
                return Ok(path);
            }
            looked.push(path);
        }
    }
    if system.is_file() {
        return Ok(system.to_path_buf());
    }
    looked.push(system.to_path_buf());
    let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
    Err(Error::Print(format!(
        "no Chinese font found for printing; looked at {}. Install Debian's fonts-noto-cjk, or set {FONT_ENV} to a Noto Sans CJK SC .otf/.ttc file",
        looked.join(", ")
    )))
}

/// `assets/fonts/` beside the running executable, then in the source checkout this crate was
/// built from (so tests and `cargo run` find it without installing).
fn asset_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)) {
        dirs.push(dir.join("assets/fonts"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/fonts"));
    dirs
}

/// The face to use: 0 in a single-face file; in a collection the face whose family is
/// Noto Sans CJK SC, or an error naming the families it has.
fn choose_face(data: &[u8]) -> Result<u32, String> {
    let Some(count) = ttf_parser::fonts_in_collection(data) else {
        ttf_parser::Face::parse(data, 0).map_err(|e| format!("not a font file ({e})"))?;
        return Ok(0);
    };
    let mut families = Vec::new();
    for index in 0..count {
        let Ok(face) = ttf_parser::Face::parse(data, index) else { continue };
        let family = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
            .find_map(|n| n.to_string())
            .unwrap_or_default();
        if family == FAMILY {
            return Ok(index);
        }
        families.push(family);
    }
    Err(format!("a font collection without a `{FAMILY}` face (it has: {})", families.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_font_is_found_and_is_noto_sans_cjk_sc() {
        let path = find_font().expect("assets/fonts ships the page font");
        let font = PageFont::load(&path).unwrap();
        let face = ttf_parser::Face::parse(&font.data, font.index).unwrap();
        assert!(face.glyph_index('宜').is_some() && face.glyph_index('A').is_some());
        let family = face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode()).find_map(|n| n.to_string());
        assert_eq!(family.as_deref(), Some("Noto Sans CJK SC"));
    }

    #[test]
    fn the_collection_gives_its_simplified_chinese_face() {
        // Debian's collection (scripts/install-deps.sh installs fonts-noto-cjk): JP, KR, SC, …
        let font = PageFont::load(Path::new(DEBIAN_FONT)).expect("fonts-noto-cjk is installed (scripts/install-deps.sh)");
        assert_eq!(font.index, 2);
        let face = ttf_parser::Face::parse(&font.data, font.index).unwrap();
        assert!(face.glyph_index('宜').is_some());
    }

    #[test]
    fn the_search_order_is_override_assets_system_and_a_miss_lists_every_place() {
        let dir = tempfile::tempdir().unwrap();
        let (assets, system) = (dir.path().join("assets/fonts"), dir.path().join("system.ttc"));
        let err = find_font_in(None, std::slice::from_ref(&assets), &system).unwrap_err().to_string();
        for place in [assets.join(ASSET_FILES[0]), assets.join(ASSET_FILES[1]), system.clone()] {
            assert!(err.contains(&place.display().to_string()), "{err}");
        }
        assert!(err.contains(FONT_ENV) && err.contains("fonts-noto-cjk"), "{err}");

        std::fs::write(&system, b"x").unwrap();
        assert_eq!(find_font_in(None, std::slice::from_ref(&assets), &system).unwrap(), system);
        std::fs::create_dir_all(&assets).unwrap();
        std::fs::write(assets.join(ASSET_FILES[1]), b"x").unwrap();
        assert_eq!(find_font_in(None, std::slice::from_ref(&assets), &system).unwrap(), assets.join(ASSET_FILES[1]));
        let chosen = dir.path().join("mine.otf");
        let err = find_font_in(Some(chosen.clone()), std::slice::from_ref(&assets), &system).unwrap_err().to_string();
        assert!(err.contains("WARDGIS_CJK_FONT=") && err.contains("mine.otf: no such font file"), "{err}");
        std::fs::write(&chosen, b"x").unwrap();
        assert_eq!(find_font_in(Some(chosen.clone()), std::slice::from_ref(&assets), &system).unwrap(), chosen);
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-font.otf");
        std::fs::write(&path, b"hello").unwrap();
        let err = PageFont::load(&path).unwrap_err().to_string();
        assert!(err.contains("not-a-font.otf") && err.contains("not a font file"), "{err}");
    }
}
