/* A small, bounds-checked, freestanding reader of flattened device trees (Devicetree
 * Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
 *
 * Every read is checked against the sizes in a validated header, every walk is an
 * iterative loop whose offset strictly increases, and node depth is capped, so a
 * malformed blob yields ERR_INVALID/ERR_RANGE and never an out-of-bounds read.
 * Nodes are named by the offset of their FDT_BEGIN_NODE token in the structure block. */
#ifndef PLAT_QEMU_FDT_H
#define PLAT_QEMU_FDT_H

#include "../../lib/err.h"
#include "../../lib/types.h"

/* Absent nodes and properties report ERR_NOT_FOUND; malformed input is ERR_INVALID or
 * ERR_RANGE. */

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_MAX_DEPTH 16         /* deeper trees are rejected (QEMU virt uses 3) */
#define FDT_NODE_NONE UINT32_MAX /* "before the first node" for iteration */

struct fdt {
    const uint8_t *blob;
    uint32_t totalsize;
    uint32_t struct_off, struct_size;   /* structure block, relative to blob */
    uint32_t strings_off, strings_size; /* strings block, relative to blob */
};

/* Validate the header of the blob at `blob`, of which at most `max_size` bytes may be
 * read: magic, version, totalsize <= max_size, blocks inside totalsize and aligned. */
err_t fdt_init(struct fdt *fdt, const void *blob, size_t max_size);

/* Nodes in document order. Start with *node = FDT_NODE_NONE to get the root (depth 0).
 * *depth is relative: the depth given for *node on entry is the base. Ends with
 * ERR_NOT_FOUND. */
err_t fdt_next_node(const struct fdt *fdt, uint32_t *node, int *depth);

/* The node's unit name ("pcie@10000000"); NUL-terminated inside the blob. */
err_t fdt_node_name(const struct fdt *fdt, uint32_t node, const char **name);

/* Property `name` of `node`: its value and length in bytes (pointers into the blob). */
err_t fdt_get_prop(const struct fdt *fdt, uint32_t node, const char *name, const uint8_t **data,
                   uint32_t *len);

/* A property holding exactly one cell. */
err_t fdt_get_u32(const struct fdt *fdt, uint32_t node, const char *name, uint32_t *val);

/* A property holding one NUL-terminated string (the terminator inside the value). */
err_t fdt_get_string(const struct fdt *fdt, uint32_t node, const char *name, const char **str);

/* The root node. */
err_t fdt_root(const struct fdt *fdt, uint32_t *node);

/* Parent of `node` (ERR_NOT_FOUND for the root). */
err_t fdt_parent(const struct fdt *fdt, uint32_t node, uint32_t *parent);

/* A direct child of `parent` named `name` exactly, or `name@unit` when `name` has no '@'. */
err_t fdt_subnode(const struct fdt *fdt, uint32_t parent, const char *name, uint32_t *child);

/* The next node after `from` (FDT_NODE_NONE: from the start) whose "compatible" string
 * list contains `compat`. */
err_t fdt_find_compatible(const struct fdt *fdt, uint32_t from, const char *compat, uint32_t *node);

/* The node whose "phandle" property is `phandle`. */
err_t fdt_find_phandle(const struct fdt *fdt, uint32_t phandle, uint32_t *node);

/* "#address-cells"/"#size-cells" of `node` (as a bus, for its children's reg), with the
 * Devicetree Specification defaults 2 and 1 (2.3.5) when absent. */
err_t fdt_address_cells(const struct fdt *fdt, uint32_t node, uint32_t *cells);
err_t fdt_size_cells(const struct fdt *fdt, uint32_t node, uint32_t *cells);

/* Entry `index` of the node's "reg", decoded with the parent's cell counts (1..2 address
 * cells, 0..2 size cells; others are ERR_UNSUPPORTED). */
err_t fdt_read_reg(const struct fdt *fdt, uint32_t node, uint32_t index, uint64_t *addr,
                   uint64_t *size);

/* The interrupt parent of `node` (its own or an ancestor's "interrupt-parent") and that
 * controller's "#interrupt-cells". */
err_t fdt_interrupt_parent(const struct fdt *fdt, uint32_t node, uint32_t *ctrl, uint32_t *cells);

/* The specifier of the interrupt named `name` in "interrupt-names"/"interrupts":
 * `*ncells` cells (the interrupt parent's #interrupt-cells, at most `max_cells`). */
err_t fdt_interrupt_by_name(const struct fdt *fdt, uint32_t node, const char *name,
                            uint32_t *spec, uint32_t max_cells, uint32_t *ncells);

/* Position of `str` in a string-list property value (NUL-separated, NUL-terminated). */
err_t fdt_stringlist_index(const uint8_t *data, uint32_t len, const char *str, uint32_t *index);

/* Big-endian cell i of a property value of `len` bytes; ERR_RANGE past the end. */
err_t fdt_cell(const uint8_t *data, uint32_t len, uint32_t i, uint32_t *val);

/* `n` (1 or 2) cells starting at cell i, as one number. */
err_t fdt_cells_u64(const uint8_t *data, uint32_t len, uint32_t i, uint32_t n, uint64_t *val);

#endif
