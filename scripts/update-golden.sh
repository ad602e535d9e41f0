#!/usr/bin/env bash
# Regenerates the golden files of the bundled example (tests/golden/): the assessment-results of
# the README's main job, and its CKL and CKLB. Run after a deliberate change of output, and say
# in the commit message what changed and why; tests/golden.rs compares them byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/oscal-stig
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" assess docker --evidence examples/docker-snapshot --policy examples/policy.yaml --out "$out" >/dev/null 2>&1 || true
cp "$out/assessment-results.json" tests/golden/assessment-results.json
cp "$out/assessment-plan.json" tests/golden/assessment-plan.json
"$bin" checklist ckl --results "$out/assessment-results.json" --host-name vm --out tests/golden/checklist.ckl
"$bin" checklist cklb --results "$out/assessment-results.json" --host-name vm --out tests/golden/checklist.cklb
echo "updated tests/golden/"
