//! Shaping, measuring and breaking text with the page font. krilla draws glyphs but neither
//! measures nor breaks text, and a layout needs both before anything is drawn: a label's box
//! for collision tests, a table cell's lines, a title's width. Shaping is done here with
//! rustybuzz — the same version krilla itself uses — and the PDF backend draws exactly these
//! glyphs, so what was measured is what is printed.

use std::ops::Range;

use super::font::PageFont;
use super::units::pt_to_mm;

/// One shaped glyph: advances and offsets in ems (multiply by the size), and the bytes of the
/// text it stands for, which the PDF maps it back to so the text can be copied and searched.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub x_advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    pub y_advance: f32,
    pub text_range: Range<usize>,
}

/// A shaped line of text: its glyphs in visual order and its advance width in ems.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    pub glyphs: Vec<Glyph>,
    pub width_em: f32,
}

impl Shaped {
    /// The width in mm at a type size in points.
    pub fn width_mm(&self, size_pt: f32) -> f32 {
        pt_to_mm(self.width_em * size_pt)
    }
}

impl PageFont {
    /// Shapes one line of text (no line breaks are taken from it; `\n` is shaped as whatever
    /// glyph the font has for it, so break first with [`PageFont::break_lines`]).
    pub fn shape(&self, text: &str) -> Shaped {
        // The font was checked to parse when loaded, so this cannot fail for a loaded font.
        let face = rustybuzz::Face::from_slice(&self.data, self.index).expect("font parsed when it was loaded");
        let upem = face.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let out = rustybuzz::shape(&face, &[], buffer);
        let (infos, positions) = (out.glyph_infos(), out.glyph_positions());
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width_em = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            // A glyph covers the text from its cluster to the next glyph's cluster (left-to-right
            // text, which is all a Chinese map carries).
            let start = info.cluster as usize;
            let end = infos.get(i + 1).map_or(text.len(), |next| next.cluster as usize).max(start);
            let glyph = Glyph {
                id: info.glyph_id as u16,
                x_advance: pos.x_advance as f32 / upem,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
                y_advance: pos.y_advance as f32 / upem,
                text_range: start..end,
            };
            width_em += glyph.x_advance;
            glyphs.push(glyph);
        }
        Shaped { glyphs, width_em }
    }

    /// The advance width of one line of text in mm at a type size in points.
    pub fn width_mm(&self, text: &str, size_pt: f32) -> f32 {
        self.shape(text).width_mm(size_pt)
    }

    /// The font's ascender and descender in ems (descender positive, below the baseline):
    /// where a line's box starts above its baseline and ends below it.
    pub fn ascent_descent_em(&self) -> (f32, f32) {
        let face = rustybuzz::ttf_parser::Face::parse(&self.data, self.index).expect("font parsed when it was loaded");
        let upem = face.units_per_em() as f32;
        (face.ascender() as f32 / upem, -(face.descender() as f32) / upem)
    }

    /// Breaks text into lines no wider than `max_width_mm` at `size_pt`. Chinese breaks between
    /// any two characters, except that closing punctuation (，。）」…) never starts a line and
    /// opening punctuation (（「“…) never ends one; Latin words and numbers break only at spaces.
    /// A word longer than a whole line is broken between characters rather than overflow.
    /// `\n` always starts a new line. Lines carry no leading or trailing spaces.
    pub fn break_lines(&self, text: &str, size_pt: f32, max_width_mm: f32) -> Vec<String> {
        let fits = |s: &str| self.width_mm(s, size_pt) <= max_width_mm;
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for unit in break_units(paragraph) {
                let candidate = format!("{line}{unit}");
                if line.trim().is_empty() || fits(candidate.trim_end()) {
                    if line.trim().is_empty() && !fits(unit.trim_end()) {
                        // Too wide even alone: split it between characters.
                        for c in unit.trim_start().chars() {
                            let candidate = format!("{line}{c}");
                            if !line.is_empty() && !fits(candidate.trim_end()) {
                                lines.push(std::mem::take(&mut line).trim_end().to_string());
                            }
                            line.push(c);
                        }
                    } else {
                        line = candidate.trim_start().to_string();
                    }
                } else {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    line = unit.trim_start().to_string();
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

/// Splits a paragraph at every place a line may break; each piece keeps its trailing spaces.
fn break_units(text: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev {
            if i > start && may_break_between(p, c) {
                units.push(&text[start..i]);
                start = i;
            }
        }
        prev = Some(c);
    }
    if start < text.len() {
        units.push(&text[start..]);
    }
    units
}

/// Whether a line may break between `before` and `after`.
fn may_break_between(before: char, after: char) -> bool {
    if after.is_whitespace() || NO_LINE_START.contains(after) || NO_LINE_END.contains(before) {
        return false;
    }
    before.is_whitespace() || is_cjk(before) || is_cjk(after)
}

/// Punctuation that must not begin a line (Chinese and Latin closing marks).
const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·％,.;:?!)]}%";
/// Punctuation that must not end a line (opening marks).
const NO_LINE_END: &str = "（《「『【〔〈“‘([{";

/// Characters written without spaces, between any two of which a line may break: CJK
/// ideographs and punctuation, kana, Hangul and full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Option<PageFont> {
        Some(PageFont::find_and_load().expect("the page font ships in assets/fonts"))
    }

    #[test]
    fn units_break_around_chinese_and_at_spaces_only_in_latin() {
        assert_eq!(break_units("永安里社区"), ["永", "安", "里", "社", "区"]);
        assert_eq!(break_units("Yong'an Li 2号楼"), ["Yong'an ", "Li ", "2", "号", "楼"]);
        // Closing marks stay with the character before; opening marks with the one after.
        assert_eq!(break_units("站（东）。好"), ["站", "（东）。", "好"]);
    }

    #[test]
    fn a_chinese_label_is_exactly_one_em_per_character() {
        let Some(font) = font() else { return };
        // The trial measured 社区卫生服务站 at 12 pt as 84.00 pt: CJK ideographs are 1 em wide.
        let shaped = font.shape("社区卫生服务站");
        assert_eq!(shaped.glyphs.len(), 7);
        assert!((shaped.width_em - 7.0).abs() < 1e-4, "{}", shaped.width_em);
        assert!((font.width_mm("社区卫生服务站", 12.0) - pt_to_mm(84.0)).abs() < 1e-3);
        // Each glyph maps back to its three UTF-8 bytes, which is what makes it searchable.
        assert_eq!(shaped.glyphs[1].text_range, 3..6);
        assert!(font.width_mm("iii", 10.0) < font.width_mm("MMM", 10.0), "Latin is proportional");
        let (ascent, descent) = font.ascent_descent_em();
        assert!(ascent > 0.8 && descent > 0.1 && ascent + descent < 1.6, "{ascent} {descent}");
    }

    #[test]
    fn lines_fill_the_width_and_keep_punctuation_rules() {
        let Some(font) = font() else { return };
        let em = pt_to_mm(10.0); // one ideograph at 10 pt
        let lines = font.break_lines("永安里社区卫生服务站，开放时间。", 10.0, 5.5 * em);
        // `，` may not start a line, so 站 goes down with it; `。` takes 间 along.
        assert_eq!(lines, ["永安里社区", "卫生服务", "站，开放时", "间。"]);
        for line in &lines {
            assert!(font.width_mm(line, 10.0) <= 5.5 * em + 1e-3, "{line}");
        }
        // Latin words are kept whole and spaces dropped at the breaks.
        let lines = font.break_lines("Community health station 12", 10.0, font.width_mm("Community health", 10.0) + 0.1);
        assert_eq!(lines, ["Community health", "station 12"]);
        // A word wider than the line is split rather than overflowing; \n forces a break;
        // two ideographs (2 em) do not fit where "abc" (about 1.7 em) just does.
        let narrow = font.width_mm("abc", 10.0) + 0.01;
        assert!(font.width_mm("宜兴", 10.0) > narrow && font.width_mm("宜", 10.0) < narrow);
        let lines = font.break_lines("abcdefg\n宜兴", 10.0, narrow);
        assert_eq!(lines, ["abc", "def", "g", "宜", "兴"]);
    }
}
