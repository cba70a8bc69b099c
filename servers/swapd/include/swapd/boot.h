/*
 * How the pager starts swapd: the capabilities it puts in swapd's CNode, the
 * addresses it maps in swapd's address space before swapd runs, and the
 * table of block devices it leaves in swapd's DMA page: the DTB's
 * virtio-mmio transports (QEMU virt) or, if it has none, its SD host
 * controllers (SDHCI: the Raspberry Pi 4's EMMC2 and Arasan controllers).
 * swapd probes them, writes which one holds the swap area into the table
 * (chosen) and serves; the pager then takes that device's interrupt (IRQ
 * control cannot be copied to swapd), binds it to swapd's notification and
 * puts the handler in swapd's CNode before sending any request that does I/O.
 * Shared by
 * servers/pager/swap.c (the writer) and servers/swapd (the reader);
 * docs/swap.md describes the whole start-up.
 */
#ifndef SWAPD_BOOT_H
#define SWAPD_BOOT_H

#include <stdint.h>

/* Slots of swapd's CNode (slots 2..33 hold its threads' pager caps). */
#define SWAPD_CAP_EP          40 /* its endpoint: receive right */
#define SWAPD_CAP_NTFN        41 /* notification bound to its TCB (badge SWAPD_IRQ_BADGE) */
#define SWAPD_CAP_IRQ_HANDLER 43 /* its disk's IRQ handler, once the pager put it there */
#define SWAPD_CAP_DMA_FRAME   44 /* the DMA page's frame (for its physical address) */
#define SWAPD_CAP_CNODE       45 /* its own CNode (to delete caps it received) */
#define SWAPD_CAP_VSPACE      46 /* its own VSpace (to map frames it moves by PIO) */
#define SWAPD_CAP_REPLY_FIRST 48 /* SWAPD_MAX_REQUESTS reply objects */
#define SWAPD_CAP_RECV_FIRST  56 /* SWAPD_MAX_REQUESTS empty slots for frame caps */
#define SWAPD_MAX_REQUESTS    8

/* Badges of swapd's notification: its device's interrupt, and the pager's
 * go signal (everything below is in place; swapd waits for it first). */
#define SWAPD_IRQ_BADGE 1ULL
#define SWAPD_GO_BADGE  2ULL

/* swapd's address space beyond its ELF image, stack and IPC buffer. */
#define SWAPD_DMA_VA     0x0000700000100000ULL /* one page, pinned: rings, headers */
#define SWAPD_MMIO_VA    0x0000700000110000ULL /* the device pages, Device-nGnRE */
#define SWAPD_MMIO_PAGES 8
/* Where swapd maps request i's frame while the CPU copies it to or from an
 * SDHCI's data port (SWAPD_MAX_REQUESTS pages). It shares the last-level
 * page table the pager made for the DMA page, so mapping needs no new table. */
#define SWAPD_BUF_VA 0x0000700000120000ULL

/* The pager pins this much of swapd's stack below the top before it runs;
 * swapd must not use more (it has no large locals and does not recurse). */
#define SWAPD_STACK_PINNED (64ULL << 10)

/* What kind of device a table entry is. */
#define SWAPD_DEV_VIRTIO_MMIO 0 /* a virtio-mmio transport (compatible "virtio,mmio") */
#define SWAPD_DEV_SDHCI       1 /* an SD host controller (SDHCI register set) */

/* One device from the DTB. */
struct swapd_transport {
	uint32_t offset; /* of its registers from SWAPD_MMIO_VA */
	uint32_t intid;  /* GIC interrupt id */
	uint32_t kind;   /* SWAPD_DEV_* */
};

/* Left by the pager in the DMA page at SWAPD_BOOT_OFFSET. */
#define SWAPD_BOOT_OFFSET    2048
#define SWAPD_BOOT_MAGIC     0x73776170626f6f74ULL /* "swapboot" */
#define SWAPD_MAX_TRANSPORTS 48
struct swapd_boot {
	uint64_t magic;
	uint64_t mmio_paddr; /* physical address of SWAPD_MMIO_VA (virtio: a contiguous window) */
	uint32_t mmio_pages;
	uint32_t reserved;
	uint64_t page_paddr[SWAPD_MMIO_PAGES]; /* physical address of each mapped device page */
	uint32_t ntransports;
	uint32_t chosen;    /* written by swapd: index + 1 of the swap disk, 0 = none */
	uint32_t max_slots; /* use at most this many slots (0: the whole disk), swap.slots=N */
	struct swapd_transport t[SWAPD_MAX_TRANSPORTS];
};
_Static_assert(SWAPD_BOOT_OFFSET + sizeof(struct swapd_boot) <= 4096,
               "boot table fits the DMA page");

#endif
