//! Which scenarios a run runs: the paths on the command line (files, folders, and
//! `features/x.feature:12` as in every Cucumber) and `--name REGEX`.
//!
//! Feature files are parsed here, before the control plane starts, so a file that does not
//! parse stops the run with its file:line (a usage error, exit 2) instead of running the rest,
//! and a line that selects no scenario is refused rather than running nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context as _;
use cucumber::feature::Ext as _;
use cucumber::gherkin;

/// One path argument: a `.feature` file or a folder, and for a file the lines asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// A `.feature` file or a folder of them.
    pub path: PathBuf,
    /// Empty: the whole file (or folder).
    pub lines: Vec<usize>,
}

impl FromStr for Target {
    type Err = String;

    /// `features/x.feature`, `features/x.feature:12`, `features/x.feature:12:30`.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut rest = s;
        let mut lines = Vec::new();
        while let Some((head, tail)) = rest.rsplit_once(':') {
            if tail.is_empty() || !tail.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            let line: usize = tail
                .parse()
                .map_err(|_| format!("{s:?}: line {tail} is not a line number"))?;
            if line == 0 {
                return Err(format!("{s:?}: lines are counted from 1"));
            }
            lines.push(line);
            rest = head;
        }
        if rest.is_empty() {
            return Err(format!("{s:?}: expected PATH or PATH:LINE"));
        }
        lines.reverse();
        Ok(Self {
            path: PathBuf::from(rest),
            lines,
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        for l in &self.lines {
            write!(f, ":{l}")?;
        }
        Ok(())
    }
}

/// The parsed (and outline-expanded) features of a run and what to run of them.
#[derive(Debug)]
pub struct Selection {
    /// Every feature file parsed, outlines expanded.
    pub features: Vec<gherkin::Feature>,
    /// Per feature file (canonical path): the scenario lines asked for; absent = all.
    lines: BTreeMap<PathBuf, BTreeSet<usize>>,
    name: Option<cucumber::codegen::Regex>,
}

impl Selection {
    /// Parses every feature file the targets name; `name` filters scenario names.
    pub fn load(targets: &[Target], name: Option<&str>) -> anyhow::Result<Self> {
        let name =
            match name {
                Some(n) => Some(cucumber::codegen::Regex::new(n).map_err(|e| {
                    anyhow::anyhow!("--name {n:?} is not a regular expression: {e}")
                })?),
                None => None,
            };
        // Canonical path → None for the whole file, or the lines asked for.
        let mut wanted: BTreeMap<PathBuf, Option<Vec<(usize, String)>>> = BTreeMap::new();
        for t in targets {
            if !t.path.exists() {
                anyhow::bail!(
                    "no feature files at {}: pass a .feature file, FILE:LINE, or a folder",
                    t.path.display()
                );
            }
            if !t.lines.is_empty() && !t.path.is_file() {
                anyhow::bail!("{t}: a line number needs a .feature file, not a folder");
            }
            for file in crate::gherkin_paths::feature_files(&t.path) {
                let canonical = file.canonicalize().unwrap_or(file.clone());
                let entry = wanted.entry(canonical).or_insert_with(|| Some(Vec::new()));
                match (entry.as_mut(), t.lines.is_empty()) {
                    (_, true) => *entry = None,
                    (Some(v), false) => v.extend(t.lines.iter().map(|l| (*l, t.to_string()))),
                    (None, false) => {}
                }
            }
        }
        let mut errors = Vec::new();
        let mut features = Vec::new();
        let mut lines = BTreeMap::new();
        for (path, asked) in wanted {
            let feature = match gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
            {
                Ok(f) => f,
                Err(e) => {
                    errors.push(crate::gherkin_paths::parse_file_error_text(&e));
                    continue;
                }
            };
            if let Some(asked) = asked {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", shown(&path)))?;
                let text: Vec<&str> = text.lines().collect();
                let mut set = BTreeSet::new();
                for (line, arg) in asked {
                    match scenario_lines(&feature, &text, line) {
                        Some(found) => set.extend(found),
                        None => errors.push(format!(
                            "{arg}: line {line} is in no scenario of {} (scenarios start at lines {})",
                            shown(&path),
                            starts(&feature)
                        )),
                    }
                }
                lines.insert(path.clone(), set);
            }
            match feature.expand_examples() {
                Ok(f) => features.push(f),
                Err(e) => errors.push(format!("cannot expand the Examples table: {e}")),
            }
        }
        if !errors.is_empty() {
            anyhow::bail!("{}", errors.join("\n"));
        }
        Ok(Self {
            features,
            lines,
            name,
        })
    }

    /// Whether the run runs this (outline-expanded) scenario.
    pub fn wants(&self, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> bool {
        if let Some(set) = feature.path.as_ref().and_then(|p| self.lines.get(p)) {
            if !set.contains(&scenario.position.line) {
                return false;
            }
        }
        self.name
            .as_ref()
            .is_none_or(|re| re.is_match(&scenario.name))
    }
}

/// The path relative to the working directory, as reports show it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn all_scenarios(feature: &gherkin::Feature) -> Vec<&gherkin::Scenario> {
    let mut all: Vec<&gherkin::Scenario> = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()))
        .collect();
    all.sort_by_key(|s| s.position.line);
    all
}

fn starts(feature: &gherkin::Feature) -> String {
    let lines: Vec<String> = all_scenarios(feature)
        .iter()
        .map(|s| s.position.line.to_string())
        .collect();
    if lines.is_empty() {
        "none: the file has no scenario".into()
    } else {
        lines.join(", ")
    }
}

/// The lines the runner gives the scenarios that `line` selects (an outline's rows get the
/// line of their Examples row, as cucumber numbers them): a row line selects that row; any
/// other line of a scenario or outline, from the tags right above its keyword to the line
/// before the next one's tags, all of it. `text` is the file's lines.
pub fn scenario_lines(
    feature: &gherkin::Feature,
    text: &[&str],
    line: usize,
) -> Option<Vec<usize>> {
    let scenarios = all_scenarios(feature);
    let starts: Vec<usize> = scenarios.iter().map(|s| first_line(s, text)).collect();
    for (i, s) in scenarios.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |next| next - 1);
        if !(starts[i]..=end).contains(&line) {
            continue;
        }
        let rows = outline_row_lines(s);
        if rows.is_empty() {
            return Some(vec![s.position.line]);
        }
        if rows.contains(&line) {
            return Some(vec![line]);
        }
        return Some(rows);
    }
    None
}

/// The scenario's keyword line, or the first of the tag and comment lines right above it.
fn first_line(s: &gherkin::Scenario, text: &[&str]) -> usize {
    let mut first = s.position.line;
    while first > 1 {
        let above = text.get(first - 2).map_or("", |l| l.trim());
        if above.starts_with('@') || above.starts_with('#') {
            first -= 1;
        } else {
            break;
        }
    }
    first
}

/// Lines of an outline's Examples rows as cucumber numbers the expanded scenarios.
fn outline_row_lines(s: &gherkin::Scenario) -> Vec<usize> {
    let mut out = Vec::new();
    for ex in &s.examples {
        let rows = ex.table.as_ref().map_or(0, |t| t.rows.len());
        out.extend((0..rows.saturating_sub(1)).map(|id| ex.position.line + 2 + id));
    }
    out
}

/// Hands the already parsed features to cucumber (its own parser would read them again and
/// takes one path only).
pub struct Parsed(pub Vec<gherkin::Feature>);

impl<I> cucumber::Parser<I> for Parsed {
    type Cli = cucumber::cli::Empty;
    type Output =
        futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, _input: I, _cli: Self::Cli) -> Self::Output {
        futures::stream::iter(self.0.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINE: &str = "\
Feature: f

  Scenario: one
    Given a

  @tag
  Scenario Outline: two <x>
    Given <x>

    Examples:
      | x |
      | 1 |
      | 2 |

  Scenario: three
    Given c
";

    fn feature() -> gherkin::Feature {
        gherkin::Feature::parse(OUTLINE, gherkin::GherkinEnv::default()).expect("parses")
    }

    fn lines(line: usize) -> Option<Vec<usize>> {
        let text: Vec<&str> = OUTLINE.lines().collect();
        scenario_lines(&feature(), &text, line)
    }

    #[test]
    fn targets_parse_paths_and_lines() {
        let t: Target = "features/x.feature:12:30".parse().expect("valid");
        assert_eq!(t.path, PathBuf::from("features/x.feature"));
        assert_eq!(t.lines, vec![12, 30]);
        let t: Target = "features".parse().expect("valid");
        assert!(t.lines.is_empty());
        assert!("x.feature:0".parse::<Target>().is_err());
    }

    #[test]
    fn a_line_selects_its_scenario_outline_or_row() {
        assert_eq!(lines(3), Some(vec![3]));
        assert_eq!(lines(4), Some(vec![3]));
        assert_eq!(lines(5), Some(vec![3]));
        // The tag above the outline, its keyword and its Examples keyword: every row.
        assert_eq!(lines(6), Some(vec![12, 13]));
        assert_eq!(lines(7), Some(vec![12, 13]));
        assert_eq!(lines(10), Some(vec![12, 13]));
        // A row: that row only.
        assert_eq!(lines(13), Some(vec![13]));
        assert_eq!(lines(15), Some(vec![15]));
        assert_eq!(lines(16), Some(vec![15]));
        assert_eq!(lines(99), None);
        // The feature's own lines select nothing.
        assert_eq!(lines(1), None);
        assert_eq!(lines(2), None);
    }

    #[test]
    fn row_lines_match_what_cucumber_gives_the_expanded_scenarios() {
        let expanded = feature().expand_examples().expect("expands");
        let lines: Vec<usize> = expanded.scenarios.iter().map(|s| s.position.line).collect();
        assert_eq!(lines, vec![3, 12, 13, 15]);
    }
}
