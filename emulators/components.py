"""Finds the gcloud emulator components, or says exactly how to install them.

Standard library only: `make` runs it before creating the virtual environment, so a machine without the
emulators stops at once with the command that fixes it instead of after minutes of installing.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

INSTALL_HINT = "gcloud components install pubsub-emulator cloud-firestore-emulator"

_LAUNCHERS = {
    "pubsub-emulator": Path("platform/pubsub-emulator/bin/cloud-pubsub-emulator"),
    "cloud-firestore-emulator": Path("platform/cloud-firestore-emulator/cloud_firestore_emulator"),
}


class MissingComponentsError(RuntimeError):
    """Some gcloud emulator components are not installed."""


def _sdk_roots() -> list[Path]:
    roots = []
    if configured := os.environ.get("CLOUDSDK_ROOT_DIR"):
        roots.append(Path(configured))
    if gcloud := shutil.which("gcloud"):
        roots.append(Path(gcloud).resolve().parent.parent)
    roots += [
        Path("/usr/lib/google-cloud-sdk"),
        Path("/usr/share/google-cloud-sdk"),
        Path("/opt/google-cloud-sdk"),
    ]
    return roots


def launcher(component: str) -> Path:
    """The launcher script of a gcloud emulator component, or `MissingComponentsError` naming the fix."""
    relative = _LAUNCHERS[component]
    for root in _sdk_roots():
        candidate = root / relative
        if candidate.is_file():
            return candidate
    raise MissingComponentsError(
        f"the gcloud component {component} is not installed (looked under "
        f"{', '.join(str(root) for root in _sdk_roots())}); install it with: {INSTALL_HINT}"
    )


def missing_components() -> list[str]:
    missing = []
    for component in _LAUNCHERS:
        try:
            launcher(component)
        except MissingComponentsError:
            missing.append(component)
    if shutil.which("java") is None:
        missing.append("java (Java 17 or newer, which the emulators run on)")
    return missing


def main() -> int:
    missing = missing_components()
    if missing:
        print(
            "Kiroku's local cloud needs: "
            + ", ".join(missing)
            + f".\nInstall the emulators with: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
