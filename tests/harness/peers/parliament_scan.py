"""Runs parliament over IAM policy documents: reads [{"id": ..., "document": {...}}] on stdin, prints
[{"id", "issue", "severity", "title", "detail", "location"}] for every finding of severity LOW or higher (parliament's
default), community auditors included. One process for every document (parliament loads its IAM dataset once)."""
import json
import sys
from pathlib import Path

import parliament
from parliament import analyze_policy_string, enhance_finding, override_config
from parliament.cli import is_finding_filtered

# As `parliament --include-community-auditors` does: the community auditors' issues are known only with their config.
override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")

out = []
for entry in json.load(sys.stdin):
    policy = analyze_policy_string(json.dumps(entry["document"]), include_community_auditors=True)
    for finding in policy.findings:
        finding = enhance_finding(finding)
        if is_finding_filtered(finding, "LOW"):
            continue
        out.append({"id": entry["id"], "issue": finding.issue, "severity": finding.severity, "title": finding.title,
                    "detail": finding.detail, "location": finding.location})
json.dump(out, sys.stdout, default=str)
