/*
 * The swap slot allocator: one bit per 4 KiB slot of the swap disk. swapd
 * owns it; the pager only ever holds slot numbers swapd handed out.
 */
#ifndef SWAPD_SLOTS_H
#define SWAPD_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

/* Most slots swapd tracks (256 MiB of swap); a bigger disk is used up to this. */
#define SLOTS_MAX 65536u

void slots_init(uint32_t count);
uint32_t slots_total(void);
uint32_t slots_used(void);
/* A free slot, marked used; false if every slot is in use. */
bool slots_alloc(uint32_t *slot);
/* Is slot one that slots_alloc handed out and nobody freed? */
bool slots_is_used(uint32_t slot);
void slots_free(uint32_t slot); /* caller checked slots_is_used */

#endif
