"""The only Streamlit-aware code: cached wrappers, territory picker, banners and footers."""
