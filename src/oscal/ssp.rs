//! The OSCAL system-security-plan model. The product reads SSPs (for site parameters) more
//! than it writes them, so the large system-* assemblies stay untyped JSON for now.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{BackMatter, Extra, Metadata};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SystemSecurityPlan {
    pub uuid: String,
    pub metadata: Metadata,
    pub import_profile: ImportProfile,
    pub system_characteristics: Value,
    pub system_implementation: Value,
    pub control_implementation: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ImportProfile {
    pub href: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}
