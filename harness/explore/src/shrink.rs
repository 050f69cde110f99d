//! Shrinking a disagreement to the shortest sequence that still disagrees: delta debugging
//! (drop chunks of halving size while the disagreement stays), then single actions, each
//! candidate replayed on fresh orgs on both sides.

use crate::{Action, Divergence, Pair};

/// The shortest sequence found that still makes the two sides disagree, and how.
pub async fn shrink(
    pair: &Pair,
    mut actions: Vec<Action>,
) -> anyhow::Result<(Vec<Action>, Divergence)> {
    let Some(mut last) = pair.first_divergence(&actions).await? else {
        anyhow::bail!(
            "the disagreement did not happen again when the {} actions were replayed on fresh orgs: \
             the two control planes are not deterministic for this sequence",
            actions.len()
        );
    };
    actions.truncate(last.index + 1);
    let mut chunk = actions.len().div_ceil(2).max(1);
    loop {
        let mut removed_any = false;
        let mut start = 0;
        while start < actions.len() {
            let end = (start + chunk).min(actions.len());
            let candidate: Vec<Action> = actions[..start]
                .iter()
                .chain(&actions[end..])
                .cloned()
                .collect();
            if candidate.is_empty() {
                start = end;
                continue;
            }
            match pair.first_divergence(&candidate).await? {
                Some(d) => {
                    actions = candidate;
                    actions.truncate(d.index + 1);
                    last = d;
                    removed_any = true;
                }
                None => start = end,
            }
        }
        if chunk == 1 && !removed_any {
            break;
        }
        if !removed_any {
            chunk = (chunk / 2).max(1);
        }
    }
    Ok((actions, last))
}
