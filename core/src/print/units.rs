//! Lengths on paper. Layouts are written in millimetres, the unit a printed map is specified
//! in (A4 is 210 × 297 mm, a frame margin is 10 mm); only the PDF backend turns them into
//! PDF points. Coordinates run from the page's top-left corner, x right and y down, which is
//! also how krilla places things, so no flip happens anywhere before the PDF's own.

/// PDF points (1/72 inch) in one millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Millimetres to PDF points.
pub fn mm_to_pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

/// PDF points to millimetres; font sizes are given in points, as type is everywhere.
pub fn pt_to_mm(pt: f32) -> f32 {
    pt / PT_PER_MM
}

/// A point on the page in mm from the top-left corner, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMm {
    pub x: f32,
    pub y: f32,
}

impl PointMm {
    pub fn new(x: f32, y: f32) -> Self {
        PointMm { x, y }
    }
}

/// An axis-aligned box on the page in mm: its top-left corner, width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxMm {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl BoxMm {
    pub fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        BoxMm { x, y, width, height }
    }

    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }

    /// The box shrunk by `margin` mm on every side (a frame's inner area, a page's print
    /// area); never below zero size.
    pub fn inset(&self, margin: f32) -> BoxMm {
        BoxMm {
            x: self.x + margin,
            y: self.y + margin,
            width: (self.width - 2.0 * margin).max(0.0),
            height: (self.height - 2.0 * margin).max(0.0),
        }
    }

    /// Whether two boxes overlap with a positive area (touching edges do not count), the test
    /// label placement uses to keep one label off another.
    pub fn overlaps(&self, other: &BoxMm) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }

    /// Whether `other` lies wholly inside this box (edges included).
    pub fn contains_box(&self, other: &BoxMm) -> bool {
        other.x >= self.x && other.y >= self.y && other.right() <= self.right() && other.bottom() <= self.bottom()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_width_in_points_is_the_pdf_standard() {
        // ISO 216 A4 in PDF points, as every PDF tool reports it.
        assert!((mm_to_pt(210.0) - 595.276).abs() < 0.01);
        assert!((mm_to_pt(297.0) - 841.89).abs() < 0.01);
        assert!((pt_to_mm(mm_to_pt(12.5)) - 12.5).abs() < 1e-5);
    }

    #[test]
    fn boxes_overlap_only_with_area() {
        let a = BoxMm::new(0.0, 0.0, 10.0, 10.0);
        assert!(a.overlaps(&BoxMm::new(9.0, 9.0, 5.0, 5.0)));
        assert!(!a.overlaps(&BoxMm::new(10.0, 0.0, 5.0, 5.0)), "touching edges");
        assert!(!a.overlaps(&BoxMm::new(0.0, 11.0, 5.0, 5.0)));
        assert!(a.contains_box(&a.inset(1.0)));
        assert!(!a.contains_box(&BoxMm::new(5.0, 5.0, 6.0, 1.0)));
        assert_eq!(a.inset(6.0).width, 0.0);
    }
}
