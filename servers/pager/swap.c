/*
 * The pager's side of swap: starting swapd and the backing store of
 * vmcore's platform. docs/swap.md has the protocol and the lock order.
 *
 * swapd is started like any process from the boot archive, then made
 * special before it can depend on the pager: every page of its ELF image
 * and the top SWAPD_STACK_PINNED of its stack are faulted in and pinned
 * (vm_pin_page), so the clock never takes them and swapd never faults
 * again; its DMA page is a pager-owned frame (VM_OWNER_SWAPD) and its
 * device pages are device frames, both outside vmcore. swapd waits for
 * the go signal (SWAPD_GO_BADGE on its notification) before it touches
 * any of that, then probes; the first swapd_stats call returns once it
 * has. If that happens on one CPU, no fault of swapd needs a worker while
 * the main thread (worker 0) waits for it: everything is already mapped.
 *
 * The calls from vmcore (swap_out, swap_in, slot_free) are made with no
 * vmcore lock held, by the pager's I/O threads, its background evictor, or
 * (slot_free, and rarely the others) a worker: each is one Call to swapd,
 * which never calls back into the pager, so no lock cycle can form through
 * it. Each call passes a copy of the pool frame's cap made in a root slot
 * for the call.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/process.h>
#include <plat/platform.h>
#include <swapd/boot.h>

#include "core.h"
#include "swap.h"
#include "swapd.h"

static uint32_t slot_refs[SWAP_MAX_SLOTS];
static fl_cptr_t swapd_ep;      /* root slot: Call right; 0 = no swapd */
static fl_cptr_t ntfn;          /* root slot: swapd's notification */
static uint64_t slots_total;    /* of the swap disk; 0 = swap is off */
static struct platform_info dt; /* only the main thread at boot uses it */

/* Swap-ins sent to swapd since boot, and of those, answered (atomic). */
static uint64_t ins_started, ins_done;

uint32_t *swap_slot_table(size_t *nslots)
{
	*nslots = SWAP_MAX_SLOTS;
	return slot_refs;
}

void swap_counts(uint64_t *total, uint64_t *used)
{
	struct vm_stats s;

	vm_stats(&pager_vm, &s);
	*total = slots_total;
	*used = s.slots_in_use;
}

void swap_in_counts(uint64_t *started, uint64_t *done)
{
	/* done first: a swap-in counted done is always counted started. */
	*done = __atomic_load_n(&ins_done, __ATOMIC_ACQUIRE);
	*started = __atomic_load_n(&ins_started, __ATOMIC_ACQUIRE);
}

/* A root slot holding a copy of pool frame f's cap with rights. 0 if no slot. */
fl_cptr_t swap_frame_cap(vm_frame_t f, uint64_t rights)
{
	fl_cptr_t c = slot_alloc();

	if (!c)
		return 0;
	uint64_t w[3] = {c, f, rights};
	if (kcall(FL_CAP_ROOT_CNODE, FL_CNODE_COPY, 3, w, 1, &frame_cnode, NULL)) {
		slot_free(c);
		return 0;
	}
	return c;
}

void swap_cap_drop(fl_cptr_t c)
{
	uint64_t w[1] = {c};

	kcall(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE, 1, w, 0, NULL, NULL);
	slot_free(c);
}

/* vmcore's error for a swapd reply. */
static int swap_error(int err, const char *what)
{
	switch (err) {
	case FL_IDL_OK:
		return VM_OK;
	case SWAPD_E_NO_SLOT:
		return VM_E_FULL;
	case SWAPD_E_IO_ERROR:
		plog("swap: %s: the swap disk reported an I/O error", what);
		return VM_E_IO;
	default:
		plog("swap: %s: swapd answered error %d", what, err);
		return VM_E_IO;
	}
}

/* Write frame to a new slot. Caller holds no vmcore lock (vmcore's rule). */
int swap_out_frame(vm_frame_t frame, vm_slot_t *slot)
{
	uint32_t s;

	if (!slots_total)
		return VM_E_FULL;
	fl_cptr_t c = swap_frame_cap(frame, FL_RIGHT_READ | FL_RIGHT_WRITE);
	if (!c)
		return VM_E_IO;
	int err = swapd_swap_out(swapd_ep, c, &s);
	swap_cap_drop(c);
	if (err == FL_IDL_OK)
		*slot = s;
	return swap_error(err, "swap-out");
}

/* Read slot into frame. Caller holds no vmcore lock. */
int swap_in_frame(vm_slot_t slot, vm_frame_t frame)
{
	if (!slots_total)
		return VM_E_IO;
	fl_cptr_t c = swap_frame_cap(frame, FL_RIGHT_READ | FL_RIGHT_WRITE);
	if (!c)
		return VM_E_IO;
	__atomic_fetch_add(&ins_started, 1, __ATOMIC_RELEASE);
	int err = swapd_swap_in(swapd_ep, slot, c);
	__atomic_fetch_add(&ins_done, 1, __ATOMIC_RELEASE);
	swap_cap_drop(c);
	return swap_error(err, "swap-in");
}

/* Give slot back to swapd. Caller: vmcore, holding no vmcore lock. */
void swap_free_slot(vm_slot_t slot)
{
	int err = swapd_free_slot(swapd_ep, slot);

	if (err)
		plog("swap: freeing slot %u: swapd answered error %d", slot, err);
}

/* Copy (badge 0) or mint root cap src into slot dest of swapd's CNode. */
static int give_cap(struct process *p, uint64_t dest, fl_cptr_t src_cnode, uint64_t src,
                    uint64_t rights, uint64_t badge)
{
	uint64_t w[4] = {dest, src, rights, badge};
	uint64_t err = kcall(p->cnode.obj, badge ? FL_CNODE_MINT : FL_CNODE_COPY, badge ? 4 : 3, w,
	                     1, &src_cnode, NULL);

	if (err)
		plog("swap: putting a cap in swapd's slot %lu failed: error %lu",
		     (unsigned long)dest, (unsigned long)err);
	return err ? -1 : 0;
}

/* Pin every page of swapd's ELF image and the top of its stack. Its
 * regions are read without the SPT lock: only the pager adds regions and
 * swapd never calls sbrk, so the list does not change under us. */
static int pin_all(struct process *p)
{
	vm_frame_t f;

	for (struct vm_region *r = p->space.regions; r; r = r->next) {
		if (r->kind != VM_REGION_FILE)
			continue;
		for (uint64_t va = r->start; va < r->end; va += VM_PAGE_SIZE)
			if (vm_pin_page(&p->space, va, &f))
				return -1;
	}
	for (uint64_t va = USER_STACK_TOP - SWAPD_STACK_PINNED; va < USER_STACK_TOP;
	     va += VM_PAGE_SIZE)
		if (vm_pin_page(&p->space, va, &f))
			return -1;
	return 0;
}

/* Map the device page at paddr into swapd at va: a Frame retyped from the
 * device untyped that covers it (one page each on QEMU virt). */
static int map_device_page(const struct fl_bootinfo *bi, struct process *p, uint64_t paddr,
                           uint64_t va)
{
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		const struct fl_untyped_desc *u = &bi->untyped[i];
		if (!u->is_device || paddr < u->paddr || paddr - u->paddr >= (1ULL << u->size_bits))
			continue;
		if (u->size_bits != 12 || u->paddr != paddr) {
			plog("swap: device untyped at 0x%lx is not the single page 0x%lx",
			     (unsigned long)u->paddr, (unsigned long)paddr);
			return -1;
		}
		fl_cptr_t fc = slot_alloc(), root = FL_CAP_ROOT_CNODE;
		uint64_t rw[4] = {FL_OBJ_FRAME, 0, fc, 1};
		uint64_t mw[2] = {va, FL_MAP_RW};
		if (!fc || kcall(bi->untyped_first + i, FL_UNTYPED_RETYPE, 4, rw, 1, &root, NULL) ||
		    kcall(fc, FL_FRAME_MAP, 2, mw, 1, &p->vspace.obj, NULL))
			return -1;
		return 0;
	}
	plog("swap: no device untyped covers 0x%lx", (unsigned long)paddr);
	return -1;
}

/* The SD host controllers swapd can drive, in the order it tries them: the
 * Pi 4's card slot is on EMMC2; QEMU's raspi4b puts its -drive if=sd card on
 * the Arasan controller (on a real Pi 4 that one holds the Wi-Fi chip, which
 * fails SD card initialisation and is skipped). */
static const char *const sdhci_compat[] = {"brcm,bcm2711-emmc2", "brcm,bcm2835-sdhci"};

/* Fill the boot table with the DTB's virtio-mmio transports and map their
 * pages (one contiguous window) into swapd. 0 if done, 1 if the DTB has
 * none, -1 if they do not fit the window or cannot be mapped. */
static int give_virtio(const struct fl_bootinfo *bi, struct process *p, struct swapd_boot *bt)
{
	uint64_t lo = ~0ULL, hi = 0;

	for (unsigned i = 0; i < dt.ndevices; i++) {
		if (strcmp(dt.devices[i].compatible, "virtio,mmio"))
			continue;
		uint64_t b = dt.devices[i].base & ~4095ULL;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	if (!hi)
		return 1;
	if ((hi - lo) / 4096 >= SWAPD_MMIO_PAGES) {
		plog("swap: the virtio-mmio transports span too many pages");
		return -1;
	}
	bt->mmio_paddr = lo;
	bt->mmio_pages = (uint32_t)((hi - lo) / 4096 + 1);
	for (unsigned i = 0; i < dt.ndevices && bt->ntransports < SWAPD_MAX_TRANSPORTS; i++)
		if (!strcmp(dt.devices[i].compatible, "virtio,mmio"))
			bt->t[bt->ntransports++] =
			    (struct swapd_transport){.offset = (uint32_t)(dt.devices[i].base - lo),
			                             .intid = dt.devices[i].irq,
			                             .kind = SWAPD_DEV_VIRTIO_MMIO};
	for (uint32_t k = 0; k < bt->mmio_pages; k++) {
		bt->page_paddr[k] = lo + k * 4096ULL;
		if (map_device_page(bi, p, lo + k * 4096ULL, SWAPD_MMIO_VA + k * 4096ULL))
			return -1;
	}
	return 0;
}

/* Fill the boot table with the DTB's SD host controllers (sdhci_compat
 * order), each one's register page mapped at the next page of swapd's
 * device window. 0 if done, 1 if the DTB has none, -1 on failure. */
static int give_sdhci(const struct fl_bootinfo *bi, struct process *p, struct swapd_boot *bt)
{
	for (unsigned c = 0; c < sizeof sdhci_compat / sizeof sdhci_compat[0]; c++)
		for (unsigned i = 0; i < dt.ndevices && bt->mmio_pages < SWAPD_MMIO_PAGES; i++) {
			const struct plat_device *d = &dt.devices[i];
			if (strcmp(d->compatible, sdhci_compat[c]) || !d->irq)
				continue;
			uint32_t k = bt->mmio_pages++;
			bt->page_paddr[k] = d->base & ~4095ULL;
			bt->t[bt->ntransports++] = (struct swapd_transport){
			    .offset = (uint32_t)(k * 4096 + (d->base & 4095)),
			    .intid = d->irq,
			    .kind = SWAPD_DEV_SDHCI};
			if (map_device_page(bi, p, bt->page_paddr[k], SWAPD_MMIO_VA + k * 4096ULL))
				return -1;
		}
	return bt->ntransports ? 0 : 1;
}

/* Fill the boot table with the devices swapd may use for swap: the DTB's
 * virtio-mmio transports, or if there are none its SD host controllers.
 * -1 if there is neither or they cannot be given. */
static int give_transports(const struct fl_bootinfo *bi, struct process *p, struct swapd_boot *bt)
{
	const char *err = NULL;
	int r;

	if (dtb_parse((const void *)bi->dtb_vaddr, bi->dtb_size, &dt, &err) < 0) {
		plog("swap: the DTB does not parse: %s", err ? err : "?");
		return -1;
	}
	r = give_virtio(bi, p, bt);
	if (r == 1)
		r = give_sdhci(bi, p, bt);
	if (r == 1)
		plog("swap: the DTB lists no virtio-mmio transport and no SD host controller");
	return r ? -1 : 0;
}

/* Give swapd its endpoint, notification (bound to its thread), DMA page,
 * own CNode and VSpace and reply objects. The pager keeps the
 * endpoint (in swapd_ep) and a go-badged notification cap (*go). */
static int give_caps(struct process *p, vm_frame_t dma, fl_cptr_t *go)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE, tcb = p->threads[0].tcb.obj;

	swapd_ep = slot_alloc();
	ntfn = slot_alloc();
	*go = slot_alloc();
	if (!swapd_ep || !ntfn || !*go)
		return -1;
	ut_retype_root(FL_OBJ_ENDPOINT, 0, swapd_ep, 1);
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, ntfn, 1);
	uint64_t gw[4] = {*go, ntfn, FL_RIGHT_WRITE, SWAPD_GO_BADGE};
	uint64_t err = kcall(root, FL_CNODE_MINT, 4, gw, 1, &root, NULL);
	if (!err)
		err = kcall(ntfn, FL_NOTIFICATION_BIND, 0, NULL, 1, &tcb, NULL);
	if (err) {
		plog("swap: swapd's notification: error %lu", (unsigned long)err);
		return -1;
	}
	if (give_cap(p, SWAPD_CAP_EP, root, swapd_ep, FL_RIGHT_READ, 0) ||
	    give_cap(p, SWAPD_CAP_NTFN, root, ntfn, FL_RIGHT_READ | FL_RIGHT_WRITE,
	             SWAPD_IRQ_BADGE) ||
	    give_cap(p, SWAPD_CAP_DMA_FRAME, frame_cnode, dma, FL_RIGHT_READ, 0) ||
	    give_cap(p, SWAPD_CAP_CNODE, root, p->cnode.obj, FL_RIGHTS_ALL, 0) ||
	    give_cap(p, SWAPD_CAP_VSPACE, root, p->vspace.obj, FL_RIGHTS_ALL, 0))
		return -1;
	ut_retype_into(FL_OBJ_REPLY, 0, p->cnode.obj, SWAPD_CAP_REPLY_FIRST, SWAPD_MAX_REQUESTS);
	return 0;
}

/* Take the interrupt of the transport swapd chose, signal swapd's
 * notification with SWAPD_IRQ_BADGE on it, and put the handler in swapd's
 * CNode (unmasked). -1 on failure. */
static int give_irq(struct process *p, uint32_t intid)
{
	fl_cptr_t h = slot_alloc(), irq_ntfn = slot_alloc(), root = FL_CAP_ROOT_CNODE;
	uint64_t gw[2] = {intid, h}, mw[4] = {irq_ntfn, ntfn, FL_RIGHT_WRITE, SWAPD_IRQ_BADGE};
	uint64_t err = !h || !irq_ntfn ? FL_E_FAILED_LOOKUP : 0;

	if (!err)
		err = kcall(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 2, gw, 0, NULL, NULL);
	if (!err)
		err = kcall(root, FL_CNODE_MINT, 4, mw, 1, &root, NULL);
	if (!err)
		err = kcall(h, FL_IRQ_HANDLER_SET_NOTIFICATION, 0, NULL, 1, &irq_ntfn, NULL);
	if (!err)
		err = kcall(h, FL_IRQ_HANDLER_ACK, 0, NULL, 0, NULL, NULL);
	if (err || give_cap(p, SWAPD_CAP_IRQ_HANDLER, root, h, FL_RIGHTS_ALL, 0)) {
		plog("swap: taking interrupt %u for swapd failed: error %lu", intid,
		     (unsigned long)err);
		return -1;
	}
	return 0;
}

/* The number N of bootarg swap.slots=N (a smaller swap for tests), or 0. */
static uint32_t bootarg_slots(const char *args)
{
	const char *s = strstr(args, "swap.slots=");

	if (!s || (s != args && s[-1] != ' '))
		return 0;
	return (uint32_t)strtoul(s + strlen("swap.slots="), NULL, 0);
}

void swap_start(const struct fl_bootinfo *bi)
{
	uint32_t file, pid;
	vm_frame_t dma;
	fl_cptr_t go;
	struct swapd_stats st;

	if (archive_find("swapd", &file) < 0) {
		plog("swap: no swapd in the boot archive; swap is off");
		return;
	}
	if (proc_spawn("swapd", NULL, 0, 0, false, 0, &pid)) {
		plog("swap: starting swapd failed; swap is off");
		return;
	}
	struct process *p = proc_find(pid);
	if (!p || vm_frame_alloc_owned(&pager_vm, VM_OWNER_SWAPD, &dma))
		pager_panic("swap: swapd (pid %u) vanished or no DMA page", pid);
	uint64_t pw[1] = {SWAPD_PRIORITY};
	if (kcall(p->threads[0].tcb.obj, FL_TCB_SET_PRIORITY, 1, pw, 0, NULL, NULL))
		pager_panic("swap: swapd's priority cannot be set");
	memset(frame_addr(dma), 0, VM_PAGE_SIZE);
	struct swapd_boot *bt = (struct swapd_boot *)((char *)frame_addr(dma) + SWAPD_BOOT_OFFSET);
	const char *step = pin_all(p) ? "pinning its pages"
	                   : pspace_map(&p->ps, SWAPD_DMA_VA, &dma, 1, VM_R | VM_W)
	                       ? "mapping its DMA page"
	                   : give_transports(bi, p, bt) ? "giving it the devices"
	                   : give_caps(p, dma, &go)     ? "giving it its caps"
	                                                : NULL;
	if (step) {
		plog("swap: setting up swapd failed (%s); swap is off", step);
		proc_terminate(p, FL_KILLED_SIGNAL);
		proc_put(p);
		swapd_ep = 0;
		return;
	}
	bt->max_slots = bootarg_slots(bi->bootargs);
	bt->magic = SWAPD_BOOT_MAGIC;
	fl_signal(go);
	/* swapd answers once it has probed (and written bt->chosen). */
	int err = swapd_stats(swapd_ep, &st);
	if (err) {
		plog("swap: swapd does not answer (error %d); swap is off", err);
		proc_put(p);
		return;
	}
	if (bt->chosen > bt->ntransports ||
	    (bt->chosen && give_irq(p, bt->t[bt->chosen - 1].intid))) {
		plog("swap: swapd's disk has no interrupt; swap is off");
		proc_put(p);
		return;
	}
	proc_put(p);
	fl_cptr_t dcap = swap_frame_cap(dma, FL_RIGHT_READ | FL_RIGHT_WRITE);
	bool ok = dcap && swap_check(swapd_ep, dcap);
	if (dcap)
		swap_cap_drop(dcap);
	if (!ok) {
		plog("swap: swapd failed its check; swap is off");
		return;
	}
	slots_total = st.slots_total;
	if (slots_total)
		plog("swap: %lu slots of 4 KiB through swapd (pid %u)", (unsigned long)slots_total,
		     pid);
}
