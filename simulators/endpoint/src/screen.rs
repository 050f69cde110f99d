//! What is on screen, as a value: steps assert on it, reports render it ([`Screen::render_text`]
//! for snapshots and logs, [`Screen::render_svg`] for people).

use ssap_api::Os;

mod svg;

/// Which screen an endpoint shows. Coarse on purpose: details live in the other fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenKind {
    /// The device is off: nothing on screen.
    PoweredOff,
    /// macOS stock login window (SSAP toggle off at presentation time, R10).
    MacStockLoginWindow,
    /// The JumpCloud login window (SSAP toggle on at presentation time, R10).
    MacJumpCloudLoginWindow,
    /// Windows sign-in screen with its bottom-left tiles (R30).
    WindowsSignIn,
    /// A user tile was chosen: password (or PIN) prompt.
    PasswordPrompt,
    /// Windows: the Sign in with JumpCloud tile chosen, offering "Click here to sign in".
    JumpCloudTile,
    /// JumpCloud User Login, email step (R20, R31).
    JumpCloudEmail,
    /// JumpCloud User Login, password step.
    JumpCloudPassword,
    /// Windows: re-confirm the directory password (R31).
    ConfirmPassword,
    /// The identity provider's own sign-in page in the web view (R46): "Sign in to <IdP>".
    IdentityProviderSignIn,
    /// Password sync off: the user creates a local password (R06).
    CreateLocalPassword,
    /// Windows: create the PIN (R31, R32).
    CreatePin,
    /// Next login of a user with MFA enforced (R45).
    MfaPrompt,
    /// A refusal or outcome the user must acknowledge.
    Notice,
    /// macOS first-login setup prompts (R20).
    SetupAssistant,
    /// Someone is logged in.
    Desktop,
}

/// Indicator colour (R13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Colour {
    /// Online.
    Green,
    /// Offline.
    Red,
}

impl Colour {
    /// The colour's name as text reports print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Red => "red",
        }
    }
}

/// The connectivity indicator: always a Wi-Fi glyph, even on Ethernet, coloured by internet
/// reachability (R13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// Always "Wi-Fi" (R13).
    pub kind: String,
    /// Green when the internet answers, red otherwise.
    pub colour: Colour,
    /// "Online" or "Offline".
    pub label: String,
}

/// A user tile (or, on Windows, the Sign in with JumpCloud tile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// What the tile says: the account's full name, or "Sign in with JumpCloud".
    pub label: String,
    /// The local account behind it; `None` for the JumpCloud tile.
    pub account: Option<String>,
    /// JumpCloud badge on the avatar (R16).
    pub managed: bool,
    /// The tile chosen, showing its password or PIN field.
    pub selected: bool,
}

/// An input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The label steps type into ("Email", "Password", "PIN").
    pub label: String,
    /// What is shown: bullets for secrets.
    pub shown: String,
    /// Masked on screen (passwords, PINs).
    pub secret: bool,
}

/// The info panel (R15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoPanel {
    /// The device's hostname.
    pub hostname: String,
    /// The device's serial number.
    pub serial: String,
    /// The device's MAC address.
    pub mac: String,
    /// The device's IP address.
    pub ip: String,
    /// The OS version.
    pub os_version: String,
}

/// An open menu (the Wireless menu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// The menu's name ("Wireless").
    pub title: String,
    /// Its entries, top to bottom.
    pub items: Vec<MenuItem>,
}

/// One menu entry; `checked` marks the joined network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// What the entry says, and what a click names.
    pub label: String,
    /// Marked with a check (the joined network).
    pub checked: bool,
    /// e.g. "secured", "saved".
    pub detail: String,
}

/// Everything a person would see, and everything a step may click or type into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// Whose look the screen has.
    pub os: Os,
    /// Which screen it is, for steps that assert where the user is.
    pub kind: ScreenKind,
    /// "macOS login window", "JumpCloud User Login", ... (also names the screen in errors).
    pub title: String,
    /// User tiles, in the order the OS lists them.
    pub tiles: Vec<Tile>,
    /// Clickable buttons and links, in reading order.
    pub buttons: Vec<String>,
    /// Input fields, in reading order.
    pub fields: Vec<Field>,
    /// The connectivity indicator, where the screen has one (R13).
    pub indicator: Option<Indicator>,
    /// A refusal or mistake shown in red.
    pub error: Option<String>,
    /// An informational line ("Your account is ready ...").
    pub message: Option<String>,
    /// The admin's login-window text, when set (macOS).
    pub login_window_text: Option<String>,
    /// The info panel, when open (R15).
    pub info_panel: Option<InfoPanel>,
    /// The open menu, if any.
    pub menu: Option<Menu>,
    /// Title of a modal dialog over the screen (e.g. `Join "Hotspot"`); while it is open only
    /// its buttons and fields respond.
    pub dialog: Option<String>,
    /// Who is logged in (Desktop only).
    pub user: Option<String>,
}

/// Labels compare ignoring case, spaces and hyphens, so "Sign In with JumpCloud" (as the
/// help center spells it) finds "Sign in with JumpCloud".
pub fn same_label(a: &str, b: &str) -> bool {
    // Compared char by char, without building either normal form: every click and every typed
    // field compares its label with each control on the screen.
    norm(a).eq(norm(b))
}

fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
}

impl Screen {
    /// A blank screen of a kind; the state machines fill in the rest.
    pub fn new(os: Os, kind: ScreenKind, title: impl Into<String>) -> Self {
        Self {
            os,
            kind,
            title: title.into(),
            tiles: Vec::new(),
            buttons: Vec::new(),
            fields: Vec::new(),
            indicator: None,
            error: None,
            message: None,
            login_window_text: None,
            info_panel: None,
            menu: None,
            dialog: None,
            user: None,
        }
    }

    /// Whether a clickable control with this label is visible: a button, a tile (by its label
    /// or its account name) or a menu item.
    pub fn has_button(&self, label: &str) -> bool {
        self.clickables().iter().any(|c| same_label(c, label))
            || (self.dialog.is_none() && self.tile(label).is_some())
    }

    /// Whether a tile with this label (full name) or account name is visible.
    pub fn has_tile(&self, label: &str) -> bool {
        self.tile(label).is_some()
    }

    /// The tile by its label or its account name.
    pub fn tile(&self, label: &str) -> Option<&Tile> {
        self.tiles.iter().find(|t| {
            same_label(&t.label, label)
                || t.account
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(label))
        })
    }

    /// Whether a field with this label is visible.
    pub fn has_field(&self, label: &str) -> bool {
        self.fields.iter().any(|f| same_label(&f.label, label))
    }

    /// The error line, if any.
    pub fn error_text(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The message line, if any.
    pub fn message_text(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Every label `click` accepts now. A modal dialog hides the tiles and menu behind it.
    pub fn clickables(&self) -> Vec<String> {
        let mut out = self.buttons.clone();
        if self.dialog.is_none() {
            out.extend(self.tiles.iter().map(|t| t.label.clone()));
            if let Some(m) = &self.menu {
                out.extend(m.items.iter().map(|i| i.label.clone()));
            }
        }
        out
    }

    /// "buttons: A, B; tiles: C; fields: D" — for error messages that say what IS there.
    pub fn inventory(&self) -> String {
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(", ")
            }
        };
        let mut s = format!("buttons: {}", list(self.buttons.clone()));
        if !self.tiles.is_empty() {
            s.push_str(&format!(
                "; tiles: {}",
                list(self.tiles.iter().map(|t| t.label.clone()).collect())
            ));
        }
        if let Some(m) = &self.menu {
            s.push_str(&format!(
                "; {} menu: {}",
                m.title,
                list(m.items.iter().map(|i| i.label.clone()).collect())
            ));
        }
        s.push_str(&format!(
            "; fields: {}",
            list(self.fields.iter().map(|f| f.label.clone()).collect())
        ));
        if let Some(d) = &self.dialog {
            s.push_str(&format!("; dialog open: {d}"));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!("; error: {e}"));
        }
        s
    }

    /// "the macOS login window" — how errors name this screen.
    pub fn describe(&self) -> String {
        match &self.dialog {
            Some(d) => format!("{} ({d} dialog)", self.title),
            None => self.title.clone(),
        }
    }

    /// A stable plain-text picture, one fact per line, for snapshots and step logs.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            out.push_str(k);
            out.push_str(": ");
            out.push_str(&v);
            out.push('\n');
        };
        line("screen", format!("{} — {}", self.os, self.title));
        if let Some(i) = &self.indicator {
            line(
                "indicator",
                format!("{} {} ({})", i.kind, i.colour.as_str(), i.label),
            );
        }
        if let Some(t) = &self.login_window_text {
            line("login window text", t.clone());
        }
        if let Some(u) = &self.user {
            line("logged in", u.clone());
        }
        for t in &self.tiles {
            let mut s = t.label.clone();
            if let Some(a) = &t.account {
                if a != &t.label {
                    s.push_str(&format!(" ({a})"));
                }
            }
            if t.managed {
                s.push_str(" [JumpCloud badge]");
            }
            if t.selected {
                s.push_str(" [selected]");
            }
            line("tile", s);
        }
        if let Some(m) = &self.menu {
            line("menu", m.title.clone());
            for i in &m.items {
                let mark = if i.checked { "✓ " } else { "  " };
                let detail = if i.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", i.detail)
                };
                line("  item", format!("{mark}{}{detail}", i.label));
            }
        }
        if let Some(p) = &self.info_panel {
            line(
                "info",
                format!(
                    "hostname {} | serial {} | MAC {} | IP {} | version {}",
                    p.hostname, p.serial, p.mac, p.ip, p.os_version
                ),
            );
        }
        if let Some(d) = &self.dialog {
            line("dialog", d.clone());
        }
        for f in &self.fields {
            line("field", format!("{} [{}]", f.label, f.shown));
        }
        if !self.buttons.is_empty() {
            line(
                "buttons",
                self.buttons
                    .iter()
                    .map(|b| format!("[{b}]"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        if let Some(m) = &self.message {
            line("message", m.clone());
        }
        if let Some(e) = &self.error {
            line("error", e.clone());
        }
        out
    }

    /// A self-contained SVG of the screen as a person would see it.
    pub fn render_svg(&self) -> String {
        svg::render(self)
    }
}

/// A UI action that cannot be done on the current screen: says what was asked and what IS
/// there, so a failing step explains itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UiError {
    /// No button, tile or menu item with that label.
    #[error("no button {asked:?} on the {screen}; {inventory}")]
    NoSuchControl {
        /// The label asked for.
        asked: String,
        /// The screen it was asked on.
        screen: String,
        /// What the screen does offer.
        inventory: String,
    },
    /// No field with that label.
    #[error("no field {asked:?} on the {screen}; {inventory}")]
    NoSuchField {
        /// The label asked for.
        asked: String,
        /// The screen it was asked on.
        screen: String,
        /// What the screen does offer.
        inventory: String,
    },
    /// Asked to click or type on a device that is off.
    #[error("the device is powered off; power it on first")]
    PoweredOff,
}

impl UiError {
    pub(crate) fn no_control(screen: &Screen, asked: &str) -> Self {
        UiError::NoSuchControl {
            asked: asked.to_string(),
            screen: screen.describe(),
            inventory: screen.inventory(),
        }
    }

    pub(crate) fn no_field(screen: &Screen, asked: &str) -> Self {
        UiError::NoSuchField {
            asked: asked.to_string(),
            screen: screen.describe(),
            inventory: screen.inventory(),
        }
    }
}

/// Bullets for a secret of this length.
pub(crate) fn mask(s: &str) -> String {
    "•".repeat(s.chars().count())
}
