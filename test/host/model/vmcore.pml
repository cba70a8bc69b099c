/*
 * A Promela model of vmcore's COW write fault, eviction and fork protocols
 * (libs/vmcore/src/fault.c cow_break/frame_fault, evict.c, fork.c), checked
 * by spin in test/host/model/CMakeLists.txt.
 *
 * One frame F is shared copy-on-write by spaces A and B (refcount 2); space
 * C is an empty child that fork fills from A. Processes: a COW write fault
 * in A, one in B, the evictor, and fork(A -> C) followed by a COW write
 * fault in C. Locks as in vmcore: the frame-table (clock) lock, one SPT lock
 * per space, F's frame lock; the order clock < SPT < child SPT < frame.
 *
 * Each COW fault may first run as vm_fault_noio and, finding no free frame
 * after it counted itself in `copying`, give the copy up (VM_NEED_IO) and
 * start over as vm_fault (the pager's I/O thread), once.
 *
 * Checked: "a copy never reads a page being written" (a COW copy and the
 * write-out read F only while nobody writes it in place), "a frame is freed
 * only at refcount 0" (and with no pins or copies, and never twice, and a
 * reader never reads a freed frame), and no invalid end states (deadlock).
 *
 * Build with -DNO_DELAYED_DECREMENT for the broken protocol that drops the
 * old reference before copying: spin must then find a violation.
 */

#define A 0
#define B 1
#define C 2
#define NSPACES 3

/* SPT entry states for the page, per space. */
#define NONE 0    /* no entry (C before fork) */
#define SHARED_F 1 /* points at F */
#define PRIVATE 2 /* its own frame (after a COW copy) */
#define SWAPPED 3 /* in F's slot after eviction */

bit clock_lock;
bit spt_lock[NSPACES];
bit frame_lock;

byte ent[NSPACES];
bit cow[NSPACES];
bit in_rmap[NSPACES];
bit mapped_writable[NSPACES]; /* F mapped writable in this space */

byte refcount;
byte pins;
byte copying;
bit evicting;
bit freed;

byte readers; /* COW copies and the write-out reading F right now */
byte writers; /* user stores into F right now */

inline lock(l) { atomic { l == 0 -> l = 1 } }
inline unlock(l) { l = 0 }

/* vm_frame_release_if_unused_locked: caller holds frame_lock. */
inline release_if_unused()
{
	if
	:: refcount == 0 && pins == 0 && copying == 0 && !evicting ->
		assert(!freed);
		assert(refcount == 0);
		freed = 1
	:: else -> skip
	fi
}

/* A read of all of F (page copy, swap-out), in two steps. */
inline read_frame()
{
	atomic { readers++; assert(writers == 0 && !freed) };
	assert(writers == 0 && !freed);
	readers--
}

/* A user store through a writable mapping of F: the store starts only while
 * mapped; unmap and protect wait for stores in flight (TLB shootdown).
 * `storing` is the calling process's local. */
inline user_store(s)
{
	atomic {
		if
		:: mapped_writable[s] -> storing = 1; writers++; assert(readers == 0 && !freed)
		:: else -> skip
		fi
	};
	atomic {
		if
		:: storing -> storing = 0; writers--
		:: else -> skip
		fi
	}
}

/* vm_fault with a write access on the page, space s. */
proctype cow_fault(byte s)
{
	bit storing;
	bit may_io; /* 0: vm_fault_noio (a worker), 1: vm_fault (may wait) */
retry:
	lock(spt_lock[s]);
	if
	:: ent[s] != SHARED_F || !cow[s] ->
		unlock(spt_lock[s]);
		goto done
	:: else -> skip
	fi;
	lock(frame_lock);
	if
	:: evicting -> /* pin-if-present failed: VM_RETRY */
		unlock(frame_lock);
		unlock(spt_lock[s]);
		goto retry
	:: else -> skip
	fi;
	if
	:: refcount == 1 && pins == 0 && copying == 0 ->
		/* last sharer: remap writable, no copy */
		cow[s] = 0;
		mapped_writable[s] = 1;
		unlock(frame_lock);
		unlock(spt_lock[s]);
		user_store(s);
		user_store(s)
	:: else ->
#ifdef NO_DELAYED_DECREMENT
		refcount--;
		in_rmap[s] = 0;
#else
		copying++;
#endif
		unlock(frame_lock);
		unlock(spt_lock[s]);
#ifndef NO_DELAYED_DECREMENT
		if
		:: !may_io ->
			/* vm_fault_noio, no free frame: undo the copy count (the
			 * entry kept its reference) and answer VM_NEED_IO; the
			 * I/O thread does the fault again with vm_fault */
			lock(frame_lock);
			copying--;
			release_if_unused();
			unlock(frame_lock);
			may_io = 1;
			goto retry
		:: true -> skip /* a frame was free */
		fi;
#endif
		read_frame(); /* page_copy(nf, F) with no lock held */
		lock(spt_lock[s]);
#ifndef NO_DELAYED_DECREMENT
		lock(frame_lock);
		copying--;
		if
		:: ent[s] != SHARED_F -> /* entry changed: discard the copy */
			release_if_unused();
			unlock(frame_lock);
			unlock(spt_lock[s]);
			goto retry
		:: else -> skip
		fi;
		unlock(frame_lock);
#endif
		ent[s] = PRIVATE; /* map the copy */
		cow[s] = 0;
#ifndef NO_DELAYED_DECREMENT
		lock(frame_lock);
		refcount--; /* the delayed decrement */
		in_rmap[s] = 0;
		release_if_unused();
		unlock(frame_lock);
#endif
		unlock(spt_lock[s])
	fi;
done:
	skip
}

/* vm_evict: choose F under the clock lock, unmap every sharer, write out,
 * point every sharer at the slot. */
proctype evictor()
{
	byte s;

	lock(clock_lock);
	lock(frame_lock);
	if
	:: !freed && !evicting && pins == 0 && copying == 0 && refcount > 0 ->
		evicting = 1
	:: else ->
		unlock(frame_lock);
		unlock(clock_lock);
		goto done
	fi;
	unlock(frame_lock);
	unlock(clock_lock);

	s = 0; /* pass 1: unmap */
	do
	:: s < NSPACES ->
		lock(spt_lock[s]);
		lock(frame_lock);
		if
		:: in_rmap[s] -> atomic { writers == 0 -> mapped_writable[s] = 0 }
		:: else -> skip
		fi;
		unlock(frame_lock);
		unlock(spt_lock[s]);
		s++
	:: else -> break
	od;

	read_frame(); /* swap_out, no lock held */

	s = 0; /* pass 2: sharers to the slot */
	do
	:: s < NSPACES ->
		lock(spt_lock[s]);
		lock(frame_lock);
		if
		:: in_rmap[s] ->
			ent[s] = SWAPPED;
			in_rmap[s] = 0;
			refcount--
		:: else -> skip
		fi;
		unlock(frame_lock);
		unlock(spt_lock[s]);
		s++
	:: else -> break
	od;

	lock(frame_lock);
	evicting = 0;
	release_if_unused(); /* F goes to the allocating thread */
	unlock(frame_lock);
done:
	skip
}

/* vm_fork(A -> C): under A's SPT lock and C's (child rank), with F pinned;
 * waits for an evictor that owns F. Then C write-faults. */
proctype fork_then_write()
{
retry:
	lock(spt_lock[A]);
	lock(spt_lock[C]);
	if
	:: ent[A] == SHARED_F ->
		lock(frame_lock);
		if
		:: evicting ->
			unlock(frame_lock);
			unlock(spt_lock[C]);
			unlock(spt_lock[A]);
			goto retry
		:: else -> skip
		fi;
		refcount++;
		pins++;
		in_rmap[C] = 1;
		ent[C] = SHARED_F;
		cow[C] = 1;
		cow[A] = 1;
		unlock(frame_lock);
		/* flush: write-protect the parent (waits for stores in flight),
		 * still under both SPT locks, then unpin */
		atomic { writers == 0 -> mapped_writable[A] = 0 };
		lock(frame_lock);
		pins--;
		release_if_unused();
		unlock(frame_lock)
	:: ent[A] == SWAPPED -> ent[C] = SWAPPED /* shares the slot */
	:: else -> ent[C] = PRIVATE /* shares A's own frame, not F */
	fi;
	unlock(spt_lock[C]);
	unlock(spt_lock[A]);
	run cow_fault(C)
}

init
{
	atomic {
		ent[A] = SHARED_F;
		ent[B] = SHARED_F;
		cow[A] = 1;
		cow[B] = 1;
		in_rmap[A] = 1;
		in_rmap[B] = 1;
		refcount = 2;
		run cow_fault(A);
		run cow_fault(B);
		run evictor();
		run fork_then_write()
	}
}
