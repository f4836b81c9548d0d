//! Label placement with collision avoidance: names are placed in priority order (the
//! catalog's `[label] priority`, then the order asked), each at the first of its candidate
//! positions where its box touches no label already placed and no blocked area (a north
//! arrow, a legend), and stays wholly inside the frame. A name that fits nowhere is left
//! out, as the window's map leaves it out — a printed map never has one label over another.
//!
//! Boxes are the text's measured width and the font's ascent and descent, turned with the
//! text, and tested as convex quadrilaterals (separating axes), so a street name running
//! diagonally does not block the whole rectangle around it.

use super::draw::{Item, Rgb, TextRun};
use super::font::PageFont;
use super::units::{pt_to_mm, BoxMm, PointMm};

/// Where a label goes.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelAt {
    /// Beside a point symbol of radius `clearance` mm: right of it, else left, above, below
    /// or at a diagonal.
    Beside { centre: PointMm, clearance: f32 },
    /// Centred on a point (an area's label point).
    Centre(PointMm),
    /// Along a line (a street), on its longest straight piece long enough for the text.
    Along(Vec<PointMm>),
}

/// A name to place on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRequest {
    pub text: String,
    pub at: LabelAt,
    pub size_pt: f32,
    pub colour: Rgb,
    /// Higher first.
    pub priority: i32,
}

/// The same name is not repeated closer than this (mm): a street cut into several features
/// is named once, not on every piece.
const REPEAT_DISTANCE_MM: f32 = 60.0;

/// A convex quadrilateral on the page, corners in order.
type Quad = [PointMm; 4];

/// Places labels inside `bounds`, avoiding `blocked` boxes and each other.
pub struct LabelPlacer<'f> {
    font: &'f PageFont,
    bounds: BoxMm,
    taken: Vec<Quad>,
    placed_names: Vec<(String, PointMm)>,
}

impl<'f> LabelPlacer<'f> {
    pub fn new(font: &'f PageFont, bounds: BoxMm) -> LabelPlacer<'f> {
        LabelPlacer { font, bounds, taken: Vec::new(), placed_names: Vec::new() }
    }

    /// Keeps labels off an area (a north arrow drawn over the map).
    pub fn block(&mut self, area: BoxMm) {
        self.taken.push(box_quad(area));
    }

    /// Places what fits, highest priority first (the sort is stable, so equal priorities keep
    /// the order given), and returns the text items to draw.
    pub fn place(&mut self, mut requests: Vec<LabelRequest>) -> Vec<Item> {
        requests.sort_by_key(|r| std::cmp::Reverse(r.priority));
        let (ascent, descent) = self.font.ascent_descent_em();
        let mut items = Vec::new();
        for request in requests {
            if request.text.trim().is_empty() {
                continue;
            }
            let width = self.font.width_mm(&request.text, request.size_pt);
            let (up, down) = (pt_to_mm(ascent * request.size_pt), pt_to_mm(descent * request.size_pt));
            let found = candidates(&request.at, width, up, down).into_iter().find(|(origin, angle)| {
                let quad = text_quad(*origin, *angle, width, up, down);
                let centre = quad_centre(&quad);
                inside(&quad, &self.bounds)
                    && !self.taken.iter().any(|t| quads_overlap(t, &quad))
                    && !self.placed_names.iter().any(|(name, at)| *name == request.text && distance(*at, centre) < REPEAT_DISTANCE_MM)
            });
            if let Some((origin, angle)) = found {
                let quad = text_quad(origin, angle, width, up, down);
                self.placed_names.push((request.text.clone(), quad_centre(&quad)));
                self.taken.push(quad);
                items.push(Item::Text(TextRun { origin, text: request.text, size_pt: request.size_pt, colour: request.colour, angle }));
            }
        }
        items
    }
}

/// Candidate baseline origins and angles, best first.
fn candidates(at: &LabelAt, width: f32, up: f32, down: f32) -> Vec<(PointMm, f32)> {
    // The baseline that centres the text's box vertically on y.
    let mid = |y: f32| y + (up - down) / 2.0;
    match at {
        LabelAt::Centre(c) => vec![(PointMm::new(c.x - width / 2.0, mid(c.y)), 0.0)],
        LabelAt::Beside { centre: c, clearance } => {
            let gap = clearance + 0.6;
            vec![
                (PointMm::new(c.x + gap, mid(c.y)), 0.0),
                (PointMm::new(c.x - gap - width, mid(c.y)), 0.0),
                (PointMm::new(c.x - width / 2.0, c.y - gap - down), 0.0),
                (PointMm::new(c.x - width / 2.0, c.y + gap + up), 0.0),
                (PointMm::new(c.x + gap * 0.7, c.y - gap * 0.7 - down), 0.0),
                (PointMm::new(c.x + gap * 0.7, c.y + gap * 0.7 + up), 0.0),
                (PointMm::new(c.x - gap * 0.7 - width, c.y - gap * 0.7 - down), 0.0),
                (PointMm::new(c.x - gap * 0.7 - width, c.y + gap * 0.7 + up), 0.0),
            ]
        }
        LabelAt::Along(points) => {
            let mut pieces: Vec<(PointMm, PointMm, f32)> = straight_pieces(points).into_iter().map(|(a, b)| (a, b, distance(a, b))).filter(|p| p.2 > width + 2.0).collect();
            pieces.sort_by(|a, b| b.2.total_cmp(&a.2));
            let mut out = Vec::new();
            for (a, b, length) in pieces {
                // Read left to right: a piece running right-to-left is turned round.
                let (a, b) = if b.x < a.x { (b, a) } else { (a, b) };
                let angle = (b.y - a.y).atan2(b.x - a.x);
                let (along, down_v) = ((angle.cos(), angle.sin()), (-angle.sin(), angle.cos()));
                let shift = (up - down) / 2.0;
                // The middle of the piece first, then towards its ends where there is room.
                let slack = (length - width) / 2.0 - 1.0;
                for offset in [0.0, -0.5 * slack, 0.5 * slack, -slack, slack] {
                    let t = 0.5 + offset / length;
                    let centre = PointMm::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
                    let origin = PointMm::new(centre.x - along.0 * width / 2.0 + down_v.0 * shift, centre.y - along.1 * width / 2.0 + down_v.1 * shift);
                    out.push((origin, angle.to_degrees()));
                }
            }
            out
        }
    }
}

/// How far (mm) a line may bend away from a straight label set along it: about the width of a
/// thin street, so the text still reads as on the street.
const STRAIGHT_TOLERANCE_MM: f32 = 0.6;

/// The line cut into pieces each of which is straight within [`STRAIGHT_TOLERANCE_MM`], as
/// their end points: a gently curving street drawn with many short segments still has long
/// stretches a name fits along.
fn straight_pieces(points: &[PointMm]) -> Vec<(PointMm, PointMm)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start + 1 < points.len() {
        let mut end = start + 1;
        while end + 1 < points.len() && points[start + 1..=end].iter().all(|p| off_chord(*p, points[start], points[end + 1]) <= STRAIGHT_TOLERANCE_MM) {
            end += 1;
        }
        pieces.push((points[start], points[end]));
        start = end;
    }
    pieces
}

/// The distance of `p` from the straight line through `a` and `b`.
fn off_chord(p: PointMm, a: PointMm, b: PointMm) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return distance(p, a);
    }
    ((p.x - a.x) * dy - (p.y - a.y) * dx).abs() / len
}

/// The box of a text run with its baseline at `origin` turned by `angle` degrees.
fn text_quad(origin: PointMm, angle: f32, width: f32, up: f32, down: f32) -> Quad {
    let a = angle.to_radians();
    let (along, down_v) = ((a.cos(), a.sin()), (-a.sin(), a.cos()));
    let at = |u: f32, v: f32| PointMm::new(origin.x + along.0 * u + down_v.0 * v, origin.y + along.1 * u + down_v.1 * v);
    [at(0.0, -up), at(width, -up), at(width, down), at(0.0, down)]
}

fn box_quad(b: BoxMm) -> Quad {
    [PointMm::new(b.x, b.y), PointMm::new(b.right(), b.y), PointMm::new(b.right(), b.bottom()), PointMm::new(b.x, b.bottom())]
}

fn quad_centre(q: &Quad) -> PointMm {
    PointMm::new(q.iter().map(|p| p.x).sum::<f32>() / 4.0, q.iter().map(|p| p.y).sum::<f32>() / 4.0)
}

fn distance(a: PointMm, b: PointMm) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn inside(q: &Quad, b: &BoxMm) -> bool {
    q.iter().all(|p| p.x >= b.x && p.x <= b.right() && p.y >= b.y && p.y <= b.bottom())
}

/// Whether two convex quadrilaterals overlap (share more than an edge): no edge direction of
/// either separates their projections.
fn quads_overlap(a: &Quad, b: &Quad) -> bool {
    let axes = a.iter().zip(a.iter().cycle().skip(1)).chain(b.iter().zip(b.iter().cycle().skip(1))).map(|(p, q)| (-(q.y - p.y), q.x - p.x));
    for (ax, ay) in axes {
        if ax == 0.0 && ay == 0.0 {
            continue;
        }
        let project = |q: &Quad| q.iter().map(|p| p.x * ax + p.y * ay).fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let ((a_lo, a_hi), (b_lo, b_hi)) = (project(a), project(b));
        if a_hi <= b_lo + 1e-4 || b_hi <= a_lo + 1e-4 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> PageFont {
        PageFont::find_and_load().expect("the page font (assets/fonts)")
    }

    fn request(text: &str, at: LabelAt, priority: i32) -> LabelRequest {
        LabelRequest { text: text.into(), at, size_pt: 9.0, colour: Rgb::BLACK, priority }
    }

    fn quads(items: &[Item], font: &PageFont) -> Vec<Quad> {
        let (up, down) = font.ascent_descent_em();
        items
            .iter()
            .map(|i| match i {
                Item::Text(t) => text_quad(t.origin, t.angle, font.width_mm(&t.text, t.size_pt), pt_to_mm(up * t.size_pt), pt_to_mm(down * t.size_pt)),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn crowded_points_get_labels_that_never_overlap_and_stay_in_the_frame() {
        let font = font();
        let frame = BoxMm::new(0.0, 0.0, 60.0, 40.0);
        let mut placer = LabelPlacer::new(&font, frame);
        placer.block(BoxMm::new(50.0, 0.0, 10.0, 10.0));
        let mut asks = Vec::new();
        for i in 0..40 {
            let c = PointMm::new(5.0 + (i % 8) as f32 * 7.0, 4.0 + (i / 8) as f32 * 8.0);
            asks.push(request(&format!("设施{i}号"), LabelAt::Beside { centre: c, clearance: 1.0 }, 0));
        }
        let items = placer.place(asks);
        assert!(items.len() >= 8 && items.len() < 40, "some placed, not all: {}", items.len());
        let q = quads(&items, &font);
        for (i, a) in q.iter().enumerate() {
            assert!(inside(a, &frame), "label {i} leaves the frame");
            assert!(!quads_overlap(a, &box_quad(BoxMm::new(50.0, 0.0, 10.0, 10.0))), "label {i} over the blocked box");
            for b in &q[i + 1..] {
                assert!(!quads_overlap(a, b), "two labels overlap");
            }
        }
    }

    #[test]
    fn higher_priority_wins_the_contested_place() {
        let font = font();
        let mut placer = LabelPlacer::new(&font, BoxMm::new(0.0, 0.0, 40.0, 10.0));
        let at = || LabelAt::Centre(PointMm::new(20.0, 5.0));
        let items = placer.place(vec![request("小区", at(), 0), request("宜城街道", at(), 6)]);
        assert_eq!(items.len(), 1);
        assert!(matches!(&items[0], Item::Text(t) if t.text == "宜城街道"));
    }

    #[test]
    fn a_street_name_runs_along_its_longest_piece_reading_left_to_right() {
        let font = font();
        let mut placer = LabelPlacer::new(&font, BoxMm::new(0.0, 0.0, 100.0, 100.0));
        // Drawn right to left, rising: the name must still read left to right.
        let street = vec![PointMm::new(90.0, 20.0), PointMm::new(85.0, 20.0), PointMm::new(15.0, 80.0)];
        let items = placer.place(vec![request("人民路", LabelAt::Along(street.clone()), 2), request("人民路", LabelAt::Along(street), 2)]);
        assert_eq!(items.len(), 1, "the same name is not repeated close by");
        let Item::Text(t) = &items[0] else { unreachable!() };
        // From (15, 80) to (85, 20): rising to the right, -40.6° on a y-down page.
        let want = (20.0f32 - 80.0).atan2(85.0 - 15.0).to_degrees();
        assert!((t.angle - want).abs() < 0.01, "{} vs {want}", t.angle);
    }

    #[test]
    fn a_gently_curving_street_of_many_short_segments_is_named_along_a_straight_stretch() {
        let font = font();
        let mut placer = LabelPlacer::new(&font, BoxMm::new(0.0, 0.0, 200.0, 100.0));
        // 1 mm steps with a sag of 0.3 mm: no single segment holds the name, the stretch does.
        let street: Vec<PointMm> = (0..=150).map(|i| PointMm::new(20.0 + i as f32, 50.0 + 0.3 * ((i as f32) / 150.0 * std::f32::consts::PI).sin())).collect();
        let items = placer.place(vec![request("阳羡路", LabelAt::Along(street), 2)]);
        assert_eq!(items.len(), 1);
        assert_eq!(straight_pieces(&[PointMm::new(0.0, 0.0), PointMm::new(10.0, 0.0), PointMm::new(10.0, 10.0)]).len(), 2, "a corner ends a piece");
    }

    #[test]
    fn separating_axes_tell_diagonal_neighbours_apart() {
        let a = text_quad(PointMm::new(0.0, 10.0), -45.0, 14.0, 2.0, 0.5);
        let near_but_clear = text_quad(PointMm::new(8.0, 14.0), -45.0, 14.0, 2.0, 0.5);
        assert!(!quads_overlap(&a, &near_but_clear), "parallel diagonal labels side by side do not collide");
        assert!(quads_overlap(&a, &text_quad(PointMm::new(2.0, 9.0), -45.0, 14.0, 2.0, 0.5)));
    }
}
