//! The OSCAL plan-of-action-and-milestones model.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::assessment_common::{Finding, Observation, Origin, RelatedObservation, RelatedRisk, Risk};
use super::common::{BackMatter, Extra, Link, Metadata, Property};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PlanOfActionAndMilestones {
    pub uuid: String,
    pub metadata: Metadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_ssp: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_definitions: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    pub poam_items: Vec<PoamItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PoamItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    pub title: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<Origin>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_findings: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_observations: Vec<RelatedObservation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_risks: Vec<RelatedRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
