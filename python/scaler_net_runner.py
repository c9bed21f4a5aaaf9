"""Entry point of the Scaler.NET Python task runner (started by Scaler.NET workers and Symphony services).

Run as ``python3 scaler_net_runner.py``: the directory of this file holds the ``scaler_net`` package, and Python puts
a script's directory first on ``sys.path``, so the package is found without installing anything.
"""

import sys

if __name__ == "__main__":
    from scaler_net.runner import main

    sys.exit(main())
