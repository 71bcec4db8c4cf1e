#!/usr/bin/env python3
"""OpenCV 4.6's kernel time for the operations toolkit filter implements, on a synthetic
photograph-like image (gradients plus noise), against the toolkit's, interleaved: each
round runs every filter once in OpenCV and once in each toolkit SIMD variant (through
tests/bench_filter.c --serve, on the same image, written to a temporary PNM file), at
each thread count; the table gives medians (megapixels per second) and toolkit / OpenCV.
A development comparison; OpenCV is not a dependency.
Usage: scripts/bench_filter.sh --opencv [--simd avx2,avx512,scalar] [--threads 1,2]
           [--rounds N] [--channels C] [--size WxH] [--cases LIST]
Without --bench (the bench_filter binary), OpenCV alone."""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import cv2
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--bench", help="tests/bench_filter.c binary (toolkit side)")
ap.add_argument("--simd", default="avx2")
ap.add_argument("--threads", default="1,2")
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--channels", type=int, default=1)
ap.add_argument("--size", default="7680x4320")
ap.add_argument("--cases", default="")
a = ap.parse_args()
w, h = (int(v) for v in a.size.split("x"))
c = a.channels
threads = [int(t) for t in a.threads.split(",")]
variants = a.simd.split(",") if a.bench else []

rng = np.random.default_rng(1)
x = np.arange(w * c).reshape(1, -1) // 31
y = np.arange(h).reshape(-1, 1) // 17
img = ((x + y) % 200 + rng.integers(0, 32, (h, w * c))).astype(np.uint8)
img = img.reshape(h, w, c) if c > 1 else img


def sobel_mag(i):
    gx = cv2.Sobel(i, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(i, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.convertScaleAbs(cv2.magnitude(gx, gy))


out = np.empty_like(img)  # results reused, so page faults are not counted
gout = np.empty((h, w), np.uint8)
cases = {
    "gaussian-s1": lambda i: cv2.GaussianBlur(i, (0, 0), 1, dst=out),
    "gaussian-s2": lambda i: cv2.GaussianBlur(i, (0, 0), 2, dst=out),
    "gaussian-s3": lambda i: cv2.GaussianBlur(i, (0, 0), 3, dst=out),
    "gaussian-5x5": lambda i: cv2.GaussianBlur(i, (5, 5), 0, dst=out),
    "box-3": lambda i: cv2.blur(i, (3, 3), dst=out),
    "box-5": lambda i: cv2.blur(i, (5, 5), dst=out),
    "box-15": lambda i: cv2.blur(i, (15, 15), dst=out),
    "sobel": sobel_mag,
    "sharpen": lambda i: cv2.addWeighted(i, 2, cv2.GaussianBlur(i, (0, 0), 1), -1, 0, dst=out),
    "median-3": lambda i: cv2.medianBlur(i, 3, dst=out),
    "median-5": lambda i: cv2.medianBlur(i, 5, dst=out),
    "gray": lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2GRAY, dst=gout),
    "invert": lambda i: cv2.bitwise_not(i, dst=out),
    "threshold": lambda i: cv2.threshold(i, 127, 255, cv2.THRESH_BINARY, dst=out)[1],
}
names = a.cases.split(",") if a.cases else [n for n in cases if n != "gray" or c >= 3]

server = None
if a.bench:
    fd, path = tempfile.mkstemp(suffix=".pgm" if c == 1 else ".ppm")
    with os.fdopen(fd, "wb") as f:
        f.write(b"P%d\n%d %d\n255\n" % (5 if c == 1 else 6, w, h))
        f.write(img.tobytes())
    server = subprocess.Popen([a.bench, "--serve", "--input", path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)


# At one thread the time is the calling thread's CPU time (OpenCV at setNumThreads(1)
# and the toolkit at 1 thread both compute in the calling thread), which time slices
# lost to other jobs on a shared machine do not inflate; at more threads, wall time.
def toolkit(name, v, t):
    server.stdin.write(f"{name} {v} {t}\n")
    server.stdin.flush()
    ans = server.stdout.readline().split()
    if len(ans) < 3 or ans[0] == "error":
        raise SystemExit(f"bench_filter: {' '.join(ans) or 'no answer'}")
    return float(ans[1] if t == 1 else ans[0])


def opencv(name, t):
    cv2.setNumThreads(t)
    fn = cases[name]
    c0, t0 = time.thread_time(), time.perf_counter()
    fn(img)
    return time.thread_time() - c0 if t == 1 else time.perf_counter() - t0


cols = [("OpenCV", t) for t in threads] + [(v, t) for v in variants for t in threads]
print(f"{w}x{h}, {c} channel(s), OpenCV {cv2.__version__}, median of {a.rounds} interleaved"
      f" rounds, MP/s (1T: thread CPU time, else wall); ratio = toolkit"
      f" {variants[0] if variants else ''} / OpenCV")
print(f"{'filter':14s}" + "".join(f" {n + ' ' + str(t) + 'T':>12s}" for n, t in cols)
      + "".join(f" {'ratio ' + str(t) + 'T':>9s}" for t in threads if variants))
for name in names:
    times = {col: [] for col in cols}
    for col in cols:  # warm up: first touches, OpenCV's buffers
        opencv(name, col[1]) if col[0] == "OpenCV" else toolkit(name, col[0], col[1])
    for _ in range(a.rounds):
        for col in cols:
            dt = opencv(name, col[1]) if col[0] == "OpenCV" else toolkit(name, *col)
            times[col].append(dt)
    mps = {col: w * h / statistics.median(times[col]) / 1e6 for col in cols}
    line = f"{name:14s}" + "".join(f" {mps[col]:12.0f}" for col in cols)
    if variants:
        line += "".join(f" {mps[(variants[0], t)] / mps[('OpenCV', t)]:9.2f}" for t in threads)
    print(line, flush=True)
if server:
    server.stdin.close()
    server.wait()
    os.unlink(path)
