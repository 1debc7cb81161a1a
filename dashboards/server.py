"""How the app is started: the one `streamlit run` command line, used by `onhand serve` and by
the browser tests, so both run the app exactly the same way."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def command(port: int, address: str) -> list[str]:
    """`streamlit run` on the app: headless, no usage statistics, no Deploy menu, light theme."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer", "--theme.base", "light"]
