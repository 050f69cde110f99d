//! The form under a login UI's current view: what the user typed, and the error or message
//! shown over the view until the next one.

use crate::screen::{mask, same_label, Field, Screen, UiError};

/// What was typed into the fields on screen, plus the error and message the view shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    /// (field label as shown, text) in typing order.
    pub inputs: Vec<(String, String)>,
    pub error: Option<String>,
    pub message: Option<String>,
}

impl Form {
    /// What was typed into the field `label` (empty if nothing).
    pub fn input(&self, label: &str) -> String {
        self.inputs
            .iter()
            .find(|(l, _)| same_label(l, label))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The field `label` as the screen shows it (masked when secret).
    pub fn field(&self, label: &str, secret: bool) -> Field {
        let v = self.input(label);
        Field {
            label: label.to_string(),
            shown: if secret { mask(&v) } else { v },
            secret,
        }
    }

    /// Types into a field visible on `screen`, replacing what it held.
    pub fn type_into(&mut self, screen: &Screen, field: &str, text: &str) -> Result<(), UiError> {
        let Some(f) = screen.fields.iter().find(|f| same_label(&f.label, field)) else {
            return Err(UiError::no_field(screen, field));
        };
        let label = f.label.clone();
        self.inputs.retain(|(l, _)| l != &label);
        self.inputs.push((label, text.to_string()));
        Ok(())
    }

    /// Puts the form's error and message over what the view shows.
    pub fn show_on(&self, s: &mut Screen) {
        if self.error.is_some() {
            s.error = self.error.clone();
        }
        if self.message.is_some() {
            s.message = self.message.clone();
        }
    }
}
