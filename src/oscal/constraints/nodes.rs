//! A JSON document seen as Metaschema nodes, the way Metapath sees it.
//!
//! The definitions say what each JSON property is: `props` is the group of `prop` assemblies
//! (in-json ARRAY), `name` on a prop is a flag, `title` a field whose JSON value is its value,
//! `hashes` items are fields with an `algorithm` flag and their value under `value`
//! (`json-value-key`), a BY_KEY group is an object keyed by each item's `json-key` flag.
//! Properties the definitions do not know are left out (the JSON schema reports them).
//!
//! Assemblies and fields are stored once each, in document (pre-)order, so an element's
//! descendants are the contiguous range after it and document order is id order. Flags are
//! not stored: a flag node is its element plus the flag's index, read from the JSON object
//! when asked. A 50,000-container assessment-results is a few million elements, so an element
//! is kept to 32 bytes.

use std::borrow::Cow;
use serde_json::Value;

use super::definitions::{DefId, DefKind, Definition, Grouping, JsonChild, NameId, Schema, ValueKey};

/// Elements nested deeper than this are not mapped (their subtrees are reported as not
/// checked): bounded recursion whatever the input.
pub const MAX_DEPTH: usize = 200;

const NOT_IN_ARRAY: u32 = u32::MAX;
const ROOT_INSTANCE: u16 = u16::MAX;
const NO_DEF: DefId = DefId::MAX;

/// A node: an element (document, assembly or field), or one of its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    pub elem: u32,
    /// 0: the element itself; i + 1: flag i of its definition. Ordering (elem, flag) is
    /// document order: an element, then its flags, then its children.
    pub flag: u16,
}

impl NodeRef {
    pub const DOCUMENT: NodeRef = NodeRef { elem: 0, flag: 0 };

    pub fn elem(elem: u32) -> NodeRef {
        NodeRef { elem, flag: 0 }
    }

    pub fn is_flag(self) -> bool {
        self.flag != 0
    }

    fn flag_index(self) -> Option<usize> {
        self.flag.checked_sub(1).map(usize::from)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemKind {
    Document,
    Assembly,
    Field,
}

/// An atomic value in the document: a JSON scalar, or the key of a BY_KEY entry.
#[derive(Debug, Clone, Copy)]
pub enum Atom<'a> {
    Json(&'a Value),
    Key(&'a str),
}

impl<'a> Atom<'a> {
    /// The value as text (`None` for objects and arrays, which are not values).
    pub fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Atom::Key(s) => Some(Cow::Borrowed(s)),
            Atom::Json(Value::String(s)) => Some(Cow::Borrowed(s)),
            Atom::Json(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
            Atom::Json(Value::Bool(b)) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Atom::Json(_) => None,
        }
    }
}

#[derive(Debug)]
struct Elem<'a> {
    json: &'a Value,
    parent: u32,
    /// One past the last element of this element's subtree.
    end: u32,
    def: DefId,
    name: NameId,
    /// Which model instance of the parent's definition this element is an item of.
    inst: u16,
    kind: ElemKind,
    /// Index in the parent's JSON array, or NOT_IN_ARRAY.
    pos: u32,
}

pub struct Tree<'a> {
    pub schema: &'a Schema,
    elems: Vec<Elem<'a>>,
    /// The keys of BY_KEY entries (rare, so not in every element).
    keys: foldhash::HashMap<u32, &'a str>,
    /// Elements whose children were not mapped because of MAX_DEPTH.
    pub too_deep: Vec<u32>,
    ns_name: Option<NameId>,
}

impl<'a> Tree<'a> {
    /// Maps a whole document (`{"catalog": {...}}`). A document whose root key names no
    /// Metaschema root is a tree with only the document node.
    pub fn build(schema: &'a Schema, doc: &'a Value) -> Tree<'a> {
        let mut tree = Tree { schema, elems: Vec::new(), keys: foldhash::HashMap::default(), too_deep: Vec::new(), ns_name: schema.name_id("ns") };
        tree.elems.push(Elem { json: doc, parent: 0, end: 1, def: NO_DEF, name: NameId::MAX, inst: ROOT_INSTANCE, kind: ElemKind::Document, pos: NOT_IN_ARRAY });
        let root = doc.as_object().and_then(|o| o.iter().find_map(|(k, v)| Some((v, schema.root(k)?))));
        if let Some((json, def)) = root {
            let name = schema.name_id(&schema.def(def).name).unwrap_or(NameId::MAX);
            tree.add(json, 0, def, name, ROOT_INSTANCE, NOT_IN_ARRAY, None, 1);
        }
        tree.elems[0].end = tree.elems.len() as u32;
        tree
    }

    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, json: &'a Value, parent: u32, def: DefId, name: NameId, inst: u16, pos: u32, key: Option<&'a str>, depth: usize) {
        let schema = self.schema;
        let d = schema.def(def);
        let kind = if d.kind == DefKind::Assembly { ElemKind::Assembly } else { ElemKind::Field };
        let id = self.elems.len() as u32;
        self.elems.push(Elem { json, parent, end: id + 1, def, name, inst, kind, pos });
        if let Some(k) = key {
            self.keys.insert(id, k);
        }
        if kind == ElemKind::Assembly {
            if let Some(obj) = json.as_object() {
                if depth >= MAX_DEPTH {
                    self.too_deep.push(id);
                } else {
                    for (k, v) in obj {
                        let Some(JsonChild::Model(i)) = d.json.get(k.as_str()) else { continue };
                        let mi = &d.model[*i];
                        let (child, cname, inst) = (mi.def, mi.name_id, *i as u16);
                        match (mi.grouping, v) {
                            (Grouping::Array | Grouping::SingletonOrArray, Value::Array(items)) => {
                                for (j, item) in items.iter().enumerate() {
                                    self.add(item, id, child, cname, inst, j as u32, None, depth + 1);
                                }
                            }
                            (Grouping::ByKey, Value::Object(entries)) => {
                                for (key, item) in entries {
                                    self.add(item, id, child, cname, inst, NOT_IN_ARRAY, Some(key), depth + 1);
                                }
                            }
                            // A single item; an array where one is expected is a schema error
                            // and is not mapped.
                            (Grouping::One | Grouping::SingletonOrArray, v) if !v.is_array() => {
                                self.add(v, id, child, cname, inst, NOT_IN_ARRAY, None, depth + 1);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        self.elems[id as usize].end = self.elems.len() as u32;
    }

    /// Number of elements (the document node included).
    pub fn len(&self) -> u32 {
        self.elems.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.elems.len() <= 1
    }

    pub fn kind(&self, e: u32) -> ElemKind {
        self.elems[e as usize].kind
    }

    /// The definition of a node (an element's, or the flag's own).
    pub fn def(&self, n: NodeRef) -> Option<&'a Definition> {
        self.def_id(n).map(|d| self.schema.def(d))
    }

    pub fn def_id(&self, n: NodeRef) -> Option<DefId> {
        let el = &self.elems[n.elem as usize];
        if el.def == NO_DEF {
            return None;
        }
        match n.flag_index() {
            None => Some(el.def),
            Some(i) => self.schema.def(el.def).flags.get(i).map(|f| f.def),
        }
    }

    pub fn name(&self, n: NodeRef) -> NameId {
        let el = &self.elems[n.elem as usize];
        match n.flag_index() {
            None => el.name,
            Some(i) => self.schema.def(el.def).flags[i].name_id,
        }
    }

    pub fn parent(&self, n: NodeRef) -> Option<NodeRef> {
        if n.is_flag() {
            Some(NodeRef::elem(n.elem))
        } else if n.elem == 0 {
            None
        } else {
            Some(NodeRef::elem(self.elems[n.elem as usize].parent))
        }
    }

    /// Child elements in document order (flags are not children).
    pub fn children(&self, e: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.elems[e as usize].end;
        std::iter::successors(Some(e + 1).filter(|c| *c < end), move |c| Some(self.elems[*c as usize].end).filter(|n| *n < end))
    }

    /// Descendant elements (not the element itself), in document order.
    pub fn descendants(&self, e: u32) -> std::ops::Range<u32> {
        e + 1..self.elems[e as usize].end
    }

    /// The flags present on an element, in JSON order.
    pub fn flags(&self, e: u32) -> impl Iterator<Item = NodeRef> + '_ {
        let el = &self.elems[e as usize];
        let d = (el.def != NO_DEF).then(|| self.schema.def(el.def));
        let in_object = el.json.as_object().into_iter().flatten().filter_map(move |(k, _)| match d?.json.get(k.as_str()) {
            Some(JsonChild::Flag(i)) => Some(NodeRef { elem: e, flag: *i as u16 + 1 }),
            _ => None,
        });
        // The two flags that are not properties: a BY_KEY entry's key, a json-value-key-flag.
        let elsewhere = d.into_iter().flat_map(move |d| {
            let key_flag = d.json_key.as_deref().filter(|_| self.keys.contains_key(&e));
            let value_flag = match &d.value_key {
                ValueKey::Flag(f) if d.kind == DefKind::Field => Some(f.as_str()),
                _ => None,
            };
            [key_flag, value_flag].into_iter().flatten().filter_map(move |name| d.flags.iter().position(|f| f.name == name))
        });
        in_object.chain(elsewhere.map(move |i| NodeRef { elem: e, flag: i as u16 + 1 })).filter(|f| self.value(*f).is_some())
    }

    /// The flag with this name on an element, if present.
    pub fn flag(&self, e: u32, name: NameId) -> Option<NodeRef> {
        let el = &self.elems[e as usize];
        if el.def == NO_DEF {
            return None;
        }
        let i = self.schema.def(el.def).flags.iter().position(|f| f.name_id == name)?;
        let n = NodeRef { elem: e, flag: i as u16 + 1 };
        self.value(n).is_some().then_some(n)
    }

    /// A flag's or field's value; `None` for assemblies, the document, and absent values.
    pub fn value(&self, n: NodeRef) -> Option<Atom<'a>> {
        let el = &self.elems[n.elem as usize];
        if el.def == NO_DEF {
            return None;
        }
        let d = self.schema.def(el.def);
        match n.flag_index() {
            Some(i) => {
                let flag = &d.flags[i].name;
                if d.json_key.as_deref() == Some(flag.as_str()) {
                    if let Some(k) = self.keys.get(&n.elem) {
                        return Some(Atom::Key(k));
                    }
                }
                if let ValueKey::Flag(f) = &d.value_key {
                    if f == flag && d.kind == DefKind::Field {
                        return self.value_entry(el.json, d).map(|(k, _)| Atom::Key(k));
                    }
                }
                property(el.json.as_object()?, flag).map(Atom::Json)
            }
            None if el.kind == ElemKind::Field => match el.json {
                Value::Object(_) => self.value_entry(el.json, d).map(|(_, v)| Atom::Json(v)),
                v => Some(Atom::Json(v)),
            },
            None => None,
        }
    }

    /// A field object's value: (its property name, the value).
    fn value_entry(&self, json: &'a Value, d: &Definition) -> Option<(&'a str, &'a Value)> {
        let obj = json.as_object()?;
        match &d.value_key {
            ValueKey::Fixed(k) => obj.iter().find(|(key, _)| *key == k).map(|(k, v)| (k.as_str(), v)),
            // json-value-key-flag: the one property that is not a flag.
            ValueKey::Flag(_) => obj.iter().find(|(k, _)| d.flag_named(k).is_none()).map(|(k, v)| (k.as_str(), v)),
        }
    }

    /// `has-oscal-namespace`: the node's `ns` flag, which defaults to OSCAL's namespace.
    pub fn namespace(&self, e: u32) -> Cow<'a, str> {
        self.ns_name
            .and_then(|ns| self.flag(e, ns))
            .and_then(|f| self.value(f))
            .and_then(Atom::text)
            .unwrap_or(Cow::Borrowed(super::OSCAL_NAMESPACE))
    }

    /// RFC 6901 pointer to a node: `/catalog/controls/0/props/1/name`.
    pub fn pointer(&self, n: NodeRef) -> String {
        let mut segs: Vec<Cow<'a, str>> = Vec::new();
        if let Some(i) = n.flag_index() {
            let el = &self.elems[n.elem as usize];
            let d = self.schema.def(el.def);
            let flag = &d.flags[i].name;
            // A BY_KEY entry's key flag lives in the entry's key; a json-value-key-flag in the
            // value's key: both point at their element.
            let in_key = d.json_key.as_deref() == Some(flag.as_str()) && self.keys.contains_key(&n.elem);
            let in_value_key = matches!(&d.value_key, ValueKey::Flag(f) if f == flag) && d.kind == DefKind::Field;
            if !in_key && !in_value_key {
                segs.push(Cow::Owned(flag.clone()));
            }
        }
        let mut e = n.elem;
        while e != 0 {
            let el = &self.elems[e as usize];
            if let Some(k) = self.keys.get(&e) {
                segs.push(Cow::Borrowed(k));
            }
            if el.pos != NOT_IN_ARRAY {
                segs.push(Cow::Owned(el.pos.to_string()));
            }
            let json_name = if el.inst == ROOT_INSTANCE {
                self.schema.def(el.def).name.as_str()
            } else {
                self.schema.def(self.elems[el.parent as usize].def).model[el.inst as usize].json_name.as_str()
            };
            segs.push(Cow::Borrowed(json_name));
            e = el.parent;
        }
        let mut out = String::new();
        for s in segs.iter().rev() {
            out.push('/');
            out.push_str(&s.replace('~', "~0").replace('/', "~1"));
        }
        out
    }

    /// Pointer to where a node's value is: a field written as an object keeps it under its
    /// value key (`/.../hashes/0/value`); anything else is its own pointer.
    pub fn value_pointer(&self, n: NodeRef) -> String {
        let el = &self.elems[n.elem as usize];
        let mut p = self.pointer(n);
        if !n.is_flag() && el.kind == ElemKind::Field && el.json.is_object() {
            if let Some((k, _)) = self.value_entry(el.json, self.schema.def(el.def)) {
                p.push('/');
                p.push_str(&k.replace('~', "~0").replace('/', "~1"));
            }
        }
        p
    }
}

/// A property of a JSON object. OSCAL objects have a handful of properties, and comparing a
/// few short keys is cheaper than hashing one.
fn property<'v>(obj: &'v serde_json::Map<String, Value>, key: &str) -> Option<&'v Value> {
    if obj.len() <= 8 {
        obj.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        obj.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> &'static Schema {
        super::super::schema().expect("vendored modules load")
    }

    #[test]
    fn json_properties_become_metaschema_nodes() {
        let doc = json!({"catalog": {
            "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
            "metadata": {"title": "T", "props": [{"name": "marking", "value": "x"}]},
            "controls": [{"id": "c-1", "title": "One", "parts": [{"name": "statement", "id": "c-1_smt"}]}],
            "back-matter": {"resources": [{"uuid": "8b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "rlinks": [{"href": "x", "hashes": [{"algorithm": "SHA-256", "value": "ab"}]}]}]},
            "unknown": {"title": "not mapped"}
        }});
        let s = schema();
        let tree = Tree::build(s, &doc);
        let names: Vec<&str> = (1..tree.len()).map(|e| s.name(tree.name(NodeRef::elem(e)))).collect();
        assert_eq!(names, ["catalog", "metadata", "title", "prop", "control", "title", "part", "back-matter", "resource", "rlink", "hash"]);
        let prop = NodeRef::elem(4);
        let flags: Vec<String> = tree.flags(4).map(|f| tree.pointer(f)).collect();
        assert_eq!(flags, ["/catalog/metadata/props/0/name", "/catalog/metadata/props/0/value"]);
        assert_eq!(tree.namespace(prop.elem), super::super::OSCAL_NAMESPACE);
        let hash = NodeRef::elem(11);
        assert_eq!(tree.value(hash).and_then(Atom::text).as_deref(), Some("ab"));
        assert_eq!(tree.value_pointer(hash), "/catalog/back-matter/resources/0/rlinks/0/hashes/0/value");
        assert_eq!(tree.children(1).count(), 3, "metadata, control, back-matter");
        assert_eq!(tree.descendants(5), 6..8);
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        let s = schema();
        for doc in [json!(null), json!([1]), json!({"catalog": 3}), json!({"catalog": {"controls": {"a": 1}, "metadata": []}})] {
            let tree = Tree::build(s, &doc);
            assert!(tree.len() <= 2);
        }
    }

    /// No OSCAL 1.2.3 instance is BY_KEY or uses json-value-key-flag (both are commented out
    /// in NIST's modules), so a small module stands in for them.
    #[test]
    fn by_key_groups_value_keys_and_singletons_map() {
        const MODULE: &str = r#"<METASCHEMA xmlns="http://csrc.nist.gov/ns/oscal/metaschema/1.0">
          <short-name>t</short-name>
          <define-assembly name="box">
            <root-name>box</root-name>
            <define-flag name="id" as-type="token"/>
            <model>
              <define-assembly name="entry" max-occurs="unbounded">
                <json-key flag-name="key"/>
                <define-flag name="key" as-type="token" required="yes"/>
                <define-flag name="n" as-type="integer"/>
                <group-as name="entries" in-json="BY_KEY"/>
              </define-assembly>
              <define-field name="note" as-type="string" max-occurs="unbounded">
                <define-flag name="lang" as-type="token"/>
                <group-as name="notes"/>
              </define-field>
              <define-field name="label" as-type="string">
                <json-value-key-flag flag-ref="lang"/>
                <define-flag name="lang" as-type="token"/>
              </define-field>
            </model>
          </define-assembly>
        </METASCHEMA>"#;
        let s: &'static Schema = Box::leak(Box::new(super::super::definitions::load_modules(&[("t.xml", MODULE)]).unwrap()));
        let doc = json!({"box": {"id": "b", "entries": {"k1": {"n": 1}}, "notes": {"lang": "en", "STRVALUE": "hi"}, "label": {"fr": "Bonjour"}}});
        let tree = Tree::build(s, &doc);
        let text = |n: NodeRef| tree.value(n).and_then(Atom::text).map(|c| c.into_owned());
        let name = |n: &str| s.name_id(n).unwrap();
        let (entry, note, label) = (2, 3, 4);
        let key = tree.flag(entry, name("key")).unwrap();
        assert_eq!(text(key).as_deref(), Some("k1"));
        assert_eq!(tree.pointer(key), "/box/entries/k1");
        assert_eq!(tree.pointer(tree.flag(entry, name("n")).unwrap()), "/box/entries/k1/n");
        assert_eq!(text(NodeRef::elem(note)).as_deref(), Some("hi"));
        assert_eq!(tree.value_pointer(NodeRef::elem(note)), "/box/notes/STRVALUE");
        assert_eq!(text(tree.flag(label, name("lang")).unwrap()).as_deref(), Some("fr"));
        assert_eq!(text(NodeRef::elem(label)).as_deref(), Some("Bonjour"));
        assert_eq!(tree.value_pointer(NodeRef::elem(label)), "/box/label/fr");
    }

    #[test]
    fn deep_nesting_is_cut_not_overflowed() {
        // Built by hand: json! would serialize the nested value (recursively) to embed it.
        let nest = |inner: Value, key: &str| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!("x"));
            m.insert("id".into(), json!("c"));
            m.insert("title".into(), json!("t"));
            m.insert(key.into(), Value::Array(vec![inner]));
            Value::Object(m)
        };
        let mut part = json!({"name": "x"});
        for _ in 0..5000 {
            part = nest(part, "parts");
        }
        let mut catalog = serde_json::Map::new();
        catalog.insert("controls".into(), Value::Array(vec![nest(part, "parts")]));
        let mut doc = serde_json::Map::new();
        doc.insert("catalog".into(), Value::Object(catalog));
        let doc = Value::Object(doc);
        let tree = Tree::build(schema(), &doc);
        assert_eq!(tree.too_deep.len(), 1);
        std::mem::forget(doc); // serde_json's recursive drop is not this module's concern
    }
}
