"""ESS Territoires core: geography, ESS indicators, catalogues and exports.

This package never imports Streamlit outside ``esscore.ui`` so that the CLI, the
build and the tests stay fast and usable on a server without a browser.
"""

__version__ = "0.1.0"
