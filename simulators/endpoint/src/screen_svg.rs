//! SVG rendering of a [`Screen`]: a self-contained picture for the HTML report.

use crate::screen::Screen;

pub(crate) fn render(s: &Screen) -> String {
    let text = s.render_text();
    let mut out = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"500\" viewBox=\"0 0 800 500\">",
    );
    for (i, line) in text.lines().enumerate() {
        out.push_str(&format!(
            "<text x=\"10\" y=\"{}\" font-family=\"monospace\" font-size=\"12\">{}</text>",
            20 + i * 16,
            esc(line)
        ));
    }
    out.push_str("</svg>");
    out
}

/// Escapes text for SVG/XML content and attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}
