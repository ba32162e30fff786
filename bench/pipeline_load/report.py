"""The pipeline bench's figures: throughput, latency per stage (from appearance and from first sight),
losses and duplicates, CPU per item, and the end-to-end histogram notify exported."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from bench.pipeline_load.peers import KEEP, Arrival
from bench.pipeline_load.world import Headline


@dataclass
class Run:
    """What one run observed (times are Unix seconds)."""

    start: float
    seconds: float
    appeared: dict[int, tuple[float, int]]  # seq -> (appearance, headline)
    rows: list[Headline]
    arrivals: list[Arrival]
    stages: dict[str, dict[str, float]]  # item id -> stage -> time (classified events' headers)
    seq_of: dict[str, int]
    acked: dict[str, float]  # item id -> broker acknowledgement (ingest's store)
    matched: list[tuple[str, float, float]]  # (item id, matched, delivered) from delivery attempts' headers
    cpu: dict[str, float]
    lag: list[int]
    histogram: dict[float, float]  # notify's end-to-end histogram over the run: upper bound -> count
    stored: set[int]  # sequence numbers of the items ingest stored


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def histogram_quantile(q: float, buckets: dict[float, float]) -> float:
    """Prometheus's histogram_quantile on cumulative buckets (linear within a bucket)."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0.0
    if total <= 0:
        return math.nan
    rank, lower, below = q * total, 0.0, 0.0
    for bound in bounds:
        if buckets[bound] >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / max(buckets[bound] - below, 1e-9)
        lower, below = bound, buckets[bound]
    return lower


def _row(name: str, pairs: list[tuple[float, float]]) -> str:
    """pairs: (from appearance, from first sight) in seconds."""
    cells = [f"{percentile([p[i] for p in pairs], q) * 1000:8.0f}" for i in (0, 1) for q in (50, 95, 99)]
    return f"  {name:<24} {len(pairs):>7}  " + " ".join(cells[:3]) + "  |" + " ".join(cells[3:])


def stage_rows(run: Run) -> tuple[list[str], list[float]]:
    """The latency table and the pipeline times of every delivered alert."""
    appeared_of = {item: run.appeared[seq][0] for item, seq in run.seq_of.items() if seq in run.appeared}
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item, appeared in appeared_of.items():
        stages = run.stages[item]
        seen = stages.get("seen", math.nan)
        rows["first seen by ingest"].append((seen - appeared, 0.0))
        if item in run.acked:
            rows["raw event acknowledged"].append((run.acked[item] - appeared, run.acked[item] - seen))
        for stage in ("classified", "grouped"):
            if stage in stages:
                rows[{"grouped": "grouped into a story"}.get(stage, stage)].append(
                    (stages[stage] - appeared, stages[stage] - seen)
                )
    for item, matched, _delivered in run.matched:
        if item in appeared_of:
            seen = run.stages[item].get("seen", math.nan)
            rows["matched"].append((matched - appeared_of[item], matched - seen))
    seen_of_seq = {seq: run.stages[item].get("seen", math.nan) for item, seq in run.seq_of.items()}
    for arrival in _distinct(run.arrivals):
        if arrival.seq in run.appeared and arrival.seq in seen_of_seq:
            appeared = run.appeared[arrival.seq][0]
            rows["delivered (received)"].append((arrival.at - appeared, arrival.at - seen_of_seq[arrival.seq]))
    header = f"  {'stage':<24} {'n':>7}  {'from appearance p50/p95/p99 ms':>26}  | from first sight p50/p95/p99 ms"
    lines = [header] + [_row(name, pairs) for name, pairs in rows.items()]
    return lines, [p[1] for p in rows["delivered (received)"]]


def _distinct(arrivals: list[Arrival]) -> list[Arrival]:
    first: dict[str, Arrival] = {}
    for arrival in arrivals:
        first.setdefault(arrival.alert_id, arrival)
    return list(first.values())


def summary(run: Run) -> list[str]:
    """Every line the bench prints for a run, the last one summing it up."""
    expected = {seq: run.rows[h].expected for seq, (_t, h) in run.appeared.items() if seq in run.stored}
    unseen = len(run.appeared) - len(expected)
    got: dict[int, set[str]] = defaultdict(set)
    for arrival in run.arrivals:
        got[arrival.seq].add(arrival.alert_id)
    lost = sum(max(0, n - len(got[seq])) for seq, n in expected.items())
    dup = len(run.arrivals) - sum(len(ids) for ids in got.values())
    done = [seq for seq, n in expected.items() if len(got[seq]) >= n]
    firsts = {a.alert_id: a.at for a in _distinct(run.arrivals)}
    last = max(firsts.values(), default=run.start + run.seconds)
    items = len(run.appeared)
    lines, pipeline = stage_rows(run)
    item_rate = len(done) / max(last - run.start, run.seconds)
    alert_rate = len(firsts) / max(last - run.start, run.seconds)
    lines.append(
        f"  alerts: {sum(expected.values())} expected ({sum(expected.values()) / max(items, 1):.2f} per item), "
        f"{len(firsts)} received; items: {items} appeared, {len(done)} with every alert, {unseen} pushed out of "
        f"their feed (it lists {KEEP}) before a poll saw them (not counted as lost)"
    )
    cpu = ", ".join(f"{name} {seconds / max(items, 1) * 1000:.2f} ms" for name, seconds in run.cpu.items())
    lines.append(f"  CPU per item: {cpu}")
    lines.append(f"  consumer lag (classify + notify) sampled every 5 s: {run.lag}")
    e2e = [histogram_quantile(q, run.histogram) * 1000 for q in (0.5, 0.99)]
    lines.append(
        f"  regalerts_end_to_end_latency_seconds (notify, interpolated): p50 {e2e[0]:.0f} ms, p99 {e2e[1]:.0f} ms;"
        f" bench, first sight to received: p50 {percentile(pipeline, 50) * 1000:.0f} ms,"
        f" p99 {percentile(pipeline, 99) * 1000:.0f} ms"
    )
    lines.append(
        f"pipeline: {item_rate:.1f} items/s, {alert_rate:.1f} alerts/s, p50 {percentile(pipeline, 50) * 1000:.0f} ms, "
        f"p99 {percentile(pipeline, 99) * 1000:.0f} ms, lost {lost}, dup {dup}"
    )
    return lines
