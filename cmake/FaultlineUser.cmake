# Building user programs for the boot archive (target build only).
#
#   faultline_user_program(<name> SOURCES <files...> [LIBS <targets...>] [ROOT])
#
# builds <name>.elf against libs/runtime and picolibc and adds it to the boot
# archive; ROOT programs come first in the archive (the kernel starts the
# first file as the root task unless the bootarg kernel.root=NAME says
# otherwise). faultline_boot_archive() is called once, after every program
# is known, by the top-level CMakeLists.txt.
include_guard(GLOBAL)

set(PICOLIBC_DIR /usr/lib/picolibc/aarch64-linux-gnu)
set(FAULTLINE_ARCHIVE "${CMAKE_BINARY_DIR}/images/boot.cpio")

function(faultline_user_program name)
	cmake_parse_arguments(P "ROOT" "" "SOURCES;LIBS" ${ARGN})
	add_executable(${name} ${P_SOURCES})
	set_target_properties(${name} PROPERTIES SUFFIX ".elf")
	target_compile_options(${name} PRIVATE ${FAULTLINE_TARGET_CFLAGS_USER})
	target_include_directories(${name} SYSTEM PRIVATE ${PICOLIBC_DIR}/include)
	target_link_libraries(${name} PRIVATE ${P_LIBS} faultline_runtime faultline_ipc)
	target_link_options(${name} PRIVATE -nostdlib -nostartfiles -static -no-pie
		-T ${CMAKE_SOURCE_DIR}/libs/runtime/user.ld -Wl,--build-id=none -Wl,--gc-sections
		-Wl,-z,noexecstack -Wl,-z,max-page-size=4096
		# libs/runtime/string.S replaces picolibc's byte-loop memcpy/memset: make
		# them undefined from the start so the runtime's are the ones linked.
		-Wl,-u,memcpy -Wl,-u,memset -Wl,-u,memmove)
	target_link_libraries(${name} PRIVATE -Wl,--start-group ${PICOLIBC_DIR}/lib/libc.a gcc -Wl,--end-group)
	set_target_properties(${name} PROPERTIES LINK_DEPENDS ${CMAKE_SOURCE_DIR}/libs/runtime/user.ld)
	if(P_ROOT)
		set_property(GLOBAL APPEND PROPERTY FAULTLINE_ROOT_PROGRAMS ${name})
	else()
		set_property(GLOBAL APPEND PROPERTY FAULTLINE_USER_PROGRAMS ${name})
	endif()
endfunction()

function(faultline_boot_archive)
	get_property(roots GLOBAL PROPERTY FAULTLINE_ROOT_PROGRAMS)
	get_property(others GLOBAL PROPERTY FAULTLINE_USER_PROGRAMS)
	set(files "")
	foreach(p ${roots} ${others})
		list(APPEND files $<TARGET_FILE:${p}>)
	endforeach()
	add_custom_command(OUTPUT ${FAULTLINE_ARCHIVE}
		COMMAND ${FAULTLINE_PYTHON} ${CMAKE_SOURCE_DIR}/tools/mkarchive.py ${FAULTLINE_ARCHIVE} ${files}
		DEPENDS ${roots} ${others} ${CMAKE_SOURCE_DIR}/tools/mkarchive.py
		COMMENT "Boot archive (${roots} ${others})")
	add_custom_target(boot_archive DEPENDS ${FAULTLINE_ARCHIVE})
endfunction()
