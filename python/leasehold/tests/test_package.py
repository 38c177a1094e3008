"""The package: a wheel builds offline, installs into a fresh virtual environment, and imports."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from support import PACKAGE, clean_env

import leasehold


def test_the_public_surface_is_typed_and_documented() -> None:
    assert (PACKAGE / "src" / "leasehold" / "py.typed").exists()
    for name in leasehold.__all__:
        if name == "__version__":
            continue
        value = getattr(leasehold, name)
        doc = getattr(value, "__doc__", None) or ""
        assert "Example" in doc or "example" in doc.lower(), f"{name} has no example in its docstring"


def test_a_wheel_builds_offline_and_installs_into_a_fresh_venv(tmp_path: Path) -> None:
    env = clean_env()
    env.pop("PYTHONPATH")
    env["PIP_RETRIES"] = "0"  # an unreachable index fails at once instead of retrying
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(PACKAGE)]
    try:
        import hatchling  # noqa: F401

        build.insert(4, "--no-build-isolation")
    except ImportError:
        pass  # pip fetches the build backend from the configured package index
    done = subprocess.run(build, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [wheel] = list(dist.glob("leasehold-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "leasehold/py.typed" in names and "leasehold/_codes.py" in names
    assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Dist: cryptography" in metadata and "Requires-Python: >=3.9" in metadata

    venv = tmp_path / "venv"
    # cryptography comes from the system site-packages; pip drives the venv from outside (no ensurepip: seconds saved).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index", "--no-deps", str(wheel)]
    done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    probe = "import leasehold, cryptography; print(leasehold.__version__, leasehold.__file__)"
    done = subprocess.run([str(python), "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version, location = done.stdout.split()
    assert version == leasehold.__version__
    assert str(venv) in location  # the installed copy, not the source tree


def test_every_public_method_has_an_example() -> None:
    for cls in (leasehold.LeaseClient, leasehold.Lease, leasehold.KeyRing, leasehold.LeaseStateStore, leasehold.Transport, leasehold.LeaseStatus):
        for name, member in vars(cls).items():
            if name.startswith("_") or not (callable(member) or isinstance(member, property)):
                continue
            doc = (member.fget if isinstance(member, property) else member).__doc__ or ""
            assert "Example" in doc or "``" in doc, f"{cls.__name__}.{name} has no example"
