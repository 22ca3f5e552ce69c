"""Benchmark: the pure rule engine (dangjian.rules) over generated dossiers (issue 3).

    .venv/bin/python bench/engine.py                      # 200,000 dossiers, 1 and 2 processes
    .venv/bin/python bench/engine.py --dossiers 50000 --workers 1
    .venv/bin/python bench/engine.py --strict             # the strict parser only (the slow path, for comparison)
    DANGJIAN_PURE_RULES=1 .venv/bin/python bench/engine.py   # plain Python, without the Cython build

The dossiers come from dangjian.rules.sampler: deterministic for a seed, every stage from applicant to archived
full member (extensions and cancellations included), dates from 2008 to 2027, six county configurations
(national rules only and several local rule sets) and five check dates, most valid and about one in six
with realistic faults. Generated first (not timed), 500 dossiers per document.

Timed, per document: ``check_document`` — the whole ``dangjian check`` contract on JSON-decoded input (strict
validation, every rule, the §5 output dict) — in one process, then in --workers processes started together
(fork; each decodes its share from JSON text before the clock starts, as a check process reads its input,
then checks it; throughput = all dossiers / the slowest worker's time). Also ``evaluate`` alone
on dossiers parsed beforehand (the typed path the web pages use). Target: ≥ 20,000 dossiers/s.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import sys
import time
from collections import Counter

import dangjian.rules as rules
from dangjian.rules import check_document, evaluate, schema, validate_document
from dangjian.rules import engine as engine_module
from dangjian.rules.sampler import CONFIGS, sample_documents

TARGET = 20_000
DOCS: list[dict] = []  # generated in the parent
BLOBS: list[str] = []  # the same documents as JSON text, for the parallel run


def _check_all(docs: list[dict]) -> tuple[float, float, int]:
    """check_document over ``docs``: (wall seconds, CPU seconds, dossiers)."""
    wall = cpu = 0.0
    n = 0
    for doc in docs:
        w, c = time.perf_counter(), time.process_time()
        out = check_document(doc)
        cpu += time.process_time() - c
        wall += time.perf_counter() - w
        n += len(out["results"])
    return wall, cpu, n


def _worker(index: int, workers: int, barrier, queue) -> None:
    # Each worker decodes its own share of the JSON text, as a `dangjian check` process reads its input, before
    # the clock starts. Checking the parent's objects in place instead would time the copy-on-write copying
    # of every page they touch (reference counts are written on reading), which no real check process does.
    mine = [json.loads(blob) for blob in BLOBS[index::workers]]
    gc.freeze()
    barrier.wait()
    queue.put(_check_all(mine))


def parallel(workers: int) -> tuple[float, int]:
    if not BLOBS:
        BLOBS.extend(json.dumps(doc, ensure_ascii=False) for doc in DOCS)
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(workers)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(i, workers, barrier, queue)) for i in range(workers)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    print("  各进程（墙钟 s / CPU s / 份）：" + "；".join(f"{w:.1f} / {c:.1f} / {n:,}" for w, c, n in results))
    return max(r[0] for r in results), sum(r[2] for r in results)


def strict_only() -> None:
    """Make the fast parser decline everything, so every document goes through the strict parser."""

    def declined(doc):
        raise schema.Declined

    schema._fast_document = declined  # validate_document
    engine_module.fast_document_parts = declined  # check_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="processes for the parallel run (1: skip it)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--strict", action="store_true", help="strict parser only (no fast path)")
    args = parser.parse_args(argv)
    if args.strict:
        strict_only()

    started = time.perf_counter()
    DOCS.extend(sample_documents(args.dossiers, seed=args.seed))
    generated = time.perf_counter() - started
    gc.freeze()  # the generated input is not the engine's garbage: keep the collector from rescanning it
    print(f"生成 {args.dossiers:,} 份档案（{len(DOCS)} 份文档，{len(CONFIGS)} 种县级设置，种子 {args.seed}）："
          f"{generated:.1f} s；负载 {os.getloadavg()[0]:.2f}，CPU {os.cpu_count()} 核", flush=True)
    print("引擎：" + ("Cython 编译版（rules/native.py）" if rules.COMPILED else "纯 Python（DANGJIAN_PURE_RULES=1 或未编译）"))

    wall, cpu, n = _check_all(DOCS)
    print(f"check_document 单进程：{n / wall:,.0f} 份/s（墙钟 {wall:.1f} s，CPU {cpu:.1f} s → {n / cpu:,.0f} 份/CPU·s；"
          f"每份 {wall / n * 1e6:.0f} µs）{'达标' if n / wall >= TARGET else '未达标'}", flush=True)

    statuses: Counter[str] = Counter()
    faulty = findings = 0
    parsed = []
    for doc in DOCS:
        document = validate_document(doc)
        parsed.append(document)
    gc.freeze()
    w, c = time.perf_counter(), time.process_time()
    for document in parsed:
        for dossier in document.dossiers:
            result = evaluate(dossier, document.config, document.as_of)
            statuses[result.status] += 1
            faulty += bool(result.findings)
            findings += len(result.findings)
    cpu = time.process_time() - c
    wall = time.perf_counter() - w
    print(f"evaluate（已解析的 Dossier）单进程：{n / wall:,.0f} 份/s（墙钟 {wall:.1f} s，CPU {cpu:.1f} s）", flush=True)
    share = ", ".join(f"{k} {v / n:.0%}" for k, v in statuses.most_common())
    print(f"  有问题的档案 {faulty / n:.1%}，问题共 {findings:,} 条；状态：{share}")
    del parsed

    if args.workers > 1:
        wall, m = parallel(args.workers)
        print(f"check_document {args.workers} 进程：{m / wall:,.0f} 份/s（最慢进程墙钟 {wall:.1f} s）"
              f"{'达标' if m / wall >= TARGET else '未达标'}", flush=True)
    print(f"目标 ≥ {TARGET:,} 份/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
