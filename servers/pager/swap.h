/*
 * The pager's side of swap (docs/swap.md): starting swapd, and the backing
 * store that vmcore's platform calls (swap out a frame, swap in a slot,
 * free a slot), over idl/swapd.idl. Without a swap disk every swap-out
 * answers "full", so running out of frames kills the faulting process.
 */
#ifndef PAGER_SWAP_H
#define PAGER_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <faultline/bootinfo.h>
#include <faultline/ipc.h>
#include <vmcore/vmcore.h>

/* Most slots the pager tracks (swapd tracks as many: 256 MiB of swap). */
#define SWAP_MAX_SLOTS 65536u

/* vmcore's slot refcount table (for vm_init) and its size. */
uint32_t *swap_slot_table(size_t *nslots);
/* Start swapd from the boot archive with the DTB's virtio-mmio transports,
 * wait until it has probed for the swap disk, check that it refuses
 * malformed requests. Caller: the main thread at boot, after the workers
 * are started and before any user process. */
void swap_start(const struct fl_bootinfo *bi);
/* The backing store, as vmcore's platform calls it: VM_OK, VM_E_FULL or VM_E_IO. */
int swap_out_frame(vm_frame_t frame, vm_slot_t *slot);
int swap_in_frame(vm_slot_t slot, vm_frame_t frame);
void swap_free_slot(vm_slot_t slot);
/* Slots of the swap disk (0 without one) and slots in use. */
void swap_counts(uint64_t *total, uint64_t *used);
/* Swap-ins sent to swapd since boot, and of those, answered. */
void swap_in_counts(uint64_t *started, uint64_t *done);

/* A root slot holding a copy of pool frame f's cap with rights (0 if no
 * slot), for one call; swap_cap_drop deletes it and frees the slot. */
fl_cptr_t swap_frame_cap(vm_frame_t f, uint64_t rights);
void swap_cap_drop(fl_cptr_t c);

/* swap_check.c: send swapd malformed requests and a round trip at boot;
 * true if every one was answered as idl/swapd.idl says. */
bool swap_check(fl_cptr_t swapd_ep, fl_cptr_t dma_frame_cap);

#endif
