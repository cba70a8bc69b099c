/*
 * Record pools: fixed-size records carved from memory the caller gives
 * vm_init (in the pager: eagerly mapped pager memory), so vmcore never
 * allocates and never faults.
 */
#include "internal.h"

/* Thread every record of mem onto the pool's free list. */
void vm_pool_init(struct vm *vm, struct vm_pool *p, void *mem, size_t objsize, size_t count)
{
	unsigned char *base = mem;

	vm_lock_init(vm, &p->lock, VM_RANK_POOL);
	p->free = NULL;
	p->objsize = objsize;
	p->used = 0;
	p->count = count;
	for (size_t i = count; i-- > 0;) {
		void **obj = (void **)(base + i * objsize);
		*obj = p->free;
		p->free = obj;
	}
}

/* Take a zeroed record, or NULL when the pool is empty. */
void *vm_pool_get(struct vm *vm, struct vm_pool *p)
{
	void **obj;

	vm_lock_take(vm, &p->lock);
	obj = p->free;
	if (obj) {
		p->free = *obj;
		p->used++;
	}
	vm_lock_drop(vm, &p->lock);
	if (obj)
		memset(obj, 0, p->objsize);
	return obj;
}

/* Give a record back. */
void vm_pool_put(struct vm *vm, struct vm_pool *p, void *obj)
{
	void **o = obj;

	vm_lock_take(vm, &p->lock);
	*o = p->free;
	p->free = o;
	p->used--;
	vm_lock_drop(vm, &p->lock);
}
