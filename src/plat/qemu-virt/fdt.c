/* Flattened devicetree reader: see fdt.h. Layout references are to the Devicetree
 * Specification v0.4, 5.2 (header), 5.4 (structure block), 5.5 (strings block).
 *
 * Termination: read_token() returns a `next` offset strictly above the token's own, and
 * every walk (including the `for (;;)` loops over fdt_next_node()) only moves forward
 * in the structure block, so each loop ends within struct_size / 4 steps. */
#include "fdt.h"

#include "../../lib/bits.h"

/* Header fields: byte offsets of big-endian 32-bit words (5.2). */
#define FDT_HDR_MAGIC 0u
#define FDT_HDR_TOTALSIZE 4u
#define FDT_HDR_OFF_DT_STRUCT 8u
#define FDT_HDR_OFF_DT_STRINGS 12u
#define FDT_HDR_OFF_MEM_RSVMAP 16u
#define FDT_HDR_VERSION 20u
#define FDT_HDR_LAST_COMP_VERSION 24u
#define FDT_HDR_SIZE_DT_STRINGS 32u
#define FDT_HDR_SIZE_DT_STRUCT 36u

/* Version 17 is the current format; size_dt_struct exists from version 17 on. */
#define FDT_VERSION_MIN 17u
#define FDT_LAST_COMP_VERSION 16u

/* Structure block tokens (5.4.1). */
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u

#define FDT_TOKEN_SIZE 4u
#define FDT_PROP_HDR_SIZE 12u /* token, len, nameoff */

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t align4(uint64_t v) { return (uint32_t)ALIGN_UP(v, 4); }

/* Length of the NUL-terminated string at blob[off] that must end before blob[limit]. */
static err_t bounded_strlen(const uint8_t *blob, uint32_t off, uint32_t limit, uint32_t *len)
{
    for (uint32_t i = off; i < limit; i++) {
        if (blob[i] == '\0') {
            *len = i - off;
            return ERR_NONE;
        }
    }
    return ERR_INVALID;
}

static bool str_eq(const char *a, const char *b)
{
    /* Both are NUL-terminated: `a` was bounds-checked inside the blob, `b` is ours. */
    for (;; a++, b++) {
        if (*a != *b)
            return false;
        if (*a == '\0')
            return true;
    }
}

err_t fdt_init(struct fdt *fdt, const void *blob, size_t max_size)
{
    if (!fdt || !blob)
        return ERR_INVALID;
    if (!IS_ALIGNED((uintptr_t)blob, 4) || max_size < FDT_HEADER_SIZE)
        return ERR_ALIGN;
    const uint8_t *b = blob;
    if (be32(b + FDT_HDR_MAGIC) != FDT_MAGIC)
        return ERR_INVALID;
    uint32_t total = be32(b + FDT_HDR_TOTALSIZE);
    uint32_t version = be32(b + FDT_HDR_VERSION);
    uint32_t last_comp = be32(b + FDT_HDR_LAST_COMP_VERSION);
    uint32_t soff = be32(b + FDT_HDR_OFF_DT_STRUCT), ssize = be32(b + FDT_HDR_SIZE_DT_STRUCT);
    uint32_t toff = be32(b + FDT_HDR_OFF_DT_STRINGS), tsize = be32(b + FDT_HDR_SIZE_DT_STRINGS);
    uint32_t roff = be32(b + FDT_HDR_OFF_MEM_RSVMAP);

    if (total < FDT_HEADER_SIZE || total > max_size)
        return ERR_RANGE;
    if (version < FDT_VERSION_MIN || last_comp > FDT_LAST_COMP_VERSION)
        return ERR_UNSUPPORTED;
    /* Blocks lie after the header and inside totalsize (64-bit sums: no wrap). */
    if (soff < FDT_HEADER_SIZE || (uint64_t)soff + ssize > total || !IS_ALIGNED(soff, 4) ||
        !IS_ALIGNED(ssize, 4) || ssize < 2 * FDT_TOKEN_SIZE)
        return ERR_INVALID;
    if (toff < FDT_HEADER_SIZE || (uint64_t)toff + tsize > total)
        return ERR_INVALID;
    if (roff < FDT_HEADER_SIZE || roff >= total || !IS_ALIGNED(roff, 8))
        return ERR_INVALID;

    fdt->blob = b;
    fdt->totalsize = total;
    fdt->struct_off = soff;
    fdt->struct_size = ssize;
    fdt->strings_off = toff;
    fdt->strings_size = tsize;
    return ERR_NONE;
}

/* One decoded structure-block token at `off` (relative to the structure block). */
struct token {
    uint32_t tag;
    uint32_t next;      /* offset of the following token, always > off */
    const char *name;   /* BEGIN_NODE: unit name; PROP: property name */
    const uint8_t *data; /* PROP value */
    uint32_t len;       /* PROP value length */
};

static err_t read_token(const struct fdt *f, uint32_t off, struct token *t)
{
    const uint8_t *sb = f->blob + f->struct_off;
    uint32_t end = f->struct_size;
    if (!IS_ALIGNED(off, 4) || (uint64_t)off + FDT_TOKEN_SIZE > end)
        return ERR_INVALID;
    t->tag = be32(sb + off);
    t->name = NULL;
    t->data = NULL;
    t->len = 0;
    switch (t->tag) {
    case FDT_BEGIN_NODE: {
        uint32_t n;
        err_t e = bounded_strlen(sb, off + FDT_TOKEN_SIZE, end, &n);
        if (e != ERR_NONE)
            return e;
        t->name = (const char *)(sb + off + FDT_TOKEN_SIZE);
        t->next = align4((uint64_t)off + FDT_TOKEN_SIZE + n + 1);
        return ERR_NONE;
    }
    case FDT_PROP: {
        if ((uint64_t)off + FDT_PROP_HDR_SIZE > end)
            return ERR_INVALID;
        uint32_t len = be32(sb + off + 4), nameoff = be32(sb + off + 8);
        if ((uint64_t)off + FDT_PROP_HDR_SIZE + len > end)
            return ERR_INVALID;
        if (nameoff >= f->strings_size)
            return ERR_INVALID;
        uint32_t n;
        const uint8_t *strings = f->blob + f->strings_off;
        err_t e = bounded_strlen(strings, nameoff, f->strings_size, &n);
        if (e != ERR_NONE)
            return e;
        t->name = (const char *)(strings + nameoff);
        t->data = sb + off + FDT_PROP_HDR_SIZE;
        t->len = len;
        t->next = align4((uint64_t)off + FDT_PROP_HDR_SIZE + len);
        return ERR_NONE;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        t->next = off + FDT_TOKEN_SIZE;
        return ERR_NONE;
    default:
        return ERR_INVALID;
    }
}

err_t fdt_next_node(const struct fdt *f, uint32_t *node, int *depth)
{
    if (!f || !node || !depth)
        return ERR_INVALID;
    struct token t;
    uint32_t off;
    int level; /* depth a BEGIN_NODE at `off` would have */
    if (*node == FDT_NODE_NONE) {
        off = 0;
        level = 0;
    } else {
        err_t e = read_token(f, *node, &t);
        if (e != ERR_NONE)
            return e;
        if (t.tag != FDT_BEGIN_NODE)
            return ERR_INVALID;
        off = t.next;
        level = *depth + 1;
    }
    /* Bounded: every token advances `off` by at least 4 bytes within struct_size. */
    while (off < f->struct_size) {
        err_t e = read_token(f, off, &t);
        if (e != ERR_NONE)
            return e;
        switch (t.tag) {
        case FDT_BEGIN_NODE:
            if (level > FDT_MAX_DEPTH || level < -FDT_MAX_DEPTH)
                return ERR_RANGE;
            *node = off;
            *depth = level;
            return ERR_NONE;
        case FDT_END_NODE:
            level--;
            break;
        case FDT_END:
            return ERR_NOT_FOUND;
        default: /* PROP, NOP */
            break;
        }
        off = t.next;
    }
    return ERR_INVALID; /* no FDT_END token */
}

static err_t node_token(const struct fdt *f, uint32_t node, struct token *t)
{
    if (!f)
        return ERR_INVALID;
    err_t e = read_token(f, node, t);
    if (e != ERR_NONE)
        return e;
    return t->tag == FDT_BEGIN_NODE ? ERR_NONE : ERR_INVALID;
}

err_t fdt_node_name(const struct fdt *f, uint32_t node, const char **name)
{
    struct token t;
    err_t e = node_token(f, node, &t);
    if (e == ERR_NONE)
        *name = t.name;
    return e;
}

err_t fdt_get_prop(const struct fdt *f, uint32_t node, const char *name, const uint8_t **data,
                   uint32_t *len)
{
    struct token t;
    err_t e = node_token(f, node, &t);
    if (e != ERR_NONE)
        return e;
    /* Properties precede subnodes (5.4.2): stop at the first non-property token. */
    for (uint32_t off = t.next; off < f->struct_size; off = t.next) {
        e = read_token(f, off, &t);
        if (e != ERR_NONE)
            return e;
        if (t.tag == FDT_NOP)
            continue;
        if (t.tag != FDT_PROP)
            return ERR_NOT_FOUND;
        if (str_eq(t.name, name)) {
            *data = t.data;
            *len = t.len;
            return ERR_NONE;
        }
    }
    return ERR_INVALID;
}

err_t fdt_cell(const uint8_t *data, uint32_t len, uint32_t i, uint32_t *val)
{
    if (!data || (uint64_t)i * 4 + 4 > len)
        return ERR_RANGE;
    *val = be32(data + (size_t)i * 4);
    return ERR_NONE;
}

err_t fdt_cells_u64(const uint8_t *data, uint32_t len, uint32_t i, uint32_t n, uint64_t *val)
{
    if (n < 1 || n > 2)
        return ERR_UNSUPPORTED;
    uint64_t v = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t c;
        err_t e = fdt_cell(data, len, i + k, &c);
        if (e != ERR_NONE)
            return e;
        v = (v << 32) | c;
    }
    *val = v;
    return ERR_NONE;
}

err_t fdt_get_u32(const struct fdt *f, uint32_t node, const char *name, uint32_t *val)
{
    const uint8_t *d;
    uint32_t len;
    err_t e = fdt_get_prop(f, node, name, &d, &len);
    if (e != ERR_NONE)
        return e;
    if (len != 4)
        return ERR_INVALID;
    *val = be32(d);
    return ERR_NONE;
}

err_t fdt_get_string(const struct fdt *f, uint32_t node, const char *name, const char **str)
{
    const uint8_t *d;
    uint32_t len;
    err_t e = fdt_get_prop(f, node, name, &d, &len);
    if (e != ERR_NONE)
        return e;
    if (len == 0 || d[len - 1] != '\0')
        return ERR_INVALID;
    *str = (const char *)d;
    return ERR_NONE;
}

err_t fdt_root(const struct fdt *f, uint32_t *node)
{
    int depth = 0;
    *node = FDT_NODE_NONE;
    return fdt_next_node(f, node, &depth);
}

err_t fdt_parent(const struct fdt *f, uint32_t node, uint32_t *parent)
{
    /* One forward walk, remembering the open node at each depth. */
    uint32_t stack[FDT_MAX_DEPTH + 1];
    uint32_t cur = FDT_NODE_NONE;
    int depth = 0;
    for (;;) {
        err_t e = fdt_next_node(f, &cur, &depth);
        if (e != ERR_NONE)
            return e == ERR_NOT_FOUND ? ERR_INVALID : e; /* `node` is not a node */
        if (depth < 0 || depth > FDT_MAX_DEPTH)
            return ERR_INVALID;
        stack[depth] = cur;
        if (cur == node) {
            if (depth == 0)
                return ERR_NOT_FOUND;
            *parent = stack[depth - 1];
            return ERR_NONE;
        }
        if (cur > node)
            return ERR_INVALID;
    }
}

err_t fdt_subnode(const struct fdt *f, uint32_t parent, const char *name, uint32_t *child)
{
    uint32_t cur = parent;
    int depth = 0;
    for (;;) {
        err_t e = fdt_next_node(f, &cur, &depth);
        if (e != ERR_NONE)
            return e;
        if (depth <= 0)
            return ERR_NOT_FOUND; /* left `parent` */
        if (depth != 1)
            continue;
        const char *n;
        e = fdt_node_name(f, cur, &n);
        if (e != ERR_NONE)
            return e;
        /* Match "name" exactly or "name@unit-address". */
        const char *a = n, *b = name;
        while (*a && *b && *a == *b) {
            a++;
            b++;
        }
        if (*b == '\0' && (*a == '\0' || *a == '@')) {
            *child = cur;
            return ERR_NONE;
        }
    }
}

err_t fdt_stringlist_index(const uint8_t *data, uint32_t len, const char *str, uint32_t *index)
{
    if (!data || len == 0 || data[len - 1] != '\0')
        return ERR_INVALID;
    uint32_t idx = 0;
    for (uint32_t off = 0; off < len; idx++) {
        uint32_t n;
        err_t e = bounded_strlen(data, off, len, &n);
        if (e != ERR_NONE)
            return e;
        if (str_eq((const char *)data + off, str)) {
            *index = idx;
            return ERR_NONE;
        }
        off += n + 1;
    }
    return ERR_NOT_FOUND;
}

err_t fdt_find_compatible(const struct fdt *f, uint32_t from, const char *compat, uint32_t *node)
{
    uint32_t cur = from;
    int depth = 0;
    for (;;) {
        err_t e = fdt_next_node(f, &cur, &depth);
        if (e != ERR_NONE)
            return e;
        const uint8_t *d;
        uint32_t len, idx;
        e = fdt_get_prop(f, cur, "compatible", &d, &len);
        if (e == ERR_NOT_FOUND)
            continue;
        if (e != ERR_NONE)
            return e;
        e = fdt_stringlist_index(d, len, compat, &idx);
        if (e == ERR_NONE) {
            *node = cur;
            return ERR_NONE;
        }
        if (e != ERR_NOT_FOUND)
            return e;
    }
}

err_t fdt_find_phandle(const struct fdt *f, uint32_t phandle, uint32_t *node)
{
    if (phandle == 0 || phandle == UINT32_MAX)
        return ERR_INVALID; /* reserved values (2.3.3) */
    uint32_t cur = FDT_NODE_NONE;
    int depth = 0;
    for (;;) {
        err_t e = fdt_next_node(f, &cur, &depth);
        if (e != ERR_NONE)
            return e;
        uint32_t v;
        e = fdt_get_u32(f, cur, "phandle", &v);
        if (e == ERR_NOT_FOUND)
            e = fdt_get_u32(f, cur, "linux,phandle", &v);
        if (e == ERR_NONE && v == phandle) {
            *node = cur;
            return ERR_NONE;
        }
        if (e != ERR_NONE && e != ERR_NOT_FOUND)
            return e;
    }
}

static err_t cells_or_default(const struct fdt *f, uint32_t node, const char *name, uint32_t dflt,
                              uint32_t *cells)
{
    err_t e = fdt_get_u32(f, node, name, cells);
    if (e == ERR_NOT_FOUND) {
        *cells = dflt;
        return ERR_NONE;
    }
    return e;
}

err_t fdt_address_cells(const struct fdt *f, uint32_t node, uint32_t *cells)
{
    return cells_or_default(f, node, "#address-cells", 2, cells);
}

err_t fdt_size_cells(const struct fdt *f, uint32_t node, uint32_t *cells)
{
    return cells_or_default(f, node, "#size-cells", 1, cells);
}

err_t fdt_read_reg(const struct fdt *f, uint32_t node, uint32_t index, uint64_t *addr,
                   uint64_t *size)
{
    uint32_t parent, ac, sc;
    err_t e = fdt_parent(f, node, &parent);
    if (e == ERR_NONE)
        e = fdt_address_cells(f, parent, &ac);
    if (e == ERR_NONE)
        e = fdt_size_cells(f, parent, &sc);
    if (e != ERR_NONE)
        return e;
    if (ac < 1 || ac > 2 || sc > 2)
        return ERR_UNSUPPORTED;
    const uint8_t *d;
    uint32_t len;
    e = fdt_get_prop(f, node, "reg", &d, &len);
    if (e != ERR_NONE)
        return e;
    uint32_t entry = (ac + sc) * 4;
    if (len % entry != 0)
        return ERR_INVALID;
    if (index >= len / entry)
        return ERR_NOT_FOUND;
    uint32_t first = index * (ac + sc);
    e = fdt_cells_u64(d, len, first, ac, addr);
    if (e != ERR_NONE)
        return e;
    *size = 0;
    return sc == 0 ? ERR_NONE : fdt_cells_u64(d, len, first + ac, sc, size);
}

err_t fdt_interrupt_parent(const struct fdt *f, uint32_t node, uint32_t *ctrl, uint32_t *cells)
{
    /* Walk up the ancestors: depth is capped, so at most FDT_MAX_DEPTH + 1 steps. */
    uint32_t cur = node;
    for (int step = 0; step <= FDT_MAX_DEPTH; step++) {
        uint32_t ph;
        err_t e = fdt_get_u32(f, cur, "interrupt-parent", &ph);
        if (e == ERR_NONE) {
            e = fdt_find_phandle(f, ph, ctrl);
            if (e != ERR_NONE)
                return e == ERR_NOT_FOUND ? ERR_INVALID : e; /* dangling phandle */
            e = fdt_get_u32(f, *ctrl, "#interrupt-cells", cells);
            if (e != ERR_NONE)
                return e == ERR_NOT_FOUND ? ERR_INVALID : e;
            return ERR_NONE;
        }
        if (e != ERR_NOT_FOUND)
            return e;
        e = fdt_parent(f, cur, &cur);
        if (e != ERR_NONE)
            return e; /* the root has none: ERR_NOT_FOUND */
    }
    return ERR_RANGE;
}

err_t fdt_interrupt_by_name(const struct fdt *f, uint32_t node, const char *name,
                            uint32_t *spec, uint32_t max_cells, uint32_t *ncells)
{
    const uint8_t *names, *ints;
    uint32_t names_len, ints_len, idx, ctrl, cells;
    err_t e = fdt_get_prop(f, node, "interrupt-names", &names, &names_len);
    if (e == ERR_NONE)
        e = fdt_stringlist_index(names, names_len, name, &idx);
    if (e == ERR_NONE)
        e = fdt_get_prop(f, node, "interrupts", &ints, &ints_len);
    if (e == ERR_NONE)
        e = fdt_interrupt_parent(f, node, &ctrl, &cells);
    if (e != ERR_NONE)
        return e;
    if (cells == 0 || cells > max_cells)
        return ERR_UNSUPPORTED;
    if (ints_len % (cells * 4) != 0)
        return ERR_INVALID;
    if (idx >= ints_len / (cells * 4))
        return ERR_INVALID; /* a name without an interrupt */
    for (uint32_t k = 0; k < cells; k++) {
        e = fdt_cell(ints, ints_len, idx * cells + k, &spec[k]);
        if (e != ERR_NONE)
            return e;
    }
    *ncells = cells;
    return ERR_NONE;
}
