//! The OSCAL catalog model: groups and (nested) controls.

use serde::{Deserialize, Serialize};

use super::common::{BackMatter, Extra, Link, Metadata, Parameter, Part, Property};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Catalog {
    pub uuid: String,
    pub metadata: Metadata,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Group {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Control {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Control {
    /// The control's `label` prop (e.g. "AC-2(4)"), if it has one.
    pub fn label(&self) -> Option<&str> {
        self.props.iter().find(|p| p.name == "label" && p.class.as_deref() != Some("zero-padded"))
            .map(|p| p.value.as_str())
    }

    /// Withdrawn controls carry `status = withdrawn` in NIST catalogs.
    pub fn is_withdrawn(&self) -> bool {
        self.props.iter().any(|p| p.name == "status" && p.value == "withdrawn")
    }
}

impl Catalog {
    /// Every control, depth first in document order (groups before their nested groups'
    /// siblings, parents before their enhancements) - the order NIST publishes.
    pub fn controls_depth_first(&self) -> Vec<&Control> {
        fn walk_controls<'a>(cs: &'a [Control], out: &mut Vec<&'a Control>) {
            for c in cs {
                out.push(c);
                walk_controls(&c.controls, out);
            }
        }
        fn walk_groups<'a>(gs: &'a [Group], out: &mut Vec<&'a Control>) {
            for g in gs {
                walk_controls(&g.controls, out);
                walk_groups(&g.groups, out);
            }
        }
        let mut out = Vec::new();
        walk_controls(&self.controls, &mut out);
        walk_groups(&self.groups, &mut out);
        out
    }

    pub fn control_ids(&self) -> Vec<&str> {
        self.controls_depth_first().into_iter().map(|c| c.id.as_str()).collect()
    }

    pub fn find_control(&self, id: &str) -> Option<&Control> {
        self.controls_depth_first().into_iter().find(|c| c.id == id)
    }
}
