//! Bar charts for server-rendered inline SVG: the geometry only, in whole SVG units.
//!
//! A chart here is numbers and the texts to show; the template draws it (`<rect>`, `<text>`),
//! so every label is escaped by askama like any other text and no markup is built in Rust.
//! Two shapes: [`columns`] (one vertical bar per item, e.g. per day) and [`rows`] (one
//! horizontal bar per item, labelled, e.g. per lesson). No JavaScript is needed to read them,
//! and each page also shows the numbers as a table.

/// One bar: its box, and what it stands for (for `<title>`, read by screen readers and shown
/// as a tooltip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub label: String,
    pub value: String,
    /// Where the label (rows) or value text goes.
    pub text_y: u32,
}

/// A chart: its size and bars, and the axis' top value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    /// The largest value, as the scale's top label.
    pub max: String,
    /// Where the plotting area starts (rows: after the labels).
    pub left: u32,
    /// Labels under the first and last columns (columns only).
    pub first: String,
    pub last: String,
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }
}

const COLUMNS_WIDTH: u32 = 600;
const COLUMNS_HEIGHT: u32 = 160;
/// Room under the columns for the first and last labels.
const AXIS: u32 = 20;

/// `(label, value, value as text)` items as vertical bars side by side, scaled to the largest.
pub fn columns(items: &[(String, u64, String)]) -> Chart {
    let n = items.len().max(1) as u32;
    let plot = COLUMNS_HEIGHT - AXIS;
    let max = items.iter().map(|i| i.1).max().unwrap_or(0);
    let step = (COLUMNS_WIDTH / n).max(1);
    let w = if step > 2 { step - step / 4 } else { step };
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, v, text))| {
            let h = scale(*v, max, plot);
            Bar {
                x: i as u32 * step,
                y: plot - h,
                w,
                h,
                label: label.clone(),
                value: text.clone(),
                text_y: plot.saturating_sub(h + 2),
            }
        })
        .collect();
    Chart {
        width: step * n,
        height: COLUMNS_HEIGHT,
        bars,
        max: max.to_string(),
        left: 0,
        first: items.first().map(|i| i.0.clone()).unwrap_or_default(),
        last: items.last().map(|i| i.0.clone()).unwrap_or_default(),
    }
}

const ROW_HEIGHT: u32 = 24;
const ROWS_WIDTH: u32 = 600;
/// Room on the left for the labels.
const LABELS: u32 = 240;
/// Characters of a row's label that fit in `LABELS` at the pages' font size.
const LABEL_CHARS: usize = 26;
/// Room on the right for the values.
const VALUES: u32 = 60;

/// `(label, value, value as text)` items as horizontal bars under each other, in order, scaled
/// to the largest; labels longer than fit are cut with an ellipsis (the table has them whole).
pub fn rows(items: &[(String, u64, String)]) -> Chart {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0);
    let plot = ROWS_WIDTH - LABELS - VALUES;
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, v, text))| {
            let y = i as u32 * ROW_HEIGHT;
            Bar {
                x: LABELS,
                y: y + 4,
                w: scale(*v, max, plot),
                h: ROW_HEIGHT - 8,
                label: shorten(label, LABEL_CHARS),
                value: text.clone(),
                text_y: y + ROW_HEIGHT / 2 + 5,
            }
        })
        .collect();
    Chart {
        width: ROWS_WIDTH,
        height: (items.len() as u32 * ROW_HEIGHT).max(ROW_HEIGHT),
        bars,
        max: max.to_string(),
        left: LABELS,
        first: String::new(),
        last: String::new(),
    }
}

/// `v` of `max` in `room` units; a non-zero value is at least one unit, so it shows.
fn scale(v: u64, max: u64, room: u32) -> u32 {
    if max == 0 || v == 0 {
        return 0;
    }
    ((u128::from(v) * u128::from(room) / u128::from(max)) as u32).max(1)
}

fn shorten(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(chars - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(v: &[u64]) -> Vec<(String, u64, String)> {
        v.iter().enumerate().map(|(i, n)| (format!("d{i}"), *n, n.to_string())).collect()
    }

    #[test]
    fn columns_scale_to_the_largest_and_stand_on_the_axis() {
        let c = columns(&items(&[0, 5, 10]));
        assert_eq!(c.bars.len(), 3);
        let plot = COLUMNS_HEIGHT - AXIS;
        assert_eq!(c.bars[2].h, plot);
        assert_eq!(c.bars[1].h, plot / 2);
        assert_eq!(c.bars[0].h, 0);
        for b in &c.bars {
            assert_eq!(b.y + b.h, plot, "every bar ends on the axis");
            assert!(b.x + b.w <= c.width);
        }
        assert_eq!((c.first.as_str(), c.last.as_str(), c.max.as_str()), ("d0", "d2", "10"));
    }

    #[test]
    fn small_values_still_show_and_nothing_is_empty_not_broken() {
        let c = columns(&items(&[1, 1_000_000]));
        assert_eq!(c.bars[0].h, 1);
        let none = columns(&[]);
        assert!(none.is_empty());
        assert_eq!(none.max, "0");
        let zeros = rows(&items(&[0, 0]));
        assert!(zeros.bars.iter().all(|b| b.w == 0));
        let many = columns(&items(&[3; 366]));
        assert!(many.bars.iter().all(|b| b.w >= 1 && b.x + b.w <= many.width));
    }

    #[test]
    fn rows_keep_their_order_and_cut_long_labels() {
        let mut it = items(&[4, 2]);
        it[1].0 = "A very long lesson title that goes on and on".into();
        let c = rows(&it);
        assert_eq!(c.bars[0].w, ROWS_WIDTH - LABELS - VALUES);
        assert_eq!(c.bars[1].w, (ROWS_WIDTH - LABELS - VALUES) / 2);
        assert!(c.bars[1].y > c.bars[0].y);
        assert_eq!(c.bars[1].label.chars().count(), LABEL_CHARS);
        assert!(c.bars[1].label.ends_with('…'));
        // Labels are text for the template to escape: nothing is interpreted here.
        let odd = rows(&[("<script>&\"".into(), 1, "1".into())]);
        assert_eq!(odd.bars[0].label, "<script>&\"");
    }
}
