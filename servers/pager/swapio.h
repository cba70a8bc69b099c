/*
 * Swap I/O off the workers' path (docs/swap.md, "Faults that need I/O"):
 * the I/O threads that do faults needing swap I/O (swapio.c) and the
 * background evictor that keeps frames free (evictor.c).
 */
#ifndef PAGER_SWAPIO_H
#define PAGER_SWAPIO_H

#include <stdbool.h>
#include <stdint.h>

#include <vmcore/vmcore.h>

struct process;

/* Pager helper threads (pager_helper_start) these use. */
#define EVICTOR_HELPER      3
#define SWAPIO_HELPER_FIRST 4 /* 8 of them */

/* Start the I/O threads (spread over ncpus CPUs). Once, at boot. */
void swapio_init(unsigned ncpus);

/* Hand the fault of p's thread (badge) that vm_fault_noio answered
 * VM_NEED_IO to an I/O thread, with the calling worker's Reply object
 * (the worker gets a fresh one). false if no request record or Reply
 * object is free: the worker does the fault itself. Caller: a worker
 * holding a busy reference on p, answering with FL_IDL_DEFER on true. */
bool swapio_defer(struct process *p, uint64_t badge, uint64_t addr, enum vm_access access,
                  uint64_t sp, uint64_t ip);

/* Faults handed to the I/O threads since boot. */
uint64_t swapio_deferred(void);

/* Start the background evictor on the last CPU. Once, at boot, after
 * frames_init. */
void evictor_init(unsigned ncpus);

/* A frame was just taken from the pool (or none was free): wake the
 * evictor if the free frames are below its low watermark. Any thread. */
void evictor_poke(void);

/* Frames the evictor has written out since boot. */
uint64_t evictor_evictions(void);

#endif
