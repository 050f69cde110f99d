//! index.html (in progress).
use crate::model::RunResult;

/// Renders index.html.
pub fn render(_run: &RunResult) -> String {
    String::new()
}
