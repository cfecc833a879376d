"""What the image and the manifests promise, checked where no Docker engine or cluster runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from deploy.serve import streamlit_argv

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
K8S = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: `pip install -r requirements-dev.txt` installs it")
    return path


def _instructions(keyword: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)  # fold continuation lines
    return [line for line in joined.splitlines() if line.startswith(f"{keyword} ")]


def test_dockerfile_passes_hadolint():
    result = subprocess.run([_tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_image_runs_as_a_non_root_user():
    users = _instructions("USER")
    assert users, "the image must switch away from root"
    assert users[-1].split()[1] not in {"root", "0"}
    assert "useradd" in DOCKERFILE


def test_image_has_a_health_check_on_the_health_endpoint():
    (check,) = _instructions("HEALTHCHECK")
    assert "/_stcore/health" in check
    assert _instructions("EXPOSE") == ["EXPOSE 8501"]


def test_image_starts_the_launcher_of_the_readme_command_with_production_settings():
    (entry,) = _instructions("ENTRYPOINT")
    assert re.findall(r'"([^"]+)"', entry) == ["python", "deploy/serve.py"]
    command = streamlit_argv("0.0.0.0", 8501)
    assert command[:2] == ["streamlit", "run"] and command[2].endswith("/app.py")
    assert "streamlit run app.py" in (ROOT / "README.md").read_text()
    copies = " ".join(_instructions("COPY"))
    assert "deploy/config.production.toml .streamlit/config.toml" in copies
    # The launcher and the nginx site it runs are in the image, and nginx is installed.
    assert "deploy/serve.py deploy/" in copies and "deploy/nginx/xent.conf" in copies
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert not {"deploy", "deploy/nginx", "deploy/serve.py"} & set(ignored)
    assert "install -y --no-install-recommends nginx" in " ".join(_instructions("RUN"))


def test_image_installs_dependencies_before_copying_the_code():
    lines = DOCKERFILE.splitlines()
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    first_code = next(
        i for i, line in enumerate(lines) if line.startswith("COPY") and "app.py" in line
    )
    assert install < first_code


def test_image_requests_no_cuda_packages():
    lines = DOCKERFILE.lower().splitlines()
    instructions = "\n".join(line for line in lines if not line.startswith("#"))
    assert "download.pytorch.org/whl/cpu" in instructions
    assert "nvidia" not in instructions and "cuda" not in instructions
    assert "nvidia" not in (ROOT / "requirements.txt").read_text().lower()


def test_readme_gives_the_images_cpu_only_torch_install():
    # One way to keep CUDA off a laptop: the README's command is the image's, with the pin.
    pin = re.search(r"^torch==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    command = f"pip install --index-url https://download.pytorch.org/whl/cpu torch=={pin}"
    readme = (ROOT / "README.md").read_text()
    assert f"python -m {command}" in readme
    (run,) = [line for line in _instructions("RUN") if "torch==" in line]
    assert command.replace("pip install", "pip install --no-cache-dir") in run


def test_image_has_oci_labels_and_a_dockerignore():
    assert "org.opencontainers.image.title" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".git", "tests", ".venv"):
        assert entry in ignored


def test_ci_lints_then_runs_the_readme_test_command_and_holds_the_torch_pin():
    readme = (ROOT / "README.md").read_text()
    (command,) = re.findall(r"^python -m pip install -r requirements-dev\.txt && .+$", readme, re.M)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert command in ci, f".ci/run does not run the README's test command {command!r}"
    assert ci.index("ruff check .") < ci.index(command)
    assert "pip list" in "\n".join(ci[: ci.index(command)]), "the torch pin is checked first"


def test_production_profile_hides_errors_and_closes_what_a_class_does_not_need():
    config = tomllib.loads((ROOT / "deploy" / "config.production.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["runOnSave"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert 0 < config["server"]["maxUploadSize"] <= 1024
    assert "cookieSecret" not in config["server"], "the secret comes from the environment"


def test_local_configuration_accepts_uploads_of_one_gigabyte():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] >= 1024


def test_kubernetes_manifests_validate_against_the_schema():
    result = subprocess.run(
        [_tool("kubernetes-validate"), "--strict", *map(str, K8S)], capture_output=True
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_deployment_probes_the_health_endpoint_with_requests_and_limits():
    deployment = yaml.safe_load((ROOT / "deploy" / "k8s" / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    assert {"requests", "limits"} <= set(container["resources"])
    secret_env = {e["name"] for e in container["env"] if "valueFrom" in e}
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in secret_env
    # One process per pod: the launcher runs Streamlit alone, without its nginx.
    assert {"name": "XENT_PROCESSES", "value": "1"} in container["env"]


def test_ingress_uses_cookie_affinity_and_an_autoscaler_exists():
    ingress = yaml.safe_load((ROOT / "deploy" / "k8s" / "ingress.yaml").read_text())
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    kinds = {yaml.safe_load(path.read_text())["kind"] for path in K8S}
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"} <= kinds


def test_compose_runs_replicas_behind_nginx_with_a_shared_secret():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    app, proxy = compose["services"]["xent"], compose["services"]["proxy"]
    assert app["deploy"]["replicas"] >= 2
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in app["environment"]
    assert app["environment"]["XENT_PROCESSES"] == "1"  # one process per container
    assert proxy["image"].startswith("nginx")
    assert any("xent.conf" in volume for volume in proxy["volumes"])
    nginx = (ROOT / "deploy" / "nginx" / "xent.conf").read_text()
    for directive in ("proxy_http_version 1.1", "Upgrade $http_upgrade", "hash $xent_route"):
        assert directive in nginx
