/*
 * The device-tree reader: turns the flattened device tree the boot loader
 * passes in x0 into a struct platform_info (memory, reserved ranges, CPUs and
 * how to start them, PSCI, GIC, timer, console UART, devices, /chosen).
 *
 * Everything here goes through libfdt and is built twice: freestanding into
 * the kernel (only memchr memcmp memcpy memmove memset strchr strlen strnlen
 * strrchr strtoul exist there) and on the host for the parser tests. So no
 * formatting: every error is a static string. The blob is checked in full
 * (fdt_check_full) before anything else reads it, so a malformed tree is
 * reported instead of read out of bounds.
 *
 * docs/dtb.md lists what is read from where and what is an error.
 */
#include <libfdt.h>

#include "plat/platform.h"

#define PSCI_0_2_CPU_ON_64 0xc4000003u

/* Results of reading one reg entry, besides negative errors. */
#define REG_OK       0
#define REG_UNMAPPED 1 /* not a CPU physical address (no ranges path, PCI-style cells) */

/* What every helper needs: the blob, where to put a failure, the GIC found. */
struct dtb_ctx {
	const void *fdt;
	const char *err;
	int gic; /* node offset of the interrupt controller, -1 until found */
};

static const char *const gic_v2_compat[] = {"arm,gic-400", "arm,cortex-a15-gic",
                                            "arm,cortex-a7-gic"};
static const char *const timer_compat[] = {"arm,armv8-timer", "arm,armv7-timer"};
static const char *const psci_compat[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Record a failure; returns -1 so callers can write `return fail(c, "...")`. */
static int fail(struct dtb_ctx *c, const char *msg)
{
	c->err = msg;
	return -1;
}

/* Read n (1 or 2) big-endian cells at p as one number; p may be unaligned. */
static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(p + i);
	return v;
}

/*
 * Length of the string at s within a property of len bytes: up to the first
 * NUL, or len if a malformed property has none. (memchr, not strnlen: strnlen
 * is POSIX, not C11.)
 */
static size_t prop_strlen(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	return nul ? (size_t)(nul - s) : len;
}

/* Does the node's compatible list contain any of the n strings? */
static int compat_any(const void *fdt, int node, const char *const *compat, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fdt_node_check_compatible(fdt, node, compat[i]) == 0)
			return 1;
	return 0;
}

/* Is the string property name of node exactly equal to s? */
static int prop_is(const void *fdt, int node, const char *name, const char *s)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);
	size_t slen = strlen(s);

	/* A string property holds the characters and a terminating NUL. */
	return v && len >= 0 && (size_t)len == slen + 1 && memcmp(v, s, slen + 1) == 0;
}

/* Is this node itself enabled: status absent, "okay" or the older "ok"? */
static int node_okay(const void *fdt, int node)
{
	if (!fdt_getprop(fdt, node, "status", NULL))
		return 1;
	return prop_is(fdt, node, "status", "okay") || prop_is(fdt, node, "status", "ok");
}

/*
 * Is the node usable: it and every ancestor enabled? A disabled bus disables
 * everything on it.
 */
static int node_available(const void *fdt, int node)
{
	while (node > 0) {
		if (!node_okay(fdt, node))
			return 0;
		node = fdt_parent_offset(fdt, node);
	}
	return node == 0;
}

/*
 * One #address-cells / #size-cells value of node: def if absent, -1 if not a
 * single cell of at most 4. Not fdt_address_cells(): libfdt 1.6.1 rejects
 * #address-cells = <0>, which the spec allows (interrupt nexus nodes), and
 * that must not fail the whole parse.
 */
static int cells_prop(const void *fdt, int node, const char *name, int def)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return def;
	if (len != 4 || fdt32_ld(p) > 4)
		return -1;
	return (int)fdt32_ld(p);
}

/*
 * Read a bus node's #address-cells and #size-cells (spec defaults 2 and 1).
 * Returns 0, or -1 with c->err set when a cells property is malformed.
 */
static int bus_cells(struct dtb_ctx *c, int bus, int *ac, int *sc)
{
	*ac = cells_prop(c->fdt, bus, "#address-cells", 2);
	*sc = cells_prop(c->fdt, bus, "#size-cells", 1);
	if (*ac < 0 || *sc < 0)
		return fail(c, "DTB: bad #address-cells or #size-cells");
	return 0;
}

/*
 * Translate addr, an address in the reg space of node (that is, in its
 * parent's bus space), to a CPU physical address by walking up through every
 * ancestor bus's ranges (an empty ranges is 1:1). Returns REG_OK with *addr
 * translated; REG_UNMAPPED when some bus has no ranges, uses cells wider than
 * 64 bits (PCI), or no ranges entry covers the address; -1 with c->err set
 * when a ranges property is malformed.
 */
static int translate(struct dtb_ctx *c, int node, uint64_t *addr)
{
	int bus = fdt_parent_offset(c->fdt, node);

	while (bus > 0) {
		int len, cac, csc, pac, psc, entry, found = 0;
		int parent = fdt_parent_offset(c->fdt, bus);
		const fdt32_t *r = fdt_getprop(c->fdt, bus, "ranges", &len);

		if (parent < 0)
			return fail(c, "DTB: malformed structure block");
		if (!r)
			return REG_UNMAPPED; /* the bus is not memory-mapped */
		if (len == 0) {
			bus = parent;
			continue;
		}
		if (bus_cells(c, bus, &cac, &csc) < 0 || bus_cells(c, parent, &pac, &psc) < 0)
			return -1;
		if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 1 || csc > 2)
			return REG_UNMAPPED;
		entry = cac + pac + csc;
		if (len % (entry * 4) != 0)
			return fail(c, "DTB: ranges length is not a whole number of entries");
		for (int i = 0; i < len / 4; i += entry) {
			uint64_t cbase = read_cells(r + i, cac);
			uint64_t pbase = read_cells(r + i + cac, pac);
			uint64_t size = read_cells(r + i + cac + pac, csc);

			if (*addr >= cbase && *addr - cbase < size) {
				*addr = pbase + (*addr - cbase);
				found = 1;
				break;
			}
		}
		if (!found)
			return REG_UNMAPPED;
		bus = parent;
	}
	if (bus < 0)
		return fail(c, "DTB: malformed structure block");
	return REG_OK;
}

/*
 * Number of entries in node's reg, using the parent bus's cells. Returns 0 if
 * there is no reg, -1 with c->err set if the length is not a whole number of
 * entries, and sets *ac and *sc to the cells used.
 */
static int reg_count(struct dtb_ctx *c, int node, int *ac, int *sc)
{
	int len, parent = fdt_parent_offset(c->fdt, node);
	const void *reg = fdt_getprop(c->fdt, node, "reg", &len);

	if (parent < 0)
		return fail(c, "DTB: malformed structure block");
	if (bus_cells(c, parent, ac, sc) < 0)
		return -1;
	if (!reg || *ac == 0)
		return 0; /* no reg, or none that can hold an address */
	if (len % ((*ac + *sc) * 4) != 0)
		return fail(c, "DTB: reg length is not a whole number of (address, size) entries");
	return len / ((*ac + *sc) * 4);
}

/*
 * Read entry i of node's reg and translate its base to a CPU physical
 * address. The caller has checked i < reg_count(). Returns REG_OK,
 * REG_UNMAPPED (see translate()) or -1 with c->err set.
 */
static int reg_get(struct dtb_ctx *c, int node, int i, struct plat_range *out)
{
	int ac, sc, n = reg_count(c, node, &ac, &sc);
	const fdt32_t *reg = fdt_getprop(c->fdt, node, "reg", NULL);

	if (n < 0)
		return -1;
	if (i >= n)
		return fail(c, "DTB: reg has too few entries");
	if (ac < 1 || ac > 2 || sc > 2)
		return REG_UNMAPPED; /* PCI or other non-CPU address space */
	reg += i * (ac + sc);
	out->base = read_cells(reg, ac);
	out->size = sc ? read_cells(reg + ac, sc) : 0;
	return translate(c, node, &out->base);
}

/*
 * Turn a 3-cell GIC interrupt specifier into an INTID: SPI n is 32 + n,
 * PPI n is 16 + n. Returns 0 for anything else (0 is never a device INTID).
 */
static uint32_t gic_spec_intid(const fdt32_t *spec)
{
	uint32_t type = fdt32_ld(spec), num = fdt32_ld(spec + 1);

	if (type == 0 && num < 988)
		return 32 + num;
	if (type == 1 && num < 16)
		return 16 + num;
	return 0;
}

/*
 * The interrupt parent of node: its own or its nearest ancestor's
 * interrupt-parent phandle. Returns a node offset, or -1 if there is none.
 */
static int irq_parent(const void *fdt, int node)
{
	while (node >= 0) {
		int len;
		const fdt32_t *ph = fdt_getprop(fdt, node, "interrupt-parent", &len);

		if (ph && len == 4)
			return fdt_node_offset_by_phandle(fdt, fdt32_ld(ph));
		if (node == 0)
			break;
		node = fdt_parent_offset(fdt, node);
	}
	return -1;
}

/*
 * INTID of interrupt i of node, if that interrupt goes to the GIC found by
 * parse_gic() (from interrupts-extended, or interrupts with the inherited
 * interrupt-parent). Returns 0 when the node has no such interrupt or it is
 * routed elsewhere (a GPIO or legacy controller, which the kernel cannot use
 * directly). The caller must have found the GIC first; its #interrupt-cells
 * was checked to be 3.
 */
static uint32_t node_irq(struct dtb_ctx *c, int node, int i)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, node, "interrupts-extended", &len);

	if (p) {
		/* <phandle spec...> pairs; only the GIC's 3-cell form is walked. */
		for (int off = 0, k = 0; off + 4 <= len / 4; off += 4, k++) {
			if (fdt_node_offset_by_phandle(c->fdt, fdt32_ld(p + off)) != c->gic)
				return 0;
			if (k == i)
				return gic_spec_intid(p + off + 1);
		}
		return 0;
	}
	p = fdt_getprop(c->fdt, node, "interrupts", &len);
	if (!p || irq_parent(c->fdt, node) != c->gic || (i + 1) * 12 > len)
		return 0;
	return gic_spec_intid(p + i * 3);
}

/* Add every /memory node's reg ranges (empty ones skipped) to out->mem. */
static int parse_memory(struct dtb_ctx *c, struct platform_info *out)
{
	int found = 0;
	int node = fdt_node_offset_by_prop_value(c->fdt, -1, "device_type", "memory", 7);

	for (; node >= 0;
	     node = fdt_node_offset_by_prop_value(c->fdt, node, "device_type", "memory", 7)) {
		int ac, sc, n;

		if (!node_available(c->fdt, node))
			continue;
		found = 1;
		n = reg_count(c, node, &ac, &sc);
		if (n < 0)
			return -1;
		for (int i = 0; i < n && out->nmem < PLAT_MAX_MEM; i++) {
			struct plat_range r;
			int rc = reg_get(c, node, i, &r);

			if (rc < 0)
				return -1;
			if (rc == REG_UNMAPPED)
				return fail(c, "DTB: memory reg is not a CPU physical address");
			if (r.size == 0)
				continue;
			out->mem[out->nmem++] = r;
		}
	}
	if (!found)
		return fail(c, "DTB: no memory node");
	if (out->nmem == 0)
		return fail(c, "DTB: memory nodes hold no non-empty range");
	return 0;
}

/* Append one reserved range; too many is an error, since dropping one is unsafe. */
static int add_reserved(struct dtb_ctx *c, struct platform_info *out, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	if (out->nreserved == PLAT_MAX_RESERVED)
		return fail(c, "DTB: more reserved ranges than PLAT_MAX_RESERVED");
	out->reserved[out->nreserved].base = base;
	out->reserved[out->nreserved].size = size;
	out->nreserved++;
	return 0;
}

/* Collect /memreserve/ entries and the reg of every /reserved-memory child. */
static int parse_reserved(struct dtb_ctx *c, struct platform_info *out)
{
	int n = fdt_num_mem_rsv(c->fdt), rmem, child;

	if (n < 0)
		return fail(c, "DTB: malformed memory reservation block");
	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(c->fdt, i, &base, &size) < 0)
			return fail(c, "DTB: malformed memory reservation block");
		if (add_reserved(c, out, base, size) < 0)
			return -1;
	}
	rmem = fdt_path_offset(c->fdt, "/reserved-memory");
	if (rmem < 0 || !node_okay(c->fdt, rmem))
		return 0;
	fdt_for_each_subnode(child, c->fdt, rmem)
	{
		int ac, sc, nreg;

		if (!node_okay(c->fdt, child))
			continue;
		nreg = reg_count(c, child, &ac, &sc);
		if (nreg < 0)
			return -1;
		for (int i = 0; i < nreg; i++) {
			struct plat_range r;
			int rc = reg_get(c, child, i, &r);

			if (rc < 0)
				return -1;
			if (rc == REG_UNMAPPED)
				return fail(
				    c, "DTB: reserved-memory reg is not a CPU physical address");
			if (add_reserved(c, out, r.base, r.size) < 0)
				return -1;
		}
	}
	return 0;
}

/* Fill one plat_cpu from a /cpus child; cells is /cpus's #address-cells. */
static int parse_cpu(struct dtb_ctx *c, int node, int cells, struct plat_cpu *cpu)
{
	int len;
	const fdt32_t *reg = fdt_getprop(c->fdt, node, "reg", &len);

	if (!reg || len == 0 || len % (cells * 4) != 0)
		return fail(c, "DTB: cpu node without a whole reg (MPIDR)");
	cpu->mpidr = read_cells(reg, cells);
	if (prop_is(c->fdt, node, "enable-method", "psci")) {
		cpu->enable = PLAT_ENABLE_PSCI;
	} else if (prop_is(c->fdt, node, "enable-method", "spin-table")) {
		const fdt32_t *rel = fdt_getprop(c->fdt, node, "cpu-release-addr", &len);

		if (!rel || len != 8)
			return fail(c, "DTB: spin-table cpu without a 64-bit cpu-release-addr");
		cpu->enable = PLAT_ENABLE_SPIN_TABLE;
		cpu->release_addr = read_cells(rel, 2);
	}
	return 0;
}

/* Read /cpus: every enabled child with device_type "cpu", up to PLAT_MAX_CPUS. */
static int parse_cpus(struct dtb_ctx *c, struct platform_info *out)
{
	int cpus = fdt_path_offset(c->fdt, "/cpus"), node, ac, sc;

	if (cpus < 0)
		return fail(c, "DTB: no cpus (no /cpus node)");
	if (bus_cells(c, cpus, &ac, &sc) < 0)
		return -1;
	if (ac != 1 && ac != 2)
		return fail(c, "DTB: /cpus #address-cells is not 1 or 2");
	fdt_for_each_subnode(node, c->fdt, cpus)
	{
		if (!prop_is(c->fdt, node, "device_type", "cpu") || !node_okay(c->fdt, node))
			continue;
		if (out->ncpus == PLAT_MAX_CPUS)
			break; /* extra CPUs are left offline */
		if (parse_cpu(c, node, ac, &out->cpus[out->ncpus]) < 0)
			return -1;
		out->ncpus++;
	}
	if (out->ncpus == 0)
		return fail(c, "DTB: no cpus");
	return 0;
}

/* The first enabled node compatible with any of the n strings, or -1. */
static int find_compatible(const void *fdt, const char *const *compat, unsigned n)
{
	int node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (compat_any(fdt, node, compat, n) && node_available(fdt, node))
			return node;
	return -1;
}

/*
 * Read the PSCI node's conduit and CPU_ON function id. A CPU that is to be
 * started by PSCI without a usable PSCI node is an error, not a silent
 * single-CPU boot.
 */
static int parse_psci(struct dtb_ctx *c, struct platform_info *out)
{
	int node = find_compatible(c->fdt, psci_compat, ARRAY_LEN(psci_compat)), len;
	const fdt32_t *cpu_on;

	if (node >= 0) {
		if (prop_is(c->fdt, node, "method", "hvc"))
			out->psci_conduit = PLAT_PSCI_HVC;
		else if (prop_is(c->fdt, node, "method", "smc"))
			out->psci_conduit = PLAT_PSCI_SMC;
		else
			return fail(c, "DTB: psci method is neither hvc nor smc");
		cpu_on = fdt_getprop(c->fdt, node, "cpu_on", &len);
		if (cpu_on && len != 4)
			return fail(c, "DTB: psci cpu_on is not one cell");
		out->psci_cpu_on = cpu_on ? fdt32_ld(cpu_on) : PSCI_0_2_CPU_ON_64;
	}
	for (unsigned i = 0; i < out->ncpus; i++)
		if (out->cpus[i].enable == PLAT_ENABLE_PSCI && out->psci_conduit == PLAT_PSCI_NONE)
			return fail(c, "DTB: cpu enable-method is psci but there is no psci node");
	return 0;
}

/* Find the GIC (v2 or v3) and translate its distributor and second region. */
static int parse_gic(struct dtb_ctx *c, struct platform_info *out)
{
	static const char *const v3[] = {"arm,gic-v3"};
	int node = find_compatible(c->fdt, gic_v2_compat, ARRAY_LEN(gic_v2_compat)), len, ac, sc;
	const fdt32_t *cells;
	struct plat_range dist, second;

	out->gic.version = 2;
	if (node < 0) {
		node = find_compatible(c->fdt, v3, 1);
		out->gic.version = 3;
	}
	if (node < 0)
		return fail(c, "DTB: no interrupt controller (GICv2 or GICv3)");
	if (reg_count(c, node, &ac, &sc) < 2)
		return c->err ? -1
		              : fail(c, "DTB: interrupt controller reg has fewer than 2 regions");
	if (reg_get(c, node, 0, &dist) != REG_OK || reg_get(c, node, 1, &second) != REG_OK)
		return c->err
		           ? -1
		           : fail(c, "DTB: interrupt controller reg is not a CPU physical address");
	cells = fdt_getprop(c->fdt, node, "#interrupt-cells", &len);
	if (!cells || len != 4 || fdt32_ld(cells) != 3)
		return fail(c, "DTB: interrupt controller #interrupt-cells is not 3");
	out->gic.dist_base = dist.base;
	out->gic.dist_size = dist.size;
	if (out->gic.version == 2) {
		out->gic.cpu_base = second.base;
		out->gic.cpu_size = second.size;
	} else {
		out->gic.redist_base = second.base;
		out->gic.redist_size = second.size;
	}
	c->gic = node;
	return 0;
}

/* Timer PPIs (non-secure physical, virtual) and optional clock-frequency. */
static int parse_timer(struct dtb_ctx *c, struct platform_info *out)
{
	int node = find_compatible(c->fdt, timer_compat, ARRAY_LEN(timer_compat)), len;
	const fdt32_t *freq;

	if (node < 0)
		return fail(c, "DTB: no timer (arm,armv8-timer)");
	out->timer.ppi_phys_ns = node_irq(c, node, 1);
	out->timer.ppi_virt = node_irq(c, node, 2);
	if (out->timer.ppi_phys_ns < 16 || out->timer.ppi_phys_ns >= 32 ||
	    out->timer.ppi_virt < 16 || out->timer.ppi_virt >= 32)
		return fail(c, "DTB: timer interrupts are not GIC PPIs");
	freq = fdt_getprop(c->fdt, node, "clock-frequency", &len);
	if (freq && len != 4)
		return fail(c, "DTB: timer clock-frequency is not one cell");
	out->timer.clock_frequency = freq ? fdt32_ld(freq) : 0;
	return 0;
}

/* The UART kind a node drives, PLAT_UART_NONE if it is not one we know. */
static enum plat_uart_kind uart_kind(const void *fdt, int node)
{
	if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0)
		return PLAT_UART_PL011;
	if (fdt_node_check_compatible(fdt, node, "brcm,bcm2835-aux-uart") == 0)
		return PLAT_UART_MINI;
	return PLAT_UART_NONE;
}

/*
 * The node /chosen/stdout-path names (a path or an /aliases name, with any
 * ":options" cut off), or -1 if there is none.
 */
static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *path, *colon;

	if (chosen < 0)
		return -1;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len <= 0)
		return -1;
	len = (int)prop_strlen(path, (size_t)len);
	colon = memchr(path, ':', (size_t)len);
	if (colon)
		len = (int)(colon - path);
	/* fdt_path_offset_namelen resolves a leading alias name through /aliases. */
	return fdt_path_offset_namelen(fdt, path, len);
}

/*
 * The console UART: the one /chosen/stdout-path names if we can drive it,
 * else the first enabled arm,pl011. None at all leaves kind NONE (the kernel
 * keeps its board's early console).
 */
static int parse_uart(struct dtb_ctx *c, struct platform_info *out)
{
	static const char *const pl011[] = {"arm,pl011"};
	int node = stdout_node(c->fdt), ac, sc, rc;
	struct plat_range r;

	if (node < 0 || !node_available(c->fdt, node) || uart_kind(c->fdt, node) == PLAT_UART_NONE)
		node = find_compatible(c->fdt, pl011, 1);
	if (node < 0)
		return 0;
	rc = reg_count(c, node, &ac, &sc);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail(c, "DTB: console UART has no reg");
	rc = reg_get(c, node, 0, &r);
	if (rc < 0)
		return -1;
	if (rc == REG_UNMAPPED)
		return fail(c, "DTB: console UART reg is not a CPU physical address");
	out->uart.kind = uart_kind(c->fdt, node);
	out->uart.base = r.base;
	out->uart.size = r.size;
	out->uart.irq = node_irq(c, node, 0);
	return 0;
}

/* Is this a node some other part of platform_info already describes? */
static int described_elsewhere(const void *fdt, int node)
{
	return prop_is(fdt, node, "device_type", "memory") ||
	       prop_is(fdt, node, "device_type", "cpu") ||
	       compat_any(fdt, node, gic_v2_compat, ARRAY_LEN(gic_v2_compat)) ||
	       fdt_node_check_compatible(fdt, node, "arm,gic-v3") == 0 ||
	       compat_any(fdt, node, timer_compat, ARRAY_LEN(timer_compat)) ||
	       compat_any(fdt, node, psci_compat, ARRAY_LEN(psci_compat));
}

/* Copy the first string of node's compatible into dst (always terminated). */
static void copy_compatible(const void *fdt, int node, char *dst, size_t cap)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);
	size_t n = prop_strlen(s, (size_t)len);

	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Record one candidate device node: its first reg entry, if that is a CPU
 * physical address, and its first GIC interrupt. Devices past
 * PLAT_MAX_DEVICES are dropped.
 */
static int add_device(struct dtb_ctx *c, int node, struct platform_info *out)
{
	struct plat_device *d;
	struct plat_range r;
	int ac, sc, rc = reg_count(c, node, &ac, &sc);

	if (rc <= 0)
		return rc;
	rc = reg_get(c, node, 0, &r);
	if (rc != REG_OK)
		return rc < 0 ? -1 : 0; /* on a bus that is not memory-mapped: not ours */
	if (out->ndevices == PLAT_MAX_DEVICES)
		return 0;
	d = &out->devices[out->ndevices++];
	copy_compatible(c->fdt, node, d->compatible, sizeof(d->compatible));
	d->base = r.base;
	d->size = r.size;
	d->irq = node_irq(c, node, 0);
	return 0;
}

/*
 * Walk the whole tree for devices: nodes with compatible and reg that are
 * enabled and not described elsewhere. Whole subtrees are skipped under a
 * disabled node, under the GIC (its ITS / v2m frames belong to the kernel)
 * and under /reserved-memory (those are memory, not devices).
 */
static int parse_devices(struct dtb_ctx *c, struct platform_info *out)
{
	int depth = 0, skip_below = -1;
	int rmem = fdt_path_offset(c->fdt, "/reserved-memory");

	for (int node = fdt_next_node(c->fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(c->fdt, node, &depth)) {
		if (skip_below >= 0 && depth > skip_below)
			continue;
		skip_below = -1;
		if (!node_okay(c->fdt, node) || node == c->gic || node == rmem) {
			skip_below = depth;
			continue;
		}
		if (!fdt_getprop(c->fdt, node, "compatible", NULL) ||
		    !fdt_getprop(c->fdt, node, "reg", NULL) || described_elsewhere(c->fdt, node))
			continue;
		if (add_device(c, node, out) < 0)
			return -1;
	}
	return 0;
}

/* Read a 32- or 64-bit /chosen number (linux,initrd-*); absent is 0. */
static int chosen_u64(struct dtb_ctx *c, int chosen, const char *name, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, chosen, name, &len);

	*v = 0;
	if (!p)
		return 0;
	if (len != 4 && len != 8)
		return fail(c, "DTB: /chosen linux,initrd-start/-end is not 32 or 64 bits");
	*v = read_cells(p, len / 4);
	return 0;
}

/* /chosen: bootargs (truncated to fit, always terminated) and the initrd. */
static int parse_chosen(struct dtb_ctx *c, struct platform_info *out)
{
	int chosen = fdt_path_offset(c->fdt, "/chosen"), len;
	const char *args;
	size_t n;

	if (chosen < 0)
		return 0;
	args = fdt_getprop(c->fdt, chosen, "bootargs", &len);
	if (args && len > 0) {
		n = prop_strlen(args, (size_t)len);
		if (n > PLAT_BOOTARGS_MAX - 1)
			n = PLAT_BOOTARGS_MAX - 1;
		memcpy(out->bootargs, args, n);
		out->bootargs[n] = '\0';
	}
	if (chosen_u64(c, chosen, "linux,initrd-start", &out->initrd_start) < 0 ||
	    chosen_u64(c, chosen, "linux,initrd-end", &out->initrd_end) < 0)
		return -1;
	if (out->initrd_end < out->initrd_start)
		return fail(c, "DTB: /chosen linux,initrd-end is below linux,initrd-start");
	return 0;
}

/* Map a libfdt header/structure check result to a one-line reason. */
static const char *check_error(int rc)
{
	switch (-rc) {
	case FDT_ERR_BADMAGIC:
		return "DTB: bad magic (not a device tree)";
	case FDT_ERR_TRUNCATED:
		return "DTB: truncated";
	case FDT_ERR_BADVERSION:
		return "DTB: unsupported version";
	case FDT_ERR_ALIGNMENT:
		return "DTB: not 8-byte aligned";
	default:
		return "DTB: malformed (structure check failed)";
	}
}

/*
 * Check the blob before anything reads it: magic, header, size against the
 * buffer, then every tag, name and string offset (fdt_check_full).
 */
static int validate(struct dtb_ctx *c, size_t size)
{
	int rc;

	if (size < sizeof(fdt32_t))
		return fail(c, "DTB: truncated");
	if (fdt_magic(c->fdt) != FDT_MAGIC)
		return fail(c, "DTB: bad magic (not a device tree)");
	if (size < sizeof(struct fdt_header))
		return fail(c, "DTB: truncated");
	rc = fdt_check_header(c->fdt);
	if (rc < 0)
		return fail(c, check_error(rc));
	if (fdt_totalsize(c->fdt) > size)
		return fail(c, "DTB: truncated (totalsize is larger than the buffer)");
	rc = fdt_check_full(c->fdt, size);
	if (rc < 0)
		return fail(c, check_error(rc));
	return 0;
}

int dtb_parse(const void *fdt, size_t fdt_size, struct platform_info *out, const char **err)
{
	struct dtb_ctx c = {.fdt = fdt, .err = NULL, .gic = -1};
	int rc = -1;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!fdt || !out)
		c.err = "DTB: no device tree (null pointer)";
	else if (validate(&c, fdt_size) == 0 && parse_memory(&c, out) == 0 &&
	         parse_reserved(&c, out) == 0 && parse_cpus(&c, out) == 0 &&
	         parse_psci(&c, out) == 0 && parse_gic(&c, out) == 0 && parse_timer(&c, out) == 0 &&
	         parse_uart(&c, out) == 0 && parse_devices(&c, out) == 0 &&
	         parse_chosen(&c, out) == 0)
		rc = 0;
	if (err)
		*err = c.err;
	return rc;
}
