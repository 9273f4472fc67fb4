#!/usr/bin/env python3
"""tools/bfgen.py rejects bad layouts, naming the block and field, and accepts the real
structures.bf. Run: test_bfgen.py ROOT (the source tree)."""
import os
import subprocess
import sys
import tempfile

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
GEN = os.path.join(ROOT, "tools", "bfgen.py")

CASES = [
    ("overlap in a word", "block null_cap 0 {\n}\nblock a 1 {\n field x 8 0 0\n field y 8 0 4\n}\n",
     ["block a", "field y", "overlaps field x"]),
    ("tag bits", "block null_cap 0 {\n}\nblock b 1 {\n field t 4 0 56\n}\n",
     ["block b", "field t", "tag bits"]),
    ("width 65", "block null_cap 0 {\n}\nblock c 1 {\n field w 65 1 0\n}\n", ["block c", "field w", "width 65"]),
    ("leaves word", "block null_cap 0 {\n}\nblock c 1 {\n field w 8 1 60\n}\n", ["block c", "field w", "leave"]),
    ("duplicate tag", "block null_cap 0 {\n}\nblock d 1 {\n}\nblock e 1 {\n}\n", ["block e", "duplicate tag 1", "block d"]),
    ("tag too big", "block null_cap 0 {\n}\nblock f 32 {\n}\n", ["block f", "tag 32"]),
    ("duplicate field", "block null_cap 0 {\n}\nblock g 1 {\n field x 1 1 0\n field x 1 1 1\n}\n",
     ["block g", "field x", "duplicate field"]),
    ("word 2", "block null_cap 0 {\n}\nblock h 1 {\n field x 1 2 0\n}\n", ["block h", "field x", "word 2"]),
    ("syntax", "block null_cap 0 {\n}\nblock i 1 {\n fiel x 1 1 0\n}\n", ["cannot parse"]),
    ("unclosed", "block null_cap 0 {\n", ["missing '}'"]),
    ("no null cap", "block j 1 {\n}\n", ["tag 0"]),
]


def run(text, out):
    with tempfile.NamedTemporaryFile("w", suffix=".bf", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        return subprocess.run([sys.executable, GEN, path, out], capture_output=True, text=True)
    finally:
        os.unlink(path)


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as out:
        for name, text, needles in CASES:
            r = run(text, out)
            ok = r.returncode != 0 and all(n in r.stderr for n in needles)
            print("%s: %s" % ("ok" if ok else "FAIL", name))
            if not ok:
                print("  rc=%d stderr=%r" % (r.returncode, r.stderr))
                failed += 1
        r = subprocess.run([sys.executable, GEN, os.path.join(ROOT, "src", "kernel", "structures.bf"), out],
                           capture_output=True, text=True)
        ok = r.returncode == 0 and os.path.exists(os.path.join(out, "kernel", "cap_gen.h"))
        print("%s: structures.bf accepted" % ("ok" if ok else "FAIL"))
        failed += 0 if ok else 1
    total = len(CASES) + 1
    print("%d passed, %d failed" % (total - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
