"""``python -m concbench_py <workload> <model> --<param>=<value> ...`` and
``python -m concbench_py --list``."""

import sys

from concbench_py import WORKLOADS
from concbench_py.protocol import main

# The guard matters: under the spawn and forkserver start methods, child processes import
# the main module again.
if __name__ == "__main__":
    sys.exit(main(WORKLOADS))
