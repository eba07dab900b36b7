"""``python -m bench [NAME …]``: run every benchmark module (or the ones named) and write
``bench/results.json``, keeping the figures of modules not run this time."""

import importlib
import json
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"


def modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules([str(HERE)]) if not info.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    wanted = argv or modules()
    unknown = set(wanted) - set(modules())
    if unknown:
        print(f"Benchmarks inconnus : {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in wanted:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        figures = module.run()
        figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        figures["machine"] = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        }
        results[name] = figures
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(figures, indent=2, ensure_ascii=False), flush=True)
    print(f"Résultats écrits dans {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
