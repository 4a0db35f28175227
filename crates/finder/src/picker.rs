//! The activity picker's options: the activities that have sessions, as a tree (narrower
//! activities under their broader ones, in label order), or a flat list of matches while the
//! person types a search.

use crate::index::Index;

/// One option of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityOption {
    /// Activity List concept id.
    pub id: String,
    /// Current label.
    pub label: String,
    /// Matching sessions, including narrower activities.
    pub count: u32,
    /// Depth in the tree (0 for top level; always 0 in search results).
    pub depth: usize,
}

impl Index {
    /// Picker options given live counts per interned activity (`Facets::activities`).
    /// Activities with no sessions are left out; `search` (case-insensitive, on labels) turns
    /// the tree into a flat list of matches.
    pub fn activity_options(&self, counts: &[u32], search: &str) -> Vec<ActivityOption> {
        let n = self.activity_ids.len();
        let has = |i: usize| counts.get(i).copied().unwrap_or(0) > 0;
        let option = |i: usize, depth: usize| ActivityOption {
            id: self.activity_ids[i].clone(),
            label: self.activity_labels[i].clone(),
            count: counts.get(i).copied().unwrap_or(0),
            depth,
        };
        // Each label lower-cased once (not twice per comparison), for the activities shown.
        let lower: Vec<Option<String>> = (0..n)
            .map(|i| has(i).then(|| self.activity_labels[i].to_lowercase()))
            .collect();
        let by_label = |v: &mut Vec<usize>| {
            crate::sort_positions(v, &mut |a, b| lower[a].cmp(&lower[b]));
        };
        let needle = search.trim().to_lowercase();
        if !needle.is_empty() {
            let mut hits: Vec<usize> = (0..n)
                .filter(|&i| lower[i].as_ref().is_some_and(|l| l.contains(&needle)))
                .collect();
            by_label(&mut hits);
            return hits.into_iter().map(|i| option(i, 0)).collect();
        }
        // Children by inverting the (transitive) parent lists: keep only direct parents, i.e.
        // parents that are not themselves ancestors of another parent.
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for i in (0..n).filter(|&i| has(i)) {
            let parents = &self.activity_parents[i];
            let direct: Vec<u16> = parents
                .iter()
                .copied()
                .filter(|&p| {
                    !parents
                        .iter()
                        .any(|&q| q != p && self.activity_parents[q as usize].contains(&p))
                })
                .filter(|&p| has(p as usize))
                .collect();
            if direct.is_empty() {
                roots.push(i);
            }
            for p in direct {
                children[p as usize].push(i);
            }
        }
        by_label(&mut roots);
        for c in &mut children {
            by_label(c);
        }
        let mut out = Vec::new();
        let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|r| (r, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push(option(i, depth));
            if depth < 8 {
                stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
            }
        }
        out
    }
}
