# The sources of libs/vmcore, for whichever CMakeLists builds them: the
# target build (libs/vmcore/CMakeLists.txt, a static library) and the host
# tests (test/host/vmcore, built with TSan, the lock-order checker or the
# mutation flag). Sets VMCORE_SOURCES and VMCORE_INCLUDE_DIR.
include_guard(GLOBAL)
set(VMCORE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(VMCORE_INCLUDE_DIR "${VMCORE_DIR}/include")
set(VMCORE_SOURCES
	"${VMCORE_DIR}/src/batch.c"
	"${VMCORE_DIR}/src/check.c"
	"${VMCORE_DIR}/src/evict.c"
	"${VMCORE_DIR}/src/fault.c"
	"${VMCORE_DIR}/src/fork.c"
	"${VMCORE_DIR}/src/frame.c"
	"${VMCORE_DIR}/src/heap.c"
	"${VMCORE_DIR}/src/lock.c"
	"${VMCORE_DIR}/src/pool.c"
	"${VMCORE_DIR}/src/slot.c"
	"${VMCORE_DIR}/src/space.c"
	"${VMCORE_DIR}/src/verdict.c"
	"${VMCORE_DIR}/src/vm.c")
