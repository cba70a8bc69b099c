/*
 * The invariant checker: walks every frame, page entry and slot and checks
 * that refcounts, reverse maps, pins, slot refcounts and the counters agree.
 * For tests and a pager debug command; the caller guarantees quiescence (no
 * other thread uses vm meanwhile), so it takes no locks.
 */
#include "internal.h"

struct report {
	char *buf;
	size_t len;
	int failures;
};

/* Record one failure (the first one's text is kept). */
static void fail(struct report *rep, const char *what, uint64_t a, uint64_t b)
{
	size_t n;

	if (rep->failures++ || !rep->buf || !rep->len)
		return;
	n = vm_fmt_str(rep->buf, rep->len, 0, what);
	n = vm_fmt_str(rep->buf, rep->len, n, " (");
	n = vm_fmt_hex(rep->buf, rep->len, n, a);
	n = vm_fmt_str(rep->buf, rep->len, n, ", ");
	n = vm_fmt_hex(rep->buf, rep->len, n, b);
	vm_fmt_str(rep->buf, rep->len, n, ")");
}

static bool known_space(struct vm_space *const *spaces, size_t n, struct vm_space *s)
{
	for (size_t i = 0; i < n; i++)
		if (spaces[i] == s)
			return true;
	return false;
}

/* Frames: refcount == rmap length, each node names a matching entry, no
 * stray pins/copies/evictions, no unreferenced user frame; counters. */
static void check_frames(struct vm *vm, struct vm_space *const *spaces, size_t n,
                         struct report *rep)
{
	size_t user = 0, shared = 0;

	for (size_t i = 0; i < vm->nframes; i++) {
		struct vm_frame *fe = &vm->frames[i];
		vm_frame_t f = vm->frame_base + i;
		uint32_t len = 0;

		if (fe->owner != VM_OWNER_USER)
			continue;
		user++;
		if (fe->refcount >= 2)
			shared++;
		if (fe->refcount == 0)
			fail(rep, "user frame with refcount 0 (leaked)", f, 0);
		if (fe->pins || fe->copying || fe->evicting)
			fail(rep, "frame still pinned, copied or evicting", f, fe->pins);
		for (struct vm_rmap *r = fe->rmap; r; r = r->next, len++) {
			struct vm_page *p;

			if (!known_space(spaces, n, r->space)) {
				fail(rep, "reverse map names an unknown space", f, r->va);
				continue;
			}
			p = vm_page_lookup(r->space, r->va);
			if (!p || p->swapped || p->frame != f)
				fail(rep, "reverse map node without a matching SPT entry", f,
				     r->va);
		}
		if (len != fe->refcount)
			fail(rep, "refcount differs from reverse-map length", f, fe->refcount);
	}
	if (user != vm->stats.frames_user)
		fail(rep, "frames_user counter wrong", user, vm->stats.frames_user);
	if (shared != vm->stats.frames_cow_shared)
		fail(rep, "frames_cow_shared counter wrong", shared, vm->stats.frames_cow_shared);
}

/* Does slot s's refcount equal the number of entries naming it? */
static uint32_t slot_users(struct vm_space *const *spaces, size_t n, vm_slot_t slot)
{
	uint32_t users = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t b = 0; b < VM_SPT_BUCKETS; b++)
			for (struct vm_page *p = spaces[i]->buckets[b]; p; p = p->next)
				if (p->swapped && p->slot == slot)
					users++;
	return users;
}

/* Entries: inside a region, frame entries referenced back, counts exact. */
static void check_spaces(struct vm *vm, struct vm_space *const *spaces, size_t n,
                         struct report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct vm_space *s = spaces[i];
		size_t resident = 0, swapped = 0;
		uint32_t chunks[VM_SPT_CHUNKS] = {0};

		for (size_t b = 0; b < VM_SPT_BUCKETS; b++) {
			for (struct vm_page *p = s->buckets[b]; p; p = p->next) {
				bool found = false;

				chunks[vm_spt_chunk_of(p->va)]++;

				if (!vm_region_find(s, p->va))
					fail(rep, "SPT entry outside every region", s->id, p->va);
				if (p->swapped) {
					swapped++;
					continue;
				}
				resident++;
				for (struct vm_rmap *r = vm_frame_entry(vm, p->frame)->rmap; r;
				     r = r->next)
					if (r->space == s && r->va == p->va)
						found = true;
				if (!found)
					fail(rep, "SPT entry missing from its frame's reverse map",
					     s->id, p->va);
			}
		}
		if (resident != s->resident || swapped != s->swapped)
			fail(rep, "space resident/swapped counters wrong", s->id, resident);
		for (size_t c = 0; c < VM_SPT_CHUNKS; c++)
			if (chunks[c] != s->chunk_pages[c])
				fail(rep, "SPT chunk counter wrong", s->id, c);
		if (s->holds)
			fail(rep, "space still held by an evictor", s->id, s->holds);
	}
}

/* Slots: every refcount equals the entries naming it; in-use counter exact. */
static void check_slots(struct vm *vm, struct vm_space *const *spaces, size_t n, struct report *rep)
{
	size_t used = 0;

	if (vm->slots_to_free)
		fail(rep, "a slot is still waiting to be given back to the store",
		     vm->slots_to_free - 1, 0);
	for (size_t s = 0; s < vm->nslots; s++) {
		if (!vm->slot_refs[s])
			continue;
		if (vm_slot_freeing(vm, (vm_slot_t)s)) {
			fail(rep, "slot on the to-free list at rest", s, 0);
			continue;
		}
		used++;
		if (slot_users(spaces, n, (vm_slot_t)s) != vm->slot_refs[s])
			fail(rep, "slot refcount differs from the entries naming it", s,
			     vm->slot_refs[s]);
	}
	if (used != vm->stats.slots_in_use)
		fail(rep, "slots_in_use counter wrong", used, vm->stats.slots_in_use);
}

/* Check every invariant over vm and the given (all live) spaces. Returns the
 * number of failures; err gets the first one's text. Caller guarantees that
 * nothing else uses vm meanwhile. */
int vm_check_quiescent(struct vm *vm, struct vm_space *const *spaces, size_t n, char *err,
                       size_t errlen)
{
	struct report rep = {.buf = err, .len = errlen, .failures = 0};

	if (err && errlen)
		err[0] = '\0';
	check_frames(vm, spaces, n, &rep);
	check_spaces(vm, spaces, n, &rep);
	check_slots(vm, spaces, n, &rep);
	return rep.failures;
}
