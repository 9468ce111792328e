"""Test package (lets test modules import shared helpers such as ``tests.browser``)."""
