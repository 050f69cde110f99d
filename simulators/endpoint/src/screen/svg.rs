//! SVG rendering of a [`Screen`]: a self-contained picture (no fonts, images or scripts from
//! outside) of what a person would see, for the HTML report. All text is escaped.

use std::fmt::Write as _;

use ssap_api::Os;

use super::{Colour, Screen, ScreenKind};

const W: i32 = 800;
const H: i32 = 500;
const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";

pub(crate) fn render(s: &Screen) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!("{} — {}", s.os, s.title))
    );
    let _ = write!(
        o,
        "<title>{}</title>",
        esc(&format!("{} — {}", s.os, s.title))
    );
    let bg = match (s.os, s.kind) {
        (_, ScreenKind::PoweredOff) => "#000000",
        (_, ScreenKind::Desktop) => "#3a6ea5",
        (Os::Macos, ScreenKind::MacStockLoginWindow) => "#4b4f58",
        (Os::Macos, _) => "#1c2b4a",
        (Os::Windows, _) => "#0b3d75",
    };
    let _ = write!(o, "<rect width=\"{W}\" height=\"{H}\" fill=\"{bg}\"/>");
    if s.kind == ScreenKind::PoweredOff {
        text(
            &mut o,
            W / 2,
            H / 2,
            14,
            "#666666",
            "middle",
            "(powered off)",
        );
        o.push_str("</svg>");
        return o;
    }
    menu_bar(&mut o, s);
    text(&mut o, W / 2, 64, 20, "#ffffff", "middle", &s.title);
    if let Some(u) = &s.user {
        text(
            &mut o,
            W / 2,
            90,
            13,
            "#dde6f0",
            "middle",
            &format!("Logged in: {u}"),
        );
    }
    match s.os {
        Os::Macos => mac_tiles(&mut o, s),
        Os::Windows => windows_tiles(&mut o, s),
    }
    let mut y = if s.tiles.is_empty() || s.os == Os::Windows {
        130
    } else {
        270
    };
    if s.dialog.is_none() {
        y = controls(&mut o, s, y);
    }
    if s.dialog.is_none() {
        y = notes(&mut o, s, y);
    }
    let _ = y;
    if let Some(t) = &s.login_window_text {
        for (i, line) in wrap(t, 90).iter().enumerate() {
            text(
                &mut o,
                W / 2,
                H - 40 + i as i32 * 15,
                12,
                "#e8e8e8",
                "middle",
                line,
            );
        }
    }
    if let Some(m) = &s.menu {
        let x = W - 250;
        let h = 24 + 20 * m.items.len() as i32;
        let _ = write!(
            o,
            "<rect x=\"{x}\" y=\"26\" width=\"240\" height=\"{h}\" rx=\"6\" fill=\"#f4f4f4\" stroke=\"#999\"/>"
        );
        text(&mut o, x + 10, 42, 12, "#555555", "start", &m.title);
        for (i, it) in m.items.iter().enumerate() {
            let yy = 62 + 20 * i as i32;
            let mark = if it.checked { "✓ " } else { "" };
            let detail = if it.detail.is_empty() {
                String::new()
            } else {
                format!("  ({})", it.detail)
            };
            text(
                &mut o,
                x + 14,
                yy,
                12,
                "#111111",
                "start",
                &format!("{mark}{}{detail}", it.label),
            );
        }
    }
    if let Some(p) = &s.info_panel {
        let x = W - 300;
        let _ = write!(
            o,
            "<rect x=\"{x}\" y=\"26\" width=\"290\" height=\"118\" rx=\"6\" fill=\"#f4f4f4\" stroke=\"#999\"/>"
        );
        text(
            &mut o,
            x + 10,
            44,
            12,
            "#555555",
            "start",
            "System Information",
        );
        let rows = [
            ("Hostname", &p.hostname),
            ("Serial", &p.serial),
            ("MAC", &p.mac),
            ("IP", &p.ip),
            ("Version", &p.os_version),
        ];
        for (i, (k, v)) in rows.iter().enumerate() {
            text(
                &mut o,
                x + 14,
                64 + 17 * i as i32,
                12,
                "#111111",
                "start",
                &format!("{k}: {v}"),
            );
        }
    }
    if let Some(d) = &s.dialog {
        let _ = write!(
            o,
            "<rect width=\"{W}\" height=\"{H}\" fill=\"#000000\" opacity=\"0.45\"/><rect x=\"200\" y=\"130\" width=\"400\" height=\"240\" rx=\"10\" fill=\"#f4f4f4\" stroke=\"#888\"/>"
        );
        text(&mut o, W / 2, 160, 15, "#111111", "middle", d);
        let y = controls(&mut o, s, 180);
        notes_dark(&mut o, s, y);
    }
    o.push_str("</svg>");
    o
}

fn menu_bar(o: &mut String, s: &Screen) {
    let _ = write!(o, "<rect width=\"{W}\" height=\"24\" fill=\"#101820\"/>");
    if let Some(i) = &s.indicator {
        let c = match i.colour {
            Colour::Green => "#2ecc40",
            Colour::Red => "#ff4136",
        };
        // Wi-Fi glyph: three arcs and a dot, whatever the link is (R13).
        let (x, y) = (W - 110, 18);
        let _ = write!(
            o,
            "<g stroke=\"{c}\" stroke-width=\"2\" fill=\"none\" aria-label=\"{}\"><path d=\"M{} {} a10 10 0 0 1 16 0\"/><path d=\"M{} {} a6 6 0 0 1 10 0\"/></g><circle cx=\"{x}\" cy=\"{y}\" r=\"2\" fill=\"{c}\"/>",
            esc(&format!("{} {}", i.kind, i.label)),
            x - 8,
            y - 8,
            x - 5,
            y - 4
        );
        text(o, x + 14, 17, 12, c, "start", &i.label);
    }
    if matches!(
        s.kind,
        ScreenKind::MacJumpCloudLoginWindow | ScreenKind::PasswordPrompt
    ) && s.os == Os::Macos
        && s.indicator.is_some()
    {
        let _ = write!(
            o,
            "<circle cx=\"{}\" cy=\"12\" r=\"8\" fill=\"none\" stroke=\"#ffffff\"/>",
            W - 20
        );
        text(o, W - 20, 16, 11, "#ffffff", "middle", "i");
    }
    let host = match s.os {
        Os::Macos => "macOS",
        Os::Windows => "Windows",
    };
    text(o, 10, 17, 12, "#ffffff", "start", host);
}

fn initials(label: &str) -> String {
    label
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

fn mac_tiles(o: &mut String, s: &Screen) {
    let n = s.tiles.len() as i32;
    if n == 0 {
        return;
    }
    let gap = 130;
    let x0 = W / 2 - gap * (n - 1) / 2;
    for (i, t) in s.tiles.iter().enumerate() {
        let cx = x0 + gap * i as i32;
        let cy = 170;
        let ring = if t.selected { "#ffffff" } else { "#9aa7bd" };
        let _ = write!(
            o,
            "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"36\" fill=\"#6b7a99\" stroke=\"{ring}\" stroke-width=\"{}\"/>",
            if t.selected { 4 } else { 1 }
        );
        text(o, cx, cy + 8, 22, "#ffffff", "middle", &initials(&t.label));
        if t.managed {
            let _ = write!(
                o,
                "<g aria-label=\"JumpCloud managed\"><circle cx=\"{}\" cy=\"{}\" r=\"12\" fill=\"#00b3a6\" stroke=\"#ffffff\" stroke-width=\"2\"/></g>",
                cx + 26,
                cy + 26
            );
            text(o, cx + 26, cy + 30, 10, "#ffffff", "middle", "JC");
        }
        text(o, cx, cy + 56, 13, "#ffffff", "middle", &t.label);
    }
}

fn windows_tiles(o: &mut String, s: &Screen) {
    // The user list sits at the bottom left; the JumpCloud tile is its last entry (R30).
    let n = s.tiles.len() as i32;
    for (i, t) in s.tiles.iter().enumerate() {
        let y = H - 40 - 36 * (n - 1 - i as i32);
        let fill = if t.selected { "#3b6ea8" } else { "#0f2f57" };
        let _ = write!(
            o,
            "<rect x=\"12\" y=\"{}\" width=\"230\" height=\"32\" fill=\"{fill}\"/><rect x=\"16\" y=\"{}\" width=\"24\" height=\"24\" fill=\"{}\"/>",
            y - 22,
            y - 18,
            if t.account.is_none() { "#00b3a6" } else { "#6b7a99" }
        );
        text(o, 48, y - 1, 13, "#ffffff", "start", &t.label);
    }
}

/// Fields then buttons, from `y`; returns the next free y.
fn controls(o: &mut String, s: &Screen, mut y: i32) -> i32 {
    let dark = s.dialog.is_some();
    for f in &s.fields {
        let (bg, fg, ph) = ("#ffffff", "#111111", "#888888");
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{y}\" width=\"280\" height=\"30\" rx=\"6\" fill=\"{bg}\" stroke=\"#aaaaaa\"/>",
            W / 2 - 140
        );
        if f.shown.is_empty() {
            text(o, W / 2 - 130, y + 20, 13, ph, "start", &f.label);
        } else {
            text(o, W / 2 - 130, y + 20, 13, fg, "start", &f.shown);
            text(
                o,
                W / 2 + 150,
                y + 20,
                10,
                if dark { "#555555" } else { "#cfd8e3" },
                "start",
                &f.label,
            );
        }
        y += 40;
    }
    if !s.buttons.is_empty() {
        let widths: Vec<i32> = s
            .buttons
            .iter()
            .map(|b| 24 + 7 * b.chars().count() as i32)
            .collect();
        let total: i32 = widths.iter().sum::<i32>() + 10 * (widths.len() as i32 - 1);
        let mut x = W / 2 - total / 2;
        for (b, w) in s.buttons.iter().zip(widths) {
            let primary = b == "Sign in with JumpCloud";
            let fill = if primary { "#00b3a6" } else { "#e9edf2" };
            let fg = if primary { "#ffffff" } else { "#111111" };
            let _ = write!(
                o,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"28\" rx=\"14\" fill=\"{fill}\" stroke=\"#8895a7\"/>"
            );
            text(o, x + w / 2, y + 19, 12, fg, "middle", b);
            x += w + 10;
        }
        y += 42;
    }
    y
}

fn notes(o: &mut String, s: &Screen, mut y: i32) -> i32 {
    if let Some(m) = &s.message {
        for line in wrap(m, 90) {
            text(o, W / 2, y + 12, 13, "#e8eef6", "middle", &line);
            y += 17;
        }
        y += 6;
    }
    if let Some(e) = &s.error {
        let lines = wrap(e, 80);
        let h = 12 + 17 * lines.len() as i32;
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{y}\" width=\"560\" height=\"{h}\" rx=\"6\" fill=\"#b00020\"/>",
            W / 2 - 280
        );
        for (i, line) in lines.iter().enumerate() {
            text(
                o,
                W / 2,
                y + 19 + 17 * i as i32,
                13,
                "#ffffff",
                "middle",
                line,
            );
        }
        y += h + 8;
    }
    y
}

fn notes_dark(o: &mut String, s: &Screen, mut y: i32) {
    if let Some(m) = &s.message {
        for line in wrap(m, 55) {
            text(o, W / 2, y + 12, 12, "#333333", "middle", &line);
            y += 16;
        }
    }
    if let Some(e) = &s.error {
        for line in wrap(e, 55) {
            text(o, W / 2, y + 12, 12, "#b00020", "middle", &line);
            y += 16;
        }
    }
}

fn text(o: &mut String, x: i32, y: i32, size: i32, fill: &str, anchor: &str, t: &str) {
    let _ = write!(
        o,
        "<text x=\"{x}\" y=\"{y}\" {FONT} font-size=\"{size}\" fill=\"{fill}\" text-anchor=\"{anchor}\">{}</text>",
        esc(t)
    );
}

/// Greedy word wrap at `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.lines() {
        let mut cur = String::new();
        for word in para.split_whitespace() {
            if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        lines.push(cur);
    }
    lines
}

/// Escapes text for SVG/XML content and attributes; control characters (invalid in XML 1.0)
/// become U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{7}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\u{FFFD}"
        );
    }

    #[test]
    fn wraps_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
    }
}
