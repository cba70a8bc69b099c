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

/* Take up to n records in one lock round trip (fork clones many pages at
 * once); returns how many, fewer when the pool runs out. Unlike
 * vm_pool_get they are not cleared: the caller clears each one it uses. */
size_t vm_pool_get_many(struct vm *vm, struct vm_pool *p, void **out, size_t n)
{
	size_t got = 0;

	vm_lock_take(vm, &p->lock);
	while (got < n && p->free) {
		void **obj = p->free;
		p->free = *obj;
		out[got++] = obj;
	}
	p->used += got;
	vm_lock_drop(vm, &p->lock);
	return got;
}

/* Give n records back in one lock round trip. */
void vm_pool_put_many(struct vm *vm, struct vm_pool *p, void *const *objs, size_t n)
{
	vm_lock_take(vm, &p->lock);
	for (size_t i = 0; i < n; i++) {
		void **o = objs[i];
		*o = p->free;
		p->free = o;
	}
	p->used -= n;
	vm_lock_drop(vm, &p->lock);
}
