/*
 * Custom pagers, mode 1 (docs/custom-pagers.md): a process spawned with
 * pager.spawn_paged has its threads' fault endpoint set to the listener
 * endpoint of a pager of the user's own (process.c, thread_start), which
 * receives the raw kernel fault messages and answers them after asking the
 * default pager, with the two calls here, to resolve the fault the default
 * way or to fill an untouched page from one of its transfer buffers. The
 * process's VSpace, SPT and frames stay the default pager's, so accounting,
 * COW fork, eviction and exit work unchanged. A custom pager acts only on
 * the processes it pages (custom_pager == its pid); when it ends, they are
 * killed (process.c, proc_kill_paged_by).
 */
#include <faultline/process.h>

#include "core.h"
#include "custompager.h"
#include "extpager.h"
#include "extregion.h"
#include "pager.h"

/* The live process pid paged by caller, with a busy reference (proc_put
 * it), or NULL. */
static struct process *paged_child(const struct process *caller, uint32_t pid)
{
	struct process *c = proc_find(pid);

	if (c && c->custom_pager != caller->pid) {
		proc_put(c);
		return NULL;
	}
	return c;
}

/* spawn_paged: start name as the caller's child under custom pager `pager`
 * (0: the caller), which must listen. */
int custompager_on_spawn(void *ctx, uint64_t badge, uint32_t pager, const char *name,
                         const uint8_t *argv, size_t argv_len, uint32_t *pid)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	if (!pager)
		pager = p->pid;
	int err = extregion_listening(pager)
	              ? proc_spawn(name, argv, argv_len, p->pid, false, pager, pid)
	              : PAGER_E_NOT_LISTENING;
	proc_put(p);
	return err;
}

/* fault_resolve: handle a fault of thread tid of the caller's paged
 * process pid as the default pager would. *killed: pid was killed. */
int custompager_on_resolve(void *ctx, uint64_t badge, uint32_t pid, uint32_t tid,
                           enum pager_fault_kind kind, uint64_t ip, uint64_t addr, uint64_t esr,
                           uint32_t access, uint64_t sp, bool *killed)
{
	unsigned self;
	struct process *p = proc_get(badge, &self);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	struct process *c = paged_child(p, pid);
	proc_put(p);
	if (!c)
		return PAGER_E_BAD_PID;
	int err = 0;
	if (tid >= FL_PROCINFO_THREADS_MAX)
		err = PAGER_E_BAD_TID;
	else if (access > VM_ACCESS_EXEC)
		err = PAGER_E_BAD_VALUE;
	else if (kind == PAGER_FAULT_KIND_VM)
		*killed = fault_vm_default(c, tid, ip, addr, (enum vm_access)access, sp);
	else {
		bool sys = kind == PAGER_FAULT_KIND_UNKNOWN_SYSCALL;
		fault_exception_default(c, tid, sys, ip, sys ? 0 : addr, esr, sys ? addr : 0);
		*killed = true;
	}
	proc_put(c);
	return err;
}

/*
 * fault_place: fill the untouched anonymous page at addr of the caller's
 * paged process pid from the caller's transfer buffer. Only a page in state
 * VM_PAGE_ZERO (heap, stack, never materialised) below the info page is
 * filled: an ELF page (FILE) has contents the program defines, and the
 * info and IPC-buffer reservations are the default pager's. The page is
 * made present (zero) and pinned by vm_pin_page (so no eviction or fork
 * share can come between), overwritten, and unpinned. Between the state
 * check and the pin only the custom pager itself can make the page present
 * (the process's own faults wait for it), so nothing of the process is
 * overwritten.
 */
int custompager_on_place(void *ctx, uint64_t badge, uint32_t pid, uint64_t addr, uint32_t buffer)
{
	unsigned self;
	struct process *p = proc_get(badge, &self);
	uint64_t va = addr & ~VM_PAGE_MASK;
	vm_frame_t f;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	uint32_t me = p->pid;
	struct process *c = paged_child(p, pid);
	proc_put(p);
	if (!c)
		return PAGER_E_BAD_PID;
	int err = 0;
	enum vm_page_state st =
	    va < FL_PROCINFO_VADDR ? vm_page_state(&c->space, va) : VM_PAGE_NOT_PRESENT;
	if (buffer >= EXTPAGER_BUFFERS || st == VM_PAGE_NOT_PRESENT || st == VM_PAGE_FILE)
		err = PAGER_E_BAD_VALUE;
	else if (st != VM_PAGE_ZERO)
		err = PAGER_E_PAGE_PRESENT;
	else if (!extregion_listening(me))
		err = PAGER_E_NOT_LISTENING;
	else if (vm_pin_page(&c->space, va, &f) != VM_OK)
		err = PAGER_E_NO_MEMORY;
	else {
		err = extregion_buffer_copy(me, buffer, f);
		vm_unpin_frame(&pager_vm, f);
	}
	proc_put(c);
	return err;
}
