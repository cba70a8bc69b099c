/*
 * The swap slot allocator (slots.h): a bitmap with a rotating hint, so
 * slots are reused round the disk rather than always from the start.
 */
#include "slots.h"

static uint64_t bits[SLOTS_MAX / 64];
static uint32_t total, used, hint;

void slots_init(uint32_t count)
{
	total = count < SLOTS_MAX ? count : SLOTS_MAX;
	used = 0;
	hint = 0;
}

uint32_t slots_total(void)
{
	return total;
}

uint32_t slots_used(void)
{
	return used;
}

bool slots_alloc(uint32_t *slot)
{
	for (uint32_t k = 0; k < total; k++) {
		uint32_t i = (hint + k) % total;
		if (!(bits[i / 64] & (1ULL << (i % 64)))) {
			bits[i / 64] |= 1ULL << (i % 64);
			used++;
			hint = i + 1;
			*slot = i;
			return true;
		}
	}
	return false;
}

bool slots_is_used(uint32_t slot)
{
	return slot < total && (bits[slot / 64] & (1ULL << (slot % 64)));
}

void slots_free(uint32_t slot)
{
	bits[slot / 64] &= ~(1ULL << (slot % 64));
	used--;
}
