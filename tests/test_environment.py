"""environment.yml (conda users) and pyproject.toml (pip, the Makefile) must pin the same packages."""

import re
import tomllib

import yaml

from analysis.core import paths


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    pins = {}
    for spec in specs:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", spec).groups()
        pins[name.lower()] = version
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep["pip"]:
                if "==" in spec:
                    name, version = spec.split("==")
                    pins[name.lower()] = version
        elif "=" in dep and not dep.startswith(("python=",)):
            name, version = dep.split("=")
            pins[name.lower()] = version
    return pins


def test_every_pyproject_dependency_is_pinned_exactly():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==\S+", spec), spec


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_lock_file_agrees_with_the_pins():
    lock = (paths.LOCK_FILE).read_text()
    for name, version in _pyproject_pins().items():
        assert re.search(rf"^{re.escape(name)}=={re.escape(version)}$", lock, re.M | re.I), name
