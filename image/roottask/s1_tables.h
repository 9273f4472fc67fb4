/* What a guest's SMMU driver writes itself in the nested scheme (used by the root task when
 * it plays that role): a context descriptor and stage-1 descriptors, 4K granule, 39-bit
 * IOVAs (T0SZ 25: level-1 root, no concatenation). */
#ifndef IMAGE_ROOTTASK_S1_TABLES_H
#define IMAGE_ROOTTASK_S1_TABLES_H

#include <stdint.h>

#define S1_T0SZ 25u

uint64_t s1_table(uint64_t ipa);
uint64_t s1_page(uint64_t ipa);
unsigned s1_idx(uint64_t va, unsigned level);
void s1_write_cd(volatile uint64_t *cd, uint64_t ttb0_ipa, unsigned asid);

#endif
