/*
 * The block device swapd keeps its slots on, whatever drives it: a small
 * interface with one backend per kind of device (virtio_blk.c on QEMU virt,
 * sdhci.c for an SD card on the Raspberry Pi 4). A request moves whole
 * 512-byte sectors between one 4 KiB page and the device; it is started by
 * submit and finished later, when the device's interrupt has been handled
 * by on_irq, which reports each finished request to the caller's done
 * function. Sector numbers are relative to the swap area: a backend never
 * touches the device outside it. swapd's only thread makes every call.
 */
#ifndef SWAPD_BLOCKDEV_H
#define SWAPD_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR 512

enum blk_op {
	BLK_READ = 0,  /* device -> page */
	BLK_WRITE = 1, /* page -> device */
};

/* One page for a request: its physical address (for a device that reads or
 * writes it by DMA) and, for a backend whose needs_va is set, where swapd
 * has it mapped (the CPU copies it through the controller's data port). */
struct blk_page {
	uint64_t paddr;
	void *va;
};

/* Called by on_irq for each finished request: its id and whether the device
 * reported success. */
typedef void (*blk_done_fn)(unsigned id, bool ok);

struct blockdev {
	const char *name; /* for log lines: "virtio-blk", "SD card (SDHCI)" */
	uint64_t sectors; /* of the swap area */
	bool needs_va;    /* requests need the page mapped in swapd (blk_page.va) */
	void *impl;       /* the backend's own state */
	/* Start request id (0..SWAPD_MAX_REQUESTS-1, not in flight): op on count
	 * sectors from sector, to or from page. The caller keeps sector + count
	 * within sectors; a backend refuses (false, nothing started) a request
	 * outside them. A backend that can run one request at a time queues
	 * the others. */
	bool (*submit)(struct blockdev *bd, unsigned id, enum blk_op op, uint64_t sector,
	               unsigned count, struct blk_page page);
	/* Handle the device's interrupt: acknowledge it at the device, move any
	 * data due, report every finished request through done and start queued
	 * ones. The caller acknowledges the interrupt line afterwards. */
	void (*on_irq)(struct blockdev *bd, blk_done_fn done);
};

#endif
