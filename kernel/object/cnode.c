/*
 * Capability spaces: CNode lookup, the derivation tree (MDB), deletion with
 * object destruction, revocation, and the CNode invocations.
 *
 * Caller must hold the big kernel lock for everything here.
 */
#include "kernel/lib.h"
#include "kernel/object.h"
#include "arch/mmu.h"

struct cte *cspace_lookup(const struct cap *root, uint64_t cptr, int *err)
{
	const struct cap *c = root;
	unsigned bits = 64;

	/* The common case, a single CNode whose guard of zeroes makes a cptr
	 * its plain slot index (every root task and pager CSpace): one step. */
	if (c->type == FL_OBJ_CNODE && c->data == 0 && cnode_guard_bits(c) + cnode_radix(c) == 64 &&
	    cnode_radix(c) != 0) {
		if (cptr >> cnode_radix(c)) {
			*err = FL_E_FAILED_LOOKUP;
			return NULL;
		}
		return cap_cnode(c) + cptr;
	}

	for (;;) {
		if (c->type != FL_OBJ_CNODE) {
			*err = FL_E_FAILED_LOOKUP;
			return NULL;
		}
		unsigned gb = cnode_guard_bits(c), radix = cnode_radix(c);
		if (gb + radix > bits || gb + radix == 0) {
			*err = FL_E_FAILED_LOOKUP;
			return NULL;
		}
		if (gb) {
			uint64_t guard =
			    (cptr >> (bits - gb)) & ((gb == 64) ? ~0ULL : ((1ULL << gb) - 1));
			if (guard != c->data) {
				*err = FL_E_FAILED_LOOKUP;
				return NULL;
			}
		}
		bits -= gb;
		uint64_t index = radix ? (cptr >> (bits - radix)) & ((1ULL << radix) - 1) : 0;
		bits -= radix;
		struct cte *slot = cap_cnode(c) + index;
		if (bits == 0)
			return slot;
		c = &slot->cap;
	}
}

struct cte *lookup_slot(struct tcb *t, uint64_t cptr, int *err)
{
	return cspace_lookup(&t->slots[TCB_SLOT_CSPACE].cap, cptr, err);
}

bool same_object(const struct cap *a, const struct cap *b)
{
	if (a->type == FL_OBJ_NULL || b->type == FL_OBJ_NULL || a->obj != b->obj)
		return false;
	if (a->type == FL_OBJ_UNTYPED || a->type == FL_OBJ_DEVICE_UNTYPED ||
	    b->type == FL_OBJ_UNTYPED || b->type == FL_OBJ_DEVICE_UNTYPED)
		return a->type == b->type && a->extra == b->extra;
	if (a->type == FL_OBJ_IRQ_HANDLER || b->type == FL_OBJ_IRQ_HANDLER)
		return a->type == b->type;
	return a->type == b->type;
}

static void mdb_link_after(struct cte *pos, struct cte *slot)
{
	slot->mdb_prev = pos;
	slot->mdb_next = pos ? pos->mdb_next : NULL;
	if (pos) {
		if (pos->mdb_next)
			pos->mdb_next->mdb_prev = slot;
		pos->mdb_next = slot;
	}
}

void cte_insert_child(struct cte *parent, struct cte *slot, const struct cap *c)
{
	slot->cap = *c;
	slot->depth = parent ? parent->depth + 1 : 0;
	mdb_link_after(parent, slot);
}

void cte_insert_sibling(struct cte *sibling, struct cte *slot, const struct cap *c)
{
	slot->cap = *c;
	slot->depth = sibling->depth;
	mdb_link_after(sibling, slot);
}

bool cte_has_children(const struct cte *slot)
{
	return slot->mdb_next && slot->mdb_next->depth > slot->depth;
}

/* Unlink slot from the MDB; its descendants move up one level (to its parent). */
static void mdb_unlink(struct cte *slot)
{
	for (struct cte *d = slot->mdb_next; d && d->depth > slot->depth; d = d->mdb_next)
		d->depth--;
	if (slot->mdb_prev)
		slot->mdb_prev->mdb_next = slot->mdb_next;
	if (slot->mdb_next)
		slot->mdb_next->mdb_prev = slot->mdb_prev;
	slot->mdb_prev = slot->mdb_next = NULL;
	slot->depth = 0;
}

/*
 * CNodes whose last cap was deleted wait here to have their slots emptied,
 * linked through the spare word of their first slot, so that deleting a long
 * chain of nested CNodes needs no recursion (and no kernel stack) per level.
 */
static struct cte *cnode_worklist;
static unsigned delete_nesting;

static void cnode_queue_destroy(struct cte *slots)
{
	slots[0].pad2 = (uint64_t)cnode_worklist;
	cnode_worklist = slots;
}

static void cnode_drain_worklist(void)
{
	while (cnode_worklist) {
		struct cte *slots = cnode_worklist;
		cnode_worklist = (struct cte *)slots[0].pad2;
		slots[0].pad2 = 0;
		/* The radix is not stored in the object; the worklist entry was
		 * queued with its slot count in slots[0].pad. */
		uint32_t n = slots[0].pad;
		slots[0].pad = 0;
		for (uint32_t i = n; i-- > 0;)
			cte_delete(&slots[i]);
	}
}

/* Destroy the object c named, now that its last capability is gone. */
static void finalise(struct cap *c)
{
	switch (c->type) {
	case FL_OBJ_ENDPOINT:
		ep_destroy(cap_ep(c));
		break;
	case FL_OBJ_NOTIFICATION:
		ntfn_destroy(cap_ntfn(c));
		break;
	case FL_OBJ_REPLY:
		reply_destroy(cap_reply(c));
		break;
	case FL_OBJ_TCB:
		tcb_destroy(cap_tcb(c));
		break;
	case FL_OBJ_CNODE: {
		struct cte *slots = cap_cnode(c);
		slots[0].pad = 1u << cnode_radix(c);
		cnode_queue_destroy(slots);
		break;
	}
	case FL_OBJ_VSPACE:
		vspace_destroy(c);
		break;
	case FL_OBJ_IRQ_HANDLER:
		irq_handler_destroy(c);
		break;
	default:
		break;
	}
}

void cte_delete(struct cte *slot)
{
	struct cap c = slot->cap;
	bool final;

	if (c.type == FL_OBJ_NULL)
		return;
	delete_nesting++;
	/* Mappings belong to the individual cap, not the object. */
	if (c.type == FL_OBJ_FRAME || c.type == FL_OBJ_FRAME_2M)
		frame_unmap_cap(&slot->cap);
	else if (c.type == FL_OBJ_PAGE_TABLE)
		page_table_unmap_cap(&slot->cap);
	if (c.flags & CAPF_TCB_IPCBUF)
		tcb_ipcbuf_deleted(slot);
	if (c.flags & CAPF_TCB_SLOT)
		tcb_slot_deleted(slot);
	final = !(slot->mdb_prev && same_object(&slot->mdb_prev->cap, &c)) &&
	        !(slot->mdb_next && same_object(&slot->mdb_next->cap, &c));
	mdb_unlink(slot);
	memset(&slot->cap, 0, sizeof slot->cap);
	if (final)
		finalise(&c);
	if (--delete_nesting == 0) {
		delete_nesting++; /* slots deleted while draining only queue more work */
		cnode_drain_worklist();
		delete_nesting--;
	}
}

void cte_revoke(struct cte *slot)
{
	while (cte_has_children(slot))
		cte_delete(slot->mdb_next);
}

/* Caps the kernel lets user level copy: all but untyped (whose watermark lives in the cap). */
static bool copyable(const struct cap *c)
{
	return c->type != FL_OBJ_NULL && c->type != FL_OBJ_UNTYPED &&
	       c->type != FL_OBJ_DEVICE_UNTYPED && c->type != FL_OBJ_IRQ_CONTROL;
}

static bool badgeable(const struct cap *c)
{
	return c->type == FL_OBJ_ENDPOINT || c->type == FL_OBJ_NOTIFICATION;
}

/* A copy of src with rights reduced by mask; a mapped frame's copy starts unmapped. */
static struct cap derive(const struct cap *src, uint64_t rights_mask)
{
	struct cap c = *src;

	c.rights &= (uint8_t)rights_mask;
	if (c.type == FL_OBJ_FRAME || c.type == FL_OBJ_FRAME_2M || c.type == FL_OBJ_PAGE_TABLE) {
		c.flags &= ~CAPF_MAPPED;
		c.data = 0;
	}
	return c;
}

static int lookup_pair(struct invocation *inv, struct cte **dst, struct cte **src, bool dst_empty)
{
	const struct cap *dst_root = &inv->slot->cap;
	const struct cap *src_root = inv->ncaps ? &inv->caps[0]->cap : dst_root;
	int err;

	if (inv->len < 2)
		return FL_E_TRUNCATED;
	if (src_root->type != FL_OBJ_CNODE)
		return FL_E_INVALID_CAPABILITY;
	*dst = cspace_lookup(dst_root, inv->mr[0], &err);
	if (!*dst)
		return err;
	*src = cspace_lookup(src_root, inv->mr[1], &err);
	if (!*src)
		return err;
	if (dst_empty && (*dst)->cap.type != FL_OBJ_NULL)
		return FL_E_DELETE_FIRST;
	if ((*src)->cap.type == FL_OBJ_NULL)
		return FL_E_FAILED_LOOKUP;
	if (*src == *dst)
		return FL_E_ILLEGAL_OPERATION;
	return FL_OK;
}

static int cnode_copy_range(struct invocation *inv)
{
	const struct cap *root = &inv->slot->cap;
	const struct cap *src_root = inv->ncaps ? &inv->caps[0]->cap : root;
	uint64_t dst = inv->mr[0], src = inv->mr[1], n = inv->mr[2], mask = inv->mr[3];
	int err;

	if (inv->len < 4)
		return FL_E_TRUNCATED;
	if (src_root->type != FL_OBJ_CNODE)
		return FL_E_INVALID_CAPABILITY;
	if (n == 0 || n > 4096)
		return FL_E_RANGE;
	/* Decode everything first: all sources present and copyable, all destinations empty. */
	for (uint64_t i = 0; i < n; i++) {
		struct cte *d = cspace_lookup(root, dst + i, &err), *s;
		if (!d)
			return err;
		s = cspace_lookup(src_root, src + i, &err);
		if (!s)
			return err;
		if (d->cap.type != FL_OBJ_NULL)
			return FL_E_DELETE_FIRST;
		if (!copyable(&s->cap))
			return FL_E_ILLEGAL_OPERATION;
		if (s == d)
			return FL_E_ILLEGAL_OPERATION;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct cte *d = cspace_lookup(root, dst + i, &err);
		struct cte *s = cspace_lookup(src_root, src + i, &err);
		struct cap c = derive(&s->cap, mask);
		cte_insert_child(s, d, &c);
	}
	return FL_OK;
}

static int cnode_delete_range(struct invocation *inv)
{
	const struct cap *root = &inv->slot->cap;
	uint64_t first = inv->mr[0], n = inv->mr[1];
	int err;

	if (inv->len < 2)
		return FL_E_TRUNCATED;
	if (n == 0 || n > 4096)
		return FL_E_RANGE;
	for (uint64_t i = 0; i < n; i++)
		if (!cspace_lookup(root, first + i, &err))
			return err;
	for (uint64_t i = 0; i < n; i++)
		cte_delete(cspace_lookup(root, first + i, &err));
	return FL_OK;
}

int cnode_invoke(struct invocation *inv)
{
	struct cte *dst, *src;
	struct cap c;
	int err;

	switch (inv->label) {
	case FL_CNODE_COPY:
	case FL_CNODE_MINT:
		if ((err = lookup_pair(inv, &dst, &src, true)))
			return err;
		if (!copyable(&src->cap))
			return FL_E_ILLEGAL_OPERATION;
		c = derive(&src->cap, inv->len > 2 ? inv->mr[2] : FL_RIGHTS_ALL);
		if (inv->label == FL_CNODE_MINT) {
			if (inv->len < 4)
				return FL_E_TRUNCATED;
			if (!badgeable(&c) || c.data != 0)
				return FL_E_ILLEGAL_OPERATION; /* badges are set once */
			c.data = inv->mr[3];
		}
		cte_insert_child(src, dst, &c);
		return FL_OK;
	case FL_CNODE_MOVE:
	case FL_CNODE_MUTATE:
		if ((err = lookup_pair(inv, &dst, &src, true)))
			return err;
		c = src->cap;
		if (inv->label == FL_CNODE_MUTATE) {
			if (inv->len < 3)
				return FL_E_TRUNCATED;
			if (!badgeable(&c) || c.data != 0)
				return FL_E_ILLEGAL_OPERATION;
			c.data = inv->mr[2];
		}
		/* Take src's place in the MDB: same neighbours, same depth. */
		dst->cap = c;
		dst->depth = src->depth;
		dst->mdb_prev = src->mdb_prev;
		dst->mdb_next = src->mdb_next;
		if (dst->mdb_prev)
			dst->mdb_prev->mdb_next = dst;
		if (dst->mdb_next)
			dst->mdb_next->mdb_prev = dst;
		memset(src, 0, sizeof *src);
		return FL_OK;
	case FL_CNODE_DELETE:
	case FL_CNODE_REVOKE:
	case FL_CNODE_IDENTIFY:
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		dst = cspace_lookup(&inv->slot->cap, inv->mr[0], &err);
		if (!dst)
			return err;
		if (inv->label == FL_CNODE_DELETE) {
			cte_delete(dst);
		} else if (inv->label == FL_CNODE_REVOKE) {
			cte_revoke(dst);
		} else {
			inv->mr[0] = fl_capinfo(dst->cap.type, dst->cap.rights);
			inv->mr[1] = badgeable(&dst->cap) ? dst->cap.data : 0;
			inv->reply_len = 2;
		}
		return FL_OK;
	case FL_CNODE_COPY_RANGE:
		return cnode_copy_range(inv);
	case FL_CNODE_DELETE_RANGE:
		return cnode_delete_range(inv);
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}
