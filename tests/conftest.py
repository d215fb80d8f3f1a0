import sys
from pathlib import Path

# tests/helpers.py is shared by the test modules (annex_race itself is installed)
sys.path.insert(0, str(Path(__file__).resolve().parent))
