#!/usr/bin/env python3
"""OpenCV's throughput for the operations toolkit filter implements, on the same kind of
synthetic 7680x4320 image as tests/bench_filter.c, at 1 and 2 threads (megapixels per
second, best of REPEAT).  A development comparison; OpenCV is not a dependency.
Usage: scripts/bench_opencv.py [CHANNELS [REPEAT]]"""
import sys
import time

import cv2
import numpy as np

c = int(sys.argv[1]) if len(sys.argv) > 1 else 1
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
w, h = 7680, 4320
rng = np.random.default_rng(1)
x = np.arange(w * c).reshape(1, -1) // c
y = np.arange(h).reshape(-1, 1)
img = ((x // 31 + y // 17) % 200 + rng.integers(0, 32, (h, w * c))).astype(np.uint8)
img = img.reshape(h, w, c) if c > 1 else img


def sobel_mag(i):
    gx = cv2.Sobel(i, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(i, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.convertScaleAbs(cv2.magnitude(gx, gy))


out = np.empty_like(img)  # results reused, so page faults are not counted
cases = [
    ("gaussian 5x5", lambda i: cv2.GaussianBlur(i, (5, 5), 0, dst=out)),
    ("gaussian sigma 2", lambda i: cv2.GaussianBlur(i, (0, 0), 2, dst=out)),
    ("box 3x3", lambda i: cv2.blur(i, (3, 3), dst=out)),
    ("box 15x15", lambda i: cv2.blur(i, (15, 15), dst=out)),
    ("sobel", sobel_mag),
    ("sharpen", lambda i: cv2.addWeighted(i, 2, cv2.GaussianBlur(i, (0, 0), 1), -1, 0, dst=out)),
    ("median 3", lambda i: cv2.medianBlur(i, 3, dst=out)),
    ("median 5", lambda i: cv2.medianBlur(i, 5, dst=out)),
    ("invert", lambda i: cv2.bitwise_not(i, dst=out)),
    ("threshold", lambda i: cv2.threshold(i, 127, 255, cv2.THRESH_BINARY, dst=out)[1]),
]
print(f"{'OpenCV ' + cv2.__version__:18s} {'MP/s 1T':>9s} {'MP/s 2T':>9s}  ({w}x{h}, {c} channel(s))")
for name, fn in cases:
    rates = []
    for t in (1, 2):
        cv2.setNumThreads(t)
        best = 1e30
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(img)
            best = min(best, time.perf_counter() - t0)
        rates.append(w * h / best / 1e6)
    print(f"{name:18s} {rates[0]:9.0f} {rates[1]:9.0f}")
