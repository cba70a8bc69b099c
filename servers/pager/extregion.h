/*
 * External-pager regions (docs/custom-pagers.md, mode 2): a process that
 * listens (pager.extpager_listen) serves regions other processes attach
 * (pager.region_attach) through idl/extpager.idl. The pager's hooks into
 * the rest of servers/pager are these calls.
 */
#ifndef PAGER_EXTREGION_H
#define PAGER_EXTREGION_H

#include <stdbool.h>
#include <stdint.h>

#include <faultline/ipc.h>
#include <vmcore/vmcore.h>

struct process;

/* vmcore file ids at and above this name external regions, not archive files. */
#define EXTREGION_FILE_BASE 0x80000000u

/* Start the caller and watchdog threads. Once, at boot, after the workers. */
void extregion_init(void);

/* A VM fault of p's thread tid: if addr lies in an external region and the
 * page has never been filled, ask its external pager (deferred: the worker's
 * Reply object goes with the request) and return true with *ret the dispatch
 * result. false: not an external page, vm_fault handles it. Caller holds a
 * busy reference on p (proc_get). */
bool extregion_fault(struct process *p, unsigned tid, uint64_t addr, enum vm_access access,
                     uint64_t sp, uint64_t ip, int *ret);

/* vmcore's file_read for file ids >= EXTREGION_FILE_BASE: copy the page the
 * external pager supplied. No lock held by the caller. */
int extregion_read(uint32_t file, uint64_t offset, vm_frame_t frame, size_t frame_off, size_t len);

/* child was forked from parent: it holds parent's external regions too. */
void extregion_fork(struct process *parent, struct process *child);

/* p is being torn down (its threads are gone): release its regions and, if
 * it is an external pager, fail every region it serves. */
void extregion_exit(struct process *p);

/* Mode 1 (custompager.c). Is process pid a live listener? */
bool extregion_listening(uint32_t pid);

/* Configure thread tcb (FL_TCB_CONFIGURE with caps cspace, vspace, IPC
 * buffer) with the listener endpoint of process pager_pid as its fault
 * endpoint and badge. 0, or -1 if pager_pid does not listen (any more). */
int extregion_tcb_configure(uint32_t pager_pid, fl_cptr_t tcb, uint64_t badge, uint64_t ipcbuf_va,
                            const fl_cptr_t caps[3]);

/* Copy transfer buffer `buffer` of listener process pid into frame dst.
 * 0, PAGER_E_BAD_VALUE (no such buffer) or PAGER_E_NOT_LISTENING. */
int extregion_buffer_copy(uint32_t pid, uint32_t buffer, vm_frame_t dst);

/* Service handlers (idl/pager.idl extpager_listen, region_attach). */
int extregion_on_listen(void *ctx, uint64_t badge, uint64_t *endpoint, uint64_t *reply,
                        uint64_t *buffers);
int extregion_on_attach(void *ctx, uint64_t badge, uint32_t server, uint64_t start, uint64_t size,
                        bool writable, uint64_t *region);

#endif
