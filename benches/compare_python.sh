#!/usr/bin/env bash
# Times the same three operations as benches/foundation.rs in compliance-trestle and Python
# jsonschema on this machine, so the note can report ratios from one run.
# Usage: benches/compare_python.sh   (needs ../shared/reference and PyPI; uses target/bench-venv)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref="$here/../shared/reference"
venv="$here/target/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q compliance-trestle jsonschema >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# trestle resolves import hrefs against its own workspace, not the profile: point the HIGH
# profile's catalog rlink at the absolute path of the shipped catalog (content unchanged).
mkdir -p "$work/nist.gov/SP800-53/rev5/json"
cp "$here/catalogs/NIST_SP-800-53_rev5_catalog.json" "$work/nist.gov/SP800-53/rev5/json/"
python3 - "$here/catalogs/NIST_SP-800-53_rev5_HIGH-baseline_profile.json" "$work" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
cat = sys.argv[2] + "/nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json"
for r in p["profile"]["back-matter"]["resources"]:
    r["rlinks"] = [{"href": cat, "media-type": "application/oscal.catalog+json"}]
json.dump(p, open(sys.argv[2] + "/profile.json", "w"))
PY
(cd "$work" && "$venv/bin/trestle" init >/dev/null)

"$venv/bin/python" - "$work" "$here" <<'PY'
import json, pathlib, statistics, sys, time
work, here = map(pathlib.Path, sys.argv[1:3])
from trestle.oscal.catalog import Catalog
from trestle.core.profile_resolver import ProfileResolver
import jsonschema

def bench(name, runs, f):
    f()
    s = []
    for _ in range(runs):
        t = time.perf_counter(); f(); s.append(time.perf_counter() - t)
    print(f"{name:<44} median {statistics.median(s)*1e3:>8.2f} ms   min {min(s)*1e3:>8.2f} ms   ({runs} runs)")

cat = work / "nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json"
bench("trestle: load rev5 catalog", 7, lambda: Catalog.oscal_read(cat))
bench("trestle: resolve rev5 HIGH", 5,
      lambda: ProfileResolver.get_resolved_profile_catalog(work, work / "profile.json"))
# Python's re has no \p{..} classes; for timing only, approximate them (letters, digits).
text = (here / "oscal/oscal_catalog_schema.json").read_text()
schema = json.loads(text.replace("\\\\p{L}", "[^\\\\W\\\\d_]").replace("\\\\p{N}", "\\\\d"))
doc = json.loads(cat.read_text())
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
bench("python jsonschema: validate rev5 catalog", 5, lambda: list(v.iter_errors(doc)))
PY
