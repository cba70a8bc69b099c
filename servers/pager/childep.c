/*
 * Child endpoints: an endpoint a process serves to the children it spawns
 * (the test server serves idl/testserver.idl on it; docs/testing.md). A
 * process asks for one with pager.children_listen: the pager makes an
 * Endpoint and a Reply object and puts caps to them into the caller's
 * CSpace. From then on every child the process spawns gets a send cap to the
 * endpoint, badged with the child's pid, in slot FL_PROC_CAP_PARENT of its
 * CSpace before its first thread runs. A forked child gets a copy of its
 * parent's cap (same badge), and so does a child spawned by a process that
 * does not listen itself: every process descended from one test speaks
 * for it.
 * Spawn cannot carry a cap from the parent (the pager's workers receive no
 * caps), so the pager, which already builds the child's CSpace, makes the
 * endpoint itself.
 *
 * childep_lock protects child_ep and child_reply of every process (made
 * once by children_listen, read at each spawn, freed at teardown). It is
 * taken before the kernel-object allocator's lock, never inside it.
 * Freeing the objects revokes every cap to them, the children's too.
 */
#include <faultline/invocations.h>
#include <faultline/procinfo.h>

#include "core.h"
#include "pager.h"

/* Where children_listen puts its caps in the caller's CSpace (64 slots:
 * 1 and 2..33 are taken, extregion.c uses 48 and 49). */
#define CHILDEP_CAP_ENDPOINT 50
#define CHILDEP_CAP_REPLY    51

static struct ulock childep_lock;

void childep_init(void)
{
	ulock_init(&childep_lock);
}

/* Make p's endpoint and Reply object and put them into its CSpace.
 * Caller holds childep_lock and a busy reference on p. 0 or -1. */
static int build(struct process *p)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE;

	if (kobj_alloc(FL_OBJ_ENDPOINT, 0, &p->child_ep) < 0 ||
	    kobj_alloc(FL_OBJ_REPLY, 0, &p->child_reply) < 0)
		return -1;
	uint64_t mw[4] = {CHILDEP_CAP_ENDPOINT, p->child_ep.obj, FL_RIGHT_READ, 0};
	uint64_t cw[3] = {CHILDEP_CAP_REPLY, p->child_reply.obj, FL_RIGHTS_ALL};
	if (kcall(p->cnode.obj, FL_CNODE_MINT, 4, mw, 1, &root, NULL) ||
	    kcall(p->cnode.obj, FL_CNODE_COPY, 3, cw, 1, &root, NULL))
		return -1;
	return 0;
}

/* pager.children_listen: see idl/pager.idl. */
int childep_on_listen(void *ctx, uint64_t badge, uint64_t *endpoint, uint64_t *reply)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	int err = 0;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	ulock_take(&childep_lock);
	if (!p->child_ep.obj && build(p) < 0) {
		/* Nothing half-made stays: the caps go with the objects. */
		kobj_free(&p->child_reply);
		kobj_free(&p->child_ep);
		err = PAGER_E_NO_MEMORY;
	}
	ulock_drop(&childep_lock);
	proc_put(p);
	*endpoint = CHILDEP_CAP_ENDPOINT;
	*reply = CHILDEP_CAP_REPLY;
	return err;
}

/* Copy parent's cap to its own parent's endpoint into child, badge and
 * all. Caller holds busy references on both; child is not yet running. An
 * empty slot in the parent is nothing to copy. */
static void inherit(struct process *parent, struct process *child)
{
	fl_cptr_t src = parent->cnode.obj;
	uint64_t cw[3] = {FL_PROC_CAP_PARENT, FL_PROC_CAP_PARENT, FL_RIGHTS_ALL};

	/* The only failure is FL_E_FAILED_LOOKUP: the parent has no such cap. */
	(void)kcall(child->cnode.obj, FL_CNODE_COPY, 3, cw, 1, &src, NULL);
}

/*
 * Give child, being spawned by the process ppid (not yet running), its cap:
 * a new one to the parent's endpoint if the parent listens, else a copy of
 * the parent's own. Caller holds the child's only busy reference; the
 * parent is live (it is the caller of spawn). 0, or -1 if the kernel
 * refused the mint.
 */
int childep_give(struct process *child, uint32_t ppid)
{
	struct process *parent = ppid ? proc_find(ppid) : NULL;
	int err = 0;

	if (!parent)
		return 0;
	ulock_take(&childep_lock);
	if (parent->child_ep.obj) {
		fl_cptr_t root = FL_CAP_ROOT_CNODE;
		uint64_t mw[4] = {FL_PROC_CAP_PARENT, parent->child_ep.obj, FL_RIGHT_WRITE,
		                  child->pid};
		err = kcall(child->cnode.obj, FL_CNODE_MINT, 4, mw, 1, &root, NULL) ? -1 : 0;
	} else {
		inherit(parent, child);
	}
	ulock_drop(&childep_lock);
	proc_put(parent);
	return err;
}

/* A forked child inherits its parent's cap (see inherit). Caller holds busy
 * references on both; child is not yet running. */
void childep_fork(struct process *parent, struct process *child)
{
	inherit(parent, child);
}

/* Free p's endpoint and Reply object (revoking its children's caps), if it
 * has them. Caller: teardown, holding p's only busy reference. */
void childep_release(struct process *p)
{
	struct kobj ep, reply;

	ulock_take(&childep_lock);
	ep = p->child_ep;
	reply = p->child_reply;
	p->child_ep = (struct kobj){0};
	p->child_reply = (struct kobj){0};
	ulock_drop(&childep_lock);
	kobj_free(&reply);
	kobj_free(&ep);
}
