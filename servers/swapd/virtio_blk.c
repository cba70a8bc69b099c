/*
 * virtio-blk over a modern virtio-mmio transport (virtio 1.2, sections 4.2
 * and 5.2): probe, feature negotiation, one split virtqueue, 4 KiB page
 * requests. The queue's three rings and the request headers share one DMA
 * page (layout below); every request owns three fixed descriptors, so
 * there is no descriptor allocator. Caller (swapd's only thread) serialises
 * every call.
 */
#include <string.h>

#include "virtio_blk.h"

/* Transport registers, as byte offsets. */
#define R_MAGIC         0x000
#define R_VERSION       0x004
#define R_DEVICE_ID     0x008
#define R_DEV_FEATURES  0x010
#define R_DEV_FEAT_SEL  0x014
#define R_DRV_FEATURES  0x020
#define R_DRV_FEAT_SEL  0x024
#define R_QUEUE_SEL     0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM     0x038
#define R_QUEUE_READY   0x044
#define R_QUEUE_NOTIFY  0x050
#define R_INT_STATUS    0x060
#define R_INT_ACK       0x064
#define R_STATUS        0x070
#define R_QUEUE_DESC    0x080
#define R_QUEUE_DRIVER  0x090
#define R_QUEUE_DEVICE  0x0a0
#define R_CONFIG        0x100

#define MAGIC_VIRT 0x74726976 /* "virt" */
#define DEVICE_BLK 2

#define S_ACKNOWLEDGE 1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8

#define F_BLK_RO    5  /* the device is read-only */
#define F_VERSION_1 32 /* modern device */

#define T_IN     0
#define T_OUT    1
#define T_GET_ID 8
#define ID_BYTES 20

#define D_NEXT  1
#define D_WRITE 2

/* The DMA page. */
#define QSIZE       32
#define OFF_DESC    0    /* QSIZE * 16 */
#define OFF_AVAIL   512  /* 4 + QSIZE * 2 + 2 */
#define OFF_USED    1024 /* 4 + QSIZE * 8 + 2 */
#define OFF_HDR     1536 /* VBLK_MAX_REQUESTS * 16 */
#define OFF_STATUS  1664 /* VBLK_MAX_REQUESTS bytes */
#define OFF_ID      1680 /* ID_BYTES */
#define OFF_DMA_END 1700 /* below SWAPD_BOOT_OFFSET (2048) */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct avail {
	uint16_t flags, idx, ring[QSIZE], used_event;
};
struct used_elem {
	uint32_t id, len;
};
struct used {
	uint16_t flags, idx;
	struct used_elem ring[QSIZE];
	uint16_t avail_event;
};
struct req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

_Static_assert(OFF_AVAIL >= OFF_DESC + QSIZE * sizeof(struct desc), "descriptors fit");
_Static_assert(OFF_USED >= OFF_AVAIL + sizeof(struct avail), "avail ring fits");
_Static_assert(OFF_HDR >= OFF_USED + sizeof(struct used), "used ring fits");
_Static_assert(QSIZE >= 3 * VBLK_MAX_REQUESTS, "three descriptors per request");
_Static_assert(OFF_DMA_END <= 2048, "DMA area stays below the boot table");

static uint32_t rd(struct vblk *d, unsigned off)
{
	return d->regs[off / 4];
}

static void wr(struct vblk *d, unsigned off, uint32_t v)
{
	d->regs[off / 4] = v;
}

/* Order normal-memory writes (descriptors, rings) before what follows,
 * including device register writes. */
static void barrier(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static struct desc *descs(struct vblk *d)
{
	return (struct desc *)(d->dma + OFF_DESC);
}
static volatile struct avail *avail(struct vblk *d)
{
	return (volatile struct avail *)(d->dma + OFF_AVAIL);
}
static volatile struct used *used(struct vblk *d)
{
	return (volatile struct used *)(d->dma + OFF_USED);
}

/* Fill request id's three descriptors: header, data (len bytes at paddr),
 * status; data_write: the device writes the data. */
static void fill(struct vblk *d, unsigned id, uint32_t type, uint64_t sector, uint64_t paddr,
                 uint32_t len, bool data_write)
{
	struct desc *t = descs(d);
	struct req_hdr *h = (struct req_hdr *)(d->dma + OFF_HDR) + id;
	unsigned k = 3 * id;

	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	d->dma[OFF_STATUS + id] = 0xff;
	t[k] = (struct desc){d->dma_paddr + OFF_HDR + id * sizeof *h, sizeof *h, D_NEXT,
	                     (uint16_t)(k + 1)};
	t[k + 1] = (struct desc){paddr, len, (uint16_t)(D_NEXT | (data_write ? D_WRITE : 0)),
	                         (uint16_t)(k + 2)};
	t[k + 2] = (struct desc){d->dma_paddr + OFF_STATUS + id, 1, D_WRITE, 0};
}

/* Put request id's chain on the available ring and tell the device. */
static void kick(struct vblk *d, unsigned id)
{
	volatile struct avail *a = avail(d);
	uint16_t i = a->idx;

	a->ring[i % d->qsize] = (uint16_t)(3 * id);
	barrier();
	a->idx = (uint16_t)(i + 1);
	barrier();
	wr(d, R_QUEUE_NOTIFY, 0);
}

/* Wait (polling, at probe time only) until request id completes. */
static bool poll_done(struct vblk *d, unsigned id)
{
	unsigned got;
	bool ok;

	for (unsigned long spins = 0; spins < 100000000UL; spins++)
		if (vblk_next_done(d, &got, &ok))
			return got == id && ok;
	return false;
}

/* Negotiate VERSION_1 and set up queue 0 in the DMA page. false if the device refuses. */
static bool init_queue(struct vblk *d)
{
	wr(d, R_STATUS, 0);
	wr(d, R_STATUS, S_ACKNOWLEDGE);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(d, R_DRV_FEAT_SEL, 0);
	wr(d, R_DRV_FEATURES, 0);
	wr(d, R_DRV_FEAT_SEL, 1);
	wr(d, R_DRV_FEATURES, 1u << (F_VERSION_1 - 32));
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK))
		return false;
	wr(d, R_QUEUE_SEL, 0);
	uint32_t max = rd(d, R_QUEUE_NUM_MAX);
	if (max < QSIZE || rd(d, R_QUEUE_READY))
		return false;
	d->qsize = QSIZE;
	memset(d->dma, 0, OFF_DMA_END);
	wr(d, R_QUEUE_NUM, QSIZE);
	uint64_t pd = d->dma_paddr + OFF_DESC, pa = d->dma_paddr + OFF_AVAIL,
	         pu = d->dma_paddr + OFF_USED;
	wr(d, R_QUEUE_DESC, (uint32_t)pd);
	wr(d, R_QUEUE_DESC + 4, (uint32_t)(pd >> 32));
	wr(d, R_QUEUE_DRIVER, (uint32_t)pa);
	wr(d, R_QUEUE_DRIVER + 4, (uint32_t)(pa >> 32));
	wr(d, R_QUEUE_DEVICE, (uint32_t)pu);
	wr(d, R_QUEUE_DEVICE + 4, (uint32_t)(pu >> 32));
	barrier();
	wr(d, R_QUEUE_READY, 1);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	d->last_used = 0;
	return true;
}

/* Probe one transport; see virtio_blk.h. */
enum vblk_probe vblk_probe(struct vblk *d, volatile uint32_t *regs, uint8_t *dma,
                           uint64_t dma_paddr, const char *serial)
{
	memset(d, 0, sizeof *d);
	d->regs = regs;
	d->dma = dma;
	d->dma_paddr = dma_paddr;
	if (rd(d, R_MAGIC) != MAGIC_VIRT || rd(d, R_DEVICE_ID) != DEVICE_BLK)
		return VBLK_PROBE_NONE;
	if (rd(d, R_VERSION) != 2)
		return VBLK_PROBE_LEGACY;
	wr(d, R_DEV_FEAT_SEL, 0);
	if (rd(d, R_DEV_FEATURES) & (1u << F_BLK_RO))
		return VBLK_PROBE_READONLY;
	wr(d, R_DEV_FEAT_SEL, 1);
	if (!(rd(d, R_DEV_FEATURES) & (1u << (F_VERSION_1 - 32))) || !init_queue(d))
		return VBLK_PROBE_LEGACY;
	d->sectors = (uint64_t)rd(d, R_CONFIG) | (uint64_t)rd(d, R_CONFIG + 4) << 32;

	/* The serial number tells the swap disk from any other writable disk. */
	char *id = (char *)d->dma + OFF_ID;
	memset(id, 0, ID_BYTES);
	fill(d, 0, T_GET_ID, 0, d->dma_paddr + OFF_ID, ID_BYTES, true);
	kick(d, 0);
	bool ok = poll_done(d, 0);
	vblk_irq_ack(d);
	if (!ok || strncmp(id, serial, ID_BYTES) != 0) {
		wr(d, R_STATUS, 0); /* reset: leave the device as we found it */
		return VBLK_PROBE_OTHER_SERIAL;
	}
	return VBLK_PROBE_OK;
}

void vblk_submit(struct vblk *d, unsigned id, enum vblk_op op, uint64_t paddr, uint64_t sector)
{
	d->busy[id] = true;
	fill(d, id, op == VBLK_WRITE ? T_OUT : T_IN, sector, paddr, 4096, op == VBLK_READ);
	kick(d, id);
}

void vblk_irq_ack(struct vblk *d)
{
	wr(d, R_INT_ACK, rd(d, R_INT_STATUS));
}

bool vblk_next_done(struct vblk *d, unsigned *id, bool *ok)
{
	volatile struct used *u = used(d);

	if (u->idx == d->last_used)
		return false;
	barrier(); /* read the entry only after seeing the index move */
	uint32_t head = u->ring[d->last_used % d->qsize].id;
	d->last_used++;
	*id = head / 3;
	if (head % 3 || *id >= VBLK_MAX_REQUESTS) {
		*ok = false;
		*id = VBLK_MAX_REQUESTS; /* not ours: the caller ignores it */
		return true;
	}
	*ok = d->dma[OFF_STATUS + *id] == 0;
	d->busy[*id] = false;
	return true;
}

/* Start a one-page request (count must be 8 sectors) on the virtqueue. */
static bool bd_submit(struct blockdev *bd, unsigned id, enum blk_op op, uint64_t sector,
                      unsigned count, struct blk_page page)
{
	struct vblk *d = bd->impl;

	if (count != 4096 / 512 || sector + count > d->sectors || id >= VBLK_MAX_REQUESTS)
		return false;
	vblk_submit(d, id, op == BLK_WRITE ? VBLK_WRITE : VBLK_READ, page.paddr, sector);
	return true;
}

/* Acknowledge the transport's interrupt and report every used-ring entry. */
static void bd_on_irq(struct blockdev *bd, blk_done_fn done)
{
	unsigned id;
	bool ok;

	vblk_irq_ack(bd->impl);
	while (vblk_next_done(bd->impl, &id, &ok))
		if (id < VBLK_MAX_REQUESTS)
			done(id, ok);
}

void vblk_blockdev(struct vblk *d, struct blockdev *bd)
{
	*bd = (struct blockdev){.name = "virtio-blk",
	                        .sectors = d->sectors,
	                        .needs_va = false,
	                        .impl = d,
	                        .submit = bd_submit,
	                        .on_irq = bd_on_irq};
}
