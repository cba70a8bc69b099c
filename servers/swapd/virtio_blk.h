/*
 * A virtio-blk device on a virtio-mmio transport, modern interface (virtio
 * 1.x, transport version 2) only: QEMU must run with
 * -global virtio-mmio.force-legacy=false (docs/swap.md says why).
 * One request queue; every request is one 4 KiB page at a sector, described
 * by three descriptors (header, data, status). The rings and the request
 * headers live in one DMA page given by the caller.
 */
#ifndef SWAPD_VIRTIO_BLK_H
#define SWAPD_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"

#define VBLK_MAX_REQUESTS 8

enum vblk_op {
	VBLK_READ = 0,  /* device -> memory (VIRTIO_BLK_T_IN) */
	VBLK_WRITE = 1, /* memory -> device (VIRTIO_BLK_T_OUT) */
};

struct vblk {
	volatile uint32_t *regs; /* the transport's registers */
	uint8_t *dma;            /* the DMA page, mapped */
	uint64_t dma_paddr;      /* its physical address */
	uint16_t qsize;          /* descriptors in the queue */
	uint16_t last_used;      /* next used-ring entry to look at */
	uint64_t sectors;        /* capacity in 512-byte sectors */
	bool busy[VBLK_MAX_REQUESTS];
};

/* What probing one transport found. */
enum vblk_probe {
	VBLK_PROBE_NONE = 0,     /* no device, or not a block device */
	VBLK_PROBE_LEGACY,       /* a block device on a legacy (version 1) transport */
	VBLK_PROBE_READONLY,     /* a read-only block device (the U-Boot boot disk) */
	VBLK_PROBE_OTHER_SERIAL, /* writable, but its serial is not the swap disk's */
	VBLK_PROBE_OK,
};

/* Probe the transport at regs and, if it is the swap disk (a writable
 * modern virtio-blk whose serial is `serial`), initialise it with its queue
 * in the DMA page. Polls; interrupts come later. */
enum vblk_probe vblk_probe(struct vblk *d, volatile uint32_t *regs, uint8_t *dma,
                           uint64_t dma_paddr, const char *serial);

/* Start request id (0..VBLK_MAX_REQUESTS-1, not busy): op on the 4 KiB page
 * at physical address paddr and sector. */
void vblk_submit(struct vblk *d, unsigned id, enum vblk_op op, uint64_t paddr, uint64_t sector);

/* Acknowledge the device's interrupt. */
void vblk_irq_ack(struct vblk *d);

/* The next completed request: its id and whether the device reported
 * success. false if none is waiting. */
bool vblk_next_done(struct vblk *d, unsigned *id, bool *ok);

/* The swapd block-device interface over an initialised d (vblk_probe
 * answered VBLK_PROBE_OK): the whole disk is the swap area. */
void vblk_blockdev(struct vblk *d, struct blockdev *bd);

#endif
