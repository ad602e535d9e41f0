//! Merge phase: combine the selections of all imports into one catalog, structured as-is
//! (the source catalogs' groups) or flat, with clashing control ids combined per `combine`.

use std::collections::HashMap;

use crate::oscal::profile::Merge;
use crate::oscal::{BackMatter, Catalog, Control, Group, Parameter};

use super::ResolveError;

#[derive(Clone, Copy, PartialEq)]
enum Method {
    UseFirst,
    Merge,
    Keep,
}

pub(super) fn merge(selections: Vec<Catalog>, directive: Option<&Merge>, profile: &str) -> Result<Catalog, ResolveError> {
    let method = match directive.and_then(|m| m.combine.as_ref()).and_then(|c| c.method.as_deref()) {
        None | Some("keep") => Method::Keep,
        Some("use-first") => Method::UseFirst,
        Some("merge") => Method::Merge,
        Some(other) => {
            return Err(ResolveError::Unsupported { profile: profile.into(), feature: format!("combine method \"{other}\"") })
        }
    };
    if directive.is_some_and(|m| m.custom.is_some()) {
        return Err(ResolveError::Unsupported { profile: profile.into(), feature: "merge/custom (use as-is or flat)".into() });
    }
    let as_is = directive.and_then(|m| m.as_is).unwrap_or(false);

    let mut out = Catalog::default();
    let mut merger = Merger { method, profile, placed: HashMap::new() };
    let mut resources = Vec::new();
    for mut sel in selections {
        union_params(&mut out.params, std::mem::take(&mut sel.params));
        if let Some(bm) = sel.back_matter.take() {
            for r in bm.resources {
                if !resources.iter().any(|x: &crate::oscal::Resource| x.uuid == r.uuid) {
                    resources.push(r);
                }
            }
        }
        if as_is {
            merger.insert_controls(&mut out.controls, sel.controls)?;
            merger.insert_groups(&mut out.groups, sel.groups)?;
        } else {
            let mut flat = Vec::new();
            flatten(sel.controls, &mut flat);
            flatten_groups(sel.groups, &mut flat, &mut out.params);
            merger.insert_controls(&mut out.controls, flat)?;
        }
    }
    prune_empty(&mut out.groups);
    out.back_matter = (!resources.is_empty()).then(|| BackMatter { resources, ..Default::default() });
    Ok(out)
}

/// A group can end up empty when every control in it was a duplicate dropped by use-first.
fn prune_empty(groups: &mut Vec<Group>) {
    for g in groups.iter_mut() {
        prune_empty(&mut g.groups);
    }
    groups.retain(|g| !g.controls.is_empty() || !g.groups.is_empty());
}

fn flatten(controls: Vec<Control>, out: &mut Vec<Control>) {
    for mut c in controls {
        let children = std::mem::take(&mut c.controls);
        out.push(c);
        flatten(children, out);
    }
}

fn flatten_groups(groups: Vec<Group>, out: &mut Vec<Control>, params: &mut Vec<Parameter>) {
    for g in groups {
        // Group parameters have no group to live in once flat; they move to the catalog.
        union_params(params, g.params);
        flatten(g.controls, out);
        flatten_groups(g.groups, out, params);
    }
}

fn union_params(target: &mut Vec<Parameter>, incoming: Vec<Parameter>) {
    for p in incoming {
        if !target.iter().any(|t| t.id == p.id) {
            target.push(p);
        }
    }
}

fn union<T: PartialEq>(target: &mut Vec<T>, incoming: Vec<T>) {
    for x in incoming {
        if !target.contains(&x) {
            target.push(x);
        }
    }
}

struct Merger<'a> {
    method: Method,
    profile: &'a str,
    /// Every control placed so far (without its children), to detect clashes across the tree.
    placed: HashMap<String, Control>,
}

impl Merger<'_> {
    fn clash(&self, id: &str) -> ResolveError {
        ResolveError::Clash { profile: self.profile.into(), id: id.into() }
    }

    fn insert_controls(&mut self, target: &mut Vec<Control>, incoming: Vec<Control>) -> Result<(), ResolveError> {
        for mut c in incoming {
            let children = std::mem::take(&mut c.controls);
            if let Some(i) = target.iter().position(|e| e.id == c.id) {
                self.combine(&mut target[i], c)?;
                self.insert_controls(&mut target[i].controls, children)?;
            } else if let Some(first) = self.placed.get(&c.id) {
                // Same id already placed elsewhere in the structure: it cannot appear twice.
                if self.method == Method::Keep && *first != c {
                    return Err(self.clash(&c.id));
                }
                if self.method == Method::Merge {
                    return Err(ResolveError::Unsupported {
                        profile: self.profile.into(),
                        feature: format!("combine/merge of control \"{}\" found in two different groups", c.id),
                    });
                }
            } else {
                self.placed.insert(c.id.clone(), c.clone());
                target.push(c);
                let i = target.len() - 1;
                self.insert_controls(&mut target[i].controls, children)?;
            }
        }
        Ok(())
    }

    fn combine(&mut self, existing: &mut Control, incoming: Control) -> Result<(), ResolveError> {
        let mut bare = existing.clone();
        bare.controls.clear();
        match self.method {
            Method::UseFirst => Ok(()),
            Method::Keep if bare == incoming => Ok(()),
            Method::Keep => Err(self.clash(&incoming.id)),
            Method::Merge => {
                union(&mut existing.params, incoming.params);
                union(&mut existing.props, incoming.props);
                union(&mut existing.links, incoming.links);
                union(&mut existing.parts, incoming.parts);
                Ok(())
            }
        }
    }

    fn insert_groups(&mut self, target: &mut Vec<Group>, incoming: Vec<Group>) -> Result<(), ResolveError> {
        for mut g in incoming {
            let controls = std::mem::take(&mut g.controls);
            let groups = std::mem::take(&mut g.groups);
            let same = |e: &Group| match (&e.id, &g.id) {
                (Some(a), Some(b)) => a == b,
                (None, None) => e.title == g.title,
                _ => false,
            };
            let i = match target.iter().position(same) {
                Some(i) => {
                    let e = &mut target[i];
                    union(&mut e.params, g.params);
                    union(&mut e.props, g.props);
                    union(&mut e.links, g.links);
                    union(&mut e.parts, g.parts);
                    i
                }
                None => {
                    target.push(g);
                    target.len() - 1
                }
            };
            self.insert_controls(&mut target[i].controls, controls)?;
            self.insert_groups(&mut target[i].groups, groups)?;
        }
        Ok(())
    }
}
