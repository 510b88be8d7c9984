"""Prints the installed checkov's check catalogue for Terraform and Kubernetes as JSON:
[{"framework", "id", "name", "graph", "types": [resource types or kinds]}], one entry per check (resource checks registered for
several types are merged; graph checks list the types their definition names)."""
import json
import sys

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.kubernetes.checks.resource.registry import registry as kubernetes_registry
from checkov.terraform.checks.resource.registry import resource_registry as terraform_registry

entries = {}


def add(framework, check_id, name, types, graph):
    entry = entries.setdefault((framework, check_id), {"framework": framework, "id": check_id, "name": name, "graph": graph, "types": set()})
    entry["types"].update(types)


for framework, registry in (("terraform", terraform_registry), ("kubernetes", kubernetes_registry)):
    for resource_type, checks in registry.checks.items():
        for check in checks:
            add(framework, check.id, check.name, [resource_type], False)
    graph = get_graph_checks_registry(framework)
    graph.load_checks()
    for check in graph.checks:
        add(framework, check.id, check.name, check.resource_types, True)

json.dump([{**e, "types": sorted(e["types"])} for e in sorted(entries.values(), key=lambda e: (e["framework"], e["id"]))], sys.stdout)
