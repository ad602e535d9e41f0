//! A small, safe XML tree for the DISA formats (XCCDF, the CCI list, CKL checklists).
//!
//! Those documents are at most a few megabytes, so a tree keeps the readers short. Safety by
//! construction: a `<!DOCTYPE>` is refused and only XML's five predefined entities and
//! character references are expanded, so nothing is ever fetched or expanded from a DTD.
//! Names are local (namespace prefixes dropped): XCCDF 1.1 and 1.2 differ mostly in namespace.
//! Elements may nest at most [`MAX_XML_DEPTH`] deep: the tree is dropped, cloned and searched
//! recursively, so a deeper document (`<a><a><a>...`) would overflow the stack.

use quick_xml::events::Event;
use quick_xml::Reader;

pub use crate::limits::MAX_XML_DEPTH;
use crate::limits::{message as clean, quote};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, thiserror::Error)]
#[error("XML error at line {line}: {message}")]
pub struct XmlError {
    pub line: usize,
    pub message: String,
}

fn local(name: &str) -> String {
    name.rsplit_once(':').map_or(name, |(_, l)| l).to_string()
}

/// Parses a whole document and returns its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    parse_with_depth(text, MAX_XML_DEPTH)
}

/// [`parse`], with elements nesting at most `max_depth` deep.
pub fn parse_with_depth(text: &str, max_depth: usize) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let line_at = |pos: u64| text.as_bytes()[..(pos as usize).min(text.len())].iter().filter(|b| **b == b'\n').count() + 1;
    // Messages quote the input (names, quick-xml's own messages): escaped and bounded.
    let fail = |pos: u64, message: String| XmlError { line: line_at(pos), message: clean(&message) };

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position();
            let mut message = e.to_string();
            if at as usize + 1 >= text.trim_end().len() || message.contains("end of input") {
                message.push_str(" (the document ends early: truncated?)");
            }
            fail(at, message)
        })?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail(pos, "content after the root element".into()));
            }
            Event::Start(_) if stack.len() >= max_depth => {
                return Err(fail(
                    pos,
                    format!("elements nest deeper than {max_depth} levels (DISA's XCCDF, CCI list and CKL nest about 10-20); refused"),
                ));
            }
            Event::Start(e) => stack.push(open(&e).map_err(|m| fail(pos, m))?),
            Event::Empty(e) => {
                let el = open(&e).map_err(|m| fail(pos, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| fail(pos, "unexpected closing tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(c) => push_text(&mut stack, &c.into_inner()),
            Event::GeneralRef(r) => {
                let s = if let Some(c) = r.resolve_char_ref().map_err(|e| fail(pos, e.to_string()))? {
                    c.to_string()
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    s.to_string()
                } else {
                    return Err(fail(pos, format!("undefined entity &{};: only XML's predefined entities are expanded (no DTD processing)", quote(&r))));
                };
                push_text(&mut stack, &s);
            }
            Event::DocType(_) => {
                return Err(fail(pos, "the document declares a DTD (<!DOCTYPE>); DTDs and their entities are never processed, so it is refused".into()))
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(fail(text.len() as u64, format!("the document ends inside <{}> (truncated?)", quote(&open.name))));
    }
    root.ok_or_else(|| fail(0, "no root element".into()))
}

fn open(e: &quick_xml::events::BytesStart) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("attribute value: {e}"))?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element { name: local(e.name().as_ref()), attrs, children: Vec::new() })
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(el) = stack.last_mut() {
        match el.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(s),
            _ => el.children.push(Node::Text(s.to_string())),
        }
    }
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The element's direct text, concatenated.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(Element::text)
    }

    /// First element with this name at any depth, depth first.
    pub fn find(&self, name: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.name == name {
                return Some(e);
            }
            if let Some(found) = e.find(name) {
                return Some(found);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_entities_expand_and_prefixes_drop() {
        let el = parse(r#"<x:a xmlns:x="u" k="1&amp;2"><x:b>&lt;Tag&gt; &#65;</x:b><c/></x:a>"#).unwrap();
        assert_eq!(el.name, "a");
        assert_eq!(el.attr("k"), Some("1&2"));
        assert_eq!(el.child_text("b").unwrap(), "<Tag> A");
        assert!(el.child("c").is_some());
    }

    #[test]
    fn dtds_and_custom_entities_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#;
        assert!(parse(xxe).unwrap_err().message.contains("DTD"));
        let e = parse("<a>&x;</a>").unwrap_err();
        assert!(e.message.contains("undefined entity &x;"), "{e}");
    }

    #[test]
    fn truncation_and_mismatch_are_errors_with_lines() {
        let e = parse("<a>\n<b>text").unwrap_err();
        assert!(e.message.contains("inside <b>"), "{e}");
        let e = parse("<a>\n</b>").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(parse("").is_err());
    }

    #[test]
    fn nesting_is_limited() {
        let nested = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse_with_depth(&nested(8), 8).is_ok());
        let e = parse_with_depth(&nested(9), 8).unwrap_err();
        assert!(e.message.contains("deeper than 8 levels"), "{e}");
        let e = parse(&nested(200_000)).unwrap_err();
        assert!(e.message.contains(&format!("deeper than {MAX_XML_DEPTH} levels")), "{e}");
    }

    #[test]
    fn messages_quote_input_escaped_and_bounded() {
        let long = "n".repeat(100_000);
        let e = parse(&format!("<{long}>")).unwrap_err().to_string();
        assert!(e.len() < 400, "{e}");
        let e = parse("<a>&x\u{1b}[2J;</a>").unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
        let e = parse(&format!("<a><{long}></a>")).unwrap_err().to_string();
        assert!(e.len() < 1200 && !e.contains(&"n".repeat(300)), "{e}");
    }
}
