//! Selection phase: which controls of an imported catalog a profile import takes.

use std::collections::HashSet;

use crate::oscal::profile::{Import, SelectControlById};
use crate::oscal::{Catalog, Control, Group};

use super::ResolveError;

/// Ids chosen by a list of include-controls or exclude-controls selectors.
#[derive(Default)]
struct Chosen {
    /// The control itself.
    ids: HashSet<String>,
    /// The control and all its descendants.
    with_children: HashSet<String>,
}

impl Chosen {
    fn from_selectors(
        selectors: &[SelectControlById],
        all_ids: &[&str],
        known: &HashSet<&str>,
        profile: &str,
        import: &str,
    ) -> Result<Chosen, ResolveError> {
        let mut chosen = Chosen::default();
        for sel in selectors {
            let target = if sel.with_children() { &mut chosen.with_children } else { &mut chosen.ids };
            for id in &sel.with_ids {
                if !known.contains(id.as_str()) {
                    return Err(ResolveError::ControlNotFound {
                        profile: profile.to_string(),
                        id: id.clone(),
                        import: import.to_string(),
                    });
                }
                target.insert(id.clone());
            }
            for pattern in sel.matching.iter().filter_map(|m| m.pattern.as_deref()) {
                target.extend(all_ids.iter().filter(|id| glob_match(pattern, id)).map(|id| id.to_string()));
            }
        }
        Ok(chosen)
    }

    fn takes(&self, id: &str) -> bool {
        self.ids.contains(id) || self.with_children.contains(id)
    }
}

/// `matching/@pattern` is a glob: `*` any run of characters, `?` any one character.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Returns the catalog pruned to what `import` selects, with its structure kept.
pub(super) fn select(mut catalog: Catalog, import: &Import, profile: &str, import_name: &str) -> Result<Catalog, ResolveError> {
    let all_ids: Vec<String> = catalog.control_ids().into_iter().map(str::to_string).collect();
    let all: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    let known: HashSet<&str> = all.iter().copied().collect();

    let include_all = import.include_all.is_some() || import.include_controls.is_empty();
    let include = Chosen::from_selectors(&import.include_controls, &all, &known, profile, import_name)?;
    let exclude = Chosen::from_selectors(&import.exclude_controls, &all, &known, profile, import_name)?;
    let pick = Picker { include_all, include, exclude };

    let controls = std::mem::take(&mut catalog.controls);
    catalog.controls = controls.into_iter().filter_map(|c| pick.control(c, false, false)).collect();
    let groups = std::mem::take(&mut catalog.groups);
    catalog.groups = groups.into_iter().filter_map(|g| pick.group(g)).collect();

    // Catalog-level ("loose") parameters travel only when a kept control uses them.
    if !catalog.params.is_empty() {
        let text = serde_json::to_string(&(&catalog.controls, &catalog.groups)).unwrap_or_default();
        catalog.params.retain(|p| text.contains(&p.id));
    }
    Ok(catalog)
}

struct Picker {
    include_all: bool,
    include: Chosen,
    exclude: Chosen,
}

impl Picker {
    /// Keeps the control if it is selected, or if a descendant is (as NIST's resolver does:
    /// PRIVACY selects ac-3.14 and its resolved catalog carries ac-3 around it).
    fn control(&self, mut c: Control, inherit_in: bool, inherit_out: bool) -> Option<Control> {
        let included = self.include_all || inherit_in || self.include.takes(&c.id);
        let excluded = inherit_out || self.exclude.takes(&c.id);
        let child_in = self.include_all || inherit_in || self.include.with_children.contains(&c.id);
        let child_out = inherit_out || self.exclude.with_children.contains(&c.id);
        let children: Vec<Control> = std::mem::take(&mut c.controls)
            .into_iter()
            .filter_map(|child| self.control(child, child_in, child_out))
            .collect();
        let keep = (included && !excluded) || !children.is_empty();
        c.controls = children;
        keep.then_some(c)
    }

    /// Keeps a group only when something in it is selected.
    fn group(&self, mut g: Group) -> Option<Group> {
        g.controls = std::mem::take(&mut g.controls).into_iter().filter_map(|c| self.control(c, false, false)).collect();
        g.groups = std::mem::take(&mut g.groups).into_iter().filter_map(|sub| self.group(sub)).collect();
        (!g.controls.is_empty() || !g.groups.is_empty()).then_some(g)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob() {
        assert!(glob_match("ac-*", "ac-2.1"));
        assert!(glob_match("ac-?", "ac-2"));
        assert!(!glob_match("ac-?", "ac-22"));
        assert!(glob_match("*.1", "ac-2.1"));
        assert!(!glob_match("ac-*", "au-2"));
        assert!(glob_match("*", ""));
    }
}
