#!/usr/bin/env python3
"""Seed corpus for fuzz_invocations: byte strings from fixed seeds, the way the property
test (tests/host/test_cap_invariant.c) feeds the same interpreter: every byte string is a
valid sequence, so random bytes already exercise long, mostly meaningful sequences.
Usage: gen_invocation_seeds.py <out-dir>"""
import os
import random
import sys


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # (seed, length, RIL): short and long sequences, with and without range invalidation.
    plan = [(s, n, ril) for s, n in [(1, 64), (2, 256), (3, 512), (4, 1024), (5, 2048), (6, 2048)]
            for ril in (True, False)]
    for seed, length, ril in plan:
        rnd = random.Random(seed * 7919 + length)
        body = bytes(rnd.getrandbits(8) for _ in range(length))
        head = bytes([0x00 if ril else 0x80])
        name = os.path.join(out, "seed-%d-%d-%s" % (seed, length, "ril" if ril else "noril"))
        with open(name, "wb") as f:
            f.write(head + body)


if __name__ == "__main__":
    main()
