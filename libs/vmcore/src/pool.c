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
	/* Cleared a word at a time (records are structs of 8-byte members):
	 * the pager's memset is a general loop, and this is on every fault. */
	if (obj) {
		size_t words = p->objsize / sizeof(uint64_t);
		for (size_t i = 0; i < words; i++)
			((uint64_t *)obj)[i] = 0;
		if (p->objsize % sizeof(uint64_t))
			memset((uint64_t *)obj + words, 0, p->objsize % sizeof(uint64_t));
	}
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
 * once) as a chain linked through each record's first word (as the free
 * list links them), ending in NULL; *got says how many, fewer when the pool
 * runs out. Unlike vm_pool_get they are not cleared: the caller fills each
 * one it uses. A chain, not an array: no array to fill and read back. */
void *vm_pool_get_chain(struct vm *vm, struct vm_pool *p, size_t n, size_t *got)
{
	void **head, **tail;
	size_t k = 0;

	vm_lock_take(vm, &p->lock);
	head = tail = p->free;
	if (head) {
		for (k = 1; k < n && *tail; k++)
			tail = *tail;
		p->free = *tail;
		*tail = NULL;
	}
	p->used += k;
	vm_lock_drop(vm, &p->lock);
	*got = k;
	return head;
}

/* Give back n records chained through their first words from head to tail
 * (tail's link is overwritten) in one lock round trip (exit releases many
 * pages at once). n may be 0. */
void vm_pool_put_chain(struct vm *vm, struct vm_pool *p, void *head, void *tail, size_t n)
{
	if (!n)
		return;
	vm_lock_take(vm, &p->lock);
	*(void **)tail = p->free;
	p->free = head;
	p->used -= n;
	vm_lock_drop(vm, &p->lock);
}
