//! Charts drawn on the server as SVG: no script, and they scale to any screen width.

use alphadome_store::{MessageCount, Tally};
use maud::{Markup, html};

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
const AXIS: f64 = 18.0;

/// Paired bars per bucket: messages in (light) and replies out (dark), labelled every
/// `label_every` buckets with the label's tail (`label_from` characters on).
pub fn messages(caption: &str, counts: &[MessageCount], label_every: usize, label_from: usize) -> Markup {
    let top = counts.iter().map(|c| c.incoming.max(c.replied)).max().unwrap_or(0).max(1);
    let slot = WIDTH / counts.len().max(1) as f64;
    let bar = (slot / 2.0 - 1.0).max(1.0);
    let height = |n: i64| (HEIGHT - AXIS) * n as f64 / top as f64;
    let total_in: i64 = counts.iter().map(|c| c.incoming).sum();
    let total_out: i64 = counts.iter().map(|c| c.replied).sum();
    html! {
        figure {
            figcaption { (caption) }
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img"
                aria-label={ (caption) ": " (total_in) " messages in, " (total_out) " replies out; most in one bucket " (top) } {
                @for (i, c) in counts.iter().enumerate() {
                    @let x = i as f64 * slot;
                    rect x=(x) y=(HEIGHT - AXIS - height(c.incoming)) width=(bar) height=(height(c.incoming)) fill="#7aa7d6" {
                        title { (c.bucket) ": " (c.incoming) " in" }
                    }
                    rect x=(x + bar) y=(HEIGHT - AXIS - height(c.replied)) width=(bar) height=(height(c.replied)) fill="#0b5d3b" {
                        title { (c.bucket) ": " (c.replied) " out" }
                    }
                    @if i % label_every.max(1) == 0 {
                        text x=(x) y=(HEIGHT - 4.0) font-size="11" fill="#5a636d" { (c.bucket.get(label_from..).unwrap_or(&c.bucket)) }
                    }
                }
                line x1="0" y1=(HEIGHT - AXIS) x2=(WIDTH) y2=(HEIGHT - AXIS) stroke="#9aa3ad";
                text x=(WIDTH - 4.0) y="12" font-size="11" text-anchor="end" fill="#5a636d" { "max " (top) }
            }
            p.legend { span.in { "■ in (" (total_in) ")" } span.out { "■ replied (" (total_out) ")" } }
        }
    }
}

/// A table of counts with a bar each, most first (answers by source, errors by code).
pub fn tallies(caption: &str, rows: &[Tally], empty: &str) -> Markup {
    let top = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    html! {
        figure {
            figcaption { (caption) }
            @if rows.is_empty() {
                p { (empty) }
            } @else {
                table {
                    tbody {
                        @for r in rows {
                            tr {
                                td { (r.key.replace('_', " ")) }
                                td { (r.count) }
                                td style="width:50%" {
                                    svg viewBox="0 0 100 10" preserveAspectRatio="none" height="10" aria-hidden="true" {
                                        rect x="0" y="0" height="10" width=(100 * r.count / top) fill="#0b5d3b";
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
