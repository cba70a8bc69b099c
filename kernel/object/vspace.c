/*
 * Address spaces: VSpace (the level-0 table of a 4-level, 48-bit, 4 KiB
 * granule tree) with an ASID, PageTable objects for levels 1..3, and Frames.
 *
 * Each frame or page-table capability maps at most one place; the cap
 * records (ASID, va). Range operations (map a run of frame caps, unmap,
 * change rights, read-and-clear accessed bits) work on the tables directly
 * and keep cap records as hints: a cap only ever removes a PTE that still
 * points at its own frame, so a stale record is harmless, and no PTE can
 * outlive every cap of its frame.
 *
 * A PTE keeps, in a software bit, whether the cap it was made from allowed
 * writing, so VSpace_Protect can never grant more than the cap did.
 *
 * Caller must hold the big kernel lock.
 */
#include "arch/cpu.h"
#include "arch/mmu.h"
#include "kernel/lib.h"
#include "kernel/object.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

#define MAX_ASIDS        4096
#define PTE_SW_MAY_WRITE (1ULL << 55) /* the mapping cap had FL_RIGHT_WRITE */
#define USER_PTE_BASE    (PTE_AF | PTE_NG | PTE_AP_USER | PTE_PXN | PTE_SH_INNER)

static pte_t *asid_vspace[MAX_ASIDS]; /* ASID -> level-0 table; ASID 0 is "no address space" */
static unsigned asid_limit = MAX_ASIDS;
static unsigned asid_next = 1;
static pte_t empty_l0[512] __attribute__((aligned(PAGE_SIZE)));

static uint64_t table_pa(const pte_t *t)
{
	return virt_to_phys(t);
}
static pte_t *table_va(pte_t e)
{
	return phys_to_virt(e & PTE_ADDR_MASK);
}

void vspace_init_asids(void)
{
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);

	if (((mmfr0 >> 4) & 0xf) != 2)
		asid_limit = 256; /* 8-bit ASIDs */
}

int vspace_create(struct cap *c, void *table)
{
	for (unsigned n = 0; n < asid_limit - 1; n++) {
		unsigned a = asid_next;
		asid_next = asid_next + 1 >= asid_limit ? 1 : asid_next + 1;
		if (!asid_vspace[a]) {
			asid_vspace[a] = table;
			c->obj = (uint64_t)table;
			c->data = a;
			return FL_OK;
		}
	}
	return FL_E_NOT_ENOUGH_MEMORY; /* out of ASIDs */
}

void vspace_destroy(struct cap *c)
{
	unsigned asid = (unsigned)c->data;

	if (asid && asid < MAX_ASIDS && asid_vspace[asid] == (pte_t *)c->obj) {
		asid_vspace[asid] = NULL;
		tlbi_asid((uint16_t)asid);
		tlbi_sync();
		for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
			if ((percpu[cpu].ttbr0 >> 48) == asid)
				percpu[cpu].ttbr0 =
				    ~0ULL; /* force a reload at that CPU's next exit */
	}
}

/* TTBR0 for the address space vs (ASID 0 and an empty table if none). The
 * TCB's own copy of the VSpace cap keeps the VSpace and its ASID alive, so a
 * cap present there is a valid address space. */
uint64_t vspace_ttbr0(const struct cap *vs)
{
	if (vs->type == FL_OBJ_VSPACE)
		return (vs->data << 48) | (vs->obj - PHYSMAP_BASE);
	return table_pa(empty_l0); /* nothing mapped: every access faults */
}

void vspace_activate(struct tcb *t)
{
	vspace_activate_inline(this_cpu(), t);
}

/* Walk to the level-3 entry for va; NULL if a table is missing (*missing = that level). */
static inline pte_t *walk(pte_t *l0, uint64_t va, int *missing)
{
	pte_t *t = l0;

	/* Unrolled: a fault reply walks once, a range operation once a page,
	 * and the loop's counter and variable shift were a third of a walk. */
#pragma GCC unroll 3
	for (int level = 0; level < 3; level++) {
		pte_t e = t[(va >> (39 - 9 * level)) & 511];
		if ((e & 3) != PTE_TABLE) {
			if (missing)
				*missing = level + 1;
			return NULL;
		}
		t = table_va(e);
	}
	return &t[(va >> 12) & 511];
}

static pte_t *cap_vspace_l0(const struct cap *vs)
{
	if (vs->type != FL_OBJ_VSPACE || asid_vspace[vs->data] != (pte_t *)vs->obj)
		return NULL;
	return (pte_t *)vs->obj;
}

static bool valid_rights(uint64_t rights)
{
	return rights && !(rights & ~(uint64_t)(FL_MAP_READ | FL_MAP_WRITE | FL_MAP_EXEC));
}

/* The PTE for a 4 KiB frame at pa with mapping rights (already checked against the cap). */
static pte_t make_pte(uint64_t pa, uint64_t rights, bool device, bool cap_may_write)
{
	pte_t e = pa | USER_PTE_BASE | PTE_PAGE;

	e |= device ? PTE_ATTR(MT_DEVICE_nGnRE) : PTE_ATTR(MT_NORMAL);
	if (!(rights & FL_MAP_WRITE))
		e |= PTE_AP_RO;
	if (!(rights & FL_MAP_EXEC) || device)
		e |= PTE_UXN;
	if (cap_may_write)
		e |= PTE_SW_MAY_WRITE;
	return e;
}

/* May a frame cap with cap_rights be mapped with map rights? */
static bool rights_allowed(uint8_t cap_rights, uint64_t map)
{
	if (!(cap_rights & FL_RIGHT_READ))
		return false;
	if ((map & FL_MAP_WRITE) && !(cap_rights & FL_RIGHT_WRITE))
		return false;
	return true;
}

static bool user_va_ok(uint64_t va, uint64_t pages)
{
	return !(va & (PAGE_SIZE - 1)) && va < USER_TOP && pages <= (USER_TOP - va) >> PAGE_SHIFT;
}

void frame_unmap_cap(struct cap *c)
{
	if (!(c->flags & CAPF_MAPPED))
		return;
	unsigned asid = mapping_asid(c->data);
	uint64_t va = mapping_va(c->data);
	pte_t *l0 = asid < MAX_ASIDS ? asid_vspace[asid] : NULL;
	if (l0) {
		pte_t *pte = walk(l0, va, NULL);
		if (pte && (*pte & 1) && (*pte & PTE_ADDR_MASK) == c->obj) {
			*pte = 0;
			tlbi_page_asid(va, (uint16_t)asid);
			tlbi_sync();
		}
	}
	c->flags &= ~CAPF_MAPPED;
	c->data = 0;
}

void page_table_unmap_cap(struct cap *c)
{
	if (!(c->flags & CAPF_MAPPED))
		return;
	unsigned asid = mapping_asid(c->data);
	uint64_t va = mapping_va(c->data);
	unsigned level = c->extra; /* level of the entry that points at this table (0..2) */
	pte_t *t = asid < MAX_ASIDS ? asid_vspace[asid] : NULL;
	for (unsigned l = 0; t && l < level; l++) {
		pte_t e = t[(va >> (39 - 9 * l)) & 511];
		t = (e & 3) == PTE_TABLE ? table_va(e) : NULL;
	}
	if (t) {
		pte_t *e = &t[(va >> (39 - 9 * level)) & 511];
		if ((*e & 3) == PTE_TABLE && (*e & PTE_ADDR_MASK) == c->obj) {
			*e = 0;
			tlbi_asid((uint16_t)asid);
			tlbi_sync();
		}
	}
	c->flags &= ~CAPF_MAPPED;
	c->data = 0;
}

int page_table_invoke(struct invocation *inv)
{
	struct cap *c = &inv->slot->cap;

	if (inv->label == FL_PAGE_TABLE_UNMAP) {
		page_table_unmap_cap(c);
		return FL_OK;
	}
	if (inv->label != FL_PAGE_TABLE_MAP)
		return FL_E_ILLEGAL_OPERATION;
	if (inv->len < 1)
		return FL_E_TRUNCATED;
	if (inv->ncaps < 1)
		return FL_E_INVALID_CAPABILITY;
	pte_t *l0 = cap_vspace_l0(&inv->caps[0]->cap);
	uint64_t va = inv->mr[0];
	if (!l0)
		return FL_E_INVALID_CAPABILITY;
	if (c->flags & CAPF_MAPPED)
		return FL_E_ILLEGAL_OPERATION;
	if (va >= USER_TOP)
		return FL_E_INVALID_ARGUMENT;
	pte_t *t = l0;
	for (unsigned level = 0; level < 3; level++) {
		pte_t *e = &t[(va >> (39 - 9 * level)) & 511];
		if ((*e & 3) == PTE_TABLE) {
			t = table_va(*e);
			continue;
		}
		*e = c->obj | PTE_TABLE;
		dsb_ish();
		c->flags |= CAPF_MAPPED;
		c->extra = level;
		c->data = MAPPING(inv->caps[0]->cap.data, va);
		return FL_OK;
	}
	return FL_E_DELETE_FIRST; /* every level already present */
}

/*
 * Make instructions written into frame pa through the data side (by the pager,
 * by DMA) visible to instruction fetch before the page becomes executable.
 * EL0 cannot do this itself (SCTLR_EL1.UCI is off), so the kernel does it
 * whenever a mapping gains execute permission.
 */
static void sync_icache_page(uint64_t pa)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uint64_t dline = 4ULL << ((ctr >> 16) & 0xf), iline = 4ULL << (ctr & 0xf);
	uint64_t va = (uint64_t)phys_to_virt(pa);

	for (uint64_t p = va; p < va + PAGE_SIZE; p += dline)
		__asm__ volatile("dc cvau, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	for (uint64_t p = va; p < va + PAGE_SIZE; p += iline)
		__asm__ volatile("ic ivau, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish; isb" ::: "memory");
}

/* Map one frame cap at va in the space l0/asid; all checks already done. */
static void map_frame(struct cap *f, pte_t *pte, uint64_t va, unsigned asid, uint64_t rights)
{
	if ((rights & FL_MAP_EXEC) && !(f->flags & CAPF_DEVICE))
		sync_icache_page(f->obj);
	*pte = make_pte(f->obj, rights, f->flags & CAPF_DEVICE, f->rights & FL_RIGHT_WRITE);
	f->flags |= CAPF_MAPPED;
	f->data = MAPPING(asid, va);
}

static int check_frame_map(struct cap *f, pte_t *l0, uint64_t va, uint64_t rights, pte_t **pte,
                           uint64_t *err_word)
{
	int missing = 0;

	if (f->type != FL_OBJ_FRAME)
		return FL_E_INVALID_CAPABILITY;
	if (f->flags & CAPF_MAPPED)
		return FL_E_ILLEGAL_OPERATION;
	if (!rights_allowed(f->rights, rights))
		return FL_E_INVALID_CAPABILITY;
	*pte = walk(l0, va, &missing);
	if (!*pte) {
		*err_word = (uint64_t)missing; /* the level whose table is missing */
		return FL_E_MAPPING;
	}
	if (**pte & 1)
		return FL_E_DELETE_FIRST;
	return FL_OK;
}

int frame_invoke(struct invocation *inv)
{
	struct cap *f = &inv->slot->cap;
	pte_t *l0, *pte;
	int err;

	switch (inv->label) {
	case FL_FRAME_MAP: {
		uint64_t va = inv->mr[0], rights = inv->mr[1];
		if (inv->len < 2)
			return FL_E_TRUNCATED;
		if (inv->ncaps < 1 || !(l0 = cap_vspace_l0(&inv->caps[0]->cap)))
			return FL_E_INVALID_CAPABILITY;
		if (!valid_rights(rights) || !user_va_ok(va, 1))
			return FL_E_INVALID_ARGUMENT;
		if (f->type == FL_OBJ_FRAME_2M)
			return FL_E_ILLEGAL_OPERATION; /* 2 MiB frames: map through VSpace ranges
			                                  only */
		uint64_t word = 0;
		err = check_frame_map(f, l0, va, rights, &pte, &word);
		if (err) {
			inv->mr[0] = word;
			inv->reply_len = err == FL_E_MAPPING ? 1 : 0;
			return err;
		}
		map_frame(f, pte, va, (unsigned)inv->caps[0]->cap.data, rights);
		return FL_OK;
	}
	case FL_FRAME_UNMAP:
		frame_unmap_cap(f);
		return FL_OK;
	case FL_FRAME_REMAP: {
		uint64_t rights = inv->mr[0];
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (!valid_rights(rights))
			return FL_E_INVALID_ARGUMENT;
		if (!(f->flags & CAPF_MAPPED))
			return FL_E_ILLEGAL_OPERATION;
		if (!rights_allowed(f->rights, rights))
			return FL_E_INVALID_CAPABILITY;
		unsigned asid = mapping_asid(f->data);
		uint64_t va = mapping_va(f->data);
		l0 = asid_vspace[asid];
		pte = l0 ? walk(l0, va, NULL) : NULL;
		if (!pte || !(*pte & 1) || (*pte & PTE_ADDR_MASK) != f->obj)
			return FL_E_MAPPING;
		if ((rights & FL_MAP_EXEC) && (*pte & PTE_UXN) && !(f->flags & CAPF_DEVICE))
			sync_icache_page(f->obj);
		*pte = make_pte(f->obj, rights, f->flags & CAPF_DEVICE, f->rights & FL_RIGHT_WRITE);
		tlbi_page_asid(va, (uint16_t)asid);
		tlbi_sync();
		return FL_OK;
	}
	case FL_FRAME_GET_ADDRESS:
		inv->mr[0] = f->obj;
		inv->reply_len = 1;
		return FL_OK;
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}

/* The four words and the cap0 CNode that MapRange and MapCopy take: the
 * CNode's slots and their number, or the error. */
static int frame_slots_arg(struct invocation *inv, struct cte **slots, uint64_t *nslots)
{
	if (inv->len < 4)
		return FL_E_TRUNCATED;
	if (inv->ncaps < 1 || inv->caps[0]->cap.type != FL_OBJ_CNODE)
		return FL_E_INVALID_CAPABILITY;
	*slots = cap_cnode(&inv->caps[0]->cap);
	*nslots = 1ULL << cnode_radix(&inv->caps[0]->cap);
	return FL_OK;
}

static int vspace_map_range(struct invocation *inv, pte_t *l0, unsigned asid)
{
	uint64_t va = inv->mr[0], first = inv->mr[1], n = inv->mr[2], rights = inv->mr[3];
	uint64_t nslots;
	struct cte *slots;
	pte_t *pte;
	int err;

	if ((err = frame_slots_arg(inv, &slots, &nslots)))
		return err;
	if (n == 0 || n > 4096 || first >= nslots || n > nslots - first)
		return FL_E_RANGE;
	if (!valid_rights(rights) || !user_va_ok(va, n))
		return FL_E_INVALID_ARGUMENT;
	slots += first;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t word = 0;
		err = check_frame_map(&slots[i].cap, l0, va + i * PAGE_SIZE, rights, &pte, &word);
		if (err) {
			inv->mr[0] = i;
			inv->mr[1] = word;
			inv->reply_len = 2;
			return err;
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = va + i * PAGE_SIZE;
		map_frame(&slots[i].cap, walk(l0, v, NULL), v, asid, rights);
	}
	dsb_ish();
	return FL_OK;
}

/*
 * VSpace_MapCopy: copy the frame cap in slot src of CNode cap0 into slot dest
 * (a child of src, full rights of src) and map the copy at va, in one call
 * instead of CNode_Copy + VSpace_MapRange. dest may hold an older 4 KiB
 * frame cap (the mapping being replaced, e.g. by a COW break): it is deleted
 * first, as CNode_Delete would. Everything is checked before anything
 * changes; a missing table answers FL_E_MAPPING with MR0 = 0 and MR1 = the
 * missing level, as VSpace_MapRange does.
 */
static int vspace_map_copy(struct invocation *inv, pte_t *l0, unsigned asid)
{
	uint64_t va = inv->mr[0], dest = inv->mr[1], src = inv->mr[2], rights = inv->mr[3];
	uint64_t nslots;
	struct cte *slots;
	int missing = 0, err;

	if ((err = frame_slots_arg(inv, &slots, &nslots)))
		return err;
	if (dest >= nslots || src >= nslots || dest == src)
		return FL_E_RANGE;
	if (!valid_rights(rights) || !user_va_ok(va, 1))
		return FL_E_INVALID_ARGUMENT;
	struct cte *d = slots + dest, *s = slots + src;
	if (s->cap.type != FL_OBJ_FRAME || !rights_allowed(s->cap.rights, rights))
		return FL_E_INVALID_CAPABILITY;
	if (d->cap.type != FL_OBJ_NULL && d->cap.type != FL_OBJ_FRAME)
		return FL_E_DELETE_FIRST;
	pte_t *pte = walk(l0, va, &missing);
	if (!pte) {
		inv->mr[0] = 0;
		inv->mr[1] = (uint64_t)missing;
		inv->reply_len = 2;
		return FL_E_MAPPING;
	}
	/* Only the mapping of dest's own cap may be in the way. */
	if ((*pte & 1) &&
	    !(d->cap.type == FL_OBJ_FRAME && (d->cap.flags & CAPF_MAPPED) &&
	      d->cap.data == MAPPING(asid, va) && (*pte & PTE_ADDR_MASK) == d->cap.obj))
		return FL_E_DELETE_FIRST;

	cte_delete(d); /* nothing if empty; else unmaps it (PTE cleared, TLB invalidated) */
	struct cap c = s->cap;
	c.flags &= ~CAPF_MAPPED;
	c.data = 0;
	cte_insert_child(s, d, &c);
	map_frame(&d->cap, pte, va, asid, rights);
	dsb_ish();
	return FL_OK;
}

/* Present entry e with new rights, never beyond what its cap allowed; the
 * instruction cache is made coherent first if it becomes executable. */
static pte_t protected_pte(pte_t e, uint64_t rights)
{
	pte_t n = e & ~(PTE_AP_RO | PTE_UXN);

	if (!(e & PTE_SW_MAY_WRITE))
		rights &= ~(uint64_t)FL_MAP_WRITE;
	if (!(rights & FL_MAP_WRITE))
		n |= PTE_AP_RO;
	if (!(rights & FL_MAP_EXEC) || ((e >> 2) & 7) != MT_NORMAL)
		n |= PTE_UXN;
	if (n != e && (e & PTE_UXN) && !(n & PTE_UXN))
		sync_icache_page(e & PTE_ADDR_MASK);
	return n;
}

/* Apply op to every present PTE in [va, va + pages); TLB maintenance batched. */
enum range_op { RANGE_UNMAP, RANGE_PROTECT, RANGE_ACCESSED };

static uint64_t vspace_range(pte_t *l0, unsigned asid, uint64_t va, uint64_t pages,
                             enum range_op op, uint64_t rights)
{
	uint64_t result = 0, touched = 0;

	for (uint64_t i = 0; i < pages; i++) {
		uint64_t v = va + i * PAGE_SIZE;
		pte_t *pte = walk(l0, v, NULL);
		if (!pte) {
			/* Skip the rest of the missing table's span. */
			uint64_t next = ALIGN_UP(v + 1, 1ULL << 21);
			i += ((next - v) >> PAGE_SHIFT) - 1;
			continue;
		}
		pte_t e = *pte;
		if (!(e & 1))
			continue;
		switch (op) {
		case RANGE_UNMAP:
			*pte = 0;
			break;
		case RANGE_PROTECT: {
			pte_t n = protected_pte(e, rights);
			if (n == e)
				continue;
			*pte = n;
			break;
		}
		case RANGE_ACCESSED:
			if (!(e & PTE_AF))
				continue;
			result |= 1ULL << i;
			*pte = e & ~PTE_AF;
			break;
		}
		if (touched++ < 16)
			tlbi_page_asid(v, (uint16_t)asid);
	}
	if (touched > 16)
		tlbi_asid((uint16_t)asid);
	if (touched)
		tlbi_sync();
	return result;
}

int vspace_invoke(struct invocation *inv)
{
	struct cap *vs = &inv->slot->cap;
	pte_t *l0 = cap_vspace_l0(vs);
	unsigned asid = (unsigned)vs->data;
	uint64_t va = inv->mr[0], pages = inv->mr[1];

	if (!l0)
		return FL_E_INVALID_CAPABILITY;
	switch (inv->label) {
	case FL_VSPACE_MAP_RANGE:
		return vspace_map_range(inv, l0, asid);
	case FL_VSPACE_MAP_COPY:
		return vspace_map_copy(inv, l0, asid);
	case FL_VSPACE_UNMAP_RANGE:
	case FL_VSPACE_PROTECT:
	case FL_VSPACE_GET_CLEAR_ACCESSED:
		if (inv->len < (inv->label == FL_VSPACE_PROTECT ? 3u : 2u))
			return FL_E_TRUNCATED;
		if (!user_va_ok(va, pages) || pages == 0)
			return FL_E_INVALID_ARGUMENT;
		if (inv->label == FL_VSPACE_GET_CLEAR_ACCESSED) {
			if (pages > 64)
				return FL_E_RANGE;
			inv->mr[0] = vspace_range(l0, asid, va, pages, RANGE_ACCESSED, 0);
			inv->reply_len = 1;
			return FL_OK;
		}
		if (inv->label == FL_VSPACE_PROTECT) {
			if (!valid_rights(inv->mr[2]))
				return FL_E_INVALID_ARGUMENT;
			vspace_range(l0, asid, va, pages, RANGE_PROTECT, inv->mr[2]);
			return FL_OK;
		}
		vspace_range(l0, asid, va, pages, RANGE_UNMAP, 0);
		return FL_OK;
	case FL_VSPACE_LOOKUP: {
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (!user_va_ok(ALIGN_DOWN(va, PAGE_SIZE), 1))
			return FL_E_INVALID_ARGUMENT;
		pte_t *pte = walk(l0, va, NULL);
		if (!pte || !(*pte & 1))
			return FL_E_MAPPING;
		inv->mr[0] = (*pte & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
		inv->mr[1] = FL_MAP_READ | ((*pte & PTE_AP_RO) ? 0 : FL_MAP_WRITE) |
		             ((*pte & PTE_UXN) ? 0 : FL_MAP_EXEC);
		inv->reply_len = 2;
		return FL_OK;
	}
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}

/* The slot cptr names in t's CSpace: a plain index of a single-level root
 * CNode where t has one (as the IPC fast path looks up), else the general
 * lookup. */
static struct cte *reply_lookup(struct tcb *t, uint64_t cptr, int *err)
{
	if (cptr < t->fast_nslots)
		return &t->fast_cnode[cptr];
	return lookup_slot(t, cptr, err);
}

/* Refuse with err, word the index of the message word at fault (MR0) and
 * extra MR1 of the error reply. */
static int fault_reply_refuse(struct vm_fault_reply *op, int err, uint64_t word, uint64_t extra)
{
	op->word[0] = word;
	op->word[1] = extra;
	return err;
}

/*
 * Check a fault reply that maps (FL_FAULT_REPLY_MAP) or protects
 * (FL_FAULT_REPLY_PROTECT) for the faulter c, from replier t with message
 * words mr[0..len); everything is checked before anything changes, in the
 * order docs/kernel-api.md gives. The VSpace is named by a cap the replier
 * holds and must be the faulter's own, and va must be the page of the fault
 * address: a reply can only do what answers the fault it replies to.
 */
int vspace_fault_reply_check(struct tcb *t, const struct tcb *c, uint64_t label, const uint64_t *mr,
                             unsigned len, struct vm_fault_reply *op)
{
	bool map = label == FL_FAULT_REPLY_MAP;
	unsigned vs_word = map ? 4 : 2, rights_word = map ? 3 : 1;
	unsigned ec = esr_class(c->fault_words[2]);
	struct cte *vs_slot, *cn_slot;
	int missing = 0, err = FL_OK;

	op->label = label;
	if (!(c->send_flags & SENDF_FAULT) || (ec != EC_DABT_LOW && ec != EC_IABT_LOW))
		return fault_reply_refuse(op, FL_E_ILLEGAL_OPERATION, FL_FAULT_REPLY_BAD_TARGET, 0);
	if (len < (map ? 6u : 3u))
		return fault_reply_refuse(op, FL_E_TRUNCATED, len, 0);
	vs_slot = reply_lookup(t, mr[vs_word], &err);
	if (!vs_slot)
		return fault_reply_refuse(op, err, vs_word, 0);
	pte_t *l0 = cap_vspace_l0(&vs_slot->cap);
	if (!l0)
		return fault_reply_refuse(op, FL_E_INVALID_CAPABILITY, vs_word, 0);
	if (c->slots[TCB_SLOT_VSPACE].cap.type != FL_OBJ_VSPACE ||
	    c->slots[TCB_SLOT_VSPACE].cap.obj != vs_slot->cap.obj)
		return fault_reply_refuse(op, FL_E_INVALID_ARGUMENT, vs_word, 0);
	op->va = mr[0];
	op->rights = mr[rights_word];
	op->asid = (unsigned)vs_slot->cap.data;
	if (!user_va_ok(op->va, 1) || op->va != ALIGN_DOWN(c->fault_words[1], PAGE_SIZE))
		return fault_reply_refuse(op, FL_E_INVALID_ARGUMENT, 0, 0);
	if (!valid_rights(op->rights))
		return fault_reply_refuse(op, FL_E_INVALID_ARGUMENT, rights_word, 0);
	if (map) {
		cn_slot = reply_lookup(t, mr[5], &err);
		if (!cn_slot)
			return fault_reply_refuse(op, err, 5, 0);
		if (cn_slot->cap.type != FL_OBJ_CNODE)
			return fault_reply_refuse(op, FL_E_INVALID_CAPABILITY, 5, 0);
		uint64_t nslots = 1ULL << cnode_radix(&cn_slot->cap);
		if (mr[1] >= nslots || mr[1] == mr[2])
			return fault_reply_refuse(op, FL_E_RANGE, 1, 0);
		if (mr[2] >= nslots)
			return fault_reply_refuse(op, FL_E_RANGE, 2, 0);
		op->dest = cap_cnode(&cn_slot->cap) + mr[1];
		op->src = cap_cnode(&cn_slot->cap) + mr[2];
		if (op->src->cap.type != FL_OBJ_FRAME ||
		    !rights_allowed(op->src->cap.rights, op->rights))
			return fault_reply_refuse(op, FL_E_INVALID_CAPABILITY, 2, 0);
		if (op->dest->cap.type != FL_OBJ_NULL)
			return fault_reply_refuse(op, FL_E_DELETE_FIRST, 1, 0);
	}
	op->pte = walk(l0, op->va, &missing);
	if (!op->pte)
		return fault_reply_refuse(op, FL_E_MAPPING, 0, (uint64_t)missing);
	if (map && (*op->pte & 1))
		return fault_reply_refuse(op, FL_E_DELETE_FIRST, 0, 0);
	if (!map && !(*op->pte & 1))
		return fault_reply_refuse(op, FL_E_MAPPING, 0, 0);
	return FL_OK;
}

/* Apply a fault reply vspace_fault_reply_check accepted: MAP copies the frame
 * cap into dest and maps it (as VSpace_MapCopy), PROTECT changes the
 * mapping's rights (as VSpace_Protect, never beyond what its cap allowed). */
void vspace_fault_reply_apply(struct vm_fault_reply *op)
{
	if (op->label == FL_FAULT_REPLY_MAP) {
		struct cap c = op->src->cap;
		c.flags &= ~CAPF_MAPPED;
		c.data = 0;
		cte_insert_child(op->src, op->dest, &c);
		map_frame(&op->dest->cap, op->pte, op->va, op->asid, op->rights);
		dsb_ish(); /* the entry was invalid: nothing to invalidate */
		return;
	}
	pte_t e = *op->pte, n = protected_pte(e, op->rights);
	if (n == e)
		return;
	*op->pte = n;
	tlbi_page_asid(op->va, (uint16_t)op->asid);
	tlbi_sync();
}

bool vspace_handle_access_flag(struct tcb *t, uint64_t far)
{
	pte_t *l0 = cap_vspace_l0(&t->slots[TCB_SLOT_VSPACE].cap);
	pte_t *pte = l0 ? walk(l0, far, NULL) : NULL;

	if (!pte || !(*pte & 1) || (*pte & PTE_AF))
		return false;
	*pte |= PTE_AF; /* a translation with AF = 0 is never in a TLB: no invalidation */
	dsb_ish();
	return true;
}

/* --- kernel-side mapping helpers for building the root task --- */

/* Map frame cap f at va in the space of vs, allocating missing tables with alloc. */
void vspace_boot_map(struct cap *vs, struct cap *f, uint64_t va, uint64_t rights,
                     uint64_t (*alloc_table)(void))
{
	pte_t *t = (pte_t *)vs->obj;

	for (int level = 0; level < 3; level++) {
		pte_t *e = &t[(va >> (39 - 9 * level)) & 511];
		if ((*e & 3) != PTE_TABLE)
			*e = alloc_table() | PTE_TABLE;
		t = table_va(*e);
	}
	map_frame(f, &t[(va >> 12) & 511], va, (unsigned)vs->data, rights);
}
