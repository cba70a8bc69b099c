/*
 * An SD card behind an SD host controller with the standard SDHCI register
 * set (SD Host Controller Simplified Specification 3.00): the Raspberry Pi
 * 4's EMMC2, and the Arasan controller QEMU's raspi4b puts its card on.
 * Data moves by PIO through the buffer data port, a page (8 blocks) per
 * multi-block command; completion comes by interrupt. The swap area is the
 * card's MBR partition of type 0x82 (Linux swap); nothing outside it is
 * ever read or written after the MBR. Only 32-bit register accesses are
 * made (the BCM283x controllers drop narrower writes).
 */
#ifndef SWAPD_SDHCI_H
#define SWAPD_SDHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "blockdev.h"

#define SDHCI_MAX_REQUESTS 8

struct sdhci_req {
	enum blk_op op;
	uint64_t sector; /* in the swap area */
	unsigned count;
	uint32_t *buf;
};

/* One controller and its card. Only swapd's thread touches it. */
struct sdhci {
	volatile uint32_t *regs;
	unsigned version;      /* host controller spec version field: 0 = 1.00, 2 = 3.00 */
	uint32_t base_khz;     /* base clock; assumed when the capabilities give none */
	bool base_assumed;     /* base_khz is the documented assumption, not read */
	bool high_capacity;    /* SDHC/SDXC: block addresses; SDSC: byte addresses */
	uint32_t rca;          /* the card's relative address */
	uint64_t card_sectors; /* from the CSD */
	uint64_t first;        /* the swap partition: first sector on the card */
	uint64_t sectors;      /* and its length */
	/* Requests: at most one on the controller (active), the rest queued. */
	struct sdhci_req req[SDHCI_MAX_REQUESTS];
	unsigned queue[SDHCI_MAX_REQUESTS], qhead, qlen;
	int active;           /* id of the request on the controller, -1 if none */
	unsigned blocks_done; /* of the active request */
};

/* Reset the controller at regs, initialise its card and find the swap
 * partition in the card's MBR, polling (interrupts come later). true if
 * the card is ready with a swap partition; false with *why saying what is
 * missing (no card, the card did not initialise, no MBR or no partition of
 * type 0x82). */
bool sdhci_probe(struct sdhci *h, volatile uint32_t *regs, const char **why);

/* The swapd block-device interface over a probed h (the swap partition),
 * with the controller's interrupt signals enabled. */
void sdhci_blockdev(struct sdhci *h, struct blockdev *bd);

#endif
