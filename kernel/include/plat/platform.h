/*
 * What the kernel learns about the machine from the flattened device tree.
 * Filled once, by dtb_parse() on the boot CPU before any other CPU runs, and
 * read-only afterwards. Nothing in here is hard-coded for a board: every field
 * comes from the DTB the boot loader passes in x0.
 */
#ifndef FAULTLINE_PLAT_PLATFORM_H
#define FAULTLINE_PLAT_PLATFORM_H

#include <stdint.h>
#include <stddef.h>

#define PLAT_MAX_MEM      16
#define PLAT_MAX_CPUS     8
#define PLAT_MAX_DEVICES  48
#define PLAT_MAX_RESERVED 16
#define PLAT_BOOTARGS_MAX 512

struct plat_range {
	uint64_t base;
	uint64_t size;
};

enum plat_enable_method {
	PLAT_ENABLE_NONE = 0, /* the boot CPU, or a CPU without a usable method */
	PLAT_ENABLE_PSCI,
	PLAT_ENABLE_SPIN_TABLE,
};

struct plat_cpu {
	uint64_t mpidr; /* the CPU node's reg: MPIDR affinity bits */
	enum plat_enable_method enable;
	uint64_t release_addr; /* spin-table only */
};

enum plat_psci_conduit {
	PLAT_PSCI_NONE = 0,
	PLAT_PSCI_HVC,
	PLAT_PSCI_SMC,
};

enum plat_uart_kind {
	PLAT_UART_NONE = 0,
	PLAT_UART_PL011, /* arm,pl011 */
	PLAT_UART_MINI,  /* brcm,bcm2835-aux-uart (8250-like, 32-bit registers) */
};

/* A device the pager may hand to a user-level driver as device untyped. */
struct plat_device {
	char compatible[32]; /* first string of the node's compatible */
	uint64_t base;
	uint64_t size;
	uint32_t irq; /* GIC INTID (SPI already offset by 32), 0 if none */
};

struct platform_info {
	struct plat_range mem[PLAT_MAX_MEM]; /* /memory reg ranges, in DTB order */
	unsigned nmem;
	struct plat_range reserved[PLAT_MAX_RESERVED]; /* memreserve + /reserved-memory */
	unsigned nreserved;

	struct plat_cpu cpus[PLAT_MAX_CPUS]; /* /cpus/cpu@N with device_type "cpu", in DTB order */
	unsigned ncpus;
	enum plat_psci_conduit psci_conduit; /* from /psci method */
	uint32_t psci_cpu_on; /* function id: cpu_on property, else PSCI 0.2 CPU_ON (0xc4000003) */

	struct {
		unsigned version; /* 2 or 3 */
		uint64_t dist_base, dist_size;
		uint64_t cpu_base, cpu_size;       /* GICv2 CPU interface */
		uint64_t redist_base, redist_size; /* GICv3 redistributor region (first) */
	} gic;

	struct {
		uint32_t ppi_phys_ns; /* INTID of the EL1 non-secure physical timer (PPI + 16) */
		uint32_t ppi_virt;    /* INTID of the virtual timer */
		uint32_t clock_frequency; /* from the node if present, else 0 (use CNTFRQ_EL0) */
	} timer;

	struct {
		enum plat_uart_kind kind;
		uint64_t base, size;
		uint32_t irq;
	} uart;

	struct plat_device
	    devices[PLAT_MAX_DEVICES]; /* virtio,mmio and other leaf devices with reg */
	unsigned ndevices;

	char bootargs[PLAT_BOOTARGS_MAX];  /* /chosen/bootargs, "" if absent */
	uint64_t initrd_start, initrd_end; /* /chosen linux,initrd-*, 0 if absent */
};

/*
 * Parse the DTB at fdt (already mapped, at least fdt_size bytes readable) into
 * *out. Returns 0 on success; on failure returns a negative number and sets
 * *err to a one-line, human-readable reason ("DTB: bad magic 0x...",
 * "DTB: no /memory node", ...). *out is fully zeroed first.
 */
int dtb_parse(const void *fdt, size_t fdt_size, struct platform_info *out, const char **err);

#endif
