#!/usr/bin/env python3
"""Compare `toolkit filter` with OpenCV on one image (a development check, not a test:
OpenCV is not a dependency).  Usage: scripts/compare_opencv.py IMAGE [TOOLKIT]
Prints, per filter, how many pixels differ and by how much at most, over the whole
image and away from the border (where medianBlur's BORDER_REPLICATE differs)."""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

image = sys.argv[1]
toolkit = sys.argv[2] if len(sys.argv) > 2 else "./toolkit"
src = cv2.imread(image, cv2.IMREAD_UNCHANGED)  # BGR(A) order; filters are per channel


def sobel_mag(img):
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.convertScaleAbs(cv2.magnitude(gx, gy))


def sharpen(img, sigma, amount):
    blur = cv2.GaussianBlur(img, (0, 0), sigma)
    return cv2.addWeighted(img, 1 + amount, blur, -amount, 0)


def gray(img):
    if img.ndim == 2:
        return img
    code = cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(img, code)


def color_only(img, fn):
    """Apply fn to the colour channels and keep alpha, as toolkit does."""
    if img.ndim == 3 and img.shape[2] == 4:
        out = fn(np.ascontiguousarray(img[:, :, :3]))
        return np.dstack([out, img[:, :, 3]])
    return fn(img)


cases = [
    ("gaussian --size 5", lambda i: cv2.GaussianBlur(i, (5, 5), 0)),
    ("gaussian --sigma 2", lambda i: cv2.GaussianBlur(i, (0, 0), 2)),
    ("gaussian --sigma 1.3", lambda i: cv2.GaussianBlur(i, (0, 0), 1.3)),
    ("box --size 3", lambda i: cv2.blur(i, (3, 3))),
    ("box --size 15", lambda i: cv2.blur(i, (15, 15))),
    ("box --size 21", lambda i: cv2.blur(i, (21, 21))),
    ("sobel", sobel_mag),
    ("sharpen --sigma 1 --amount 1.5", lambda i: sharpen(i, 1, 1.5)),
    ("median --size 3", lambda i: cv2.medianBlur(i, 3)),
    ("median --size 5", lambda i: cv2.medianBlur(i, 5)),
    ("gray", gray),
    ("invert", cv2.bitwise_not),
    ("threshold --level 100", lambda i: cv2.threshold(i, 100, 255, cv2.THRESH_BINARY)[1]),
]
with tempfile.TemporaryDirectory() as tmp:
    for args, fn in cases:
        out = os.path.join(tmp, "out.png")
        argv = args.split()
        cmd = [toolkit, "filter", "--filter", argv[0], *argv[1:], "--input", image,
               "--output", out, "--quiet"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        ours = cv2.imread(out, cv2.IMREAD_UNCHANGED)
        ref = fn(src) if argv[0] == "gray" else color_only(src, fn)
        if argv[0] == "gray" and ours.ndim == 3:
            ours = ours[:, :, 0]  # gray+alpha: compare the gray channel
        d = np.abs(ours.astype(int) - ref.astype(int))
        inner = d[2:-2, 2:-2]
        print(f"{args:34s} differ {np.count_nonzero(d):8d} of {d.size:8d} px, max {d.max():3d};"
              f" inside border: {np.count_nonzero(inner):8d}, max {inner.max():3d}")
