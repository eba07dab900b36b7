"""``python -m bench [NAME …]``: run the benchmarks (``pages``, ``served`` and ``ical`` by
default, or the modules named), write ``bench/results.json`` (keeping the figures of
modules not run this time) and print the table of rows: name, p50_ms, p95_ms, queries,
reference, ratio, target, met. ``python -m bench clean`` drops the generated databases.
``BENCH_QUICK=1``: smaller practices and shorter runs."""

import importlib
import json
import os
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


DEFAULT = ["pages", "served", "ical"]


def ical_rows(figures: dict) -> list[dict]:
    from bench._support import row

    raw = figures["naive_icalendar_build_and_serialise_s"] * 1000
    reference = f"icalendar brut {raw:.1f} ms"
    queries = figures["queries"]
    rows = []
    for name, key, count, target, limit in (
        ("ical: flux froid", "cold_s", queries["cold"], "", None),
        ("ical: flux chaud", "warm_s", queries["warm"], "≤ 0.1 × icalendar brut", 0.1),
        ("ical: 304", "not_modified_304_s", queries["304"], "p50 ≤ 5 ms", None),
    ):
        p50 = figures[key] * 1000
        ratio = p50 / raw
        met = None
        if limit is not None:
            met = ratio <= limit
        elif key == "not_modified_304_s":
            met = p50 <= 5
        rows.append(row(name, p50, None, count, reference, ratio, target, met))
    return rows


def print_table(rows: list[dict]) -> None:
    header = ("name", "p50_ms", "p95_ms", "queries", "reference", "ratio", "target", "met")
    lines = [[str("" if r.get(k) is None else r.get(k)) for k in header] for r in rows]
    widths = [
        min(60, max([len(h), *(len(line[i]) for line in lines)])) for i, h in enumerate(header)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for line in lines:
        print("  ".join(c[:w].ljust(w) for c, w in zip(line, widths, strict=True)))


def main(argv: list[str]) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if argv == ["clean"]:
        from bench._support import DATA, drop_all_pg, pg_available

        for path in DATA.glob("gen-*"):
            path.unlink()
        dropped = drop_all_pg() if pg_available() else []
        print(f"Bases générées supprimées ({len(dropped)} sur PostgreSQL).")
        return 0
    wanted = argv or DEFAULT
    unknown = set(wanted) - set(modules())
    if unknown:
        print(f"Benchmarks inconnus : {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["load_average_at_start"] = list(os.getloadavg())
    results["quick"] = os.environ.get("BENCH_QUICK") == "1"
    failed: list[str] = []
    for name in wanted:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        try:
            figures = module.run()
        except Exception as error:  # one failed module must not lose the others
            print(f"   échec de {name} : {error!r}", file=sys.stderr)
            failed.append(name)
            figures = {"error": repr(error)}
        figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        figures["machine"] = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        }
        if name == "ical" and "error" not in figures:
            figures["rows"] = ical_rows(figures)
        results[name] = figures
        rows = [
            r
            for module in results.values()
            if isinstance(module, dict)
            for r in module.get("rows", [])
        ]
        results["rows"] = rows
        results["double_bookings"] = sum(
            module.get("double_bookings", 0)
            for module in results.values()
            if isinstance(module, dict)
        )
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results.get("rows", []))
    print(f"double_bookings: {results.get('double_bookings')}")
    print(f"load average at start: {results['load_average_at_start']}")
    print(f"Résultats écrits dans {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
