"""Streamlit entry point: `assistant ui` (or `streamlit run ui/app.py`).

Two pages: the chat with the reports, and the latest evaluation report.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Assistant IA & santé", page_icon=":material/stethoscope:", layout="centered")

navigation = st.navigation(
    [
        st.Page(HERE / "pages" / "chat.py", title="Assistant", icon=":material/forum:", default=True),
        st.Page(HERE / "pages" / "evaluation.py", title="Évaluation", icon=":material/monitoring:"),
    ]
)
navigation.run()
