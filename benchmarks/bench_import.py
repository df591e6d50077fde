"""Time `import retention_kit` against `import pandas, scipy` in fresh interpreters, side by side.

The kit imports pandas and numpy (and scipy.special) at once; matplotlib, seaborn, lifelines,
ipywidgets and scipy's optimiser wait until a module that needs them is used.

Usage: python benchmarks/bench_import.py [--repeat 15]
"""
import argparse
import statistics
import subprocess
import sys
import time


def once(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    statements = {"python alone": "pass", "import pandas, scipy": "import pandas, scipy",
                  "import retention_kit": "import retention_kit"}
    times = {name: [] for name in statements}
    for _ in range(args.repeat):              # interleaved, so that both see the same machine load
        for name, statement in statements.items():
            times[name].append(once(statement))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, value in medians.items():
        print(f"{name:22s} median {value:6.3f} s")
    print(f"ratio import retention_kit / import pandas, scipy: {medians['import retention_kit'] / medians['import pandas, scipy']:.2f}")


if __name__ == "__main__":
    main()
