//! cucumber.json (in progress).
use crate::model::RunResult;

/// Renders cucumber.json.
pub fn render(_run: &RunResult) -> String {
    String::new()
}
