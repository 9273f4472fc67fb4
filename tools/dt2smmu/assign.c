/* dt2smmu: the assignment file (which masters get pre-generated SID/CB caps, and for
 * whom) and its resolution against the device tree.
 *
 *   # comment
 *   assign <component> <master>      master: /node/path          (all its iommus StreamIDs)
 *                                            pci [BRIDGE] BB:DD.F (through the iommu-map)
 *                                    BRIDGE: a host bridge's node path, or a domain DDDD:
 *                                            written as DDDD:BB:DD.F
 *   sid-bits <smmu-node-path> <bits> the SMMU's StreamID width (IDR1.SIDSIZE), checked
 */
#define _POSIX_C_SOURCE 200809L
#include "dt2smmu.h"

#include <ctype.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 6

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void *grow(void *p, size_t n, size_t size)
{
    void *q = realloc(p, n * size);
    if (!q) {
        fprintf(stderr, "dt2smmu: out of memory\n");
        exit(3);
    }
    return q;
}

static bool parse_hex(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (n == 0 || n > 8)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        v = v * 16 + (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* [DDDD:]BB:DD.F, lspci's notation (hexadecimal). */
static bool parse_bdf(const char *s, int *domain, unsigned *bus, unsigned *dev, unsigned *fn)
{
    const char *dot = strrchr(s, '.');
    if (!dot)
        return false;
    const char *c2 = NULL, *c1 = NULL;
    for (const char *p = s; p < dot; p++)
        if (*p == ':') {
            c1 = c2;
            c2 = p;
        }
    if (!c2)
        return false;
    const char *bus_s = c1 ? c1 + 1 : s;
    unsigned d = 0;
    if (c1 && !parse_hex(s, (size_t)(c1 - s), 0xffff, &d))
        return false;
    *domain = c1 ? (int)d : -1;
    return parse_hex(bus_s, (size_t)(c2 - bus_s), 0xff, bus) && parse_hex(c2 + 1, (size_t)(dot - c2 - 1), 0x1f, dev) &&
           parse_hex(dot + 1, strlen(dot + 1), 7, fn);
}

static bool component_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

bool dt2smmu_assignment_parse(struct dt2smmu *r, const char *name, const char *text, size_t len,
                              struct dt_assignment *out)
{
    memset(out, 0, sizeof(*out));
    out->name = dup_n(name, strlen(name));
    unsigned before = r->nerrors;
    size_t pos = 0;
    for (unsigned line = 1; pos < len; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        char *l = dup_n(text + pos, end - pos);
        pos = end + 1;
        char *hash = strchr(l, '#');
        if (hash)
            *hash = '\0';
        char *tok[MAX_TOKENS + 1];
        unsigned nt = 0;
        for (char *save = NULL, *t = strtok_r(l, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
            if (nt < MAX_TOKENS + 1)
                tok[nt] = t;
            nt++;
        }
        if (nt == 0) {
            free(l);
            continue;
        }
        if (strcmp(tok[0], "sid-bits") == 0) {
            char *endp = NULL;
            long bits = nt == 3 ? strtol(tok[2], &endp, 0) : 0;
            if (nt != 3 || tok[1][0] != '/' || !endp || *endp || bits < 1 || bits > 32) {
                dt2smmu_error(r, NULL, NULL, "%s:%u: expected: sid-bits /smmu/node/path <1..32>", name, line);
            } else {
                out->bits = grow(out->bits, out->nbits + 1, sizeof(*out->bits));
                out->bits[out->nbits++] = (struct dt_sid_bits_line){ line, dup_n(tok[1], strlen(tok[1])),
                                                                     (unsigned)bits };
            }
        } else if (strcmp(tok[0], "assign") == 0) {
            struct dt_assign_line a = { .line = line, .domain = -1 };
            bool ok = nt >= 3 && component_ok(tok[1]);
            if (ok && nt == 3 && tok[2][0] == '/') {
                a.kind = DT_SEL_NODE;
                a.path = dup_n(tok[2], strlen(tok[2]));
                a.text = dup_n(tok[2], strlen(tok[2]));
            } else if (ok && strcmp(tok[2], "pci") == 0 && (nt == 4 || (nt == 5 && tok[3][0] == '/'))) {
                const char *bdf = tok[nt - 1];
                a.kind = DT_SEL_PCI;
                ok = parse_bdf(bdf, &a.domain, &a.bus, &a.dev, &a.fn) && !(nt == 5 && a.domain >= 0);
                if (ok) {
                    a.path = nt == 5 ? dup_n(tok[3], strlen(tok[3])) : NULL;
                    char buf[1100];
                    snprintf(buf, sizeof(buf), "pci %s%s%s", nt == 5 ? tok[3] : "", nt == 5 ? " " : "", bdf);
                    a.text = dup_n(buf, strlen(buf));
                }
            } else {
                ok = false;
            }
            if (!ok) {
                dt2smmu_error(r, NULL, NULL,
                              "%s:%u: expected: assign <component> </node/path | pci [/bridge/path] [DDDD:]BB:DD.F>",
                              name, line);
                free(a.path);
            } else {
                a.component = dup_n(tok[1], strlen(tok[1]));
                out->assign = grow(out->assign, out->nassign + 1, sizeof(*out->assign));
                out->assign[out->nassign++] = a;
            }
        } else {
            dt2smmu_error(r, NULL, NULL, "%s:%u: unknown directive '%s' (assign, sid-bits)", name, line, tok[0]);
        }
        free(l);
    }
    return r->nerrors == before;
}

void dt2smmu_assignment_free(struct dt_assignment *a)
{
    for (unsigned i = 0; i < a->nassign; i++) {
        free(a->assign[i].component);
        free(a->assign[i].text);
        free(a->assign[i].path);
    }
    free(a->assign);
    for (unsigned i = 0; i < a->nbits; i++)
        free(a->bits[i].path);
    free(a->bits);
    free(a->name);
    memset(a, 0, sizeof(*a));
}

/* ---- resolution ------------------------------------------------------------------------------ */

static void grant(struct dt2smmu *r, const struct dt_assignment *a, unsigned ai, unsigned mi, unsigned smmu,
                  uint32_t sid, bool pci, uint32_t rid)
{
    for (unsigned g = 0; g < r->ngrants; g++) {
        const struct dt_grant *o = &r->grants[g];
        if (o->smmu == smmu && o->sid == sid) {
            dt2smmu_error(r, NULL, NULL, "%s:%u: %s: StreamID 0x%x on %s is already assigned by line %u (%s)", a->name,
                          a->assign[ai].line, a->assign[ai].text, sid, r->smmus[smmu].path,
                          a->assign[o->assign].line, a->assign[o->assign].text);
            return;
        }
    }
    r->grants = grow(r->grants, r->ngrants + 1, sizeof(*r->grants));
    r->grants[r->ngrants++] = (struct dt_grant){ ai, mi, smmu, sid, pci, rid };
}

static void resolve_node(struct dt2smmu *r, const struct dt_assignment *a, unsigned ai)
{
    const struct dt_assign_line *l = &a->assign[ai];
    int off = fdt_path_offset(r->fdt, l->path);
    if (off < 0) {
        dt2smmu_error(r, NULL, NULL, "%s:%u: no node %s in %s", a->name, l->line, l->path, r->input_name);
        return;
    }
    bool found = false;
    for (unsigned mi = 0; mi < r->nmasters; mi++) {
        const struct dt_master *m = &r->masters[mi];
        if (m->node != off)
            continue;
        if (m->kind == DT_MASTER_BUS) {
            if (!found)
                dt2smmu_error(r, NULL, NULL, "%s:%u: %s has an iommu-map: name its functions (pci %s BB:DD.F)",
                              a->name, l->line, m->path, m->path);
            return;
        }
        found = true;
        if (m->nranges == 0)
            dt2smmu_error(r, NULL, NULL, "%s:%u: %s: iommus: no StreamID on an enabled arm,smmu-v3", a->name, l->line,
                          m->path);
        for (unsigned k = 0; k < m->nranges; k++)
            grant(r, a, ai, mi, m->ranges[k].smmu, m->ranges[k].lo, false, 0);
    }
    if (found)
        return;
    const char *status = fdt_getprop(r->fdt, off, "status", NULL);
    if (status && fdt_getprop(r->fdt, off, "iommus", NULL))
        dt2smmu_error(r, NULL, NULL, "%s:%u: %s is disabled (status)", a->name, l->line, l->path);
    else
        dt2smmu_error(r, NULL, NULL, "%s:%u: %s: no iommus property: not a DMA master behind an SMMU", a->name,
                      l->line, l->path);
}

static void resolve_pci(struct dt2smmu *r, const struct dt_assignment *a, unsigned ai)
{
    const struct dt_assign_line *l = &a->assign[ai];
    int want = -1;
    if (l->path) {
        want = fdt_path_offset(r->fdt, l->path);
        if (want < 0) {
            dt2smmu_error(r, NULL, NULL, "%s:%u: no node %s in %s", a->name, l->line, l->path, r->input_name);
            return;
        }
    }
    int pick = -1;
    unsigned candidates = 0;
    for (unsigned mi = 0; mi < r->nmasters; mi++) {
        const struct dt_master *m = &r->masters[mi];
        if (m->kind != DT_MASTER_BUS || !m->pci)
            continue;
        if (want >= 0 && m->node != want)
            continue;
        if (l->domain >= 0 && m->domain != l->domain)
            continue;
        candidates++;
        pick = (int)mi;
    }
    if (candidates == 0) {
        if (l->path)
            dt2smmu_error(r, NULL, NULL, "%s:%u: %s is not a PCIe host bridge with an iommu-map", a->name, l->line,
                          l->path);
        else if (l->domain >= 0)
            dt2smmu_error(r, NULL, NULL, "%s:%u: no PCIe host bridge with linux,pci-domain = %d and an iommu-map",
                          a->name, l->line, l->domain);
        else
            dt2smmu_error(r, NULL, NULL, "%s:%u: no PCIe host bridge with an iommu-map in %s", a->name, l->line,
                          r->input_name);
        return;
    }
    if (candidates > 1) {
        dt2smmu_error(r, NULL, NULL, "%s:%u: %s: %u PCIe host bridges could be meant: name one (pci /path BB:DD.F)",
                      a->name, l->line, l->text, candidates);
        return;
    }
    const struct dt_master *m = &r->masters[pick];
    if (l->bus < m->bus_lo || l->bus > m->bus_hi) {
        dt2smmu_error(r, NULL, NULL, "%s:%u: %s: bus 0x%02x is outside bus-range 0x%02x..0x%02x of %s", a->name,
                      l->line, l->text, l->bus, m->bus_lo, m->bus_hi, m->path);
        return;
    }
    uint32_t rid = l->bus << 8 | l->dev << 3 | l->fn;
    uint32_t masked = rid & m->map_mask;
    for (unsigned k = 0; k < m->nranges; k++) {
        const struct dt_sid_range *rg = &m->ranges[k];
        if (masked >= rg->rid_base && masked - rg->rid_base < rg->length) {
            grant(r, a, ai, (unsigned)pick, rg->smmu, rg->sid_base + (masked - rg->rid_base), true, rid);
            return;
        }
    }
    dt2smmu_error(r, NULL, NULL, "%s:%u: %s: RID 0x%x (0x%x after iommu-map-mask) is not covered by %s's iommu-map",
                  a->name, l->line, l->text, rid, masked, m->path);
}

bool dt2smmu_resolve_assignment(struct dt2smmu *r, const struct dt_assignment *a)
{
    unsigned before = r->nerrors;
    r->assigned = true;
    for (unsigned ai = 0; ai < a->nassign; ai++) {
        if (a->assign[ai].kind == DT_SEL_NODE)
            resolve_node(r, a, ai);
        else
            resolve_pci(r, a, ai);
    }
    return r->nerrors == before;
}
