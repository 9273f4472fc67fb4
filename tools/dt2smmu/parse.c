/* dt2smmu: reading the device tree (libfdt). Every read goes through libfdt's bounded
 * accessors after fdt_check_full() accepted the blob; property contents are read with
 * explicit length checks; nothing here trusts a count taken from the input. */
#define _POSIX_C_SOURCE 200809L
#include "dt2smmu.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const dt2smmu_irq_names[DT2SMMU_NIRQ_NAMES] = { "eventq", "priq", "cmdq-sync", "gerror",
                                                             "combined" };

#define DT_MAX_INTERRUPT_CELLS 8

/* ---- small helpers ------------------------------------------------------------------------ */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    return p;
}

static void *xrealloc_array(void *p, size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    return d;
}

void dt2smmu_error(struct dt2smmu *r, const char *node, const char *prop, const char *fmt, ...)
{
    char msg[512];
    int n = 0;
    if (node && prop)
        n = snprintf(msg, sizeof(msg), "%s: %s: ", node, prop);
    else if (node)
        n = snprintf(msg, sizeof(msg), "%s: ", node);
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    if (r->nerrors < DT2SMMU_MAX_ERRORS)
        r->errors[r->nerrors] = xstrdup(msg);
    r->nerrors++;
}

static void add_note(struct dt2smmu *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(struct dt2smmu *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->notes = xrealloc_array(r->notes, r->nnotes + 1, sizeof(*r->notes));
    r->notes[r->nnotes++].text = xstrdup(msg);
}

unsigned dt2smmu_bits_for(uint32_t max_sid)
{
    unsigned bits = 1;
    while (bits < 32 && (max_sid >> bits) != 0)
        bits++;
    return bits;
}

static uint32_t cell_at(const void *p, unsigned i)
{
    const uint8_t *b = (const uint8_t *)p + (size_t)i * 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A value of 0, 1 or 2 cells (callers check n <= 2). */
static uint64_t cells_value(const void *p, unsigned first, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 32 | cell_at(p, first + i);
    return v;
}

static char *path_of(const struct dt2smmu *r, int off)
{
    char buf[1024];
    if (fdt_get_path(r->fdt, off, buf, (int)sizeof(buf)) < 0)
        snprintf(buf, sizeof(buf), "<node at offset %d>", off);
    return xstrdup(buf);
}

/* Index of node offset `off` in the node table, or -1. */
static int node_index(const struct dt2smmu *r, int off)
{
    unsigned lo = 0, hi = r->nnodes;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (r->node_off[mid] == off)
            return (int)mid;
        if (r->node_off[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int parent_off(const struct dt2smmu *r, int off)
{
    int i = node_index(r, off);
    if (i < 0 || r->node_parent[i] < 0)
        return -1;
    return r->node_off[r->node_parent[i]];
}

/* A u32 property: 1 present, 0 absent, -1 present but not 4 bytes long. */
static int get_u32(const struct dt2smmu *r, int off, const char *name, uint32_t *val)
{
    int len;
    const void *p = fdt_getprop(r->fdt, off, name, &len);
    if (!p)
        return 0;
    if (len != 4)
        return -1;
    *val = cell_at(p, 0);
    return 1;
}

/* A string property (NUL-terminated within its length), or NULL. */
static const char *get_string(const struct dt2smmu *r, int off, const char *name)
{
    int len;
    const char *p = fdt_getprop(r->fdt, off, name, &len);
    if (!p || len <= 0 || p[len - 1] != '\0')
        return NULL;
    return p;
}

static bool node_enabled(const struct dt2smmu *r, int off)
{
    int len;
    const char *p = fdt_getprop(r->fdt, off, "status", &len);
    if (!p)
        return true;
    if (len <= 0 || p[len - 1] != '\0')
        return false;
    return strcmp(p, "okay") == 0 || strcmp(p, "ok") == 0;
}

/* Whether any string of the node's "compatible" contains `part`. */
static bool compatible_contains(const struct dt2smmu *r, int off, const char *part)
{
    int len;
    const char *p = fdt_getprop(r->fdt, off, "compatible", &len);
    if (!p || len <= 0)
        return false;
    int i = 0;
    while (i < len) {
        const char *s = p + i;
        const char *end = memchr(s, '\0', (size_t)(len - i));
        if (!end)
            return false;
        if (strstr(s, part))
            return true;
        i += (int)(end - s) + 1;
    }
    return false;
}

/* #address-cells / #size-cells of `off` with the spec's defaults; -1 (and an error
 * naming the node) when malformed or beyond what we translate (2 cells). */
static int bus_cells(struct dt2smmu *r, int off, const char *name, unsigned dflt)
{
    uint32_t v;
    int g = get_u32(r, off, name, &v);
    if (g == 0)
        return (int)dflt;
    char *path = path_of(r, off);
    int ret = -1;
    if (g < 0)
        dt2smmu_error(r, path, name, "not a single cell");
    else if (v > 2)
        dt2smmu_error(r, path, name, "%u cells: more than dt2smmu translates (2)", v);
    else
        ret = (int)v;
    free(path);
    return ret;
}

/* The node a phandle names, or a negative libfdt error. */
static int by_phandle(const struct dt2smmu *r, uint32_t ph)
{
    if (ph == 0 || ph == 0xffffffffu)
        return -FDT_ERR_NOTFOUND;
    return fdt_node_offset_by_phandle(r->fdt, ph);
}

static int smmu_by_node(const struct dt2smmu *r, int off)
{
    for (unsigned i = 0; i < r->nsmmus; i++)
        if (r->smmus[i].node == off)
            return (int)i;
    return -1;
}

/* ---- the node table ---------------------------------------------------------------------- */

static bool build_node_table(struct dt2smmu *r)
{
    int stack[DT2SMMU_MAX_DEPTH];
    int depth = -1;
    size_t cap = 0;
    int off;
    for (off = fdt_next_node(r->fdt, -1, &depth); off >= 0 && depth >= 0;
         off = fdt_next_node(r->fdt, off, &depth)) {
        if (depth >= DT2SMMU_MAX_DEPTH) {
            char *p = path_of(r, off);
            dt2smmu_error(r, p, NULL, "nested deeper than %d levels", DT2SMMU_MAX_DEPTH);
            free(p);
            return false;
        }
        if (r->nnodes == cap) {
            cap = cap ? cap * 2 : 64;
            r->node_off = xrealloc_array(r->node_off, cap, sizeof(int));
            r->node_parent = xrealloc_array(r->node_parent, cap, sizeof(int));
        }
        r->node_off[r->nnodes] = off;
        r->node_parent[r->nnodes] = depth > 0 ? stack[depth - 1] : -1;
        stack[depth] = (int)r->nnodes;
        r->nnodes++;
    }
    if (off < 0 && off != -FDT_ERR_NOTFOUND) {
        dt2smmu_error(r, r->input_name, NULL, "corrupt DTB: %s", fdt_strerror(off));
        return false;
    }
    if (r->nnodes == 0) {
        dt2smmu_error(r, r->input_name, NULL, "corrupt DTB: no root node");
        return false;
    }
    return true;
}

/* ---- SMMU nodes ---------------------------------------------------------------------------- */

/* Translate a bus address of node `off` up to the CPU's address space through the
 * parents' "ranges" (Devicetree Specification 2.3.8). */
static bool translate(struct dt2smmu *r, int off, const char *path, uint64_t *addr, uint64_t size)
{
    int bus = parent_off(r, off);
    for (unsigned guard = 0; bus >= 0 && guard < DT2SMMU_MAX_DEPTH; guard++) {
        int up = parent_off(r, bus);
        if (up < 0)
            return true; /* reached the root: CPU addresses */
        int len;
        const void *ranges = fdt_getprop(r->fdt, bus, "ranges", &len);
        char *bpath = path_of(r, bus);
        if (!ranges) {
            dt2smmu_error(r, path, "reg", "parent %s has no ranges: the address is not visible to the CPU",
                          bpath);
            free(bpath);
            return false;
        }
        if (len > 0) {
            int ca = bus_cells(r, bus, "#address-cells", 2);
            int pa = bus_cells(r, up, "#address-cells", 2);
            int cs = bus_cells(r, bus, "#size-cells", 1);
            if (ca < 0 || pa < 0 || cs < 0) {
                free(bpath);
                return false;
            }
            unsigned entry = (unsigned)(ca + pa + cs);
            if (entry == 0 || len % (int)(entry * 4) != 0) {
                dt2smmu_error(r, bpath, "ranges", "%d bytes is not a whole number of %u-cell entries", len,
                              entry);
                free(bpath);
                return false;
            }
            unsigned n = (unsigned)len / (entry * 4);
            bool found = false;
            for (unsigned i = 0; i < n && !found; i++) {
                uint64_t child = cells_value(ranges, i * entry, (unsigned)ca);
                uint64_t parent = cells_value(ranges, i * entry + (unsigned)ca, (unsigned)pa);
                uint64_t rsize = cells_value(ranges, i * entry + (unsigned)(ca + pa), (unsigned)cs);
                if (*addr < child || *addr - child >= rsize)
                    continue;
                if (size > rsize - (*addr - child) ||
                    parent + (*addr - child) < parent) {
                    dt2smmu_error(r, path, "reg", "0x%llx size 0x%llx does not fit range %u of %s",
                                  (unsigned long long)*addr, (unsigned long long)size, i, bpath);
                    free(bpath);
                    return false;
                }
                *addr = parent + (*addr - child);
                found = true;
            }
            if (!found) {
                dt2smmu_error(r, path, "reg", "0x%llx is outside every range of %s", (unsigned long long)*addr,
                              bpath);
                free(bpath);
                return false;
            }
        }
        free(bpath);
        bus = up;
    }
    return true;
}

static bool read_smmu_reg(struct dt2smmu *r, struct dt_smmu *s)
{
    int bus = parent_off(r, s->node);
    if (bus < 0) {
        dt2smmu_error(r, s->path, "reg", "the root node cannot be an SMMU");
        return false;
    }
    int ac = bus_cells(r, bus, "#address-cells", 2), sc = bus_cells(r, bus, "#size-cells", 1);
    if (ac < 0 || sc < 0)
        return false;
    int len;
    const void *reg = fdt_getprop(r->fdt, s->node, "reg", &len);
    if (!reg) {
        dt2smmu_error(r, s->path, "reg", "missing: where are the SMMU's registers?");
        return false;
    }
    unsigned entry = (unsigned)(ac + sc);
    if (ac == 0 || len < (int)(entry * 4) || len % (int)(entry * 4) != 0) {
        dt2smmu_error(r, s->path, "reg", "%d bytes is not a whole number of <%d address, %d size> cell entries",
                      len, ac, sc);
        return false;
    }
    s->base = cells_value(reg, 0, (unsigned)ac);
    s->size = cells_value(reg, (unsigned)ac, (unsigned)sc);
    if (s->size == 0 || s->base + s->size < s->base) {
        dt2smmu_error(r, s->path, "reg", "empty or wrapping region 0x%llx size 0x%llx",
                      (unsigned long long)s->base, (unsigned long long)s->size);
        return false;
    }
    if (!translate(r, s->node, s->path, &s->base, s->size))
        return false;
    s->have_reg = true;
    return true;
}

/* The interrupt parent of `off`: its own or its nearest ancestor's interrupt-parent. */
static int interrupt_parent(struct dt2smmu *r, int off, const char *path)
{
    for (int n = off, guard = 0; n >= 0 && guard < DT2SMMU_MAX_DEPTH; n = parent_off(r, n), guard++) {
        uint32_t ph;
        int g = get_u32(r, n, "interrupt-parent", &ph);
        if (g == 0)
            continue;
        if (g < 0) {
            char *p = path_of(r, n);
            dt2smmu_error(r, p, "interrupt-parent", "not a single phandle cell");
            free(p);
            return -1;
        }
        int target = by_phandle(r, ph);
        if (target < 0)
            dt2smmu_error(r, path, "interrupt-parent", "phandle 0x%x refers to no node", ph);
        return target < 0 ? -1 : target;
    }
    dt2smmu_error(r, path, "interrupts", "no interrupt-parent on the node or its ancestors");
    return -1;
}

/* #interrupt-cells of controller `ctl`, or 0 (and an error) when absent or unusable. */
static unsigned interrupt_cells(struct dt2smmu *r, int ctl, const char *user, const char *prop)
{
    uint32_t v;
    int g = get_u32(r, ctl, "#interrupt-cells", &v);
    if (g == 1 && v >= 1 && v <= DT_MAX_INTERRUPT_CELLS)
        return v;
    char *cp = path_of(r, ctl);
    if (g == 0)
        dt2smmu_error(r, user, prop, "interrupt controller %s has no #interrupt-cells", cp);
    else
        dt2smmu_error(r, cp, "#interrupt-cells", "must be one cell of 1..%d", DT_MAX_INTERRUPT_CELLS);
    free(cp);
    return 0;
}

static void record_irq(struct dt2smmu *r, struct dt_smmu *s, int ctl, const void *spec, unsigned ncells)
{
    if (s->nirq >= DT2SMMU_MAX_IRQS)
        return;
    struct dt_irq *q = &s->irq[s->nirq];
    memset(q, 0, sizeof(*q));
    q->ncells = ncells < 4 ? ncells : 4;
    for (unsigned i = 0; i < q->ncells; i++)
        q->cells[i] = cell_at(spec, i);
    q->kind = DT_IRQ_OTHER;
    q->parent = path_of(r, ctl);
    /* GIC bindings (arm,gic.yaml, arm,gic-v3.yaml): <type number flags>; type 0 SPI
     * (INTID 32 + n), 1 PPI (16 + n), 2 extended SPI (4096 + n). */
    if (compatible_contains(r, ctl, "gic") && ncells >= 3) {
        uint32_t type = q->cells[0], num = q->cells[1];
        if (type == 0 && num < 988) {
            q->kind = DT_IRQ_GIC_SPI;
            q->intid = num + 32;
        } else if (type == 1 && num < 16) {
            q->kind = DT_IRQ_GIC_PPI;
            q->intid = num + 16;
        } else if (type == 2 && num < 1024) {
            q->kind = DT_IRQ_GIC_SPI;
            q->intid = num + 4096;
        }
    }
    const char *name = NULL;
    int nlen;
    name = fdt_stringlist_get(r->fdt, s->node, "interrupt-names", (int)s->nirq, &nlen);
    if (name && nlen > 0)
        snprintf(q->name, sizeof(q->name), "%.*s", nlen, name);
    s->nirq++;
}

static void read_smmu_irqs(struct dt2smmu *r, struct dt_smmu *s)
{
    int len;
    const void *ext = fdt_getprop(r->fdt, s->node, "interrupts-extended", &len);
    if (ext) {
        if (len % 4) {
            dt2smmu_error(r, s->path, "interrupts-extended", "%d bytes is not a whole number of cells", len);
            return;
        }
        unsigned cells = (unsigned)len / 4, i = 0;
        for (unsigned spec = 0; i < cells; spec++) {
            uint32_t ph = cell_at(ext, i);
            int ctl = by_phandle(r, ph);
            if (ctl < 0) {
                dt2smmu_error(r, s->path, "interrupts-extended", "specifier %u: phandle 0x%x refers to no node",
                              spec, ph);
                return;
            }
            unsigned n = interrupt_cells(r, ctl, s->path, "interrupts-extended");
            if (!n)
                return;
            if (cells - i - 1 < n) {
                dt2smmu_error(r, s->path, "interrupts-extended",
                              "specifier %u is truncated: its controller takes %u cells, %u left", spec, n,
                              cells - i - 1);
                return;
            }
            record_irq(r, s, ctl, (const uint8_t *)ext + (size_t)(i + 1) * 4, n);
            i += 1 + n;
        }
        return;
    }
    const void *irqs = fdt_getprop(r->fdt, s->node, "interrupts", &len);
    if (!irqs)
        return; /* MSI-only (msi-parent) or polled */
    int ctl = interrupt_parent(r, s->node, s->path);
    if (ctl < 0)
        return;
    unsigned n = interrupt_cells(r, ctl, s->path, "interrupts");
    if (!n)
        return;
    if (len <= 0 || len % (int)(n * 4) != 0) {
        dt2smmu_error(r, s->path, "interrupts", "%d bytes is not a whole number of %u-cell specifiers", len, n);
        return;
    }
    for (unsigned i = 0; i < (unsigned)len / (n * 4); i++)
        record_irq(r, s, ctl, (const uint8_t *)irqs + (size_t)i * n * 4, n);
}

static void find_smmus(struct dt2smmu *r)
{
    for (unsigned k = 0; k < r->nnodes; k++) {
        int off = r->node_off[k];
        if (fdt_node_check_compatible(r->fdt, off, "arm,smmu-v3") != 0)
            continue;
        r->smmus = xrealloc_array(r->smmus, r->nsmmus + 1, sizeof(*r->smmus));
        struct dt_smmu *s = &r->smmus[r->nsmmus++];
        memset(s, 0, sizeof(*s));
        s->node = off;
        s->path = path_of(r, off);
        s->enabled = node_enabled(r, off);
        s->id = -1;
        s->hw_sid_bits = 32;
        s->phandle = fdt_get_phandle(r->fdt, off);
        s->coherent = fdt_getprop(r->fdt, off, "dma-coherent", NULL) != NULL;
        s->msi = fdt_getprop(r->fdt, off, "msi-parent", NULL) != NULL;
        /* The binding fixes #iommu-cells at 1: the cell is the StreamID. */
        uint32_t cells;
        int g = get_u32(r, off, "#iommu-cells", &cells);
        if (g == 0)
            dt2smmu_error(r, s->path, "#iommu-cells", "missing; arm,smmu-v3 takes 1 (the StreamID)");
        else if (g < 0)
            dt2smmu_error(r, s->path, "#iommu-cells", "not a single cell");
        else if (cells != 1)
            dt2smmu_error(r, s->path, "#iommu-cells", "is %u; arm,smmu-v3 takes 1 (the StreamID)", cells);
        if (!s->enabled)
            continue;
        if (r->nenabled >= DT2SMMU_MAX_SMMUS) {
            dt2smmu_error(r, s->path, NULL, "more than %d enabled SMMUv3 instances (capDevID is 4 bits)",
                          DT2SMMU_MAX_SMMUS);
            s->enabled = false;
            continue;
        }
        s->id = (int)r->nenabled++;
        read_smmu_reg(r, s);
        read_smmu_irqs(r, s);
    }
}

/* ---- masters ------------------------------------------------------------------------------- */

/* #iommu-cells of the IOMMU at `target`; false (with an error) when it is not one. */
static bool iommu_cells_of(struct dt2smmu *r, const char *user, const char *prop, unsigned spec, uint32_t ph,
                           int target, unsigned *cells)
{
    uint32_t v;
    int g = get_u32(r, target, "#iommu-cells", &v);
    char *tp = path_of(r, target);
    bool ok = false;
    if (g == 0)
        dt2smmu_error(r, user, prop, "%s %u: phandle 0x%x refers to %s, which has no #iommu-cells",
                      strcmp(prop, "iommus") == 0 ? "specifier" : "entry", spec, ph, tp);
    else if (g < 0 || v > DT2SMMU_MAX_IOMMU_CELLS)
        dt2smmu_error(r, tp, "#iommu-cells", "must be one cell of 0..%d", DT2SMMU_MAX_IOMMU_CELLS);
    else {
        *cells = v;
        ok = true;
    }
    free(tp);
    return ok;
}

static void add_range(struct dt_master *m, const struct dt_sid_range *rg)
{
    m->ranges = xrealloc_array(m->ranges, m->nranges + 1, sizeof(*m->ranges));
    m->ranges[m->nranges++] = *rg;
}

static struct dt_master *new_master(struct dt2smmu *r, int off, enum dt_master_kind kind, const char *prop)
{
    r->masters = xrealloc_array(r->masters, r->nmasters + 1, sizeof(*r->masters));
    struct dt_master *m = &r->masters[r->nmasters++];
    memset(m, 0, sizeof(*m));
    m->node = off;
    m->path = path_of(r, off);
    m->kind = kind;
    m->prop = prop;
    m->domain = -1;
    m->bus_hi = 255;
    m->map_mask = 0xffffffffu;
    return m;
}

/* Whether an SMMUv3 target is usable; notes why not. */
static bool usable_smmu(struct dt2smmu *r, const char *user, const char *prop, unsigned spec, int si)
{
    struct dt_smmu *s = &r->smmus[si];
    if (!s->enabled) {
        add_note(r, "%s: %s %u: on disabled SMMU %s: skipped", user,
                 strcmp(prop, "iommus") == 0 ? "specifier" : "iommu-map entry", spec, s->path);
        return false;
    }
    return true;
}

static void parse_iommus(struct dt2smmu *r, int off)
{
    int len;
    const void *p = fdt_getprop(r->fdt, off, "iommus", &len);
    struct dt_master *m = new_master(r, off, DT_MASTER_PLATFORM, "iommus");
    if (len <= 0 || len % 4) {
        dt2smmu_error(r, m->path, "iommus", "%d bytes is not a whole number of cells", len);
        return;
    }
    unsigned cells = (unsigned)len / 4;
    /* Most lists name SMMUv3s only: then the count must be a multiple of 2. */
    int first = by_phandle(r, cell_at(p, 0));
    if (first >= 0 && smmu_by_node(r, first) >= 0 && cells % 2 != 0) {
        char *fp = path_of(r, first);
        dt2smmu_error(r, m->path, "iommus",
                      "%u cells is not a whole number of <phandle StreamID> specifiers (%s has #iommu-cells = 1)",
                      cells, fp);
        free(fp);
        return;
    }
    for (unsigned i = 0, spec = 0; i < cells; spec++) {
        uint32_t ph = cell_at(p, i);
        int target = by_phandle(r, ph);
        if (target < 0) {
            dt2smmu_error(r, m->path, "iommus", "specifier %u: phandle 0x%x refers to no node", spec, ph);
            return;
        }
        unsigned n;
        if (!iommu_cells_of(r, m->path, "iommus", spec, ph, target, &n))
            return;
        if (cells - i - 1 < n) {
            char *tp = path_of(r, target);
            dt2smmu_error(r, m->path, "iommus", "specifier %u is truncated: %s takes %u cell(s), %u left", spec,
                          tp, n, cells - i - 1);
            free(tp);
            return;
        }
        int si = smmu_by_node(r, target);
        if (si < 0) {
            char *tp = path_of(r, target);
            add_note(r, "%s: iommus: specifier %u names %s, not an arm,smmu-v3: left to its own driver", m->path,
                     spec, tp);
            free(tp);
        } else if (n != 1) {
            /* #iommu-cells already reported on the SMMU node */
        } else if (usable_smmu(r, m->path, "iommus", spec, si)) {
            uint32_t sid = cell_at(p, i + 1);
            struct dt_sid_range rg = { .smmu = (unsigned)si, .lo = sid, .hi = sid, .entry = spec };
            add_range(m, &rg);
        }
        i += 1 + n;
    }
}

/* Smallest value >= lo whose bits all lie in `mask` (a submask), or false. */
static bool min_submask_ge(uint32_t mask, uint32_t lo, uint32_t *out)
{
    uint32_t outside = lo & ~mask;
    if (outside == 0) {
        *out = lo;
        return true;
    }
    /* Keep lo's bits above some position p > (highest bit outside the mask), set bit p
     * (in the mask, clear in lo), clear everything below: the lowest such p wins. */
    unsigned h = 31;
    while (!(outside >> h & 1u))
        h--;
    for (unsigned p = h + 1; p < 32; p++) {
        uint64_t bit = 1ull << p;
        if ((mask & bit) && !(lo & bit)) {
            *out = (uint32_t)(((uint64_t)lo & ~((bit << 1) - 1)) | bit);
            return true;
        }
    }
    return false;
}

/* Largest submask of `mask` that is <= hi (0 always qualifies). */
static uint32_t max_submask_le(uint32_t mask, uint32_t hi)
{
    uint32_t v = 0;
    for (int b = 31; b >= 0; b--) {
        uint32_t bit = 1u << b;
        if (!(hi & bit))
            continue;
        if (mask & bit)
            v |= bit;
        else
            return v | (mask & (bit - 1)); /* below hi from here on: take every lower bit */
    }
    return v;
}

static void parse_iommu_map(struct dt2smmu *r, int off)
{
    int len;
    const void *p = fdt_getprop(r->fdt, off, "iommu-map", &len);
    struct dt_master *m = new_master(r, off, DT_MASTER_BUS, "iommu-map");
    const char *dtype = get_string(r, off, "device_type");
    m->pci = dtype && strcmp(dtype, "pci") == 0;
    uint32_t v;
    int g = get_u32(r, off, "iommu-map-mask", &v);
    if (g < 0) {
        dt2smmu_error(r, m->path, "iommu-map-mask", "not a single cell");
        return;
    }
    if (g > 0) {
        m->has_mask = true;
        m->map_mask = v;
    }
    if (get_u32(r, off, "linux,pci-domain", &v) > 0 && v <= 0xffff)
        m->domain = (int)v;
    int blen;
    const void *br = fdt_getprop(r->fdt, off, "bus-range", &blen);
    if (br) {
        if (blen != 8 || cell_at(br, 0) > cell_at(br, 1) || cell_at(br, 1) > 255) {
            dt2smmu_error(r, m->path, "bus-range", "not <first last> with first <= last <= 255");
            return;
        }
        m->bus_lo = cell_at(br, 0);
        m->bus_hi = cell_at(br, 1);
    }
    if (len <= 0 || len % 4) {
        dt2smmu_error(r, m->path, "iommu-map", "%d bytes is not a whole number of cells", len);
        return;
    }
    unsigned cells = (unsigned)len / 4;
    int first = cells >= 2 ? by_phandle(r, cell_at(p, 1)) : -1;
    if (cells < 2 || (first >= 0 && smmu_by_node(r, first) >= 0 && cells % 4 != 0)) {
        dt2smmu_error(r, m->path, "iommu-map",
                      "%u cells is not a whole number of <rid-base phandle sid-base length> entries", cells);
        return;
    }
    for (unsigned i = 0, e = 0; i < cells; e++) {
        if (cells - i < 2) {
            dt2smmu_error(r, m->path, "iommu-map", "entry %u is truncated: %u cell(s) left", e, cells - i);
            return;
        }
        uint32_t rid_base = cell_at(p, i), ph = cell_at(p, i + 1);
        int target = by_phandle(r, ph);
        if (target < 0) {
            dt2smmu_error(r, m->path, "iommu-map", "entry %u: phandle 0x%x refers to no node", e, ph);
            return;
        }
        unsigned n;
        if (!iommu_cells_of(r, m->path, "iommu-map", e, ph, target, &n))
            return;
        if (cells - i - 2 < n + 1) {
            char *tp = path_of(r, target);
            dt2smmu_error(r, m->path, "iommu-map",
                          "entry %u is truncated: %s takes %u specifier cell(s) and a length, %u cell(s) left", e,
                          tp, n, cells - i - 2);
            free(tp);
            return;
        }
        uint32_t length = cell_at(p, i + 2 + n);
        int si = smmu_by_node(r, target);
        if (si >= 0 && n == 1) {
            uint32_t sid_base = cell_at(p, i + 2);
            bool ok = true;
            if (length == 0) {
                dt2smmu_error(r, m->path, "iommu-map", "entry %u: length is 0", e);
                ok = false;
            } else if ((uint64_t)rid_base + length - 1 > 0xffffffffu) {
                dt2smmu_error(r, m->path, "iommu-map", "entry %u: RIDs 0x%x + 0x%x wrap past 0xffffffff", e,
                              rid_base, length);
                ok = false;
            } else if ((uint64_t)sid_base + length - 1 > 0xffffffffu) {
                dt2smmu_error(r, m->path, "iommu-map", "entry %u: StreamIDs 0x%x + 0x%x wrap past 0xffffffff",
                              e, sid_base, length);
                ok = false;
            }
            if (ok && usable_smmu(r, m->path, "iommu-map", e, si)) {
                /* Requester IDs are masked before the lookup: only masked values in the
                 * entry's range reach it. A host bridge's RIDs lie within its bus-range;
                 * masking only lowers a RID, so the range bounds them from above (and from
                 * below when there is no mask). */
                uint32_t rid_end = rid_base + (length - 1), rid_lo = rid_base, lo_rid;
                if (m->pci) {
                    uint32_t bus_end = m->bus_hi << 8 | 0xffu, bus_start = m->bus_lo << 8;
                    if (rid_end > bus_end)
                        rid_end = bus_end;
                    if (!m->has_mask && rid_lo < bus_start)
                        rid_lo = bus_start;
                }
                if (rid_lo > rid_end || !min_submask_ge(m->map_mask, rid_lo, &lo_rid) || lo_rid > rid_end) {
                    add_note(r, "%s: iommu-map entry %u: no requester ID within bus-range and iommu-map-mask reaches it",
                             m->path, e);
                } else {
                    uint32_t hi_rid = max_submask_le(m->map_mask, rid_end);
                    struct dt_sid_range rg = { .smmu = (unsigned)si,
                                               .lo = sid_base + (lo_rid - rid_base),
                                               .hi = sid_base + (hi_rid - rid_base),
                                               .entry = e,
                                               .rid_base = rid_base,
                                               .sid_base = sid_base,
                                               .length = length };
                    add_range(m, &rg);
                }
            }
        } else if (si < 0) {
            char *tp = path_of(r, target);
            add_note(r, "%s: iommu-map entry %u names %s, not an arm,smmu-v3: left to its own driver", m->path,
                     e, tp);
            free(tp);
        }
        i += 2 + n + 1;
    }
}

static void find_masters(struct dt2smmu *r)
{
    for (unsigned k = 0; k < r->nnodes; k++) {
        int off = r->node_off[k];
        bool has_iommus = fdt_getprop(r->fdt, off, "iommus", NULL) != NULL;
        bool has_map = fdt_getprop(r->fdt, off, "iommu-map", NULL) != NULL;
        if (!has_iommus && !has_map)
            continue;
        if (!node_enabled(r, off)) {
            char *p = path_of(r, off);
            add_note(r, "%s: disabled (status): its %s skipped", p, has_iommus ? "iommus" : "iommu-map");
            free(p);
            continue;
        }
        if (has_iommus)
            parse_iommus(r, off);
        if (has_map)
            parse_iommu_map(r, off);
    }
}

/* ---- checks -------------------------------------------------------------------------------- */

static void apply_sid_bits(struct dt2smmu *r, const struct dt_assignment *a)
{
    for (unsigned i = 0; a && i < a->nbits; i++) {
        const struct dt_sid_bits_line *b = &a->bits[i];
        int off = fdt_path_offset(r->fdt, b->path);
        int si = off >= 0 ? smmu_by_node(r, off) : -1;
        if (si < 0) {
            dt2smmu_error(r, NULL, NULL, "%s:%u: sid-bits: %s is not an arm,smmu-v3 node", a->name, b->line,
                          b->path);
            continue;
        }
        r->smmus[si].hw_sid_bits = b->bits;
        r->smmus[si].hw_sid_bits_declared = true;
    }
}

static void check_widths(struct dt2smmu *r)
{
    for (unsigned mi = 0; mi < r->nmasters; mi++) {
        struct dt_master *m = &r->masters[mi];
        for (unsigned k = 0; k < m->nranges; k++) {
            struct dt_sid_range *rg = &m->ranges[k];
            struct dt_smmu *s = &r->smmus[rg->smmu];
            if (s->hw_sid_bits < 32 && (rg->hi >> s->hw_sid_bits) != 0) {
                if (m->kind == DT_MASTER_PLATFORM)
                    dt2smmu_error(r, m->path, m->prop,
                                  "specifier %u: StreamID 0x%x is wider than the %u SID bits of %s", rg->entry,
                                  rg->hi, s->hw_sid_bits, s->path);
                else
                    dt2smmu_error(r, m->path, m->prop,
                                  "entry %u: StreamIDs up to 0x%x are wider than the %u SID bits of %s",
                                  rg->entry, rg->hi, s->hw_sid_bits, s->path);
            }
            if (!s->any_sid || rg->hi > s->max_sid)
                s->max_sid = rg->hi;
            s->any_sid = true;
        }
    }
}

struct claim {
    unsigned smmu;
    uint32_t lo, hi;
    unsigned master, range;
};

static int claim_cmp(const void *a, const void *b)
{
    const struct claim *x = a, *y = b;
    if (x->smmu != y->smmu)
        return x->smmu < y->smmu ? -1 : 1;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    if (x->master != y->master)
        return x->master < y->master ? -1 : 1;
    return x->range < y->range ? -1 : x->range > y->range;
}

static void describe_claim(const struct dt2smmu *r, const struct claim *c, char *buf, size_t n)
{
    const struct dt_master *m = &r->masters[c->master];
    const struct dt_sid_range *rg = &m->ranges[c->range];
    if (c->lo == c->hi)
        snprintf(buf, n, "0x%x of %s (%s %s %u)", c->lo, m->path, m->prop,
                 m->kind == DT_MASTER_PLATFORM ? "specifier" : "entry", rg->entry);
    else
        snprintf(buf, n, "0x%x..0x%x of %s (%s entry %u)", c->lo, c->hi, m->path, m->prop, rg->entry);
}

/* Two masters (or two entries of one) that can emit the same StreamID on one SMMU would
 * share its STE: whoever gets the cap would control the other's DMA. */
static void check_overlaps(struct dt2smmu *r)
{
    size_t n = 0;
    for (unsigned mi = 0; mi < r->nmasters; mi++)
        n += r->masters[mi].nranges;
    if (n < 2)
        return;
    struct claim *c = xcalloc(n, sizeof(*c));
    size_t k = 0;
    for (unsigned mi = 0; mi < r->nmasters; mi++)
        for (unsigned ri = 0; ri < r->masters[mi].nranges; ri++) {
            const struct dt_sid_range *rg = &r->masters[mi].ranges[ri];
            c[k++] = (struct claim){ rg->smmu, rg->lo, rg->hi, mi, ri };
        }
    qsort(c, n, sizeof(*c), claim_cmp);
    size_t widest = 0;
    for (size_t i = 1; i < n; i++) {
        if (c[i].smmu != c[widest].smmu) {
            widest = i;
            continue;
        }
        if (c[i].lo <= c[widest].hi) {
            char a[600], b[600];
            describe_claim(r, &c[widest], a, sizeof(a));
            describe_claim(r, &c[i], b, sizeof(b));
            const struct dt_master *m = &r->masters[c[i].master];
            bool dup = c[i].lo == c[i].hi && c[widest].lo == c[widest].hi;
            dt2smmu_error(r, m->path, m->prop, "%s StreamID%s on %s: %s and %s", dup ? "duplicate" : "overlapping",
                          dup ? "" : "s", r->smmus[c[i].smmu].path, a, b);
        }
        if (c[i].hi > c[widest].hi)
            widest = i;
    }
    free(c);
}

/* ---- entry points ------------------------------------------------------------------------- */

bool dt2smmu_analyse(struct dt2smmu *r, const void *blob, size_t size, const char *input_name,
                     const struct dt_assignment *assignment)
{
    r->fdt = blob;
    r->fdt_size = size;
    r->input_name = input_name ? input_name : "<dtb>";
    unsigned before = r->nerrors;
    if (size > INT32_MAX) {
        dt2smmu_error(r, r->input_name, NULL, "corrupt DTB: larger than 2 GiB");
        return false;
    }
    /* Versions 16 and 17 only (what dtc and QEMU write). Older formats take paths in
     * libfdt that Debian's 1.6.1 gets wrong: fdt_check_full() dereferences NULL when a
     * pre-v16 root node's name has no '/' (found by tests/fuzz/fuzz_dt2smmu). */
    if (size >= 28 && cells_value(blob, 0, 1) == FDT_MAGIC) {
        uint32_t version = cell_at(blob, 5), last_comp = cell_at(blob, 6);
        if (version < 16 || last_comp > 17) {
            dt2smmu_error(r, r->input_name, NULL, "corrupt DTB: version %u (compatible with %u); dt2smmu reads 16 and 17",
                          version, last_comp);
            return false;
        }
    }
    int e = fdt_check_full(blob, size);
    if (e < 0) {
        dt2smmu_error(r, r->input_name, NULL, "%s DTB: %s",
                      e == -FDT_ERR_TRUNCATED || (size >= 8 && fdt_totalsize(blob) > size) ? "truncated" : "corrupt",
                      fdt_strerror(e));
        return false;
    }
    if (!build_node_table(r))
        return false;
    find_smmus(r);
    find_masters(r);
    apply_sid_bits(r, assignment);
    check_widths(r);
    check_overlaps(r);
    if (r->nerrors == before && assignment)
        dt2smmu_resolve_assignment(r, assignment);
    return r->nerrors == before;
}

void dt2smmu_free(struct dt2smmu *r)
{
    for (unsigned i = 0; i < r->nsmmus; i++) {
        free(r->smmus[i].path);
        for (unsigned q = 0; q < r->smmus[i].nirq; q++)
            free(r->smmus[i].irq[q].parent);
    }
    free(r->smmus);
    for (unsigned i = 0; i < r->nmasters; i++) {
        free(r->masters[i].path);
        free(r->masters[i].ranges);
    }
    free(r->masters);
    for (unsigned i = 0; i < r->nnotes; i++)
        free(r->notes[i].text);
    free(r->notes);
    free(r->grants);
    for (unsigned i = 0; i < r->nerrors && i < DT2SMMU_MAX_ERRORS; i++)
        free(r->errors[i]);
    free(r->node_off);
    free(r->node_parent);
    memset(r, 0, sizeof(*r));
}

void dt2smmu_print_errors(const struct dt2smmu *r, FILE *out)
{
    for (unsigned i = 0; i < r->nerrors && i < DT2SMMU_MAX_ERRORS; i++)
        fprintf(out, "dt2smmu: error: %s\n", r->errors[i]);
    if (r->nerrors > DT2SMMU_MAX_ERRORS)
        fprintf(out, "dt2smmu: ... and %u more errors\n", r->nerrors - DT2SMMU_MAX_ERRORS);
}
