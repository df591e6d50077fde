"""Check (--check) or rebuild (--write DIR) the synthetic data files shipped in datasets/."""
import sys

from retention_kit.datasets.shipped import main

if __name__ == "__main__":
    sys.exit(main())
