//! The OSCAL assessment-plan model. Only carried through (read, validated, written back) today.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{BackMatter, Extra, Metadata};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentPlan {
    pub uuid: String,
    pub metadata: Metadata,
    pub import_ssp: Value,
    pub reviewed_controls: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
    #[serde(flatten)]
    pub extra: Extra,
}
