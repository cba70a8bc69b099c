/*
 * Untyped memory and retype: the only way objects come into being after
 * boot. An untyped cap keeps a watermark (bytes handed out from its start);
 * new objects are carved at the watermark, aligned to their size, zeroed
 * (except device memory) and their caps inserted as children of the untyped
 * cap. When an untyped cap has no children left, its watermark resets to 0.
 *
 * Caller must hold the big kernel lock.
 */
#include "arch/mmu.h"
#include "kernel/ipc.h"
#include "kernel/lib.h"
#include "kernel/object.h"

/* Size in bits of one object of type, or -1 if it cannot be retyped. */
static int object_size_bits(unsigned type, unsigned user_bits)
{
	switch (type) {
	case FL_OBJ_UNTYPED:
		return (user_bits >= UNTYPED_MIN_BITS && user_bits <= UNTYPED_MAX_BITS)
		           ? (int)user_bits
		           : -1;
	case FL_OBJ_TCB:
		return TCB_SIZE_BITS;
	case FL_OBJ_ENDPOINT:
		return ENDPOINT_SIZE_BITS;
	case FL_OBJ_NOTIFICATION:
		return NOTIFICATION_SIZE_BITS;
	case FL_OBJ_REPLY:
		return REPLY_SIZE_BITS;
	case FL_OBJ_CNODE:
		return user_bits <= CNODE_MAX_RADIX ? (int)(user_bits + CTE_SIZE_BITS) : -1;
	case FL_OBJ_VSPACE:
		return VSPACE_SIZE_BITS;
	case FL_OBJ_PAGE_TABLE:
		return PAGE_TABLE_SIZE_BITS;
	case FL_OBJ_FRAME:
		return FRAME_SIZE_BITS;
	/* FL_OBJ_FRAME_2M: reserved; 2 MiB mappings are not supported yet. */
	default:
		return -1;
	}
}

/* Build the cap for a fresh object of type at physical address pa. */
static int make_cap(struct cap *c, unsigned type, unsigned user_bits, uint64_t pa, bool device)
{
	memset(c, 0, sizeof *c);
	c->type = (uint8_t)type;
	c->rights = FL_RIGHTS_ALL;
	switch (type) {
	case FL_OBJ_UNTYPED:
		c->obj = pa;
		c->extra = user_bits;
		if (device) {
			c->type = FL_OBJ_DEVICE_UNTYPED;
			c->flags = CAPF_DEVICE;
		}
		return FL_OK;
	case FL_OBJ_FRAME:
	case FL_OBJ_FRAME_2M:
	case FL_OBJ_PAGE_TABLE:
		c->obj = pa;
		c->flags = device ? CAPF_DEVICE : 0;
		return FL_OK;
	case FL_OBJ_CNODE:
		c->obj = (uint64_t)phys_to_virt(pa);
		/* Guard bits make a lone root CNode resolve a cptr as a plain index. */
		c->extra = user_bits | (uint32_t)(64 - user_bits) << 8;
		return FL_OK;
	case FL_OBJ_VSPACE:
		return vspace_create(c, phys_to_virt(pa));
	case FL_OBJ_TCB:
		/* Zeroed memory is not an idle thread: running_on 0 would claim CPU 0. */
		c->obj = (uint64_t)phys_to_virt(pa);
		tcb_init((struct tcb *)c->obj);
		return FL_OK;
	default:
		c->obj = (uint64_t)phys_to_virt(pa);
		return FL_OK;
	}
}

int untyped_invoke(struct invocation *inv)
{
	struct cap *ut = &inv->slot->cap;
	bool device = ut->type == FL_OBJ_DEVICE_UNTYPED;
	uint64_t type = inv->mr[0], bits = inv->mr[1], index = inv->mr[2], count = inv->mr[3];

	if (inv->label != FL_UNTYPED_RETYPE)
		return FL_E_ILLEGAL_OPERATION;
	if (inv->len < 4)
		return FL_E_TRUNCATED;
	if (inv->ncaps < 1 || inv->caps[0]->cap.type != FL_OBJ_CNODE)
		return FL_E_INVALID_CAPABILITY;
	int size_bits =
	    type < FL_OBJ_COUNT ? object_size_bits((unsigned)type, (unsigned)(bits & 0x3f)) : -1;
	if (size_bits < 0 || bits > 63) {
		inv->mr[0] = 0;
		inv->reply_len = 1;
		return FL_E_INVALID_ARGUMENT;
	}
	if (device && type != FL_OBJ_FRAME && type != FL_OBJ_FRAME_2M && type != FL_OBJ_UNTYPED)
		return FL_E_ILLEGAL_OPERATION; /* device memory holds only frames */
	if (count == 0 || count > 4096)
		return FL_E_RANGE;

	struct cap *dst_cnode = &inv->caps[0]->cap;
	uint64_t nslots = 1ULL << cnode_radix(dst_cnode);
	if (index >= nslots || count > nslots - index)
		return FL_E_RANGE;
	struct cte *dst = cap_cnode(dst_cnode) + index;
	for (uint64_t i = 0; i < count; i++)
		if (dst[i].cap.type != FL_OBJ_NULL)
			return FL_E_DELETE_FIRST;

	uint64_t ut_size = 1ULL << ut->extra;
	uint64_t free = cte_has_children(inv->slot) ? ut->data : 0;
	uint64_t obj_size = 1ULL << size_bits;
	uint64_t start = ALIGN_UP(free, obj_size);
	if ((unsigned)size_bits > ut->extra || start > ut_size ||
	    count > (ut_size - start) >> size_bits)
		return FL_E_NOT_ENOUGH_MEMORY;

	for (uint64_t i = 0; i < count; i++) {
		uint64_t pa = ut->obj + start + i * obj_size;
		struct cap c;
		if (!device && type != FL_OBJ_UNTYPED)
			memset(phys_to_virt(pa), 0, obj_size);
		int err = make_cap(&c, (unsigned)type, (unsigned)bits, pa, device);
		if (err) {
			/* Only VSpace creation can fail (no ASID left): undo this call's objects.
			 */
			for (uint64_t j = 0; j < i; j++)
				cte_delete(&dst[j]);
			return err;
		}
		cte_insert_child(inv->slot, &dst[i], &c);
	}
	ut->data = start + count * obj_size;
	return FL_OK;
}
