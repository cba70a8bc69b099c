/*
 * GICv2 and GICv3 drivers. The version and the register addresses come from
 * the DTB. Every interrupt is put in group 1 (non-secure) with one priority;
 * the kernel runs with interrupts masked except in the idle loop and at EL0,
 * so no nesting or preemption by priority is needed.
 */
#include "arch/gic.h"
#include "arch/cpu.h"
#include "arch/mmu.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"

/* Distributor (both versions). */
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_IROUTER    0x6000

/* GICv2 CPU interface. */
#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

/* GICv3 redistributor. */
#define GICR_TYPER     0x0008
#define GICR_WAKER     0x0014
#define GICR_SGI_BASE  0x10000
#define GICR_STRIDE_V3 0x20000

static unsigned version;
static volatile uint8_t *dist;
static volatile uint8_t *cpuif;         /* v2 */
static volatile uint8_t *redist_region; /* v3 */
static uint64_t redist_size;
static volatile uint8_t *redist[MAX_CPUS]; /* v3: this CPU's RD frame */
static uint8_t v2_cpumask[MAX_CPUS];       /* v2: this CPU's interface bit, as ITARGETSR reads it */

static inline uint32_t rd(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *)(b + off);
}
static inline void wr(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}

unsigned gic_version(void)
{
	return version;
}

/*
 * Interrupt group for every line. GICv3 (system registers, ICC_IAR1): group 1.
 * GICv2 as QEMU and the GIC-400 present it to a kernel without a secure
 * monitor: group 0, which GICC_IAR acknowledges (a group 1 interrupt would
 * read as the special INTID 1022 there).
 */
static uint32_t group_bits(void)
{
	return version == 3 ? 0xffffffff : 0;
}

void gic_init(const struct platform_info *plat)
{
	version = plat->gic.version;
	if (version != 2 && version != 3)
		panic("GIC: DTB names no supported interrupt controller (need GICv2 or GICv3)");
	dist = devmap(plat->gic.dist_base, plat->gic.dist_size ? plat->gic.dist_size : 0x10000);
	if (version == 2) {
		cpuif =
		    devmap(plat->gic.cpu_base, plat->gic.cpu_size ? plat->gic.cpu_size : 0x2000);
	} else {
		redist_size = plat->gic.redist_size;
		redist_region = devmap(plat->gic.redist_base, redist_size);
	}

	unsigned lines = ((rd(dist, GICD_TYPER) & 0x1f) + 1) * 32;
	wr(dist, GICD_CTLR, 0);
	for (unsigned i = 32; i < lines && i < GIC_MAX_INTID; i += 32) {
		wr(dist, GICD_ICENABLER + i / 8, 0xffffffff);
		wr(dist, GICD_ICPENDR + i / 8, 0xffffffff);
		wr(dist, GICD_IGROUPR + i / 8, group_bits());
	}
	for (unsigned i = 32; i < lines && i < GIC_MAX_INTID; i += 4)
		wr(dist, GICD_IPRIORITYR + i, 0xa0a0a0a0);
	if (version == 2)
		wr(dist, GICD_CTLR, 0x3); /* enable group 0 and 1 forwarding */
	else
		wr(dist, GICD_CTLR, (1u << 4) | 0x3); /* ARE_NS (ARE with DS), groups 0 and 1 */
}

/* Find this CPU's redistributor by matching GICR_TYPER's affinity with MPIDR. */
static volatile uint8_t *find_redist(uint64_t mpidr)
{
	uint64_t aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);

	for (uint64_t off = 0; off + GICR_STRIDE_V3 <= redist_size;) {
		volatile uint8_t *r = redist_region + off;
		uint64_t typer = *(volatile uint64_t *)(r + GICR_TYPER);
		if ((typer >> 32) == aff)
			return r;
		if (typer & (1u << 4)) /* Last */
			break;
		off += (typer & (1u << 1)) ? 2 * GICR_STRIDE_V3 : GICR_STRIDE_V3; /* VLPIS */
	}
	return NULL;
}

void gic_init_cpu(unsigned cpu)
{
	if (version == 2) {
		/* ITARGETSR0..7 are banked and read back this CPU's own bit. */
		v2_cpumask[cpu] = (uint8_t)rd(dist, GICD_ITARGETSR);
		wr(dist, GICD_IGROUPR, group_bits()); /* banked: SGIs and PPIs */
		for (unsigned i = 0; i < 32; i += 4)
			wr(dist, GICD_IPRIORITYR + i, 0xa0a0a0a0);
		wr(cpuif, GICC_PMR, 0xf0);
		wr(cpuif, GICC_CTLR, 0x3);
		return;
	}
	volatile uint8_t *r = find_redist(read_sysreg(mpidr_el1));
	if (!r)
		panic("GICv3: no redistributor for cpu %u (mpidr %lx)", cpu,
		      (unsigned long)read_sysreg(mpidr_el1));
	redist[cpu] = r;
	wr(r, GICR_WAKER, rd(r, GICR_WAKER) & ~(1u << 1)); /* ProcessorSleep = 0 */
	while (rd(r, GICR_WAKER) & (1u << 2))              /* ChildrenAsleep */
		cpu_relax();
	volatile uint8_t *sgi = r + GICR_SGI_BASE;
	wr(sgi, GICD_IGROUPR, 0xffffffff);
	for (unsigned i = 0; i < 32; i += 4)
		wr(sgi, GICD_IPRIORITYR + i, 0xa0a0a0a0);
	write_sysreg(S3_0_C12_C12_5, 0x7); /* ICC_SRE_EL1: SRE | DFB | DIB */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xf0); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);  /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 0);  /* ICC_CTLR_EL1: EOI also deactivates */
	write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	isb();
}

uint32_t gic_ack(void)
{
	if (version == 2)
		return rd(cpuif, GICC_IAR) & 0x3ff;
	uint64_t v = read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
	__asm__ volatile("dsb sy" ::: "memory");
	return (uint32_t)v & 0xffffff;
}

void gic_eoi(uint32_t intid)
{
	if (version == 2)
		wr(cpuif, GICC_EOIR, intid);
	else
		write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
}

void gic_enable(uint32_t intid, unsigned target_cpu)
{
	if (intid < 32) {
		volatile uint8_t *base = version == 2 ? dist : redist[target_cpu] + GICR_SGI_BASE;
		wr(base, GICD_ISENABLER, 1u << intid);
		return;
	}
	if (version == 2) {
		volatile uint8_t *t = dist + GICD_ITARGETSR + intid;
		*t = v2_cpumask[target_cpu];
	} else {
		*(volatile uint64_t *)(dist + GICD_IROUTER + 8 * intid) =
		    percpu[target_cpu].mpidr & 0xff00ffffffULL;
	}
	wr(dist, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gic_disable(uint32_t intid)
{
	if (intid < 32)
		return; /* per-CPU interrupts stay as the kernel set them */
	wr(dist, GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gic_send_sgi(unsigned cpu, unsigned sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	if (version == 2) {
		wr(dist, GICD_SGIR, ((uint32_t)v2_cpumask[cpu] << 16) | sgi);
		return;
	}
	uint64_t m = percpu[cpu].mpidr;
	uint64_t v = ((m >> 32) & 0xff) << 48 | ((m >> 16) & 0xff) << 32 | ((m >> 8) & 0xff) << 16 |
	             (uint64_t)sgi << 24 | (1u << (m & 0xf));
	write_sysreg(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	isb();
}
