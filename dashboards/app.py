"""Onhand's dashboard: `onhand serve` runs `streamlit run` on this file.

The entry point only sets the page up and hands over to ``st.navigation``; every page
lives in ``app_pages/`` and is listed in :mod:`dashboards.pages`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder on sys.path, not the project: make the packages importable.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboards.pages import DEFAULT, PAGES  # noqa: E402
from dashboards.signin import read_gate  # noqa: E402

st.set_page_config(page_title="Onhand · inventory review", page_icon=":material/inventory:", layout="wide")

HERE = Path(__file__).resolve().parent
navigation = st.navigation({
    group: [st.Page(HERE / "app_pages" / spec.file, title=spec.title, icon=spec.icon, url_path=spec.url,
                    default=(spec.url == DEFAULT))
            for spec in specs]
    for group, specs in PAGES.items()
}, expanded=True)
st.logo(str(HERE / "logo.svg"), size="large")
read_gate()  # a shared deployment may ask for a sign-in before anything shows
navigation.run()
