"""Refresh the browser assets served by ``graphql_api`` from the npm registry, pinned.

    python scripts/refresh_static.py

Downloads each pinned package with ``npm pack`` (the npm client and its registry settings),
copies the files the pages load and the package's license into ``graphql_api/static/``, and
writes ``graphql_api/static/VERSIONS.txt``. Nothing is fetched at run time: the pages load
these files from the server itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "graphql_api" / "static"
PACKAGES = {
    # package@version: {file in the package: name under static/}
    "react@18.3.1": {"umd/react.production.min.js": "react.production.min.js"},
    "react-dom@18.3.1": {"umd/react-dom.production.min.js": "react-dom.production.min.js"},
    "graphiql@3.9.0": {
        "graphiql.min.js": "graphiql.min.js",
        "graphiql.min.css": "graphiql.min.css",
    },
    "swagger-ui-dist@5.35.0": {
        "swagger-ui-bundle.js": "swagger-ui-bundle.js",
        "swagger-ui.css": "swagger-ui.css",
    },
}
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt")


def fetch(spec: str, folder: Path) -> Path:
    """The unpacked ``package/`` folder of ``spec``."""
    npm = shutil.which("npm") or "npm"
    output = subprocess.run(  # noqa: S603 (pinned package names, no shell)
        [npm, "pack", spec, "--silent", "--pack-destination", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    with tarfile.open(folder / output) as archive:
        archive.extractall(folder / spec, filter="data")
    return folder / spec / "package"


def main() -> int:
    STATIC.mkdir(exist_ok=True)
    lines = []
    with tempfile.TemporaryDirectory() as scratch:
        for spec, files in PACKAGES.items():
            package = fetch(spec, Path(scratch))
            for source, target in files.items():
                shutil.copyfile(package / source, STATIC / target)
            licenses = [package / name for name in LICENSE_NAMES if (package / name).exists()]
            license_file = licenses[0]
            name = spec.rpartition("@")[0]
            shutil.copyfile(license_file, STATIC / f"LICENSE.{name}.txt")
            lines.append(f"{spec}: {', '.join(files.values())}")
    (STATIC / "VERSIONS.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
