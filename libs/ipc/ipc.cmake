# The targets of libs/ipc, defined once however many CMakeLists include this:
#   faultline_ipc       header-only runtime (syscall wrappers, IDL runtime);
#                       on the target its fl_syscall is an svc
#   faultline_ipc_host  (host build only) the same headers with FL_IPC_HOST
#                       and the loopback transport that stands in for the kernel
include_guard(GLOBAL)
set(FAULTLINE_IPC_DIR "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(_fl_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

add_library(faultline_ipc INTERFACE)
target_include_directories(faultline_ipc INTERFACE
	"${FAULTLINE_IPC_DIR}/include" "${_fl_root}/kernel/include")

if(NOT CMAKE_CROSSCOMPILING)
	find_package(Threads REQUIRED)
	add_library(faultline_ipc_host STATIC "${FAULTLINE_IPC_DIR}/host/loopback.c")
	target_link_libraries(faultline_ipc_host PUBLIC faultline_ipc Threads::Threads)
	target_compile_definitions(faultline_ipc_host PUBLIC FL_IPC_HOST)
	target_compile_options(faultline_ipc_host PRIVATE -Wall -Wextra -Werror)
endif()
