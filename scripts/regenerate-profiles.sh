#!/usr/bin/env bash
# Regenerates the shipped STIG profiles in profiles/ from DISA's XCCDF in ../shared/reference.
# tests/stig_content.rs fails when a shipped profile differs from what this produces.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=../shared/reference/stig
gen() { # name xccdf catalog
  cargo run -q --release -- profile from-xccdf "$ref/$2" --catalog "$3" -o "profiles/$1"
}
gen mke_stig_v2r1_rev5_profile.json mke/U_Mirantis_Kubernetes_Engine_STIG_V2R1_Manual-xccdf.xml nist-800-53-rev5
gen mke_stig_v2r1_rev4_profile.json mke/U_Mirantis_Kubernetes_Engine_STIG_V2R1_Manual-xccdf.xml nist-800-53-rev4
gen kubernetes_stig_v1r11_rev5_profile.json kubernetes/U_Kubernetes_STIG_V1R11_Manual-xccdf.xml nist-800-53-rev5
gen kubernetes_stig_v1r11_rev4_profile.json kubernetes/U_Kubernetes_STIG_V1R11_Manual-xccdf.xml nist-800-53-rev4
