"""The deployment files give every replica the one poll database, by the one setting."""

from __future__ import annotations

from pathlib import Path

import yaml

from xentui.poll.limits import DATABASE_ENV

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def test_compose_gives_every_replica_the_postgresql_service():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    app, db = compose["services"]["xent"], compose["services"]["poll-db"]
    assert app["environment"][DATABASE_ENV].startswith("postgresql://xent:")
    assert app["environment"][DATABASE_ENV].endswith("@poll-db:5432/xent")
    assert app["depends_on"]["poll-db"]["condition"] == "service_healthy"
    assert db["image"].startswith("postgres:") and "pg_isready" in db["healthcheck"]["test"]
    assert "poll-data" in compose["volumes"]


def test_kubernetes_pods_read_the_database_url_from_a_secret_of_the_postgresql_statefulset():
    deployment = yaml.safe_load((K8S / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (setting,) = [e for e in container["env"] if e["name"] == DATABASE_ENV]
    secret = setting["valueFrom"]["secretKeyRef"]
    example = yaml.safe_load((K8S / "poll-database-secret.example.yaml").read_text())
    assert secret["name"] == example["metadata"]["name"] and secret["key"] in example["stringData"]
    database = yaml.safe_load((K8S / "poll-database.yaml").read_text())
    service = yaml.safe_load((K8S / "poll-database-service.yaml").read_text())
    assert database["kind"] == "StatefulSet" and service["kind"] == "Service"
    assert f"@{service['metadata']['name']}:5432/" in example["stringData"]["url"]
