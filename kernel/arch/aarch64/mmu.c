/*
 * The kernel's own translation tables (TTBR1). head.S leaves a minimal set:
 * the image window and the physmap GiBs holding the image and the DTB. Here
 * the boot CPU adds device mappings, then replaces the physmap with one that
 * covers exactly the RAM the DTB lists and remaps the image W^X. Tables come
 * from a fixed pool in .bss: after boot the kernel allocates nothing.
 */
#include "arch/mmu.h"
#include "kernel/lib.h"

#define PT_ENTRIES     512
#define KPT_POOL_PAGES 96

extern pte_t boot_l0_high[PT_ENTRIES];
extern uint64_t boot_ttbr1;
extern uint64_t boot_load_pa;
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

uint64_t kernel_phys_offset;

static pte_t kpt_pool[KPT_POOL_PAGES][PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned kpt_used;
static uint64_t devmap_next = DEVMAP_BASE;
static pte_t *kernel_l0 = boot_l0_high; /* the live TTBR1 root */

void switch_ttbr1_idmap(uint64_t ttbr1_pa); /* head.S; call at its physical address */

static pte_t *kpt_alloc(void)
{
	if (kpt_used == KPT_POOL_PAGES)
		panic("mmu: kernel page-table pool exhausted (%u pages)", KPT_POOL_PAGES);
	return kpt_pool[kpt_used++]; /* .bss: already zero */
}

/* The kernel address of the table a table descriptor points to. */
static pte_t *next_table(pte_t desc)
{
	uint64_t pa = desc & PTE_ADDR_MASK;
	uint64_t img = (uint64_t)_kernel_start + kernel_phys_offset;

	/* Pool tables live in the image; reach them through the image window,
	 * which is mapped even while the physmap is being rebuilt. */
	if (pa >= img && pa < (uint64_t)_kernel_end + kernel_phys_offset)
		return (pte_t *)(pa - kernel_phys_offset);
	return phys_to_virt(pa);
}

/*
 * Map [va, va+size) to [pa, ...) in the tree rooted at l0, using 1 GiB and
 * 2 MiB blocks where alignment allows and 4 KiB pages elsewhere. attr holds
 * the descriptor's attribute bits (without the type bits). Existing valid
 * entries are overwritten only at the level being mapped; the caller makes
 * sure no live mapping changes (break-before-make is the caller's business).
 */
static void kmap(pte_t *l0, uint64_t va, uint64_t pa, uint64_t size, uint64_t attr)
{
	while (size) {
		pte_t *table = l0;
		for (int level = 0; level < 3; level++) {
			unsigned shift = 39 - 9 * level;
			unsigned idx = (va >> shift) & 511;
			uint64_t block = 1ULL << shift;
			if (level >= 1 && (va & (block - 1)) == 0 && (pa & (block - 1)) == 0 &&
			    size >= block && !(table[idx] & PTE_VALID)) {
				table[idx] = pa | attr | PTE_BLOCK;
				va += block;
				pa += block;
				size -= block;
				goto next;
			}
			if (!(table[idx] & PTE_VALID)) {
				pte_t *t = kpt_alloc();
				table[idx] = virt_to_phys(t) | PTE_TABLE;
			} else if ((table[idx] & 3) == PTE_BLOCK) {
				panic("mmu: %lx already mapped by a block", (unsigned long)va);
			}
			table = next_table(table[idx]);
		}
		table[(va >> 12) & 511] = pa | attr | PTE_PAGE;
		va += PAGE_SIZE;
		pa += PAGE_SIZE;
		size -= PAGE_SIZE;
	next:;
	}
}

void *devmap(uint64_t pa, uint64_t size)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t base = pa - off;
	uint64_t len = ALIGN_UP(size + off, PAGE_SIZE);
	uint64_t va;

	if (!kernel_phys_offset)
		kernel_phys_offset = boot_load_pa - KERNEL_VBASE;
	va = devmap_next;
	devmap_next += len + PAGE_SIZE; /* unmapped guard page between devices */
	kmap(kernel_l0, va, base, len, KERNEL_DEVICE);
	dsb_ish();
	isb();
	return (void *)(va + off);
}

void mmu_init_kernel(const struct platform_info *plat)
{
	uint64_t img_pa = boot_load_pa;
	uint64_t text = (uint64_t)_etext - KERNEL_VBASE;
	uint64_t ro = (uint64_t)_erodata - (uint64_t)_etext;
	uint64_t rw = (uint64_t)_kernel_end - (uint64_t)_erodata;

	/* New physmap: exactly the RAM ranges, page-aligned inwards. */
	pte_t *l0 = kpt_alloc();
	for (unsigned i = 0; i < plat->nmem; i++) {
		uint64_t b = ALIGN_UP(plat->mem[i].base, PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(plat->mem[i].base + plat->mem[i].size, PAGE_SIZE);
		if (e > b)
			kmap(l0, PHYSMAP_BASE + b, b, e - b, KERNEL_DATA);
	}

	/* New image window: text RX, rodata R, data+bss RW, all at 4 KiB. */
	kmap(l0, KERNEL_VBASE, img_pa, text, KERNEL_NORMAL | PTE_AP_RO | PTE_UXN);
	kmap(l0, (uint64_t)_etext, img_pa + text, ro, KERNEL_DATA | PTE_AP_RO);
	kmap(l0, (uint64_t)_erodata, img_pa + text + ro, rw, KERNEL_DATA);

	/* Keep the device window, then switch TTBR1 from the identity map:
	 * nothing of TTBR1 is used while the root changes, so the old and new
	 * tables never need to agree (no break-before-make inside TTBR1). */
	l0[510] = kernel_l0[510];
	dcache_clean_range(kpt_pool, sizeof kpt_pool);
	void (*switch_fn)(uint64_t) =
	    (void (*)(uint64_t))((uint64_t)switch_ttbr1_idmap + kernel_phys_offset);
	switch_fn(virt_to_phys(l0));
	kernel_l0 = l0;
	boot_ttbr1 = virt_to_phys(l0);
	dcache_clean_range(&boot_ttbr1, sizeof boot_ttbr1);
}

uint64_t mmu_kernel_ttbr1(void)
{
	return virt_to_phys(kernel_l0);
}

void dcache_clean_range(const void *va, size_t size)
{
	uint64_t ctr, line, p, end = (uint64_t)va + size;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ULL << ((ctr >> 16) & 0xf);
	for (p = ALIGN_DOWN((uint64_t)va, line); p < end; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	dsb_ish();
}
