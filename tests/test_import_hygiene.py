"""The core must stay usable without Streamlit (CLI, build, exports on a server)."""

import subprocess
import sys


def test_esscore_does_not_import_streamlit() -> None:
    code = (
        "import sys, importlib, pkgutil, esscore\n"
        "mods = [m.name for m in pkgutil.walk_packages(esscore.__path__, 'esscore.') if '.ui' not in m.name]\n"
        "[importlib.import_module(m) for m in mods]\n"
        "assert 'streamlit' not in sys.modules, [m for m in sys.modules if m.startswith('streamlit')][:3]\n"
        "print(len(mods))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 5
