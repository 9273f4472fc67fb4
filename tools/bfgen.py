#!/usr/bin/env python3
"""Capability layout generator: src/kernel/structures.bf -> generated C headers.

The way seL4's bitfield generator turns structures.bf into structures_gen.h, this turns
our cap layout table into:

  <out>/kernel/cap_gen.h         cap_t, enum cap_tag, cap_get_capType(), and per block
                                 cap_<block>_new(), cap_<block>_get_<f>(),
                                 cap_<block>_set_<f>() and cap_<block>_ptr_set_<f>()
  <out>/kernel/cap_fields_gen.h  a table of every block and field (positions, widths,
                                 accessors) for tests that iterate over the layout

Syntax (see structures.bf): comments start with "--"; "block NAME TAG {", then lines
"field NAME BITS WORD LOW", then "}". A cap is two 64-bit words; word 0 bits [63:59] are
the tag in every block.

Checks (the generator fails, naming the block and field): malformed lines, duplicate
block names or tags, tags that do not fit the 5 tag bits, duplicate field names in a
block, widths of 0 or beyond 64, fields that leave their word, fields that overlap each
other within a word, and fields that overlap the tag bits.

Usage: bfgen.py STRUCTURES_BF OUT_DIR
Python 3 standard library only.
"""

import os
import re
import sys

WORDS = 2
WORD_BITS = 64
TAG_LOW = 59
TAG_BITS = 5


class BfError(Exception):
    pass


class Field:
    def __init__(self, name, bits, word, low, line):
        self.name, self.bits, self.word, self.low, self.line = name, bits, word, low, line

    @property
    def mask(self):
        return ((1 << self.bits) - 1) << self.low


class Block:
    def __init__(self, name, tag, line):
        self.name, self.tag, self.line = name, tag, line
        self.fields = []


IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
RE_BLOCK = re.compile(r"^block\s+(" + IDENT + r")\s+(\d+)\s*\{$")
RE_FIELD = re.compile(r"^field\s+(" + IDENT + r")\s+(\d+)\s+(\d+)\s+(\d+)$")


def parse(path):
    blocks = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.split("--", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (path, lineno)
            m = RE_BLOCK.match(line)
            if m:
                if cur is not None:
                    raise BfError("%s: block %s: missing '}' before block %s"
                                  % (where, cur.name, m.group(1)))
                cur = Block(m.group(1), int(m.group(2)), where)
                continue
            if line == "}":
                if cur is None:
                    raise BfError("%s: '}' outside a block" % where)
                blocks.append(cur)
                cur = None
                continue
            m = RE_FIELD.match(line)
            if m:
                if cur is None:
                    raise BfError("%s: field %s outside a block" % (where, m.group(1)))
                cur.fields.append(Field(m.group(1), int(m.group(2)), int(m.group(3)),
                                        int(m.group(4)), where))
                continue
            raise BfError("%s: cannot parse: %s" % (where, line))
    if cur is not None:
        raise BfError("%s: block %s: missing '}' at end of file" % (cur.line, cur.name))
    return blocks


def check(blocks):
    names, tags = {}, {}
    for b in blocks:
        if b.name in names:
            raise BfError("%s: block %s: duplicate block name (first at %s)"
                          % (b.line, b.name, names[b.name].line))
        names[b.name] = b
        if b.tag >= (1 << TAG_BITS):
            raise BfError("%s: block %s: tag %d does not fit the %d tag bits"
                          % (b.line, b.name, b.tag, TAG_BITS))
        if b.tag in tags:
            raise BfError("%s: block %s: duplicate tag %d (also block %s)"
                          % (b.line, b.name, b.tag, tags[b.tag].name))
        tags[b.tag] = b
        seen = {}
        for f in b.fields:
            what = "%s: block %s, field %s" % (f.line, b.name, f.name)
            if f.name in seen:
                raise BfError("%s: duplicate field name" % what)
            seen[f.name] = f
            if f.bits == 0 or f.bits > WORD_BITS:
                raise BfError("%s: width %d outside 1..%d" % (what, f.bits, WORD_BITS))
            if f.word >= WORDS:
                raise BfError("%s: word %d outside 0..%d" % (what, f.word, WORDS - 1))
            if f.low + f.bits > WORD_BITS:
                raise BfError("%s: bits [%d:%d] leave the 64-bit word"
                              % (what, f.low + f.bits - 1, f.low))
            if f.word == 0 and f.low + f.bits > TAG_LOW:
                raise BfError("%s: bits [%d:%d] of word 0 overlap the tag bits [63:%d]"
                              % (what, f.low + f.bits - 1, f.low, TAG_LOW))
        for i, f in enumerate(b.fields):
            for g in b.fields[:i]:
                if f.word == g.word and (f.mask & g.mask) != 0:
                    raise BfError("%s: block %s, field %s overlaps field %s in word %d"
                                  % (f.line, b.name, f.name, g.name, f.word))
    if 0 not in tags:
        raise BfError("no block with tag 0 (the null cap)")


def hexmask(m):
    return "0x%xull" % m


def gen_cap_header(blocks, src_name):
    o = []
    w = o.append
    w("/* Generated by tools/bfgen.py from %s: do not edit. */" % src_name)
    w("#ifndef KERNEL_CAP_GEN_H")
    w("#define KERNEL_CAP_GEN_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w("/* A capability: two 64-bit words; word 0 bits [63:%d] hold the tag. */" % TAG_LOW)
    w("typedef struct { uint64_t words[%d]; } cap_t;" % WORDS)
    w("")
    w("enum cap_tag {")
    for b in sorted(blocks, key=lambda x: x.tag):
        w("    cap_%s = %d," % (b.name, b.tag))
    w("};")
    w("#define CAP_TAG_COUNT %d /* one more than the largest tag */"
      % (max(b.tag for b in blocks) + 1))
    w("")
    w("static inline uint64_t cap_get_capType(cap_t cap)")
    w("{")
    w("    return (cap.words[0] >> %d) & %s;" % (TAG_LOW, hexmask((1 << TAG_BITS) - 1)))
    w("}")
    for b in blocks:
        w("")
        w("/* ---- %s (tag %d) ---- */" % (b.name, b.tag))
        for f in b.fields:
            w("#define CAP_%s_%s_WORD %d" % (b.name.upper(), f.name.upper(), f.word))
            w("#define CAP_%s_%s_MASK %s" % (b.name.upper(), f.name.upper(), hexmask(f.mask)))
        params = ", ".join("uint64_t %s" % f.name for f in b.fields) or "void"
        w("static inline cap_t cap_%s_new(%s)" % (b.name, params))
        w("{")
        w("    cap_t cap = { { 0, 0 } };")
        w("    cap.words[0] = (uint64_t)cap_%s << %d;" % (b.name, TAG_LOW))
        for f in b.fields:
            w("    cap.words[%d] |= (%s << %d) & %s;" % (f.word, f.name, f.low, hexmask(f.mask)))
        w("    return cap;")
        w("}")
        for f in b.fields:
            w("static inline uint64_t cap_%s_get_%s(cap_t cap)" % (b.name, f.name))
            w("{")
            w("    return (cap.words[%d] & %s) >> %d;" % (f.word, hexmask(f.mask), f.low))
            w("}")
            w("static inline cap_t cap_%s_set_%s(cap_t cap, uint64_t v)" % (b.name, f.name))
            w("{")
            w("    cap.words[%d] = (cap.words[%d] & ~%s) | ((v << %d) & %s);"
              % (f.word, f.word, hexmask(f.mask), f.low, hexmask(f.mask)))
            w("    return cap;")
            w("}")
            w("static inline void cap_%s_ptr_set_%s(cap_t *cap, uint64_t v)" % (b.name, f.name))
            w("{")
            w("    *cap = cap_%s_set_%s(*cap, v);" % (b.name, f.name))
            w("}")
    w("")
    w("#endif")
    return "\n".join(o) + "\n"


def gen_fields_header(blocks, src_name):
    o = []
    w = o.append
    w("/* Generated by tools/bfgen.py from %s: do not edit." % src_name)
    w(" * Every block and field of the cap layout, for tests that iterate over it. */")
    w("#ifndef KERNEL_CAP_FIELDS_GEN_H")
    w("#define KERNEL_CAP_FIELDS_GEN_H")
    w("")
    w('#include "kernel/cap_gen.h"')
    w("")
    w("struct cap_field_desc {")
    w("    const char *name;")
    w("    unsigned word, low, bits;")
    w("    uint64_t (*get)(cap_t);")
    w("    cap_t (*set)(cap_t, uint64_t);")
    w("};")
    w("")
    w("struct cap_block_desc {")
    w("    const char *name;")
    w("    unsigned tag;")
    w("    unsigned nfields;")
    w("    const struct cap_field_desc *fields;")
    w("    cap_t (*make)(const uint64_t *v); /* cap_<block>_new(v[0], v[1], ...) */")
    w("};")
    for b in blocks:
        w("")
        args = ", ".join("v[%d]" % i for i in range(len(b.fields)))
        unused = "" if b.fields else "    (void)v;\n"
        w("static inline cap_t cap_fields_make_%s(const uint64_t *v)" % b.name)
        w("{")
        if unused:
            w(unused.rstrip("\n"))
        w("    return cap_%s_new(%s);" % (b.name, args))
        w("}")
        if b.fields:
            w("static const struct cap_field_desc cap_fields_%s[] = {" % b.name)
            for f in b.fields:
                w('    { "%s", %d, %d, %d, cap_%s_get_%s, cap_%s_set_%s },'
                  % (f.name, f.word, f.low, f.bits, b.name, f.name, b.name, f.name))
            w("};")
    w("")
    w("static const struct cap_block_desc cap_blocks[] = {")
    for b in blocks:
        fields = "cap_fields_%s" % b.name if b.fields else "0"
        w('    { "%s", %d, %d, %s, cap_fields_make_%s },'
          % (b.name, b.tag, len(b.fields), fields, b.name))
    w("};")
    w("#define CAP_BLOCK_COUNT %d" % len(blocks))
    w("")
    w("#endif")
    return "\n".join(o) + "\n"


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: bfgen.py STRUCTURES_BF OUT_DIR\n")
        return 2
    src, out = argv[1], argv[2]
    try:
        blocks = parse(src)
        check(blocks)
    except (BfError, OSError) as e:
        sys.stderr.write("bfgen: error: %s\n" % e)
        return 1
    name = os.path.basename(src)
    d = os.path.join(out, "kernel")
    os.makedirs(d, exist_ok=True)
    write_file(os.path.join(d, "cap_gen.h"), gen_cap_header(blocks, name))
    write_file(os.path.join(d, "cap_fields_gen.h"), gen_fields_header(blocks, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
