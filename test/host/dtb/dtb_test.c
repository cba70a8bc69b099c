/*
 * Host tests of the kernel's device-tree reader (kernel/plat/dtb.c), run by
 * ctest. Each subcommand checks one kind of blob against what it must yield:
 *
 *   virt FILE SMP MEM GIC CONDUIT [BOOTARGS]  a DTB dumped from QEMU virt with
 *                                             those -smp / -m / gic-version
 *                                             settings and PSCI conduit
 *   rpi4 FILE                 the handwritten Raspberry Pi 4-like fixture
 *   rpi4-debian FILE          Debian's bcm2711-rpi-4-b.dtb, before and after
 *                             filling /memory as the firmware does
 *   features FILE             the features fixture (reservations, cells,
 *                             disabled nodes, CPU limit, bootargs truncation)
 *   uart FILE KIND BASE IRQ   the console UART chosen from the blob
 *   error FILE MESSAGE        parsing fails with exactly MESSAGE
 *   corrupt FILE              a valid DTB, damaged many ways in memory:
 *                             every result is a clean error, never a crash
 *
 * Built with -fsanitize=address,undefined, and every blob is handed over in
 * a heap buffer of exactly the size passed, so any read past it is caught.
 * Exit status 0 means every check passed.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/platform.h"

static int failures;

/* Report a failed check (the test keeps going to show every mismatch). */
static void failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

#define CHECK_EQ(what, got, want)                                                                  \
	do {                                                                                       \
		unsigned long long g_ = (unsigned long long)(got),                                 \
		                   w_ = (unsigned long long)(want);                                \
		if (g_ != w_)                                                                      \
			failf("%s: got 0x%llx, want 0x%llx", what, g_, w_);                        \
	} while (0)

#define CHECK(what, cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			failf("%s", what);                                                         \
	} while (0)

/* Read a whole file into a heap buffer of exactly its size. Exits on error. */
static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Parse a copy of the first len bytes of blob in an exact-size heap buffer. */
static int parse_copy(const void *blob, size_t len, struct platform_info *info, const char **err)
{
	void *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, blob, len);
	rc = dtb_parse(copy, len, info, err);
	free(copy);
	return rc;
}

/* Parse and require success; prints the reason and counts a failure if not. */
static int parse_ok(const void *blob, size_t len, struct platform_info *info)
{
	const char *err = NULL;

	if (dtb_parse(blob, len, info, &err) != 0) {
		failf("dtb_parse failed: %s", err ? err : "(no message)");
		return -1;
	}
	CHECK("err is NULL on success", err == NULL);
	return 0;
}

/* The device whose base is base, or NULL. */
static const struct plat_device *device_at(const struct platform_info *info, uint64_t base)
{
	for (unsigned i = 0; i < info->ndevices; i++)
		if (info->devices[i].base == base)
			return &info->devices[i];
	return NULL;
}

/* Check one device: present at base with this compatible, size and INTID. */
static void check_device(const struct platform_info *info, uint64_t base, const char *compat,
                         uint64_t size, uint32_t irq)
{
	const struct plat_device *d = device_at(info, base);

	if (!d) {
		failf("no device at 0x%llx (%s)", (unsigned long long)base, compat);
		return;
	}
	if (strcmp(d->compatible, compat) != 0)
		failf("device at 0x%llx: compatible \"%s\", want \"%s\"", (unsigned long long)base,
		      d->compatible, compat);
	CHECK_EQ(compat, d->size, size);
	CHECK_EQ(compat, d->irq, irq);
}

/* The number of devices with this compatible. */
static unsigned count_compatible(const struct platform_info *info, const char *compat)
{
	unsigned n = 0;

	for (unsigned i = 0; i < info->ndevices; i++)
		n += strcmp(info->devices[i].compatible, compat) == 0;
	return n;
}

/* Check the console UART the parser chose. */
static void check_uart(const struct platform_info *info, enum plat_uart_kind kind, uint64_t base,
                       uint32_t irq)
{
	CHECK_EQ("uart.kind", info->uart.kind, kind);
	CHECK_EQ("uart.base", info->uart.base, base);
	CHECK_EQ("uart.irq", info->uart.irq, irq);
}

/*
 * QEMU 7.2 virt, checked against `dtc -I dtb -O dts` of the dumps: RAM at
 * 0x40000000 of the -m size; cpu@N reg = N, all PSCI; GICv2 distributor
 * 0x08000000 + 0x10000 and CPU interface 0x08010000 + 0x10000, GICv3
 * distributor 0x08000000 + 0x10000 and redistributors 0x080a0000 + 0xf60000;
 * timer PPIs 14 and 11 (INTIDs 30, 27); PL011 at 0x09000000 with SPI 1
 * (INTID 33); 32 virtio-mmio transports at 0x0a000000 + 0x200 * k with
 * SPI 16 + k (INTID 48 + k).
 */
static void test_virt(const void *blob, size_t len, int argc, char **argv)
{
	struct platform_info info;
	unsigned smp = (unsigned)strtoul(argv[0], NULL, 0);
	uint64_t mem = strtoull(argv[1], NULL, 0);
	unsigned gic = (unsigned)strtoul(argv[2], NULL, 0);
	enum plat_psci_conduit conduit =
	    strcmp(argv[3], "smc") == 0 ? PLAT_PSCI_SMC : PLAT_PSCI_HVC;
	const char *bootargs = argc > 4 ? argv[4] : "";

	if (parse_ok(blob, len, &info) < 0)
		return;
	CHECK_EQ("nmem", info.nmem, 1);
	CHECK_EQ("mem[0].base", info.mem[0].base, 0x40000000);
	CHECK_EQ("mem[0].size", info.mem[0].size, mem);
	CHECK_EQ("nreserved", info.nreserved, 0);

	CHECK_EQ("ncpus", info.ncpus, smp);
	for (unsigned i = 0; i < info.ncpus; i++) {
		CHECK_EQ("cpu mpidr", info.cpus[i].mpidr, i);
		/* QEMU gives cpu@0 an enable-method only when there are others. */
		CHECK_EQ("cpu enable", info.cpus[i].enable,
		         smp > 1 ? PLAT_ENABLE_PSCI : PLAT_ENABLE_NONE);
		CHECK_EQ("cpu release_addr", info.cpus[i].release_addr, 0);
	}
	CHECK_EQ("psci_conduit", info.psci_conduit, conduit);
	CHECK_EQ("psci_cpu_on", info.psci_cpu_on, 0xc4000003);

	CHECK_EQ("gic.version", info.gic.version, gic);
	CHECK_EQ("gic.dist_base", info.gic.dist_base, 0x08000000);
	CHECK_EQ("gic.dist_size", info.gic.dist_size, 0x10000);
	if (gic == 2) {
		CHECK_EQ("gic.cpu_base", info.gic.cpu_base, 0x08010000);
		CHECK_EQ("gic.cpu_size", info.gic.cpu_size, 0x10000);
		CHECK_EQ("gic.redist_base", info.gic.redist_base, 0);
	} else {
		CHECK_EQ("gic.redist_base", info.gic.redist_base, 0x080a0000);
		CHECK_EQ("gic.redist_size", info.gic.redist_size, 0xf60000);
		CHECK_EQ("gic.cpu_base", info.gic.cpu_base, 0);
	}

	CHECK_EQ("timer.ppi_phys_ns", info.timer.ppi_phys_ns, 30);
	CHECK_EQ("timer.ppi_virt", info.timer.ppi_virt, 27);
	CHECK_EQ("timer.clock_frequency", info.timer.clock_frequency, 0);

	check_uart(&info, PLAT_UART_PL011, 0x09000000, 33);
	CHECK_EQ("uart.size", info.uart.size, 0x1000);

	CHECK_EQ("virtio,mmio devices", count_compatible(&info, "virtio,mmio"), 32);
	for (unsigned k = 0; k < 32; k++)
		check_device(&info, 0x0a000000 + 0x200 * k, "virtio,mmio", 0x200, 48 + k);
	check_device(&info, 0x09000000, "arm,pl011", 0x1000, 33);
	check_device(&info, 0x09010000, "arm,pl031", 0x1000, 34);
	check_device(&info, 0x09030000, "arm,pl061", 0x1000, 39);
	check_device(&info, 0x09020000, "qemu,fw-cfg-mmio", 0x18, 0);
	/* The GIC (and its v2m / ITS frames) is the kernel's, not a device. */
	CHECK("no device in the GIC's range", !device_at(&info, 0x08000000) &&
	                                          !device_at(&info, 0x08020000) &&
	                                          !device_at(&info, 0x08080000));
	CHECK("bootargs", strcmp(info.bootargs, bootargs) == 0);
	CHECK_EQ("initrd_start", info.initrd_start, 0);
}

/* Expectations shared by the handwritten fixture and Debian's real DTB. */
static void check_rpi4_common(const struct platform_info *info)
{
	static const uint64_t release[4] = {0xd8, 0xe0, 0xe8, 0xf0};

	CHECK_EQ("ncpus", info->ncpus, 4);
	for (unsigned i = 0; i < 4 && i < info->ncpus; i++) {
		CHECK_EQ("cpu mpidr", info->cpus[i].mpidr, i);
		CHECK_EQ("cpu enable", info->cpus[i].enable, PLAT_ENABLE_SPIN_TABLE);
		CHECK_EQ("cpu release_addr", info->cpus[i].release_addr, release[i]);
	}
	CHECK_EQ("psci_conduit", info->psci_conduit, PLAT_PSCI_NONE);
	/* gic-400 at 0x40041000 on /soc, whose ranges map 0x40000000 to 0xff800000. */
	CHECK_EQ("gic.version", info->gic.version, 2);
	CHECK_EQ("gic.dist_base", info->gic.dist_base, 0xff841000);
	CHECK_EQ("gic.dist_size", info->gic.dist_size, 0x1000);
	CHECK_EQ("gic.cpu_base", info->gic.cpu_base, 0xff842000);
	CHECK_EQ("gic.cpu_size", info->gic.cpu_size, 0x2000);
	CHECK_EQ("timer.ppi_phys_ns", info->timer.ppi_phys_ns, 30);
	CHECK_EQ("timer.ppi_virt", info->timer.ppi_virt, 27);
	/* stdout-path = "serial1:115200n8", serial1 = the mini UART at 0x7e215040. */
	check_uart(info, PLAT_UART_MINI, 0xfe215040, 32 + 93);
	CHECK_EQ("uart.size", info->uart.size, 0x40);
	check_device(info, 0xfe201000, "arm,pl011", 0x200, 32 + 121);
	check_device(info, 0xfe215040, "brcm,bcm2835-aux-uart", 0x40, 32 + 93);
	/* /emmc2bus: 2-cell child addresses 0x0_7e340000 -> 0xfe340000. */
	check_device(info, 0xfe340000, "brcm,bcm2711-emmc2", 0x100, 32 + 126);
	CHECK_EQ("reserved[0].base (memreserve)", info->reserved[0].base, 0);
	CHECK_EQ("reserved[0].size (memreserve)", info->reserved[0].size, 0x1000);
}

/* The handwritten Raspberry Pi 4-like fixture (fixtures/rpi4-like.dts). */
static void test_rpi4(const void *blob, size_t len)
{
	struct platform_info info;

	if (parse_ok(blob, len, &info) < 0)
		return;
	check_rpi4_common(&info);
	CHECK_EQ("nmem", info.nmem, 3);
	CHECK_EQ("mem[0].base", info.mem[0].base, 0);
	CHECK_EQ("mem[0].size", info.mem[0].size, 0x3b400000);
	CHECK_EQ("mem[1].base", info.mem[1].base, 0x40000000);
	CHECK_EQ("mem[1].size", info.mem[1].size, 0xbc000000);
	CHECK_EQ("mem[2].base", info.mem[2].base, 0x100000000);
	CHECK_EQ("mem[2].size", info.mem[2].size, 0x80000000);
	/* linux,cma has no reg and nvram@0 is disabled: only the memreserve. */
	CHECK_EQ("nreserved", info.nreserved, 1);
	CHECK_EQ("timer.clock_frequency", info.timer.clock_frequency, 54000000);
	/* /scb ranges: 0x0_7c000000 -> 0xfc000000. */
	check_device(&info, 0xfd500000, "brcm,bcm2711-pcie", 0x9310, 32 + 147);
	/* hdmi's interrupt-parent is not the GIC: no INTID. */
	check_device(&info, 0xfef00700, "brcm,bcm2711-hdmi0", 0x300, 0);
	/* Disabled: spi@7e204000; on an i2c bus (no ranges): the eeprom. */
	CHECK("disabled spi is not a device", !device_at(&info, 0xfe204000));
	CHECK("i2c child is not a device", count_compatible(&info, "atmel,24c02") == 0);
	CHECK("reserved-memory child is not a device",
	      count_compatible(&info, "shared-dma-pool") == 0);
	CHECK("bootargs empty", info.bootargs[0] == '\0');
}

/*
 * Debian's bcm2711-rpi-4-b.dtb as shipped has memory@0 reg = <0 0 0>, which
 * the Raspberry Pi firmware fills in at boot: unfilled it must be refused, and
 * with reg set the way the firmware of a 4 GB board sets it, it must parse.
 */
static void test_rpi4_debian(const void *blob, size_t len)
{
	const fdt32_t mem[] = {
	    cpu_to_fdt32(0), cpu_to_fdt32(0x00000000), cpu_to_fdt32(0x3b400000),
	    cpu_to_fdt32(0), cpu_to_fdt32(0x40000000), cpu_to_fdt32(0xbc000000),
	    cpu_to_fdt32(1), cpu_to_fdt32(0x00000000), cpu_to_fdt32(0x80000000),
	};
	struct platform_info info;
	const char *err = NULL;
	size_t big = len + 4096;
	void *buf = malloc(big);
	int node;

	if (parse_copy(blob, len, &info, &err) == 0)
		failf("Debian DTB with an unfilled /memory parsed");
	else if (strcmp(err, "DTB: memory nodes hold no non-empty range") != 0)
		failf("unfilled /memory: got \"%s\"", err);

	if (fdt_open_into(blob, buf, (int)big) != 0 ||
	    (node = fdt_path_offset(buf, "/memory@0")) < 0 ||
	    fdt_setprop(buf, node, "reg", mem, sizeof(mem)) != 0 || fdt_pack(buf) != 0) {
		failf("could not fill /memory@0 in the Debian DTB");
		free(buf);
		return;
	}
	if (parse_copy(buf, fdt_totalsize(buf), &info, &err) != 0) {
		failf("Debian DTB with /memory filled: %s", err);
		free(buf);
		return;
	}
	check_rpi4_common(&info);
	CHECK_EQ("nmem", info.nmem, 3);
	CHECK_EQ("mem[2].base", info.mem[2].base, 0x100000000);
	CHECK_EQ("mem[2].size", info.mem[2].size, 0x80000000);
	free(buf);
}

/* The features fixture (fixtures/features.dts); see the comments there. */
static void test_features(const void *blob, size_t len)
{
	static const uint64_t mpidr[PLAT_MAX_CPUS] = {0x0,   0x1,   0x100, 0x101,
	                                              0x200, 0x201, 0x300, 0x301};
	struct platform_info info;

	if (parse_ok(blob, len, &info) < 0)
		return;
	/* Two memory nodes; a disabled third and an empty range skipped. */
	CHECK_EQ("nmem", info.nmem, 2);
	CHECK_EQ("mem[0].base", info.mem[0].base, 0x80000000);
	CHECK_EQ("mem[0].size", info.mem[0].size, 0x40000000);
	CHECK_EQ("mem[1].base", info.mem[1].base, 0x880000000);
	CHECK_EQ("mem[1].size", info.mem[1].size, 0x100000000);
	/* Two /memreserve/ entries, then /reserved-memory children with reg. */
	CHECK_EQ("nreserved", info.nreserved, 4);
	CHECK_EQ("reserved[0].base", info.reserved[0].base, 0x80000000);
	CHECK_EQ("reserved[0].size", info.reserved[0].size, 0x10000);
	CHECK_EQ("reserved[1].base", info.reserved[1].base, 0x8a000000);
	CHECK_EQ("reserved[1].size", info.reserved[1].size, 0x2000);
	CHECK_EQ("reserved[2].base", info.reserved[2].base, 0x9e000000);
	CHECK_EQ("reserved[2].size", info.reserved[2].size, 0x100000);
	CHECK_EQ("reserved[3].base", info.reserved[3].base, 0x9f000000);
	CHECK_EQ("reserved[3].size", info.reserved[3].size, 0x200000);
	/* Ten CPUs with 2-cell reg (one disabled): the first eight are kept. */
	CHECK_EQ("ncpus", info.ncpus, PLAT_MAX_CPUS);
	for (unsigned i = 0; i < PLAT_MAX_CPUS; i++)
		CHECK_EQ("cpu mpidr", info.cpus[i].mpidr, mpidr[i]);
	CHECK_EQ("cpu0 enable (no enable-method)", info.cpus[0].enable, PLAT_ENABLE_NONE);
	CHECK_EQ("cpu1 enable", info.cpus[1].enable, PLAT_ENABLE_PSCI);
	CHECK_EQ("cpu2 enable", info.cpus[2].enable, PLAT_ENABLE_SPIN_TABLE);
	CHECK_EQ("cpu2 release_addr (64-bit)", info.cpus[2].release_addr, 0x100000fff8);
	/* PSCI 0.1 with its own CPU_ON id, over smc. */
	CHECK_EQ("psci_conduit", info.psci_conduit, PLAT_PSCI_SMC);
	CHECK_EQ("psci_cpu_on", info.psci_cpu_on, 0x95c1ba5e);
	/* A disabled gic-400 first, then the GICv3 under a translated bus. */
	CHECK_EQ("gic.version", info.gic.version, 3);
	CHECK_EQ("gic.dist_base", info.gic.dist_base, 0x2f000000);
	CHECK_EQ("gic.redist_base", info.gic.redist_base, 0x2f100000);
	CHECK_EQ("gic.redist_size", info.gic.redist_size, 0x200000);
	CHECK_EQ("timer.clock_frequency", info.timer.clock_frequency, 62500000);
	CHECK_EQ("timer.ppi_phys_ns", info.timer.ppi_phys_ns, 30);
	CHECK_EQ("timer.ppi_virt", info.timer.ppi_virt, 27);
	/* stdout-path names the PL011 on the soc bus by full path. */
	check_uart(&info, PLAT_UART_PL011, 0x1c090000, 32 + 5);
	/* interrupts-extended to the GIC, and a node on a disabled bus. */
	check_device(&info, 0x1c090000, "arm,pl011", 0x1000, 32 + 5);
	check_device(&info, 0x1c0a0000, "vendor,ext-irq", 0x100, 16 + 7);
	CHECK("device on a disabled bus skipped", !device_at(&info, 0x1d000000));
	CHECK("node under #address-cells = <0> is not a device",
	      count_compatible(&info, "vendor,no-address") == 0);
	/* 700 characters of bootargs: the first 511 kept, terminated. */
	CHECK_EQ("bootargs length", strlen(info.bootargs), PLAT_BOOTARGS_MAX - 1);
	CHECK("bootargs prefix", strncmp(info.bootargs, "console=ttyAMA0 ", 16) == 0);
	CHECK_EQ("initrd_start (32-bit)", info.initrd_start, 0x88000000);
	CHECK_EQ("initrd_end (64-bit)", info.initrd_end, 0x88400000);
}

/* The console UART: KIND is pl011, mini or none; BASE and IRQ as numbers. */
static void test_uart(const void *blob, size_t len, char **argv)
{
	struct platform_info info;
	enum plat_uart_kind kind = strcmp(argv[0], "pl011") == 0  ? PLAT_UART_PL011
	                           : strcmp(argv[0], "mini") == 0 ? PLAT_UART_MINI
	                                                          : PLAT_UART_NONE;

	if (parse_ok(blob, len, &info) < 0)
		return;
	check_uart(&info, kind, strtoull(argv[1], NULL, 0), (uint32_t)strtoul(argv[2], NULL, 0));
}

/* Check a parse result against the error it must have given. */
static void check_error(const char *what, int rc, const char *err, const char *want)
{
	if (rc == 0)
		failf("%s: parsed, want \"%s\"", what, want);
	else if (!err || strcmp(err, want) != 0)
		failf("%s: error \"%s\", want \"%s\"", what, err ? err : "(null)", want);
}

/* Parse of an exact-size copy of blob must fail with exactly want. */
static void expect_error(const char *what, const void *blob, size_t len, const char *want)
{
	struct platform_info info;
	const char *err = NULL;
	int rc = parse_copy(blob, len, &info, &err);

	check_error(what, rc, err, want);
}

/* Parse of blob where it lies (not copied) must fail with exactly want. */
static void expect_error_at(const char *what, const void *blob, size_t len, const char *want)
{
	struct platform_info info;
	const char *err = NULL;
	int rc = dtb_parse(blob, len, &info, &err);

	check_error(what, rc, err, want);
}

/* A damaged blob may parse or not, but a failure must carry a "DTB: " reason. */
static void expect_clean(const char *what, const void *blob, size_t len)
{
	struct platform_info info;
	const char *err = NULL;

	if (parse_copy(blob, len, &info, &err) != 0 && (!err || strncmp(err, "DTB: ", 5) != 0))
		failf("%s: failed without a DTB: reason", what);
}

static void put_be32(void *p, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	memcpy(p, &be, 4);
}

/* Offset in the structure block of the first tag at or after offset from. */
static size_t tag_after(const void *blob, size_t from)
{
	int off = 0, next;

	while (fdt_next_tag(blob, off, &next) != FDT_END && (size_t)off < from)
		off = next;
	return (size_t)off;
}

/*
 * Damage a valid DTB in every way a boot loader or a bad copy could: wrong
 * magic, cut short anywhere, a header that claims more than the buffer,
 * garbage over the structure block, random byte flips. Every case must give
 * an error (or, for harmless flips, a result) without any out-of-bounds
 * read, which ASan would report.
 */
static void test_corrupt(const void *blob, size_t len)
{
	unsigned char *b = malloc(len);
	size_t off_struct = fdt_off_dt_struct(blob), size_struct = fdt_size_dt_struct(blob);
	unsigned seed = 12345;

	memcpy(b, blob, len);
	b[0] ^= 0xff;
	expect_error("bad magic", b, len, "DTB: bad magic (not a device tree)");
	memcpy(b, blob, len);

	/* The spec and the arm64 boot protocol want the blob 8-byte aligned. */
	{
		unsigned char *odd = malloc(len + 4);

		memcpy(odd + 4, blob, len);
		expect_error_at("4-byte aligned blob", odd + 4, len, "DTB: not 8-byte aligned");
		free(odd);
	}

	expect_error("empty buffer", b, 0, "DTB: truncated");
	expect_error("3 bytes", b, 3, "DTB: truncated");
	expect_error("header only", b, 20, "DTB: truncated");
	/* Cut at every 97th length and at each block boundary. */
	for (size_t cut = 40; cut < len; cut += 97)
		expect_error("truncated", b, cut,
		             "DTB: truncated (totalsize is larger than the buffer)");
	expect_error("cut before strings", b, fdt_off_dt_strings(blob),
	             "DTB: truncated (totalsize is larger than the buffer)");
	expect_error("cut by one byte", b, len - 1,
	             "DTB: truncated (totalsize is larger than the buffer)");

	put_be32(b + 4, (uint32_t)len + 4096); /* totalsize */
	expect_error("totalsize beyond buffer", b, len,
	             "DTB: truncated (totalsize is larger than the buffer)");
	memcpy(b, blob, len);

	/* Garbage (0xff bytes, not a valid tag) from the first tag past the middle. */
	memset(b + off_struct + tag_after(blob, size_struct / 2), 0xff, 64);
	expect_error("garbage in struct block", b, len, "DTB: malformed (structure check failed)");
	memcpy(b, blob, len);

	/* A property whose length runs past the structure block. */
	for (size_t off = off_struct; off + 12 <= off_struct + size_struct; off += 4) {
		uint32_t tag;

		memcpy(&tag, b + off, 4);
		if (fdt32_to_cpu(tag) == FDT_PROP) {
			put_be32(b + off + 4, 0x7ffffff0);
			break;
		}
	}
	expect_error("property length past the block", b, len,
	             "DTB: malformed (structure check failed)");
	memcpy(b, blob, len);

	/* Strings block offset pointing past the end. */
	put_be32(b + 12, (uint32_t)len + 100); /* off_dt_strings */
	expect_clean("strings offset past end", b, len);
	memcpy(b, blob, len);

	/* 2000 random single-byte flips anywhere in the blob. */
	for (int i = 0; i < 2000; i++) {
		size_t at;

		seed = seed * 1103515245u + 12345u;
		at = (seed >> 8) % len;
		b[at] ^= (unsigned char)(1u << ((seed >> 4) & 7));
		expect_clean("random byte flip", b, len);
		b[at] = ((const unsigned char *)blob)[at];
	}
	free(b);
}

int main(int argc, char **argv)
{
	size_t len;
	void *blob;

	if (argc < 3) {
		fprintf(stderr,
		        "usage: %s virt|rpi4|rpi4-debian|features|uart|error|corrupt FILE "
		        "[ARGS...]\n",
		        argv[0]);
		return 2;
	}
	blob = read_file(argv[2], &len);
	if (strcmp(argv[1], "virt") == 0 && argc >= 7)
		test_virt(blob, len, argc - 3, argv + 3);
	else if (strcmp(argv[1], "rpi4") == 0)
		test_rpi4(blob, len);
	else if (strcmp(argv[1], "rpi4-debian") == 0)
		test_rpi4_debian(blob, len);
	else if (strcmp(argv[1], "features") == 0)
		test_features(blob, len);
	else if (strcmp(argv[1], "uart") == 0 && argc == 6)
		test_uart(blob, len, argv + 3);
	else if (strcmp(argv[1], "error") == 0 && argc == 4)
		expect_error(argv[2], blob, len, argv[3]);
	else if (strcmp(argv[1], "corrupt") == 0)
		test_corrupt(blob, len);
	else {
		fprintf(stderr, "%s: unknown test or wrong arguments\n", argv[1]);
		return 2;
	}
	free(blob);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
