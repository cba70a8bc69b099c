/*
 * Kernel entry. The image is an arm64 Linux "Image": a 64-byte header that
 * QEMU's -kernel and U-Boot's booti understand, then position-independent code
 * that runs with the MMU off at whatever 2 MiB-aligned physical address the
 * loader chose. It drops from EL2 to EL1 when entered at EL2, builds the boot
 * page tables, turns the MMU on and jumps to the kernel's link address in the
 * upper half. Only PC-relative addressing is used until then.
 *
 * Boot CPU:   x0 = physical address of the DTB (x1..x3 = 0).
 * Secondary:  entered through PSCI CPU_ON or a spin-table release with
 *             x0 = the CPU's logical index (PSCI context id; the spin-table
 *             trampoline loads it from secondary_cpu_index).
 */
#include "arch/memlayout.h"
#include "arch/asm.h"

#define SCTLR_EL1_RES1 ((3 << 28) | (3 << 22) | (1 << 20) | (1 << 11))
#define SCTLR_EL1_MMU_OFF SCTLR_EL1_RES1
/* M | C | SA | SA0 | I | DZE, little-endian, no alignment checking for EL1.
 * DZE lets EL0 zero memory with DC ZVA (the pager zeroes pages that way). */
#define SCTLR_EL1_MMU_ON (SCTLR_EL1_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 12) | \
			  (1 << 14))

/* Block and table descriptors for the boot tables. */
#define PTE_TABLE 0x3
#define PTE_BLOCK 0x1
#define PTE_AF (1 << 10)
#define PTE_SH_INNER (3 << 8)
#define PTE_UXN (1 << 54)
#define PTE_PXN (1 << 53)
#define BLOCK_NORMAL (PTE_BLOCK | PTE_AF | PTE_SH_INNER | (MT_NORMAL << 2))

	.section .text.head, "ax"
	.global _start
_start:
	/* Image header (Documentation/arm64/booting.rst). */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: load at a 2 MiB-aligned base */
	.quad	_image_size		/* image_size, bss included */
	.quad	0xa			/* flags: LE, 4 KiB pages, anywhere in memory */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

primary_entry:
	mov	x19, x0			/* DTB physical address */
	bl	drop_to_el1
	bl	cpu_early_setup

	/* Zero .bss (it holds the boot tables and the stacks). */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	bl	build_boot_tables
	bl	enable_mmu

	/* Now running at the physical address with the MMU on; jump high. */
	ldr	x1, =primary_high
	br	x1

primary_high:
	adr_l	x1, kernel_stacks
	add	x1, x1, #KSTACK_SIZE	/* cpu 0's stack top */
	mov	sp, x1
	msr	tpidr_el1, xzr
	mov	x0, x19			/* dtb pa */
	bl	kernel_main
	b	halt

	.global secondary_entry
secondary_entry:
	mov	x19, x0			/* logical cpu index */
	bl	drop_to_el1
	bl	cpu_early_setup
	bl	enable_mmu
	ldr	x1, =secondary_high
	br	x1

/*
 * Spin-table CPUs (Raspberry Pi 4) are released with x0 = 0: find our
 * logical index by looking our MPIDR up in cpu_mpidr_table, which the boot
 * CPU filled and cleaned to memory before the release.
 */
	.global spin_table_entry
spin_table_entry:
	mrs	x1, mpidr_el1
	ldr	x2, =0xff00ffffff
	and	x1, x1, x2
	adr_l	x3, cpu_mpidr_table
	mov	x0, #0
1:	ldr	x4, [x3, x0, lsl #3]
	cmp	x4, x1
	b.eq	secondary_entry
	add	x0, x0, #1
	cmp	x0, #MAX_CPUS
	b.lo	1b
2:	wfe				/* not a CPU we were told about */
	b	2b

secondary_high:
	adr_l	x1, kernel_stacks
	mov	x2, #KSTACK_SIZE
	madd	x1, x19, x2, x1
	add	sp, x1, x2
	mov	x0, x19
	bl	secondary_main
	b	halt

halt:
	wfe
	b	halt

/*
 * If entered at EL2, configure EL2 so that EL1 runs AArch64 with direct
 * access to the timer, the GICv3 system registers and FP/SIMD, then eret to
 * EL1h with every interrupt masked. At EL1 this does nothing.
 * Clobbers x0, x1. Returns to lr at EL1.
 */
drop_to_el1:
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #2
	b.ne	9f
	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64; nothing trapped */
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #3		/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff		/* CPTR_EL2: no FP/SIMD trap */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	mrs	x0, id_aa64pfr0_el1	/* GICv3 system registers implemented? */
	ubfx	x0, x0, #24, #4
	cbz	x0, 1f
	mrs	x0, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	mov	x1, #0x9		/* SRE | Enable (EL1 may use ICC_SRE_EL1) */
	orr	x0, x0, x1
	msr	S3_4_C12_C9_5, x0
	isb
1:	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* EL1h, DAIF masked */
	msr	spsr_el2, x0
	msr	elr_el2, lr
	eret
9:	ret

/*
 * EL1 state every CPU needs before the MMU goes on: caches and MMU off,
 * FP/SIMD trapped for EL0 until a thread first uses it, MAIR, TCR.
 */
cpu_early_setup:
	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	isb
	mov	x0, #(1 << 20)		/* CPACR_EL1.FPEN = 01: EL0 traps, EL1 (never uses FP) ok */
	msr	cpacr_el1, x0
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	/* TCR: T0SZ = T1SZ = 16, 4 KiB granules, WBWA inner shareable walks,
	 * 16-bit ASIDs when implemented, IPS = the CPU's physical address size. */
	ldr	x0, =((16 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (0 << 14) | \
		      (16 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30))
	mrs	x1, id_aa64mmfr0_el1
	and	x2, x1, #0x7		/* PARange */
	cmp	x2, #5
	b.ls	1f
	mov	x2, #5			/* 48 bits is all a 4-level 4K walk needs */
1:	bfi	x0, x2, #32, #3		/* IPS */
	ubfx	x2, x1, #4, #4		/* ASIDBits: 2 = 16 bits */
	cmp	x2, #2
	b.ne	2f
	orr	x0, x0, #(1 << 36)	/* AS */
2:	msr	tcr_el1, x0
	isb
	ret

/*
 * Boot tables: TTBR0 identity-maps the 1 GiB around the kernel (needed only
 * for the instructions between MMU-on and the jump high, and by each
 * secondary CPU for the same reason); TTBR1 maps the kernel image window at
 * KERNEL_VBASE with 2 MiB blocks and, in the physmap, the GiB that holds the
 * kernel and the GiB that holds the DTB. kernel_main() replaces the TTBR1
 * tables with complete ones. Clobbers x0..x7.
 */
build_boot_tables:
	adr	x0, _start		/* load physical address */
	adr_l	x1, boot_load_pa
	str	x0, [x1]

	/* TTBR0: identity */
	adr_l	x1, boot_l0_ident
	adr_l	x2, boot_l1_ident
	lsr	x3, x0, #39
	and	x3, x3, #0x1ff
	orr	x4, x2, #PTE_TABLE
	str	x4, [x1, x3, lsl #3]
	lsr	x3, x0, #30
	and	x3, x3, #0x1ff
	lsr	x4, x0, #30
	lsl	x4, x4, #30
	ldr	x5, =BLOCK_NORMAL
	orr	x4, x4, x5
	str	x4, [x2, x3, lsl #3]

	/* TTBR1: kernel window at KERNEL_VBASE (L0 511, L1 0) -> L2 of 2 MiB blocks */
	adr_l	x1, boot_l0_high
	adr_l	x2, boot_l1_kernel
	adr_l	x3, boot_l2_kernel
	orr	x4, x2, #PTE_TABLE
	str	x4, [x1, #(511 * 8)]
	orr	x4, x3, #PTE_TABLE
	str	x4, [x2]
	ldr	x5, =(BLOCK_NORMAL | PTE_UXN)
	orr	x4, x0, x5
	mov	x6, #(KERNEL_MAX_SIZE >> 21)
1:	str	x4, [x3], #8
	add	x4, x4, #(1 << 21)
	subs	x6, x6, #1
	b.ne	1b

	/* TTBR1: physmap (L0 0) -> L1 with the kernel's and the DTB's GiB */
	adr_l	x2, boot_l1_phys
	orr	x4, x2, #PTE_TABLE
	str	x4, [x1]
	ldr	x5, =(BLOCK_NORMAL | PTE_UXN | PTE_PXN)
	lsr	x3, x0, #30
	and	x3, x3, #0x1ff
	lsl	x4, x3, #30
	orr	x4, x4, x5
	str	x4, [x2, x3, lsl #3]
	lsr	x3, x19, #30
	and	x3, x3, #0x1ff
	lsl	x4, x3, #30
	orr	x4, x4, x5
	str	x4, [x2, x3, lsl #3]

	adr_l	x1, boot_ttbr1
	adr_l	x2, boot_l0_high
	str	x2, [x1]
	dsb	ishst
	ret

/*
 * Turn the MMU on with TTBR0 = the identity table and TTBR1 = boot_ttbr1
 * (the boot tables at first; kernel_main() stores the final ones there before
 * it starts secondary CPUs). Runs at the physical address. Clobbers x0, x1.
 */
enable_mmu:
	adr_l	x0, boot_l0_ident
	msr	ttbr0_el1, x0
	adr_l	x0, boot_ttbr1
	ldr	x0, [x0]
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
	ret

/*
 * Replace TTBR1 with x0. Called through the identity map (at its physical
 * address) so that no TTBR1 translation is in use while the root changes.
 */
	.global switch_ttbr1_idmap
switch_ttbr1_idmap:
	dsb	ish
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ret

	.ltorg

	.section .data
	.balign 8
	.global boot_ttbr1, boot_load_pa, cpu_mpidr_table
boot_ttbr1:	.quad 0		/* physical address of the TTBR1 L0 table every CPU starts with */
boot_load_pa:	.quad 0		/* physical address _start was loaded at */
cpu_mpidr_table: .fill MAX_CPUS, 8, 0xffffffffffffffff /* logical cpu -> MPIDR affinity */

	.section .bss.boot_tables, "aw", %nobits
	.balign	4096
	.global boot_l0_ident, boot_l0_high
boot_l0_ident:	.space 4096
boot_l1_ident:	.space 4096
boot_l0_high:	.space 4096
boot_l1_kernel:	.space 4096
boot_l2_kernel:	.space 4096
boot_l1_phys:	.space 4096
