#!/usr/bin/env python3
"""Write the .npy fixtures of tests/data used by tests/io/test_npy.c and test_reduce.c.

Run with a Python that has numpy (e.g. /usr/bin/python3 tests/make_npy_fixtures.py).
The files are small and committed, so the tests never need numpy at run time; this
script documents how they were made and re-makes them.  Expected values that come from
numpy (math.fsum, numpy.var, numpy.histogram) are written to rand1000.expect as
float.hex() so that the C test can compare bit for bit.
"""
import io
import math
import os
import struct

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SMALL = [1.5, -2.0, 3.25, 1e16, 1.0, -1e16]  # fsum 3.75, min at 5, max at 3


def save(name, arr, version=None):
    with open(os.path.join(HERE, name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def raw(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(HERE, exist_ok=True)
    a = np.array(SMALL, dtype="<f8")
    save("f8_v1.npy", a, (1, 0))
    save("f8_v2.npy", a, (2, 0))
    save("f8_v3.npy", a, (3, 0))
    save("f8_2d.npy", np.arange(6, dtype="<f8").reshape(2, 3))
    save("f8_fortran_1d.npy", np.asfortranarray(a))
    save("f8_fortran_2d.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
    save("f4.npy", np.array([0.5, -1.25, 3.0, 1e30], dtype="<f4"))
    save("i4.npy", np.array([1, -2, 2147483647, -2147483648], dtype="<i4"))
    save("i8.npy", np.array([1, -2, 2**53 + 1, -(2**62)], dtype="<i8"))
    save("u1.npy", np.array([0, 1, 255, 7], dtype="u1"))
    save("be_f8.npy", np.array(SMALL, dtype=">f8"))
    save("f2.npy", np.array([1, 2], dtype="<f2"))
    # header says 100 values, data holds 10
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.zeros(100, dtype="<f8"))
    raw("truncated.npy", buf.getvalue()[: len(buf.getvalue()) - 90 * 8])
    good = open(os.path.join(HERE, "f8_v1.npy"), "rb").read()
    raw("corrupt.npy", good.replace(b"'shape'", b"'shapx'"))
    raw("badmagic.npy", b"\x93NUMPZ" + good[6:])
    raw("small.f64", struct.pack("<6d", *SMALL))
    raw("odd.f64", struct.pack("<6d", *SMALL)[:-3])
    with open(os.path.join(HERE, "small.csv"), "w") as f:
        f.write("id,value,name\n")
        for i, v in enumerate(SMALL):
            f.write("%d,%r,x%d\n" % (i, v, i))
    with open(os.path.join(HERE, "bad.csv"), "w") as f:
        f.write("1.5\n2.5\n\n3.x\n4\n")

    # random data with numpy's answers
    rng = np.random.default_rng(2024)
    r = np.concatenate([rng.normal(1e3, 1.0, 600), rng.uniform(-5, 5, 400)])
    r[17] = r.min() - 1.0  # a known argmin
    save("rand1000.npy", r.astype("<f8"))
    counts, edges = np.histogram(r, bins=10)
    counts2, _ = np.histogram(r, bins=7, range=(-2.0, 999.5))
    below = int((r < -2.0).sum())
    above = int((r > 999.5).sum())
    with open(os.path.join(HERE, "rand1000.expect"), "w") as f:
        f.write("fsum %s\n" % math.fsum(r).hex())
        f.write("min %s %d\n" % (float(r.min()).hex(), int(r.argmin())))
        f.write("max %s %d\n" % (float(r.max()).hex(), int(r.argmax())))
        f.write("var1 %s\n" % float(np.var(r, ddof=1)).hex())
        f.write("var0 %s\n" % float(np.var(r, ddof=0)).hex())
        f.write("hist10 %s\n" % " ".join(str(int(c)) for c in counts))
        f.write("hist7 %s %d %d\n" % (" ".join(str(int(c)) for c in counts2), below, above))


if __name__ == "__main__":
    main()
