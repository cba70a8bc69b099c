/*
 * AArch64 translation tables: descriptor bits, the kernel's own mappings
 * (physmap, device window, image) and TLB maintenance.
 */
#ifndef FAULTLINE_ARCH_MMU_H
#define FAULTLINE_ARCH_MMU_H

#include <stdint.h>
#include <stddef.h>
#include "arch/memlayout.h"
#include "plat/platform.h"

typedef uint64_t pte_t;

#define PTE_VALID     (1ULL << 0)
#define PTE_TABLE     (3ULL << 0) /* L0..L2: next-level table */
#define PTE_BLOCK     (1ULL << 0) /* L1, L2: block */
#define PTE_PAGE      (3ULL << 0) /* L3: page */
#define PTE_ATTR(i)   ((uint64_t)(i) << 2)
#define PTE_AP_USER   (1ULL << 6) /* AP[1]: EL0 may access */
#define PTE_AP_RO     (1ULL << 7) /* AP[2]: read-only */
#define PTE_SH_INNER  (3ULL << 8)
#define PTE_AF        (1ULL << 10)
#define PTE_NG        (1ULL << 11) /* not global: tagged with the ASID */
#define PTE_DBM       (1ULL << 51)
#define PTE_PXN       (1ULL << 53)
#define PTE_UXN       (1ULL << 54)
#define PTE_ADDR_MASK 0x0000fffffffff000ULL

#define KERNEL_NORMAL (PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF)
#define KERNEL_DATA   (KERNEL_NORMAL | PTE_PXN | PTE_UXN)
#define KERNEL_DEVICE (PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN)

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(PHYSMAP_BASE + pa);
}
static inline uint64_t virt_to_phys(const void *va)
{
	extern uint64_t kernel_phys_offset; /* load pa - KERNEL_VBASE */
	uint64_t v = (uint64_t)va;

	if (v >= KERNEL_VBASE)
		return v + kernel_phys_offset;
	return v - PHYSMAP_BASE;
}

/* Map [pa, pa+size) into the device window and return its kernel address.
 * Boot-time only (the boot CPU, before secondaries start). */
void *devmap(uint64_t pa, uint64_t size);

/* Build the final kernel address space from the DTB's memory ranges and
 * remap the image with W^X permissions. Boot CPU, before secondaries start. */
void mmu_init_kernel(const struct platform_info *plat);

/* Physical address of the kernel's TTBR1 L0 table. */
uint64_t mmu_kernel_ttbr1(void);

static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}
static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* Invalidate one user page's translations for asid on every CPU (inner shareable). */
static inline void tlbi_page_asid(uint64_t va, uint16_t asid)
{
	uint64_t arg = ((uint64_t)asid << 48) | ((va >> 12) & 0xfffffffffffULL);

	__asm__ volatile("dsb ishst; tlbi vae1is, %0" ::"r"(arg) : "memory");
}

/* Invalidate every translation tagged with asid on every CPU. */
static inline void tlbi_asid(uint16_t asid)
{
	__asm__ volatile("dsb ishst; tlbi aside1is, %0" ::"r"((uint64_t)asid << 48) : "memory");
}

static inline void tlbi_sync(void)
{
	__asm__ volatile("dsb ish; isb" ::: "memory");
}

/* Clean a range to the point of coherency (for data another CPU reads with its MMU off). */
void dcache_clean_range(const void *va, size_t size);

#endif
