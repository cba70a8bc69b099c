/*
 * A check of swapd at every boot, before any user process runs: requests
 * a buggy or hostile client could send (a slot swapd never handed out, a
 * frame cap without the write right, a cap that is not a frame, no cap at
 * all, swapd's own DMA page) must each get the error idl/swapd.idl names,
 * and swapd must still serve a real round trip afterwards. One log line
 * says how it went; the in-QEMU swap suite reads it.
 */
#include <string.h>

#include <faultline/invocations.h>

#include "core.h"
#include "swap.h"
#include "swapd.h"

/* Send swap_out with no cap at all (what no stub can produce); the reply label. */
static uint64_t swap_out_without_cap(fl_cptr_t ep)
{
	struct fl_msg m = {.info = fl_msginfo(SWAPD_SWAP_OUT_LABEL, 0, 0)};

	fl_call(ep, &m);
	return fl_msginfo_label(m.info);
}

/* Compare one answer with what the IDL says; log and count a mismatch. */
static bool expect(const char *what, int got, int want)
{
	if (got == want)
		return true;
	plog("swap check: %s: swapd answered %d, expected %d", what, got, want);
	return false;
}

bool swap_check(fl_cptr_t ep, fl_cptr_t dma_cap)
{
	vm_frame_t a, b;
	uint32_t slot = 0;
	struct swapd_stats st;
	bool ok = true;
	unsigned refused = 0;

	if (swapd_stats(ep, &st) || vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &a))
		return false;
	if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &b)) {
		vm_frame_free_owned(&pager_vm, a);
		return false;
	}
	fl_cptr_t rw = swap_frame_cap(a, FL_RIGHT_READ | FL_RIGHT_WRITE);
	fl_cptr_t ro = swap_frame_cap(b, FL_RIGHT_READ);
	fl_cptr_t ntfn = slot_alloc(); /* a cap that is not a frame */
	if (!rw || !ro || !ntfn) {
		ok = false;
		goto out;
	}
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, ntfn, 1);

	ok &= expect("swap_in of a slot never handed out", swapd_swap_in(ep, 0xfffffff0u, rw),
	             SWAPD_E_BAD_SLOT);
	ok &= expect("swap_in of slot 0, free", swapd_swap_in(ep, 0, rw), SWAPD_E_BAD_SLOT);
	ok &= expect("free_slot of a free slot", swapd_free_slot(ep, 7), SWAPD_E_BAD_SLOT);
	ok &= expect("swap_in into a frame without the write right", swapd_swap_in(ep, 0, ro),
	             FL_IDL_E_BAD_CAP);
	ok &= expect("swap_out of a cap that is not a frame", swapd_swap_out(ep, ntfn, &slot),
	             FL_IDL_E_BAD_CAP);
	ok &= expect("swap_out without a cap", (int)swap_out_without_cap(ep), FL_IDL_E_BAD_CAP);
	ok &= expect("swap_out of swapd's own DMA page", swapd_swap_out(ep, dma_cap, &slot),
	             SWAPD_E_BAD_FRAME);
	refused = 7;
	if (!ok || !st.slots_total)
		goto out;

	/* Still serving: a page goes out and comes back into another frame. */
	for (unsigned i = 0; i < VM_PAGE_SIZE / 8; i++)
		((uint64_t *)frame_addr(a))[i] = 0x5a5a000000000000ULL ^ i;
	memset(frame_addr(b), 0, VM_PAGE_SIZE);
	swap_cap_drop(ro);
	ro = swap_frame_cap(b, FL_RIGHT_READ | FL_RIGHT_WRITE);
	ok &= expect("swap_out of a page", swapd_swap_out(ep, rw, &slot), FL_IDL_OK);
	if (ok) {
		ok &= expect("swap_in of that slot", swapd_swap_in(ep, slot, ro), FL_IDL_OK);
		if (ok && memcmp(frame_addr(a), frame_addr(b), VM_PAGE_SIZE)) {
			plog("swap check: the page read back differs from the page written");
			ok = false;
		}
		ok &= expect("free_slot", swapd_free_slot(ep, slot), FL_IDL_OK);
		ok &= expect("free_slot again", swapd_free_slot(ep, slot), SWAPD_E_BAD_SLOT);
	}
out:
	if (ntfn)
		swap_cap_drop(ntfn);
	if (rw)
		swap_cap_drop(rw);
	if (ro)
		swap_cap_drop(ro);
	vm_frame_free_owned(&pager_vm, a);
	vm_frame_free_owned(&pager_vm, b);
	if (ok)
		plog("swap check: swapd refused %u malformed requests with the right errors%s",
		     refused, st.slots_total ? " and kept serving (round trip ok)" : "");
	return ok;
}
