/*
 * The IPC log: every IPC event goes into the current CPU's ring (no lock
 * beyond the big lock the caller already holds). Full rings overwrite their
 * oldest records and count them as dropped. The rings are readable in place
 * by whoever maps them (the root task gets read-only frame caps) and can be
 * dumped to the console in a line-oriented, checksummed form that
 * tools/trace finds in a serial log:
 *
 *   FLTRACE BEGIN v1 cpus=<n> freq=<hz>
 *   FLTRACE RING <cpu> head=<n> dropped=<n>
 *   FLTRACE R <cpu> <128 hex digits: the 64-byte record> <crc32 of the record, 8 hex digits>
 *   FLTRACE END
 */
#include "arch/mmu.h"
#include "arch/timer.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/ipclog.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

int ipclog_enabled;
static struct fl_ipclog_ring rings[MAX_CPUS] __attribute__((aligned(PAGE_SIZE)));
static unsigned slot[MAX_CPUS]; /* next slot of each ring: head % FL_IPCLOG_RECORDS */

void ipclog_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		rings[i].cpu = i;
		rings[i].nrecords = FL_IPCLOG_RECORDS;
	}
	ipclog_enabled = bootarg_flag("kernel.trace");
	for (unsigned i = 0; i < MAX_CPUS; i++)
		rings[i].enabled = (uint64_t)ipclog_enabled;
}

uint64_t ipclog_phys(void)
{
	return virt_to_phys(rings);
}
uint64_t ipclog_size(void)
{
	return sizeof rings;
}

/*
 * Append one record to the current CPU's ring. Caller holds the big lock
 * (nothing else is taken: the ring is this CPU's own). slot[] mirrors
 * head % FL_IPCLOG_RECORDS so the hot path has no division; the record is
 * written whole, then head is published with a store-release for readers
 * of the mapped rings.
 */
void ipclog_write(unsigned kind, const struct tcb *from, const struct tcb *to, uint64_t badge,
                  uint64_t label, unsigned length, const uint64_t *words, unsigned nwords,
                  unsigned flags)
{
	unsigned cpu = this_cpu()->id;
	struct fl_ipclog_ring *r = &rings[cpu];
	uint64_t head = r->head;
	unsigned s = slot[cpu];
	struct fl_ipclog_record *rec = &r->rec[s];

	slot[cpu] = s + 1 == FL_IPCLOG_RECORDS ? 0 : s + 1;
	if (head >= FL_IPCLOG_RECORDS)
		r->dropped++;
	if (nwords > 3)
		nwords = 3;
	*rec = (struct fl_ipclog_record){
	    .timestamp = counter_now(),
	    .kind = (uint8_t)kind,
	    .cpu = (uint8_t)cpu,
	    .nwords = (uint8_t)nwords,
	    .flags = (uint8_t)flags,
	    .from = from ? from->id : 0,
	    .to = to ? to->id : 0,
	    .length = length,
	    .badge = badge,
	    .label = label,
	    .words = {nwords > 0 ? words[0] : 0, nwords > 1 ? words[1] : 0,
	              nwords > 2 ? words[2] : 0},
	};
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

static uint32_t crc32(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

/* Write every ring to the console. The records of a CPU come oldest first. */
static void dump(void)
{
	static const char hex[] = "0123456789abcdef";
	char line[8 + 4 + 129 + 10 + 2];

	kprintf("FLTRACE BEGIN v1 cpus=%u freq=%lu\n", smp_ncpus(),
	        (unsigned long)timer_frequency());
	for (unsigned cpu = 0; cpu < smp_ncpus(); cpu++) {
		struct fl_ipclog_ring *r = &rings[cpu];
		uint64_t head = r->head;
		uint64_t first = head > FL_IPCLOG_RECORDS ? head - FL_IPCLOG_RECORDS : 0;
		kprintf("FLTRACE RING %u head=%lu dropped=%lu\n", cpu, (unsigned long)head,
		        (unsigned long)r->dropped);
		for (uint64_t i = first; i < head; i++) {
			const uint8_t *rec = (const uint8_t *)&r->rec[i % FL_IPCLOG_RECORDS];
			for (unsigned j = 0; j < 64; j++) {
				line[2 * j] = hex[rec[j] >> 4];
				line[2 * j + 1] = hex[rec[j] & 15];
			}
			line[128] = '\0';
			kprintf("FLTRACE R %u %s %08x\n", cpu, line, crc32(rec, 64));
		}
	}
	kprintf("FLTRACE END\n");
}

int trace_invoke(struct invocation *inv)
{
	switch (inv->label) {
	case FL_TRACE_ENABLE:
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (inv->mr[0] > 1)
			return FL_E_INVALID_ARGUMENT;
		ipclog_enabled = (int)inv->mr[0];
		for (unsigned i = 0; i < MAX_CPUS; i++)
			rings[i].enabled = inv->mr[0];
		return FL_OK;
	case FL_TRACE_DUMP:
		dump();
		return FL_OK;
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}
