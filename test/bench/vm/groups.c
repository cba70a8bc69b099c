/*
 * bench_vm's groups of figures, and the memory helpers they share: fresh
 * heap pages from sbrk, touching them, and the process's frame count (to
 * check that a fault really happened where the figure says one did).
 */
#include <stddef.h>

#include <faultline/process.h>

#include "bench_vm.h"

const struct vm_group vm_groups[] = {
    {"zero_fill", 1, vm_fault_zero_fill, false},
    {"stack_growth", 1, vm_fault_stack_growth, false},
    {"elf", 1, vm_fault_elf, false},
    {"cow", 2, vm_cow, false},
    {"fork0", 1, vm_fork_0, false},
    {"fork1", 1, vm_fork_1, false},
    {"fork16", 1, vm_fork_16, false},
    {"fork64", 1, vm_fork_64, false},
    {"swap", 2, vm_swap, true},
    {NULL, 0, NULL, false},
};

uint8_t *vm_fresh_pages(unsigned count, struct bench_figure *f)
{
	/* One page more than asked, to round the break up to a page. */
	uint8_t *p = sbrk((ptrdiff_t)((count + 1) * PAGE));

	if (p == (void *)-1) {
		f->error = "sbrk refused the pages";
		return NULL;
	}
	return (uint8_t *)(((uintptr_t)p + PAGE - 1) & ~(PAGE - 1));
}

void vm_touch(uint8_t *p, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		*(volatile uint64_t *)(p + i * PAGE) = i + 1;
}

uint64_t vm_frames(void)
{
	uint64_t frames = 0, shared = 0;

	return fl_process_frames(0, &frames, &shared) == 0 ? frames : 0;
}
