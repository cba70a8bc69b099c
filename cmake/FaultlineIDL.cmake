# faultline_idl(<target> IDL <file.idl>... [OUTPUT_DIR <dir>])
#
# Runs tools/codegen/flidl.py over the IDL files (checked together: interface
# ids and names must be unique across them) into OUTPUT_DIR (default
# <current binary dir>/<target>), and makes <target> a static library of the
# generated client stubs and server dispatch, with the generated headers on
# its public include path. In the host build it links the loopback transport
# (faultline_ipc_host); in the AArch64 build the svc runtime (faultline_ipc).
# The files regenerate when an .idl, a template, the generator or abi.h
# changes. Sets <target>_IDL_DIR and <target>_IDL_STEMS in the caller's scope
# (e.g. for the generated fuzz drivers <dir>/<stem>_fuzz.c).
include_guard(GLOBAL)
get_filename_component(FAULTLINE_IDL_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${FAULTLINE_IDL_ROOT}/libs/ipc/ipc.cmake")
if(NOT FAULTLINE_PYTHON)
	find_program(FAULTLINE_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
endif()

function(faultline_idl target)
	cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIR" "IDL")
	if(NOT arg_IDL)
		message(FATAL_ERROR "faultline_idl(${target}): no IDL files given")
	endif()
	if(NOT arg_OUTPUT_DIR)
		set(arg_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${target}")
	endif()
	set(gen "${FAULTLINE_IDL_ROOT}/tools/codegen")
	file(GLOB templates CONFIGURE_DEPENDS "${gen}/templates/*.j2")
	file(GLOB generator CONFIGURE_DEPENDS "${gen}/flidl.py" "${gen}/faultline_idl/*.py")
	set(abi "${FAULTLINE_IDL_ROOT}/kernel/include/faultline/abi.h")

	set(idl_files "")
	set(outputs "")
	set(sources "")
	set(stems "")
	foreach(f ${arg_IDL})
		get_filename_component(f "${f}" ABSOLUTE)
		get_filename_component(stem "${f}" NAME_WE)
		list(APPEND idl_files "${f}")
		list(APPEND stems "${stem}")
		foreach(suffix .h _client.c _server.c _fuzz.c .md .json)
			list(APPEND outputs "${arg_OUTPUT_DIR}/${stem}${suffix}")
		endforeach()
		list(APPEND sources "${arg_OUTPUT_DIR}/${stem}_client.c" "${arg_OUTPUT_DIR}/${stem}_server.c")
	endforeach()

	add_custom_command(
		OUTPUT ${outputs}
		COMMAND ${CMAKE_COMMAND} -E env PYTHONDONTWRITEBYTECODE=1
			"${FAULTLINE_PYTHON}" "${gen}/flidl.py" --abi "${abi}" --out "${arg_OUTPUT_DIR}" ${idl_files}
		DEPENDS ${idl_files} ${templates} ${generator} "${abi}"
		COMMENT "IDL: generating ${target} from ${stems}"
		VERBATIM)
	add_custom_target(${target}_generate DEPENDS ${outputs})

	add_library(${target} STATIC ${sources})
	add_dependencies(${target} ${target}_generate)
	target_include_directories(${target} PUBLIC "${arg_OUTPUT_DIR}")
	if(CMAKE_CROSSCOMPILING)
		target_link_libraries(${target} PUBLIC faultline_ipc)
	else()
		target_link_libraries(${target} PUBLIC faultline_ipc_host)
		target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
	endif()
	set(${target}_IDL_DIR "${arg_OUTPUT_DIR}" PARENT_SCOPE)
	set(${target}_IDL_STEMS "${stems}" PARENT_SCOPE)
endfunction()
