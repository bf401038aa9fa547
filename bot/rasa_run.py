"""Start the dialogue engine with its HTTP API on and the API's token read from
the environment (CONCIERGE_RASA_API_TOKEN), not from the command line, where
every local user could read it in the process list.

Run by the Rasa environment's Python (3.10): `python -m bot.rasa_run run ...`,
with the arguments `rasa` itself takes. Imports nothing of the project.
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "CONCIERGE_RASA_API_TOKEN"


def main() -> None:
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < 16:
        sys.exit(f"{TOKEN_ENV} must hold the API's token (16 characters or more)")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:], "--enable-api", "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
