#!/usr/bin/env python3
"""Workloads 1-3 of the Scaler.NET benchmark suite on Dask distributed, for comparison in the same run.

A LocalCluster with 2 single-thread worker processes on 127.0.0.1, no dashboard. Workload 1 warms up as the .NET side
does (until two runs in a row are each no more than 10% faster than the one before, at most --max-warmups runs),
workload 3 runs --round-trip-warmups times as a warm-up, the others once; then each runs --repeats times, and the
medians are printed as one JSON object on the last line of stdout. Before the warm-up, the cold figures: the time
from creating the cluster to its first result, and the first W1 run on it.
"""
import argparse
import json
import statistics
import sys
import time


def identity(x):
    return x * 1


def sleep_ms(ms):
    time.sleep(ms / 1000.0)
    return ms


def percentile(values, p):
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))  # nearest rank, as the .NET side
    return ordered[min(len(ordered), int(rank)) - 1]


def tiny_tasks(client, count):
    start = time.perf_counter()
    futures = [client.submit(identity, i, pure=False) for i in range(count)]
    submitted = time.perf_counter()
    results = client.gather(futures)
    gathered = time.perf_counter()
    assert results[-1] == count - 1
    del futures
    map_start = time.perf_counter()
    mapped = client.gather(client.map(identity, range(count), pure=False))
    map_s = time.perf_counter() - map_start
    assert len(mapped) == count
    return submitted - start, gathered - submitted, map_s


def sleep_tasks(client, count, ms):
    start = time.perf_counter()
    client.gather([client.submit(sleep_ms, ms, pure=False) for _ in range(count)])
    return time.perf_counter() - start


def round_trips(client, count):
    latencies = []
    for i in range(count):
        start = time.perf_counter()
        assert client.submit(identity, i, pure=False).result() == i
        latencies.append((time.perf_counter() - start) * 1000.0)
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny-tasks", type=int, default=10000)
    parser.add_argument("--sleep-tasks", type=int, default=1000)
    parser.add_argument("--sleep-ms", type=int, default=10)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-warmups", type=int, default=10)
    parser.add_argument("--round-trip-warmups", type=int, default=10)
    args = parser.parse_args()

    import logging
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    workers = 2
    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        # Cold figures (issue 16): the first result after creating the cluster, then the first W1 run on it.
        assert client.submit(identity, 0, pure=False).result() == 0
        first_result_s = time.perf_counter() - started
        cold_submit_s, cold_gather_s, _ = tiny_tasks(client, args.tiny_tasks)
        previous = 0.0
        steady = 0
        for _ in range(args.max_warmups):
            submit_s, gather_s, _ = tiny_tasks(client, args.tiny_tasks)
            rate = args.tiny_tasks / (submit_s + gather_s)
            steady = steady + 1 if rate <= previous * 1.10 else 0
            if steady == 2:
                break
            previous = rate
        tiny = [tiny_tasks(client, args.tiny_tasks) for _ in range(args.repeats)]
        sleep_tasks(client, min(100, args.sleep_tasks), args.sleep_ms)
        walls = [sleep_tasks(client, args.sleep_tasks, args.sleep_ms) for _ in range(args.repeats)]
        for _ in range(args.round_trip_warmups):
            round_trips(client, args.round_trips)
        trips = [round_trips(client, args.round_trips) for _ in range(args.repeats)]

    ideal = args.sleep_tasks * args.sleep_ms / 1000.0 / workers
    wall = statistics.median(walls)
    result = {
        "w1_submit_s": statistics.median(t[0] for t in tiny),
        "w1_gather_s": statistics.median(t[1] for t in tiny),
        "w1_tasks_per_s": statistics.median(args.tiny_tasks / (t[0] + t[1]) for t in tiny),
        "w1_map_tasks_per_s": statistics.median(args.tiny_tasks / t[2] for t in tiny),
        "w1_cold_tasks_per_s": args.tiny_tasks / (cold_submit_s + cold_gather_s),
        "first_result_s": first_result_s,
        "w2_wall_s": wall,
        "w2_efficiency_pct": 100.0 * ideal / wall,
        "w3_p50_ms": statistics.median(percentile(t, 50) for t in trips),
        "w3_p99_ms": statistics.median(percentile(t, 99) for t in trips),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
