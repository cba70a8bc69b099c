/*
 * swapd: the swap daemon. A user-level block driver that moves single
 * frames between memory and 4 KiB slots of the swap area for the pager
 * (idl/swapd.idl): a virtio-blk disk (virtio_blk.c) on QEMU virt, or the
 * swap partition of an SD card behind an SDHCI controller (sdhci.c) on the
 * Raspberry Pi 4, both behind blockdev.h. docs/swap.md has the protocol
 * and the start-up contract (swapd/boot.h): the pager maps swapd's memory eagerly and pins it, so
 * swapd never faults; it must not grow its heap or its stack beyond the
 * pinned part.
 *
 * One thread serves everything. A swap_out or swap_in is started on the
 * device and its reply deferred: the request keeps the reply object (and
 * the received frame cap) and swapd goes back to receive with another, so
 * up to SWAPD_MAX_REQUESTS transfers are in flight at once. The device's
 * interrupt arrives as a signal of the notification bound to swapd's TCB,
 * delivered by the same receive; completions answer their requests.
 * Requests are indexed alike in four tables: reqs[i], reply object
 * SWAPD_CAP_REPLY_FIRST + i, receive slot SWAPD_CAP_RECV_FIRST + i and,
 * for a device the CPU feeds by PIO, the page SWAPD_BUF_VA + i * 4096 where
 * the received frame is mapped while its transfer runs (deleting the cap
 * at completion unmaps it).
 *
 * The interrupt line is unmasked only while swapd waits with a transfer
 * in flight (docs/swap.md, "Interrupts"): the kernel masks it when it
 * delivers an interrupt, and swapd acknowledges it with FL_IRQ_ACK_ON_WAIT
 * just before it blocks, so the kernel unmasks it as swapd starts waiting.
 * An interrupt therefore never lands while swapd runs (it could not serve
 * it before waiting anyway), and with one transfer at a time the
 * completion is always taken at the same point of the guest's instruction
 * stream however long the disk takes: QEMU's exact mode stays exact.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/ipc.h>
#include <swapd/boot.h>

#include "blockdev.h"
#include "sdhci.h"
#include "slots.h"
#include "swapd.h"
#include "virtio_blk.h"

/* The serial number (-device virtio-blk-device,serial=...) of the swap disk. */
#define SWAP_SERIAL "flswap"

#define SECTORS_PER_SLOT 8

enum req_kind { REQ_NONE = 0, REQ_OUT, REQ_IN };

struct request {
	enum req_kind kind;
	uint32_t slot;
};

_Static_assert(SWAPD_MAX_REQUESTS <= VBLK_MAX_REQUESTS && SWAPD_MAX_REQUESTS <= SDHCI_MAX_REQUESTS,
               "every backend takes as many requests as swapd keeps");

static struct request reqs[SWAPD_MAX_REQUESTS];
static struct vblk vdisk;
static struct sdhci sdcard;
static struct blockdev disk;
static bool have_disk;
static unsigned cur; /* the request index the next message is received into */
static uint64_t dma_paddr;
static const struct swapd_boot *boot_table;
static struct swapd_stats counters;
/* The interrupt line as far as swapd knows: masked by the kernel (it masks
 * the line when it delivers an interrupt, and on an ON_WAIT ack), and
 * whether an ON_WAIT ack is registered and not yet used up. */
static bool line_masked, ack_deferred;
static unsigned nbusy; /* requests in flight: reqs[i].kind != REQ_NONE */

/* Invoke object cap with label and words; the kernel's error (0 = success),
 * MR0 in *out0 if out0 is not NULL. */
static uint64_t invoke(fl_cptr_t cap, uint64_t label, unsigned n, const uint64_t *w, fl_cptr_t cap0,
                       uint64_t *out0)
{
	struct fl_msg m = {.info = fl_msginfo(label, n, cap0 ? 1 : 0)};

	for (unsigned i = 0; i < n; i++)
		m.mr[i] = w[i];
	if (cap0)
		fl_ipc_buffer()->send_caps[0] = cap0;
	fl_call(cap, &m);
	if (out0)
		*out0 = m.mr[0];
	return fl_msginfo_label(m.info);
}

/* Empty slot s of swapd's CNode (a received cap it no longer needs). */
static void drop_cap(fl_cptr_t s)
{
	uint64_t w[1] = {s};

	invoke(SWAPD_CAP_CNODE, FL_CNODE_DELETE, 1, w, 0, NULL);
}

/* The page of the frame cap in slot frame, if swapd may let the device
 * (or itself) read or write it: a 4 KiB frame that is neither swapd's DMA
 * page nor a device page it drives. For a PIO device the frame is mapped
 * at request cur's buffer page (read-only for a swap-out: swapd only reads
 * it). */
static bool frame_page(fl_cptr_t frame, bool writable, struct blk_page *pg)
{
	const struct swapd_boot *bt = boot_table;

	if (invoke(frame, FL_FRAME_GET_ADDRESS, 0, NULL, 0, &pg->paddr) != 0)
		return false;
	if ((pg->paddr & 4095) || pg->paddr == dma_paddr)
		return false;
	for (uint32_t k = 0; k < bt->mmio_pages && k < SWAPD_MMIO_PAGES; k++)
		if (pg->paddr == bt->page_paddr[k])
			return false;
	pg->va = NULL;
	if (!disk.needs_va)
		return true;
	uint64_t va = SWAPD_BUF_VA + (uint64_t)cur * 4096;
	uint64_t w[2] = {va, writable ? FL_MAP_RW : FL_MAP_READ};
	if (invoke(frame, FL_FRAME_MAP, 2, w, SWAPD_CAP_VSPACE, NULL) != 0)
		return false;
	pg->va = (void *)va;
	return true;
}

/* Whether any transfer is in flight. */
static bool in_flight(void)
{
	return nbusy != 0;
}

/* Acknowledge the interrupt line with FL_IRQ_ACK_ON_WAIT: masked from now
 * until swapd next blocks waiting. */
static void ack_on_wait(void)
{
	uint64_t w[1] = {FL_IRQ_ACK_ON_WAIT};

	if (!have_disk || invoke(SWAPD_CAP_IRQ_HANDLER, FL_IRQ_HANDLER_ACK, 1, w, 0, NULL))
		return;
	line_masked = ack_deferred = true;
}

/* Before a blocking receive: a line masked with a transfer in flight is
 * to be unmasked as swapd blocks (without a transfer in flight it stays
 * masked: no interrupt is due). */
static void before_wait(void)
{
	if (line_masked && !ack_deferred && in_flight())
		ack_on_wait();
}

/* After a blocking receive that did not bring the interrupt: if an ON_WAIT
 * ack was registered, swapd may have blocked and the kernel unmasked the
 * line (or not, if a message was already waiting; then the kernel still
 * holds the ack and unmasks at the next wait). Assume unmasked: the worst
 * that does is one more ON_WAIT ack before the next first transfer. */
static void after_wait(void)
{
	if (ack_deferred)
		line_masked = ack_deferred = false;
}

/* Start request cur; the reply waits for the completion. FL_IDL_DEFER, or
 * SWAPD_E_IO_ERROR if the device refused it (nothing started). The first
 * transfer after an idle spell starts with the line masked (it is, unless
 * this is the first since boot or the line was unmasked by a wait), so its
 * completion cannot arrive while swapd still runs. */
static int start(enum req_kind kind, uint32_t slot, struct blk_page pg)
{
	if (!line_masked && !in_flight())
		ack_on_wait();
	reqs[cur] = (struct request){.kind = kind, .slot = slot};
	nbusy++;
	if (!disk.submit(&disk, cur, kind == REQ_OUT ? BLK_WRITE : BLK_READ,
	                 (uint64_t)slot * SECTORS_PER_SLOT, SECTORS_PER_SLOT, pg)) {
		reqs[cur].kind = REQ_NONE;
		nbusy--;
		counters.io_errors++;
		return SWAPD_E_IO_ERROR;
	}
	return FL_IDL_DEFER;
}

static int on_swap_out(void *ctx, uint64_t badge, fl_cptr_t frame, uint32_t *slot)
{
	struct blk_page pg;

	(void)ctx;
	(void)badge;
	if (!frame_page(frame, false, &pg))
		return SWAPD_E_BAD_FRAME;
	if (!have_disk || !slots_alloc(slot))
		return SWAPD_E_NO_SLOT;
	int r = start(REQ_OUT, *slot, pg);
	if (r != FL_IDL_DEFER)
		slots_free(*slot);
	return r;
}

static int on_swap_in(void *ctx, uint64_t badge, uint32_t slot, fl_cptr_t frame)
{
	struct blk_page pg;

	(void)ctx;
	(void)badge;
	if (!slots_is_used(slot))
		return SWAPD_E_BAD_SLOT;
	if (!frame_page(frame, true, &pg))
		return SWAPD_E_BAD_FRAME;
	return start(REQ_IN, slot, pg);
}

static int on_free_slot(void *ctx, uint64_t badge, uint32_t slot)
{
	(void)ctx;
	(void)badge;
	if (!slots_is_used(slot))
		return SWAPD_E_BAD_SLOT;
	slots_free(slot);
	return 0;
}

static int on_stats(void *ctx, uint64_t badge, struct swapd_stats *out)
{
	(void)ctx;
	(void)badge;
	*out = counters;
	out->slots_total = slots_total();
	out->slots_used = slots_used();
	return 0;
}

static const struct swapd_handlers handlers = {
    .swap_out = on_swap_out,
    .swap_in = on_swap_in,
    .free_slot = on_free_slot,
    .stats = on_stats,
};

/* Answer request i, which the device finished (ok: without error). */
static void complete(unsigned i, bool ok)
{
	struct request *r = &reqs[i];
	fl_cptr_t reply = SWAPD_CAP_REPLY_FIRST + i;

	if (!ok) {
		counters.io_errors++;
		if (r->kind == REQ_OUT)
			slots_free(r->slot); /* nothing usable was written */
		fl_idl_reply_error(reply, SWAPD_E_IO_ERROR);
	} else if (r->kind == REQ_OUT) {
		counters.pages_out++;
		swapd_swap_out_reply(reply, r->slot);
	} else {
		counters.pages_in++;
		swapd_swap_in_reply(reply);
	}
	drop_cap(SWAPD_CAP_RECV_FIRST + i);
	r->kind = REQ_NONE;
	nbusy--;
}

/* A request the device finished: answer it if it is one in flight. */
static void device_done(unsigned id, bool ok)
{
	if (id < SWAPD_MAX_REQUESTS && reqs[id].kind != REQ_NONE)
		complete(id, ok);
}

/* The interrupt came (the kernel masked the line to deliver it): let the
 * device answer every finished request. The line is acknowledged at the
 * next wait with a transfer in flight (before_wait). */
static void on_interrupt(void)
{
	line_masked = true;
	ack_deferred = false;
	disk.on_irq(&disk, device_done);
}

/* A message arrived through a blocking receive: note what it says about
 * the interrupt line. */
static void received(const struct fl_msg *m)
{
	if (fl_msginfo_label(m->info) != FL_NOTIFICATION_LABEL)
		after_wait();
}

/* A request index with nothing in flight, or SWAPD_MAX_REQUESTS. */
static unsigned free_request(void)
{
	for (unsigned i = 0; i < SWAPD_MAX_REQUESTS; i++)
		if (reqs[i].kind == REQ_NONE)
			return i;
	return SWAPD_MAX_REQUESTS;
}

/* Use the virtio-blk transport t if it is the swap disk. */
static bool try_virtio(const struct swapd_boot *bt, const struct swapd_transport *t)
{
	volatile uint32_t *regs = (volatile uint32_t *)(SWAPD_MMIO_VA + t->offset);

	switch (vblk_probe(&vdisk, regs, (uint8_t *)SWAPD_DMA_VA, dma_paddr, SWAP_SERIAL)) {
	case VBLK_PROBE_LEGACY:
		printf("swapd: virtio-blk at 0x%lx is a legacy (version 1) transport; "
		       "run QEMU with -global virtio-mmio.force-legacy=false\n",
		       (unsigned long)(bt->mmio_paddr + t->offset));
		return false;
	case VBLK_PROBE_OK:
		vblk_blockdev(&vdisk, &disk);
		return true;
	default:
		return false;
	}
}

/* Use the SD card on the SDHCI controller t if it has a swap partition. */
static bool try_sdhci(const struct swapd_boot *bt, const struct swapd_transport *t)
{
	volatile uint32_t *regs = (volatile uint32_t *)(SWAPD_MMIO_VA + t->offset);
	uint64_t paddr = bt->page_paddr[t->offset / 4096] + (t->offset & 4095);
	const char *why;

	if (!sdhci_probe(&sdcard, regs, &why)) {
		printf("swapd: SD host controller at 0x%lx: %s\n", (unsigned long)paddr, why);
		return false;
	}
	printf("swapd: SD card on 0x%lx: %s, %lu sectors; swap partition at sector %lu, %lu "
	       "sectors; card clock from a %s base clock of %u kHz\n",
	       (unsigned long)paddr, sdcard.high_capacity ? "SDHC/SDXC" : "SDSC",
	       (unsigned long)sdcard.card_sectors, (unsigned long)sdcard.first,
	       (unsigned long)sdcard.sectors, sdcard.base_assumed ? "assumed" : "reported",
	       sdcard.base_khz);
	sdhci_blockdev(&sdcard, &disk);
	return true;
}

/* Find the swap area among the devices the pager listed, set it up and
 * tell the pager which it is (its interrupt comes from the pager). false
 * (and a line saying why) if there is none. */
static bool find_disk(struct swapd_boot *boot)
{
	for (uint32_t i = 0; i < boot->ntransports && i < SWAPD_MAX_TRANSPORTS; i++) {
		const struct swapd_transport *t = &boot->t[i];
		if (t->offset / 4096 >= boot->mmio_pages || (t->offset & 4095) + 0x100 > 4096)
			continue;
		if (t->kind == SWAPD_DEV_VIRTIO_MMIO ? !try_virtio(boot, t) : !try_sdhci(boot, t))
			continue;
		boot->chosen = i + 1;
		uint64_t n = disk.sectors / SECTORS_PER_SLOT;
		if (boot->max_slots && n > boot->max_slots)
			n = boot->max_slots;
		slots_init((uint32_t)(n > SLOTS_MAX ? SLOTS_MAX : n));
		printf("swapd: swap on %s (interrupt %u): %u slots of 4 KiB\n", disk.name, t->intid,
		       slots_total());
		return true;
	}
	printf("swapd: no swap area (a writable virtio-blk with serial '%s', or an SD card with "
	       "a partition of type 0x82); swap is off\n",
	       SWAP_SERIAL);
	return false;
}

int main(void)
{
	struct swapd_boot *boot = (void *)(SWAPD_DMA_VA + SWAPD_BOOT_OFFSET);
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct fl_msg m;

	/* Nothing below is mapped or in our CNode until the pager says go. */
	while (!(fl_poll(SWAPD_CAP_NTFN) & SWAPD_GO_BADGE))
		fl_yield();
	if (boot->magic != SWAPD_BOOT_MAGIC ||
	    invoke(SWAPD_CAP_DMA_FRAME, FL_FRAME_GET_ADDRESS, 0, NULL, 0, &dma_paddr)) {
		printf("swapd: not started by the pager (no boot table or DMA page)\n");
		return 1;
	}
	boot_table = boot;
	have_disk = find_disk(boot);

	cur = 0;
	for (;;) {
		b->recv_slots[0] = SWAPD_CAP_RECV_FIRST + cur;
		before_wait();
		fl_recv(SWAPD_CAP_EP, SWAPD_CAP_REPLY_FIRST + cur, &m);
		received(&m);
		for (;;) {
			int r = FL_IDL_NO_REPLY;

			if (fl_msginfo_label(m.info) == FL_NOTIFICATION_LABEL) {
				if (have_disk)
					on_interrupt();
			} else if (!fl_msginfo_is_error(m.info)) {
				r = swapd_dispatch(&handlers, NULL, &m);
			}
			if (reqs[cur].kind != REQ_NONE) {
				/* Deferred: the request keeps its reply object and cap. */
				while ((cur = free_request()) == SWAPD_MAX_REQUESTS) {
					before_wait();
					fl_wait(SWAPD_CAP_NTFN);
					on_interrupt();
				}
				break;
			}
			/* A cap that came with a refused request is not kept. */
			drop_cap(SWAPD_CAP_RECV_FIRST + cur);
			if (r != FL_IDL_REPLY)
				break;
			b->recv_slots[0] = SWAPD_CAP_RECV_FIRST + cur;
			before_wait();
			fl_reply_recv(SWAPD_CAP_EP, SWAPD_CAP_REPLY_FIRST + cur, &m);
			received(&m);
		}
	}
}
