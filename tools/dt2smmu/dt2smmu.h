/* dt2smmu: from a flattened device tree to the SMMU configuration the kernel boots with.
 *
 * The library half (parse.c, assign.c, emit.c) works on a DTB in memory and never exits:
 * bad input becomes error messages in `struct dt2smmu`, each naming the node and the
 * property ("/soc/dma@1000: iommus: ..."). main.c is the command line around it; the
 * fuzzer (tests/fuzz/fuzz_dt2smmu.c) drives the same functions.
 *
 * What is read (Linux DT bindings: iommu/iommu.txt, iommu/arm,smmu-v3.yaml,
 * pci/pci-iommu.txt):
 *   - every "arm,smmu-v3" node: reg (translated to a CPU address through the parents'
 *     ranges), interrupts / interrupts-extended with interrupt-names, #iommu-cells (must
 *     be 1: the StreamID), dma-coherent, msi-parent, status;
 *   - every DMA master: nodes with "iommus = <&smmu sid>, ..." (any number of specifiers),
 *     and bus nodes (PCIe host bridges) with "iommu-map = <rid-base &smmu sid-base length>,
 *     ..." and "iommu-map-mask", whose requester-ID ranges become StreamID ranges.
 * An enabled SMMUv3 gets the next SMMU id (capDevID, 0..15) in device-tree order. */
#ifndef DT2SMMU_H
#define DT2SMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DT2SMMU_MAX_SMMUS 16      /* capDevID is 4 bits */
#define DT2SMMU_MAX_DEPTH 64      /* node nesting we accept */
#define DT2SMMU_MAX_IRQS 8        /* interrupts kept per SMMU */
#define DT2SMMU_MAX_IOMMU_CELLS 8 /* #iommu-cells of any IOMMU a specifier may name */
#define DT2SMMU_MAX_ERRORS 64     /* messages kept (all are counted) */

/* The interrupt names of the SMMUv3 binding, in the order the boot table stores them. */
#define DT2SMMU_NIRQ_NAMES 5
extern const char *const dt2smmu_irq_names[DT2SMMU_NIRQ_NAMES];

enum dt_irq_kind { DT_IRQ_GIC_SPI, DT_IRQ_GIC_PPI, DT_IRQ_OTHER };

struct dt_irq {
    char name[24];      /* from interrupt-names, "" when unnamed */
    enum dt_irq_kind kind;
    uint32_t cells[4];  /* the specifier (first four cells) */
    unsigned ncells;
    uint32_t intid;     /* GIC INTID (SPI + 32, PPI + 16); 0 for DT_IRQ_OTHER */
    char *parent;       /* the interrupt controller's path */
};

struct dt_smmu {
    int node;
    char *path;
    bool enabled;
    int id;                 /* SMMU id (capDevID), -1 when disabled */
    uint32_t phandle;
    bool have_reg;
    uint64_t base, size;    /* CPU address of the first reg entry */
    bool coherent;          /* dma-coherent */
    bool msi;               /* msi-parent: may signal through MSIs */
    unsigned nirq;
    struct dt_irq irq[DT2SMMU_MAX_IRQS];
    unsigned hw_sid_bits;   /* the hardware's SID width if declared (sid-bits), else 32 */
    bool hw_sid_bits_declared;
    bool any_sid;
    uint32_t max_sid;       /* largest StreamID any master can emit */
};

/* One run of StreamIDs a master emits on one SMMU. A platform master has one per iommus
 * specifier (lo == hi); a bus has one per iommu-map entry. */
struct dt_sid_range {
    unsigned smmu;          /* index into dt2smmu.smmus */
    uint32_t lo, hi;        /* StreamIDs reachable, inclusive (after iommu-map-mask) */
    unsigned entry;         /* specifier / iommu-map entry index */
    uint32_t rid_base, sid_base, length; /* iommu-map only: the entry as written */
};

enum dt_master_kind { DT_MASTER_PLATFORM, DT_MASTER_BUS };

struct dt_master {
    int node;
    char *path;
    enum dt_master_kind kind;
    const char *prop;       /* "iommus" or "iommu-map" */
    bool pci;               /* a PCI host bridge (device_type = "pci") */
    int domain;             /* linux,pci-domain, -1 when absent */
    uint32_t bus_lo, bus_hi; /* bus-range (0..255 when absent) */
    bool has_mask;
    uint32_t map_mask;      /* iommu-map-mask, all ones when absent */
    unsigned nranges;
    struct dt_sid_range *ranges;
};

/* A master the run left out, and why (disabled node, disabled SMMU, another IOMMU). */
struct dt_note {
    char *text;
};

/* ---- the assignment: which masters get pre-generated SID/CB caps ------------------------ */

enum dt_sel_kind { DT_SEL_NODE, DT_SEL_PCI };

struct dt_assign_line {
    unsigned line;
    char *component;
    enum dt_sel_kind kind;
    char *text;             /* the selector as written, for messages */
    char *path;             /* DT_SEL_NODE: node path; DT_SEL_PCI: host bridge path or NULL */
    int domain;             /* DT_SEL_PCI: -1 when not given */
    unsigned bus, dev, fn;
};

struct dt_sid_bits_line {
    unsigned line;
    char *path;
    unsigned bits;
};

struct dt_assignment {
    char *name;             /* file name, for messages */
    unsigned nassign;
    struct dt_assign_line *assign;
    unsigned nbits;
    struct dt_sid_bits_line *bits;
};

/* A StreamID the kernel pre-generates caps for. */
struct dt_grant {
    unsigned assign;        /* index into dt_assignment.assign */
    unsigned master;        /* index into dt2smmu.masters */
    unsigned smmu;          /* index into dt2smmu.smmus */
    uint32_t sid;
    bool pci;
    uint32_t rid;           /* pci: the requester ID, before iommu-map-mask */
};

struct dt2smmu {
    const void *fdt;
    size_t fdt_size;
    const char *input_name;

    unsigned nsmmus;        /* every arm,smmu-v3 node, enabled or not */
    struct dt_smmu *smmus;
    unsigned nenabled;
    unsigned nmasters;
    struct dt_master *masters;
    unsigned nnotes;
    struct dt_note *notes;
    unsigned ngrants;
    struct dt_grant *grants;
    bool assigned;          /* an assignment was applied */

    unsigned nerrors;       /* all errors; the first DT2SMMU_MAX_ERRORS are kept */
    char *errors[DT2SMMU_MAX_ERRORS];

    /* private: the node table */
    unsigned nnodes;
    int *node_off;
    int *node_parent;       /* index into node_off, -1 for the root */
};

/* Parse an assignment file's text (see docs/dt2smmu.md). Syntax errors are added to `r`
 * (which needs no DTB yet); returns false if there were any. */
bool dt2smmu_assignment_parse(struct dt2smmu *r, const char *name, const char *text, size_t len,
                              struct dt_assignment *out);
void dt2smmu_assignment_free(struct dt_assignment *a);

/* Analyse `size` bytes of `blob`: find SMMUs and masters, apply the assignment's sid-bits
 * declarations (and `default_sid_bits` for SMMUs it does not name, 32 if 0), check widths
 * and overlaps, and resolve the assignment (NULL: none, no caps). Returns true when no
 * error was found. `r` must be zeroed before; free it with dt2smmu_free. The blob must stay
 * valid while `r` is used. */
bool dt2smmu_analyse(struct dt2smmu *r, const void *blob, size_t size, const char *input_name,
                     const struct dt_assignment *assignment);
void dt2smmu_free(struct dt2smmu *r);
/* The assignment step of dt2smmu_analyse (assign.c): fills r->grants. */
bool dt2smmu_resolve_assignment(struct dt2smmu *r, const struct dt_assignment *a);

/* Record an error; `node` may be NULL, `prop` may be NULL. */
void dt2smmu_error(struct dt2smmu *r, const char *node, const char *prop, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Bits needed to write StreamID `max_sid` (at least 1). */
unsigned dt2smmu_bits_for(uint32_t max_sid);

/* Outputs. `assignment_name` (may be NULL) is quoted in the generated config's header. */
void dt2smmu_emit_config(const struct dt2smmu *r, const struct dt_assignment *a, FILE *out);
void dt2smmu_emit_report(const struct dt2smmu *r, const struct dt_assignment *a, FILE *out);
void dt2smmu_emit_json(const struct dt2smmu *r, const struct dt_assignment *a, FILE *out);
void dt2smmu_print_errors(const struct dt2smmu *r, FILE *out);

#endif
