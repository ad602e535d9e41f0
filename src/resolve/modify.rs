//! Modify phase: set-parameters and alters (remove / add) applied to the merged catalog.

use crate::oscal::profile::{Add, Modify, Remove, SetParameter};
use crate::oscal::{Catalog, Control, Group, Parameter, Part};

use super::ResolveError;

pub(super) fn apply(catalog: &mut Catalog, modify: &Modify, profile: &str) -> Result<(), ResolveError> {
    for sp in &modify.set_parameters {
        let param = find_param(catalog, &sp.param_id)
            .ok_or_else(|| ResolveError::ParamNotFound { profile: profile.into(), id: sp.param_id.clone() })?;
        set_parameter(param, sp);
    }
    for alter in &modify.alters {
        let err = |reason: String| ResolveError::Alter { profile: profile.into(), control_id: alter.control_id.clone(), reason };
        let control = find_control(catalog, &alter.control_id)
            .ok_or_else(|| err("the control is not in the resolved catalog".into()))?;
        for remove in &alter.removes {
            if !remove_from_control(control, remove) {
                return Err(err(format!("remove {} matched nothing", describe_remove(remove))));
            }
        }
        for add in &alter.adds {
            add_to_control(control, add).map_err(err)?;
        }
    }
    Ok(())
}

/// Values and choices replace, descriptive lists extend: the profile is tailoring the
/// parameter, not rewriting its documentation.
fn set_parameter(p: &mut Parameter, sp: &SetParameter) {
    if let Some(c) = &sp.class {
        p.class = Some(c.clone());
    }
    if let Some(l) = &sp.label {
        p.label = Some(l.clone());
    }
    if let Some(u) = &sp.usage {
        p.usage = Some(u.clone());
    }
    if !sp.values.is_empty() {
        p.values = sp.values.clone();
        p.select = None;
    }
    if let Some(s) = &sp.select {
        p.select = Some(s.clone());
        p.values.clear();
    }
    p.props.extend(sp.props.iter().cloned());
    p.links.extend(sp.links.iter().cloned());
    p.constraints.extend(sp.constraints.iter().cloned());
    p.guidelines.extend(sp.guidelines.iter().cloned());
}

fn find_param<'a>(catalog: &'a mut Catalog, id: &str) -> Option<&'a mut Parameter> {
    fn in_controls<'a>(cs: &'a mut [Control], id: &str) -> Option<&'a mut Parameter> {
        for c in cs {
            if let Some(i) = c.params.iter().position(|p| p.id == id) {
                return Some(&mut c.params[i]);
            }
            if let Some(p) = in_controls(&mut c.controls, id) {
                return Some(p);
            }
        }
        None
    }
    fn in_groups<'a>(gs: &'a mut [Group], id: &str) -> Option<&'a mut Parameter> {
        for g in gs {
            if let Some(i) = g.params.iter().position(|p| p.id == id) {
                return Some(&mut g.params[i]);
            }
            if let Some(p) = in_controls(&mut g.controls, id) {
                return Some(p);
            }
            if let Some(p) = in_groups(&mut g.groups, id) {
                return Some(p);
            }
        }
        None
    }
    if let Some(i) = catalog.params.iter().position(|p| p.id == id) {
        return Some(&mut catalog.params[i]);
    }
    if let Some(p) = in_controls(&mut catalog.controls, id) {
        return Some(p);
    }
    in_groups(&mut catalog.groups, id)
}

pub(crate) fn find_control<'a>(catalog: &'a mut Catalog, id: &str) -> Option<&'a mut Control> {
    fn in_controls<'a>(cs: &'a mut [Control], id: &str) -> Option<&'a mut Control> {
        for c in cs {
            if c.id == id {
                return Some(c);
            }
            if let Some(found) = in_controls(&mut c.controls, id) {
                return Some(found);
            }
        }
        None
    }
    fn in_groups<'a>(gs: &'a mut [Group], id: &str) -> Option<&'a mut Control> {
        for g in gs {
            if let Some(c) = in_controls(&mut g.controls, id) {
                return Some(c);
            }
            if let Some(c) = in_groups(&mut g.groups, id) {
                return Some(c);
            }
        }
        None
    }
    if let Some(c) = in_controls(&mut catalog.controls, id) {
        return Some(c);
    }
    in_groups(&mut catalog.groups, id)
}

fn describe_remove(r: &Remove) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("by-name", &r.by_name), ("by-class", &r.by_class), ("by-id", &r.by_id), ("by-item-name", &r.by_item_name), ("by-ns", &r.by_ns)] {
        if let Some(v) = v {
            parts.push(format!("{k}=\"{v}\""));
        }
    }
    parts.join(" ")
}

/// What a remove looks at in one item; every criterion given must match.
struct Item<'a> {
    kind: &'static str,
    id: Option<&'a str>,
    name: Option<&'a str>,
    class: Option<&'a str>,
    ns: Option<&'a str>,
}

fn matches(r: &Remove, item: &Item) -> bool {
    let any = r.by_name.is_some() || r.by_class.is_some() || r.by_id.is_some() || r.by_item_name.is_some() || r.by_ns.is_some();
    let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
    any && eq(&r.by_name, item.name)
        && eq(&r.by_class, item.class)
        && eq(&r.by_id, item.id)
        && eq(&r.by_item_name, Some(item.kind))
        && eq(&r.by_ns, item.ns)
}

/// Removes matching params, props, links and parts (at any depth of parts, never inside child
/// controls, which are alters of their own). Returns whether anything was removed.
fn remove_from_control(c: &mut Control, r: &Remove) -> bool {
    let before = count(c);
    c.params.retain(|p| !matches(r, &Item { kind: "param", id: Some(&p.id), name: None, class: p.class.as_deref(), ns: None }));
    c.props.retain(|p| !matches(r, &Item { kind: "prop", id: p.uuid.as_deref(), name: Some(&p.name), class: p.class.as_deref(), ns: p.ns.as_deref() }));
    c.links.retain(|l| !matches(r, &Item { kind: "link", id: None, name: l.rel.as_deref(), class: None, ns: None }));
    remove_from_parts(&mut c.parts, r);
    count(c) != before
}

fn remove_from_parts(parts: &mut Vec<Part>, r: &Remove) {
    parts.retain(|p| !matches(r, &Item { kind: "part", id: p.id.as_deref(), name: Some(&p.name), class: p.class.as_deref(), ns: p.ns.as_deref() }));
    for p in parts.iter_mut() {
        p.props.retain(|x| !matches(r, &Item { kind: "prop", id: x.uuid.as_deref(), name: Some(&x.name), class: x.class.as_deref(), ns: x.ns.as_deref() }));
        p.links.retain(|l| !matches(r, &Item { kind: "link", id: None, name: l.rel.as_deref(), class: None, ns: None }));
        remove_from_parts(&mut p.parts, r);
    }
}

fn count(c: &Control) -> usize {
    fn parts(ps: &[Part]) -> usize {
        ps.iter().map(|p| 1 + p.props.len() + p.links.len() + parts(&p.parts)).sum()
    }
    c.params.len() + c.props.len() + c.links.len() + parts(&c.parts)
}

#[derive(Clone, Copy, PartialEq)]
enum Position {
    Starting,
    Ending,
    Before,
    After,
}

fn insert<T: Clone>(list: &mut Vec<T>, items: &[T], at_start: bool) {
    if at_start {
        list.splice(0..0, items.iter().cloned());
    } else {
        list.extend(items.iter().cloned());
    }
}

fn add_to_control(c: &mut Control, add: &Add) -> Result<(), String> {
    let position = match add.position.as_deref() {
        None | Some("ending") => Position::Ending,
        Some("starting") => Position::Starting,
        Some("before") => Position::Before,
        Some("after") => Position::After,
        Some(other) => return Err(format!("unknown add position \"{other}\"")),
    };
    let by_id = add.by_id.as_deref().filter(|id| *id != c.id);
    let Some(target) = by_id else {
        // Bound to the control itself: before/after mean starting/ending.
        let start = position == Position::Starting || position == Position::Before;
        if let Some(t) = &add.title {
            c.title = t.clone();
        }
        insert(&mut c.params, &add.params, start);
        insert(&mut c.props, &add.props, start);
        insert(&mut c.links, &add.links, start);
        insert(&mut c.parts, &add.parts, start);
        return Ok(());
    };
    // A parameter target: only parameters can go beside it.
    if let Some(i) = c.params.iter().position(|p| p.id == target) {
        return match position {
            Position::Before | Position::After => {
                let at = if position == Position::Before { i } else { i + 1 };
                c.params.splice(at..at, add.params.iter().cloned());
                Ok(())
            }
            _ => Err(format!("cannot add inside parameter \"{target}\"; use position before or after")),
        };
    }
    if add_to_parts(&mut c.parts, target, add, position) {
        Ok(())
    } else {
        Err(format!("add by-id \"{target}\" matches no part or parameter of the control"))
    }
}

fn add_to_parts(parts: &mut Vec<Part>, target: &str, add: &Add, position: Position) -> bool {
    if let Some(i) = parts.iter().position(|p| p.id.as_deref() == Some(target)) {
        match position {
            Position::Starting | Position::Ending => {
                let start = position == Position::Starting;
                let p = &mut parts[i];
                insert(&mut p.props, &add.props, start);
                insert(&mut p.links, &add.links, start);
                insert(&mut p.parts, &add.parts, start);
                if let Some(t) = &add.title {
                    p.title = Some(t.clone());
                }
            }
            Position::Before | Position::After => {
                let at = if position == Position::Before { i } else { i + 1 };
                parts.splice(at..at, add.parts.iter().cloned());
            }
        }
        return true;
    }
    parts.iter_mut().any(|p| add_to_parts(&mut p.parts, target, add, position))
}
