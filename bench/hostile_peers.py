#!/usr/bin/env python3
"""Hostile peers against a real scheduler process: the attacks of issue 14, with the target's RSS, CPU and log size.

Starts `scaler-cli scheduler tcp://127.0.0.1:PORT` (which also starts its embedded object storage on PORT+1), runs one
attack against the port chosen with --target, samples the process from /proc while it runs, and prints what it saw.
Figures, not assertions: docs/transport.md keeps the ones measured before and after the transport was bounded.

  bench/hostile_peers.py --cli artifacts/publish/scaler-cli/scaler-cli bigframes     # 3 x (1 GiB - 1 byte) frames
  bench/hostile_peers.py --cli ... slowloris --count 100                             # frames dribbled 1 byte at a time
  bench/hostile_peers.py --cli ... flood --nofile 1500 --count 1600                  # greeted connections past ulimit -n

Each scenario ends by checking that the target still answers a YMQ greeting (it still serves).
"""

import argparse
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

MAGIC = b"YMQ\x01"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def frame(payload: bytes) -> bytes:
    return struct.pack("<Q", len(payload)) + payload


def free_port() -> int:
    # Three consecutive free ports: the scheduler binds P, its object storage P+1 and its monitor P+2.
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port > 65000:
            continue
        try:
            held = []
            for p in (port, port + 1, port + 2):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                held.append(s)
            for s in held:
                s.close()
            return port
        except OSError:
            for s in held:
                s.close()


class Sampler:
    """Samples RSS and CPU time of one process from /proc every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0
        self.samples = []  # (monotonic seconds, rss bytes, cpu seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def read(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            return rss, cpu
        except (OSError, StopIteration):
            return None

    def _run(self):
        while not self._stop.is_set():
            sample = self.read()
            if sample is None:
                return
            rss, cpu = sample
            self.peak_rss = max(self.peak_rss, rss)
            self.samples.append((time.monotonic(), rss, cpu))
            self._stop.wait(self.interval)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def now(self):
        sample = self.read()
        if sample is None:
            return None, None
        self.peak_rss = max(self.peak_rss, sample[0])
        return sample


def mb(value) -> str:
    return "gone" if value is None else f"{value / 1e6:,.0f} MB"


class Target:
    def __init__(self, cli: str, nofile: int | None, log_path: str):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")

        def limit():
            os.setsid()
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.process = subprocess.Popen(
            [cli, "scheduler", f"tcp://127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=limit)
        deadline = time.monotonic() + 60
        while not greets("127.0.0.1", self.port + 1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"target did not start (exit {self.process.poll()}); log: {log_path}")
            time.sleep(0.2)

    def log_bytes(self) -> int:
        return os.path.getsize(self.log_path)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def greets(host: str, port: int, timeout: float = 5.0) -> bool:
    """True when a YMQ peer at host:port answers a greeting with its magic."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(MAGIC + frame(b"probe|%d" % os.getpid()))
            got = b""
            while len(got) < 4:
                chunk = s.recv(4 - len(got))
                if not chunk:
                    return False
                got += chunk
            return got == MAGIC
    except OSError:
        return False


def greeted_socket(port: int, identity: bytes, timeout: float = 5.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(MAGIC + frame(identity))
    return s


def alive(sock: socket.socket) -> bool:
    """False once the target closed this connection (FIN or reset)."""
    try:
        sock.setblocking(False)
        while True:
            data = sock.recv(65536)
            if not data:
                return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def bigframes(args, target: Target, sampler: Sampler):
    """`count` connections each declare `size` bytes and send all but the last byte (or all, --complete), then hold."""
    port = target.port + (1 if args.target == "storage" else 0)
    chunk = b"\0" * (1 << 20)
    sockets = []
    before = sampler.now()[0]
    for i in range(args.count):
        s = greeted_socket(port, b"bigframe|%d" % i, timeout=60)
        sockets.append(s)
        try:
            s.sendall(struct.pack("<Q", args.size))
            sent = args.size if args.complete else args.size - 1
            left = sent
            while left > 0:
                n = s.send(chunk[: min(left, len(chunk))])
                left -= n
            print(f"  connection {i}: sent {sent:,} of {args.size:,} bytes", flush=True)
        except OSError as e:
            print(f"  connection {i}: dropped by the target after part of the frame ({e.__class__.__name__})", flush=True)
    time.sleep(args.hold)
    during = sampler.now()[0]
    open_now = sum(alive(s) for s in sockets)
    for s in sockets:
        s.close()
    time.sleep(args.after)
    after = sampler.now()[0]
    return [("RSS before", mb(before)), ("RSS holding the frames", mb(during)),
            ("connections still open", f"{open_now} of {len(sockets)}"),
            (f"RSS {args.after:.0f} s after they closed", mb(after))]


def slowloris(args, target: Target, sampler: Sampler):
    """`count` greeted connections each declare a `size`-byte frame and then send one byte every `interval` seconds."""
    port = target.port + (1 if args.target == "storage" else 0)
    before = sampler.now()[0]
    sockets = []
    for i in range(args.count):
        s = greeted_socket(port, b"slowloris|%d" % i)
        s.sendall(struct.pack("<Q", args.size))
        sockets.append(s)
    start = time.monotonic()
    dropped_at = None
    while time.monotonic() - start < args.hold:
        for s in sockets:
            try:
                s.send(b"\0")
            except OSError:
                pass
        open_now = sum(alive(s) for s in sockets)
        if args.verbose:
            print(f"  {time.monotonic() - start:5.1f} s: {open_now} open, RSS {mb(sampler.now()[0])}", flush=True)
        if open_now == 0 and dropped_at is None:
            dropped_at = time.monotonic() - start
            break
        time.sleep(args.interval)
    during = sampler.now()[0]
    open_now = sum(alive(s) for s in sockets)
    for s in sockets:
        s.close()
    time.sleep(args.after)
    after = sampler.now()[0]
    return [("RSS before", mb(before)), ("RSS during", mb(during)),
            ("connections still open at the end", f"{open_now} of {len(sockets)}"),
            ("all dropped after", f"{dropped_at:.0f} s" if dropped_at is not None
             else f"at most {args.hold:.0f} s (after the last look)" if open_now == 0 else "not within the hold"),
            (f"RSS {args.after:.0f} s after they closed", mb(after))]


def flood(args, target: Target, sampler: Sampler):
    """`count` greeted connections (more than the target's descriptor limit), held for `hold` seconds."""
    port = target.port + (1 if args.target == "storage" else 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    log_before = target.log_bytes()
    cpu_start = sampler.now()[1]
    wall_start = time.monotonic()
    sockets, failed = [], 0
    for i in range(args.count):
        try:
            sockets.append(greeted_socket(port, b"flood|%d" % i, timeout=2))
        except OSError:
            failed += 1
            if failed > 50:
                break
    opened = time.monotonic()
    time.sleep(args.hold)
    rss, cpu_end = sampler.now()
    wall = time.monotonic() - wall_start
    log_growth = target.log_bytes() - log_before
    open_now = sum(alive(s) for s in sockets)
    for s in sockets:
        s.close()
    time.sleep(args.after)
    serving = greets("127.0.0.1", port)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    cpu = "gone" if cpu_end is None else f"{100 * (cpu_end - cpu_start) / wall:.0f} % of a core"
    return [("connections made", f"{len(sockets)} ({failed} failed) in {opened - wall_start:.1f} s"),
            ("connections still open after the hold", str(open_now)),
            (f"target CPU over {wall:.0f} s", cpu),
            ("log written during the flood", f"{log_growth / 1e6:,.2f} MB"),
            ("peak RSS", mb(sampler.peak_rss)),
            ("target alive and serving after", "yes" if serving else
             ("no (process exited %s)" % target.process.poll() if target.process.poll() is not None else "no"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="path of scaler-cli")
    parser.add_argument("--target", choices=["scheduler", "storage"], default="scheduler",
                        help="attack the scheduler's port or its embedded object storage (port + 1)")
    parser.add_argument("--nofile", type=int, help="open-file limit (ulimit -n) of the target process")
    parser.add_argument("--hold", type=float, default=10, help="seconds the attack is held")
    parser.add_argument("--after", type=float, default=5, help="seconds to wait after the attack before measuring")
    parser.add_argument("--log", help="where the target's log goes (default: a temporary file)")
    sub = parser.add_subparsers(dest="scenario", required=True)
    p = sub.add_parser("bigframes")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--size", type=int, default=1 << 30)
    p.add_argument("--complete", action="store_true", help="send the last byte too: whole frames the target must take")
    p = sub.add_parser("slowloris")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--size", type=int, default=1 << 30)
    p.add_argument("--interval", type=float, default=5)
    p.add_argument("--verbose", action="store_true")
    p = sub.add_parser("flood")
    p.add_argument("--count", type=int, default=1600)
    args = parser.parse_args()

    log_path = args.log or tempfile.mkstemp(prefix="hostile-target-", suffix=".log")[1]
    target = Target(args.cli, args.nofile, log_path)
    sampler = Sampler(target.process.pid)
    sampler.start()
    try:
        rows = {"bigframes": bigframes, "slowloris": slowloris, "flood": flood}[args.scenario](args, target, sampler)
    finally:
        exited = target.process.poll()
        sampler.stop()
        target.stop()
    print(f"{args.scenario} against the {args.target} ({args.cli}), log {log_path}")
    for name, value in rows + [("peak RSS (sampled)", mb(sampler.peak_rss)),
                               ("target exited during the attack", "no" if exited is None else f"yes, code {exited}")]:
        print(f"  {name:<42} {value}")


if __name__ == "__main__":
    sys.exit(main())
