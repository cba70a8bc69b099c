/*
 * An SD card on an SDHCI controller (sdhci.h): controller reset, clock and
 * power, card identification (CMD0, CMD8, ACMD41, CMD2, CMD3, CMD9, CMD7,
 * CMD16), the swap partition from the MBR, and page transfers by PIO with
 * multi-block commands (CMD18/CMD25, auto CMD12) finished by interrupt.
 * Register and bit names follow the SD Host Controller Simplified
 * Specification 3.00; command and response facts the SD Physical Layer
 * Simplified Specification. Probing polls with a timeout from the generic
 * timer (CNTVCT_EL0, readable at EL0); transfers never poll for long.
 */
#include <string.h>

#include "sdhci.h"

/* Registers (byte offsets; every access is a 32-bit word). */
#define R_BLOCK      0x04 /* block size [11:0], block count [31:16] */
#define R_ARG        0x08
#define R_CMD        0x0c /* transfer mode [15:0], command [31:16] */
#define R_RESP0      0x10
#define R_DATA       0x20
#define R_PRESENT    0x24
#define R_HOST       0x28 /* host control [7:0], power control [15:8] */
#define R_CLOCK      0x2c /* clock control [15:0], timeout [19:16], software reset [26:24] */
#define R_INT_STATUS 0x30 /* normal [15:0], error [31:16]; write 1 to clear */
#define R_INT_ENABLE 0x34 /* which events set status bits */
#define R_INT_SIGNAL 0x38 /* which status bits raise the interrupt line */
#define R_CAPS       0x40
#define R_VERSION    0xfc /* host controller version [23:16] */

/* Present state */
#define P_CMD_INHIBIT 0x001
#define P_DAT_INHIBIT 0x002
#define P_WRITE_READY 0x400
#define P_READ_READY  0x800

/* Interrupt status */
#define I_CMD_DONE    0x0001
#define I_XFER_DONE   0x0002
#define I_WRITE_READY 0x0010
#define I_READ_READY  0x0020
#define I_ERROR       0x8000
#define I_ERRORS      0x03ff0000 /* every error bit: timeouts, CRC, end bit, index, auto CMD12 */
#define I_CMD_TIMEOUT 0x00010000

/* Clock control and software reset */
#define C_INTERNAL_ON 0x0001
#define C_STABLE      0x0002
#define C_CARD_ON     0x0004
#define C_TIMEOUT_MAX (0xeu << 16)
#define C_RESET_ALL   (1u << 24)
#define C_RESET_CMD   (1u << 25)
#define C_RESET_DAT   (1u << 26)

/* Power control (in R_HOST): bus power on at 3.3 V */
#define H_POWER_33V (0x0fu << 8)

/* Transfer mode */
#define T_BLOCK_COUNT 0x02
#define T_AUTO_CMD12  0x04
#define T_READ        0x10
#define T_MULTI       0x20

/* Command register (the upper half of R_CMD) */
#define F_RESP_NONE 0x00
#define F_RESP_136  0x01
#define F_RESP_48   0x02
#define F_RESP_BUSY 0x03
#define F_CRC       0x08
#define F_INDEX     0x10
#define F_DATA      0x20
#define RESP_R1     (F_RESP_48 | F_CRC | F_INDEX)
#define RESP_R1B    (F_RESP_BUSY | F_CRC | F_INDEX)
#define RESP_R2     (F_RESP_136 | F_CRC)
#define RESP_R3     F_RESP_48

/* Card status (R1) bits that mean the command failed: out of range, address,
 * block length, erase, write protect, lock, CRC, illegal command, ECC, CC
 * error, general error. */
#define R1_ERRORS 0xfdf80000u

/* OCR (ACMD41's answer) */
#define OCR_POWERED_UP 0x80000000u
#define OCR_CCS        0x40000000u
#define OCR_VOLTAGES   0x00ff8000u /* 2.7-3.6 V */

#define SECTORS_PER_PAGE 8
#define WORDS_PER_BLOCK  (BLK_SECTOR / 4)

/*
 * The base clock when the capabilities register gives none (as on the
 * BCM2711's EMMC2, whose clock comes from the firmware): an upper bound,
 * so the card clocks derived from it are at most the targets below and only
 * slower if the real clock is lower. docs/rpi4.md says this was not
 * checked on a real board.
 */
#define BASE_KHZ_ASSUMED 200000u
#define IDENT_KHZ        400u
#define DATA_KHZ         25000u

static uint32_t mbr[WORDS_PER_BLOCK]; /* sector 0 of the card, read at probe */

static uint32_t rd(struct sdhci *h, unsigned off)
{
	return h->regs[off / 4];
}

static void wr(struct sdhci *h, unsigned off, uint32_t v)
{
	h->regs[off / 4] = v;
}

/* The generic timer in microseconds (EL0 may read the virtual count). */
static uint64_t now_us(void)
{
	uint64_t cnt, frq;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
	return frq ? cnt / (frq / 1000000 ? frq / 1000000 : 1) : cnt;
}

/* Busy-wait ms milliseconds (probing only). */
static void delay_ms(unsigned ms)
{
	uint64_t end = now_us() + ms * 1000ULL;

	while (now_us() < end)
		;
}

/* Wait until (register off & mask) == want, at most ms milliseconds. */
static bool wait_reg(struct sdhci *h, unsigned off, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = now_us() + ms * 1000ULL;

	for (;;) {
		if ((rd(h, off) & mask) == want)
			return true;
		if (now_us() > end)
			return (rd(h, off) & mask) == want;
	}
}

/* Reset the command and data lines after an error (the card is untouched). */
static void reset_lines(struct sdhci *h)
{
	wr(h, R_CLOCK, rd(h, R_CLOCK) | C_RESET_CMD | C_RESET_DAT);
	wait_reg(h, R_CLOCK, C_RESET_CMD | C_RESET_DAT, 0, 100);
}

/* Send one command and wait for its response (polling, probe only); for
 * a data command the caller moves the data. Response word 0 in *resp0
 * (NULL: not wanted). false on a timeout or an error the controller saw. */
static bool command(struct sdhci *h, unsigned index, uint32_t arg, uint32_t flags, uint32_t mode,
                    uint32_t *resp0)
{
	uint32_t inhibit =
	    P_CMD_INHIBIT | ((flags & F_DATA) || (flags & 3) == F_RESP_BUSY ? P_DAT_INHIBIT : 0);

	if (!wait_reg(h, R_PRESENT, inhibit, 0, 500))
		return false;
	wr(h, R_INT_STATUS, 0xffffffffu);
	wr(h, R_ARG, arg);
	wr(h, R_CMD, (index << 8 | flags) << 16 | mode);
	if (!wait_reg(h, R_INT_STATUS, I_CMD_DONE, I_CMD_DONE, 1000) ||
	    (rd(h, R_INT_STATUS) & I_ERROR)) {
		wr(h, R_INT_STATUS, 0xffffffffu);
		reset_lines(h);
		return false;
	}
	wr(h, R_INT_STATUS, I_CMD_DONE);
	if (resp0)
		*resp0 = rd(h, R_RESP0);
	if ((flags & 3) == F_RESP_BUSY && !(flags & F_DATA)) {
		/* The card holds DAT0 low while busy. */
		if (!wait_reg(h, R_PRESENT, P_DAT_INHIBIT, 0, 1000))
			return false;
		wr(h, R_INT_STATUS, I_XFER_DONE);
	}
	return true;
}

/* An application command: CMD55 to the card at rca, then ACMDindex. */
static bool app_command(struct sdhci *h, unsigned index, uint32_t arg, uint32_t flags,
                        uint32_t *resp0)
{
	return command(h, 55, h->rca << 16, RESP_R1, 0, NULL) &&
	       command(h, index, arg, flags, 0, resp0);
}

/* Run the card clock at most khz: the divisor is a power of two, which means
 * the same in the 8-bit (spec 1.00/2.00) and 10-bit (3.00) divisor fields. */
static bool set_clock(struct sdhci *h, uint32_t khz)
{
	uint32_t n = 0; /* the card clock is base / (2n), or base for n = 0 */
	uint32_t max = h->version >= 2 ? 0x200 : 0x80;

	if (h->base_khz > khz)
		for (n = 1; n < max && h->base_khz / (2 * n) > khz; n <<= 1)
			;
	uint32_t v = rd(h, R_CLOCK) & ~0xffffu;
	wr(h, R_CLOCK, v);
	v |= (n & 0xff) << 8 | ((n >> 8) & 3) << 6 | C_INTERNAL_ON | C_TIMEOUT_MAX;
	wr(h, R_CLOCK, v);
	if (!wait_reg(h, R_CLOCK, C_STABLE, C_STABLE, 100))
		return false;
	wr(h, R_CLOCK, v | C_CARD_ON);
	delay_ms(2);
	return true;
}

/* Reset the controller, then power, clock and interrupt status for
 * identification. */
static bool controller_init(struct sdhci *h)
{
	wr(h, R_CLOCK, C_RESET_ALL);
	if (!wait_reg(h, R_CLOCK, C_RESET_ALL, 0, 100))
		return false;
	h->version = (rd(h, R_VERSION) >> 16) & 0xff;
	uint32_t caps = rd(h, R_CAPS);
	uint32_t mhz = (caps >> 8) & (h->version >= 2 ? 0xff : 0x3f);
	h->base_assumed = mhz == 0;
	h->base_khz = mhz ? mhz * 1000 : BASE_KHZ_ASSUMED;
	wr(h, R_HOST, (rd(h, R_HOST) & ~0xff00u) | H_POWER_33V);
	delay_ms(2);
	wr(h, R_INT_SIGNAL, 0);
	wr(h, R_INT_ENABLE, I_ERRORS | I_READ_READY | I_WRITE_READY | I_XFER_DONE | I_CMD_DONE);
	wr(h, R_INT_STATUS, 0xffffffffu);
	return set_clock(h, IDENT_KHZ);
}

/* Bits hi..lo of the 128-bit little-endian word array r. */
static uint32_t bits(const uint32_t r[4], unsigned hi, unsigned lo)
{
	uint32_t v = 0;

	for (unsigned b = hi + 1; b-- > lo;)
		v = v << 1 | ((r[b / 32] >> (b % 32)) & 1);
	return v;
}

/* The card's capacity in sectors from its CSD (R2 of CMD9: the controller
 * drops the CRC byte, so CSD bit k is response bit k - 8). 0 if the CSD
 * version is unknown. */
static uint64_t csd_sectors(const uint32_t r[4])
{
	unsigned version = bits(r, 127 - 8, 126 - 8);

	if (version == 1) /* (C_SIZE + 1) * 512 KiB */
		return ((uint64_t)bits(r, 69 - 8, 48 - 8) + 1) * 1024;
	if (version == 0) { /* (C_SIZE + 1) << (C_SIZE_MULT + 2) blocks of 1 << READ_BL_LEN */
		uint64_t blocks = ((uint64_t)bits(r, 73 - 8, 62 - 8) + 1)
		                  << (bits(r, 49 - 8, 47 - 8) + 2);
		return (blocks << bits(r, 83 - 8, 80 - 8)) / BLK_SECTOR;
	}
	return 0;
}

/* Identify the card and put it in the transfer state (SD Physical Layer
 * 4.2: the card identification mode). */
static bool card_init(struct sdhci *h, const char **why)
{
	uint32_t r, csd[4];
	bool v2;

	*why = "no card answers (CMD0/CMD8 timed out)";
	h->rca = 0;
	if (!command(h, 0, 0, F_RESP_NONE, 0, NULL))
		return false;
	delay_ms(1);
	/* CMD8: a card of spec 2.00 or later echoes the check pattern. */
	v2 = command(h, 8, 0x1aa, RESP_R1, 0, &r);
	if (v2 && (r & 0xfff) != 0x1aa) {
		*why = "the card refuses 2.7-3.6 V (CMD8)";
		return false;
	}
	uint64_t end = now_us() + 1000000;
	do {
		/* No answer at all: no SD memory card (none, or an SDIO-only one). */
		*why = "no SD memory card answers (CMD8, CMD55/ACMD41 unanswered)";
		if (!app_command(h, 41, OCR_VOLTAGES | (v2 ? OCR_CCS : 0), RESP_R3, &r))
			return false;
		*why = "the card never finished powering up (ACMD41)";
		if (r & OCR_POWERED_UP)
			break;
		delay_ms(10);
	} while (now_us() < end);
	if (!(r & OCR_POWERED_UP))
		return false;
	h->high_capacity = v2 && (r & OCR_CCS);
	*why = "card identification failed (CMD2/CMD3/CMD9/CMD7/CMD16)";
	if (!command(h, 2, 0, RESP_R2, 0, NULL) || !command(h, 3, 0, RESP_R1, 0, &r))
		return false;
	h->rca = r >> 16;
	if (!command(h, 9, h->rca << 16, RESP_R2, 0, NULL))
		return false;
	for (unsigned i = 0; i < 4; i++)
		csd[i] = rd(h, R_RESP0 + 4 * i);
	h->card_sectors = csd_sectors(csd);
	if (!command(h, 7, h->rca << 16, RESP_R1B, 0, &r) ||
	    !command(h, 16, BLK_SECTOR, RESP_R1, 0, &r) || (r & R1_ERRORS))
		return false;
	*why = "the card clock cannot be raised";
	return set_clock(h, DATA_KHZ);
}

/* The argument that addresses card sector s. */
static uint32_t card_address(struct sdhci *h, uint64_t s)
{
	return (uint32_t)(h->high_capacity ? s : s * BLK_SECTOR);
}

/* Read card sector s into buf, polling (probe only). */
static bool read_sector_polled(struct sdhci *h, uint64_t s, uint32_t *buf)
{
	uint32_t r;

	wr(h, R_BLOCK, BLK_SECTOR | 1u << 16);
	if (!command(h, 17, card_address(h, s), RESP_R1 | F_DATA, T_READ | T_BLOCK_COUNT, &r) ||
	    (r & R1_ERRORS))
		return false;
	if (!wait_reg(h, R_PRESENT, P_READ_READY, P_READ_READY, 1000)) {
		reset_lines(h);
		return false;
	}
	for (unsigned i = 0; i < WORDS_PER_BLOCK; i++)
		buf[i] = rd(h, R_DATA);
	bool ok = wait_reg(h, R_INT_STATUS, I_XFER_DONE | I_ERROR, I_XFER_DONE, 1000);
	wr(h, R_INT_STATUS, 0xffffffffu);
	if (!ok)
		reset_lines(h);
	return ok;
}

/* Find the swap partition (type 0x82) among the MBR's four entries. It must
 * lie on the card and overlap no other partition. */
static bool find_swap_partition(struct sdhci *h, const char **why)
{
	const uint8_t *b = (const uint8_t *)mbr;

	*why = "sector 0 of the card is no MBR";
	if (b[510] != 0x55 || b[511] != 0xaa)
		return false;
	*why = "the card's MBR has no partition of type 0x82 (Linux swap)";
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = b + 446 + 16 * i;
		uint64_t start = e[8] | e[9] << 8 | e[10] << 16 | (uint64_t)e[11] << 24;
		uint64_t len = e[12] | e[13] << 8 | e[14] << 16 | (uint64_t)e[15] << 24;
		if (e[4] != 0x82 || len < SECTORS_PER_PAGE || start == 0)
			continue;
		if (h->card_sectors && start + len > h->card_sectors) {
			*why = "the swap partition runs past the end of the card";
			return false;
		}
		for (unsigned j = 0; j < 4; j++) {
			const uint8_t *o = b + 446 + 16 * j;
			uint64_t os = o[8] | o[9] << 8 | o[10] << 16 | (uint64_t)o[11] << 24;
			uint64_t ol = o[12] | o[13] << 8 | o[14] << 16 | (uint64_t)o[15] << 24;
			if (j != i && o[4] && ol && os < start + len && start < os + ol) {
				*why = "the swap partition overlaps another partition";
				return false;
			}
		}
		h->first = start;
		h->sectors = len - len % SECTORS_PER_PAGE;
		return true;
	}
	return false;
}

/* Probe one controller; see sdhci.h. */
bool sdhci_probe(struct sdhci *h, volatile uint32_t *regs, const char **why)
{
	memset(h, 0, sizeof *h);
	h->regs = regs;
	h->active = -1;
	*why = "the controller does not come out of reset";
	if (!controller_init(h) || !card_init(h, why))
		return false;
	*why = "reading the card's MBR failed";
	if (!read_sector_polled(h, 0, mbr))
		return false;
	return find_swap_partition(h, why);
}

/* Put request id on the controller: the block count and size, the address,
 * then the command. Caller: nothing is active. */
static void start(struct sdhci *h, unsigned id)
{
	struct sdhci_req *r = &h->req[id];
	bool read = r->op == BLK_READ, multi = r->count > 1;
	uint32_t mode = T_BLOCK_COUNT | (read ? T_READ : 0) | (multi ? T_MULTI | T_AUTO_CMD12 : 0);
	unsigned index = read ? (multi ? 18 : 17) : (multi ? 25 : 24);

	h->active = (int)id;
	h->blocks_done = 0;
	/* The previous transfer ended with its transfer-complete interrupt, so
	 * the lines are free; a card still busy after a write frees DAT soon. */
	wait_reg(h, R_PRESENT, P_CMD_INHIBIT | P_DAT_INHIBIT, 0, 100);
	wr(h, R_BLOCK, BLK_SECTOR | r->count << 16);
	wr(h, R_ARG, card_address(h, h->first + r->sector));
	wr(h, R_CMD, (index << 8 | RESP_R1 | F_DATA) << 16 | mode);
}

/* Start the next queued request, if any and nothing is active. */
static void start_next(struct sdhci *h)
{
	if (h->active >= 0 || !h->qlen)
		return;
	unsigned id = h->queue[h->qhead];
	h->qhead = (h->qhead + 1) % SDHCI_MAX_REQUESTS;
	h->qlen--;
	start(h, id);
}

/* Move as many whole blocks of the active request as the controller's
 * buffer is ready for. */
static void move_data(struct sdhci *h)
{
	struct sdhci_req *r = &h->req[h->active];

	while (h->blocks_done < r->count) {
		uint32_t *w = r->buf + h->blocks_done * WORDS_PER_BLOCK;
		uint32_t ps = rd(h, R_PRESENT);
		if (r->op == BLK_READ) {
			if (!(ps & P_READ_READY))
				return;
			for (unsigned i = 0; i < WORDS_PER_BLOCK; i++)
				w[i] = rd(h, R_DATA);
		} else {
			if (!(ps & P_WRITE_READY))
				return;
			for (unsigned i = 0; i < WORDS_PER_BLOCK; i++)
				wr(h, R_DATA, w[i]);
		}
		h->blocks_done++;
	}
}

/* Finish the active request (ok: no error seen) and start the next. */
static void finish(struct sdhci *h, bool ok, blk_done_fn done)
{
	unsigned id = (unsigned)h->active;

	if (!ok) {
		reset_lines(h);
		if (h->req[id].count > 1) /* a multi-block transfer cut short: stop it */
			command(h, 12, 0, RESP_R1B, 0, NULL);
		wr(h, R_INT_STATUS, 0xffffffffu);
	}
	h->active = -1;
	done(id, ok);
	start_next(h);
}

static bool bd_submit(struct blockdev *bd, unsigned id, enum blk_op op, uint64_t sector,
                      unsigned count, struct blk_page page)
{
	struct sdhci *h = bd->impl;

	/* Never outside the swap partition. */
	if (sector + count > h->sectors || count == 0 || count > 0xffff || !page.va ||
	    id >= SDHCI_MAX_REQUESTS)
		return false;
	h->req[id] = (struct sdhci_req){.op = op, .sector = sector, .count = count, .buf = page.va};
	h->queue[(h->qhead + h->qlen) % SDHCI_MAX_REQUESTS] = id;
	h->qlen++;
	start_next(h);
	return true;
}

/* Handle every event the controller has pending; see blockdev.h. */
static void bd_on_irq(struct blockdev *bd, blk_done_fn done)
{
	struct sdhci *h = bd->impl;

	for (;;) {
		uint32_t st = rd(h, R_INT_STATUS);
		if (!(st & (I_ERROR | I_ERRORS | I_XFER_DONE | I_READ_READY | I_WRITE_READY |
		            I_CMD_DONE)))
			return;
		/* Acknowledge first: the controller may raise the next block's
		 * buffer-ready while this one is moved. */
		wr(h, R_INT_STATUS, st);
		if (h->active < 0)
			continue;
		if (st & (I_ERROR | I_ERRORS)) {
			finish(h, false, done);
			continue;
		}
		if (st & (I_READ_READY | I_WRITE_READY))
			move_data(h);
		if (st & I_XFER_DONE) {
			struct sdhci_req *r = &h->req[h->active];
			finish(h, h->blocks_done == r->count && !(rd(h, R_RESP0) & R1_ERRORS),
			       done);
		}
	}
}

void sdhci_blockdev(struct sdhci *h, struct blockdev *bd)
{
	*bd = (struct blockdev){.name = "SD card (SDHCI)",
	                        .sectors = h->sectors,
	                        .needs_va = true,
	                        .impl = h,
	                        .submit = bd_submit,
	                        .on_irq = bd_on_irq};
	wr(h, R_INT_STATUS, 0xffffffffu);
	wr(h, R_INT_SIGNAL, I_ERRORS | I_READ_READY | I_WRITE_READY | I_XFER_DONE);
}
