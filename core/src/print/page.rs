//! Paper sizes and pages. A page is its size in mm and the list of things drawn on it, in
//! drawing order; layouts build pages, backends (the PDF one in [`super::pdf`]) render them.

use super::draw::Item;
use super::units::BoxMm;

/// The paper sizes a community office prints on (ISO 216).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    /// Width and height in mm, portrait.
    fn portrait_mm(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::A3 => (297.0, 420.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// A page: its size in mm and what is drawn on it, first item at the bottom.
#[derive(Debug, Clone)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

impl Page {
    /// An empty page of the given paper and orientation.
    pub fn new(paper: Paper, orientation: Orientation) -> Page {
        let (w, h) = paper.portrait_mm();
        let (width, height) = match orientation {
            Orientation::Portrait => (w, h),
            Orientation::Landscape => (h, w),
        };
        Page { width, height, items: Vec::new() }
    }

    /// The whole sheet as a box, for insetting margins from.
    pub fn area(&self) -> BoxMm {
        BoxMm::new(0.0, 0.0, self.width, self.height)
    }

    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_swaps_the_sides() {
        let p = Page::new(Paper::A4, Orientation::Portrait);
        assert_eq!((p.width, p.height), (210.0, 297.0));
        let l = Page::new(Paper::A3, Orientation::Landscape);
        assert_eq!((l.width, l.height), (420.0, 297.0));
        assert_eq!(l.area().inset(10.0), BoxMm::new(10.0, 10.0, 400.0, 277.0));
    }
}
