//! The project's behaviour catalog (features/catalog.md): the ids R01..R61 in the project's own
//! words, read for the traceability matrix and the coverage gate.

use std::path::Path;

use anyhow::Context as _;
use ssap_reports::CatalogEntry;

/// File name of the catalog, next to the feature files.
pub const FILE_NAME: &str = "catalog.md";

/// Reads `catalog.md` from the features folder (or the folder of a single feature file).
/// A missing catalog is an empty one; a malformed line is an error naming file:line.
pub fn load(features: &Path) -> anyhow::Result<Vec<CatalogEntry>> {
    let dir = if features.is_file() {
        features.parent().unwrap_or(Path::new("."))
    } else {
        features
    };
    let path = dir.join(FILE_NAME);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the catalog {}", path.display()))?;
    parse(&text).map_err(|(line, msg)| anyhow::anyhow!("{}:{line}: {msg}", path.display()))
}

/// Entries are lines `- R11 text...`; continuation lines are indented. Returns (line, message)
/// on a bad or duplicate id.
pub fn parse(text: &str) -> Result<Vec<CatalogEntry>, (usize, String)> {
    let mut out: Vec<CatalogEntry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(rest) = line.strip_prefix("- R") {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.len() != 2 {
                return Err((
                    n,
                    format!("expected an id like R07 after '- ', found {line:?}"),
                ));
            }
            let id = format!("R{digits}");
            if out.iter().any(|e| e.id == id) {
                return Err((n, format!("{id} is listed twice")));
            }
            let text = rest[digits.len()..].trim().to_string();
            if text.is_empty() {
                return Err((n, format!("{id} has no text")));
            }
            out.push(CatalogEntry { id, text });
        } else if line.starts_with("  ") && !line.trim().is_empty() {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(line.trim());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_continuations() {
        let c = parse("# Catalog\n- R01 two toggles\n  off by default\n- R02 levels\n").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].text, "two toggles off by default");
    }

    #[test]
    fn names_the_line_of_a_duplicate() {
        let err = parse("- R01 a\n- R01 b\n").unwrap_err();
        assert_eq!(err.0, 2);
    }
}
