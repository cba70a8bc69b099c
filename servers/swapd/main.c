/*
 * swapd: the swap daemon. A user-level virtio-blk driver that moves single
 * frames between memory and 4 KiB slots of the swap disk for the pager
 * (idl/swapd.idl). docs/swap.md has the protocol and the start-up contract
 * (swapd/boot.h): the pager maps swapd's memory eagerly and pins it, so
 * swapd never faults; it must not grow its heap or its stack beyond the
 * pinned part.
 *
 * One thread serves everything. A swap_out or swap_in is started on the
 * device and its reply deferred: the request keeps the reply object (and
 * the received frame cap) and swapd goes back to receive with another, so
 * up to SWAPD_MAX_REQUESTS transfers are in flight at once. The device's
 * interrupt arrives as a signal of the notification bound to swapd's TCB,
 * delivered by the same receive; completions answer their requests.
 * Requests are indexed alike in three tables: reqs[i], reply object
 * SWAPD_CAP_REPLY_FIRST + i, receive slot SWAPD_CAP_RECV_FIRST + i.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/ipc.h>
#include <swapd/boot.h>

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

static struct request reqs[SWAPD_MAX_REQUESTS];
static struct vblk disk;
static bool have_disk;
static unsigned cur; /* the request index the next message is received into */
static uint64_t dma_paddr, mmio_paddr, mmio_bytes;
static struct swapd_stats counters;

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

/* The physical address of the frame cap in slot frame, if swapd may make the
 * device read or write it: a 4 KiB frame that is neither swapd's DMA page
 * nor device memory it drives. */
static bool frame_paddr(fl_cptr_t frame, uint64_t *paddr)
{
	if (invoke(frame, FL_FRAME_GET_ADDRESS, 0, NULL, 0, paddr) != 0)
		return false;
	if (*paddr & 4095)
		return false;
	if (*paddr == dma_paddr)
		return false;
	return !(*paddr >= mmio_paddr && *paddr < mmio_paddr + mmio_bytes);
}

/* Start request cur; the reply waits for the completion. */
static int start(enum req_kind kind, uint32_t slot, uint64_t paddr)
{
	reqs[cur] = (struct request){.kind = kind, .slot = slot};
	vblk_submit(&disk, cur, kind == REQ_OUT ? VBLK_WRITE : VBLK_READ, paddr,
	            (uint64_t)slot * SECTORS_PER_SLOT);
	return FL_IDL_DEFER;
}

static int on_swap_out(void *ctx, uint64_t badge, fl_cptr_t frame, uint32_t *slot)
{
	uint64_t paddr;

	(void)ctx;
	(void)badge;
	(void)slot;
	if (!frame_paddr(frame, &paddr))
		return SWAPD_E_BAD_FRAME;
	if (!have_disk || !slots_alloc(slot))
		return SWAPD_E_NO_SLOT;
	return start(REQ_OUT, *slot, paddr);
}

static int on_swap_in(void *ctx, uint64_t badge, uint32_t slot, fl_cptr_t frame)
{
	uint64_t paddr;

	(void)ctx;
	(void)badge;
	if (!slots_is_used(slot))
		return SWAPD_E_BAD_SLOT;
	if (!frame_paddr(frame, &paddr))
		return SWAPD_E_BAD_FRAME;
	return start(REQ_IN, slot, paddr);
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
}

/* Take every finished request off the used ring and answer it, then
 * unmask the interrupt line. */
static void on_interrupt(void)
{
	unsigned id;
	bool ok;

	vblk_irq_ack(&disk);
	while (vblk_next_done(&disk, &id, &ok))
		if (id < SWAPD_MAX_REQUESTS && reqs[id].kind != REQ_NONE)
			complete(id, ok);
	invoke(SWAPD_CAP_IRQ_HANDLER, FL_IRQ_HANDLER_ACK, 0, NULL, 0, NULL);
}

/* A request index with nothing in flight, or SWAPD_MAX_REQUESTS. */
static unsigned free_request(void)
{
	for (unsigned i = 0; i < SWAPD_MAX_REQUESTS; i++)
		if (reqs[i].kind == REQ_NONE)
			return i;
	return SWAPD_MAX_REQUESTS;
}

/* Find the swap disk among the transports the pager listed, set it up and
 * tell the pager which it is (its interrupt comes from the pager). false
 * (and a line saying why) if there is none. */
static bool find_disk(struct swapd_boot *boot)
{
	for (uint32_t i = 0; i < boot->ntransports && i < SWAPD_MAX_TRANSPORTS; i++) {
		const struct swapd_transport *t = &boot->t[i];
		if (t->offset + 0x200 > mmio_bytes)
			continue;
		volatile uint32_t *regs = (volatile uint32_t *)(SWAPD_MMIO_VA + t->offset);
		switch (vblk_probe(&disk, regs, (uint8_t *)SWAPD_DMA_VA, dma_paddr, SWAP_SERIAL)) {
		case VBLK_PROBE_LEGACY:
			printf("swapd: virtio-blk at 0x%lx is a legacy (version 1) transport; "
			       "run QEMU with -global virtio-mmio.force-legacy=false\n",
			       (unsigned long)(mmio_paddr + t->offset));
			continue;
		case VBLK_PROBE_OK:
			break;
		default:
			continue;
		}
		boot->chosen = i + 1;
		uint64_t n = disk.sectors / SECTORS_PER_SLOT;
		if (boot->max_slots && n > boot->max_slots)
			n = boot->max_slots;
		slots_init((uint32_t)(n > SLOTS_MAX ? SLOTS_MAX : n));
		printf("swapd: swap disk at 0x%lx (interrupt %u): %u slots of 4 KiB\n",
		       (unsigned long)(mmio_paddr + t->offset), t->intid, slots_total());
		return true;
	}
	printf("swapd: no swap disk (a writable virtio-blk with serial '%s'); swap is off\n",
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
	mmio_paddr = boot->mmio_paddr;
	mmio_bytes = (uint64_t)boot->mmio_pages * 4096;
	have_disk = find_disk(boot);

	cur = 0;
	for (;;) {
		b->recv_slots[0] = SWAPD_CAP_RECV_FIRST + cur;
		fl_recv(SWAPD_CAP_EP, SWAPD_CAP_REPLY_FIRST + cur, &m);
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
			fl_reply_recv(SWAPD_CAP_EP, SWAPD_CAP_REPLY_FIRST + cur, &m);
		}
	}
}
