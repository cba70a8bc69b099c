# faultline_add_subdirs(): add every immediate subdirectory of the current
# source directory that has a CMakeLists.txt, in sorted order, so that a new
# component needs no edit to its parent.
function(faultline_add_subdirs)
	file(GLOB children LIST_DIRECTORIES true RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}/*")
	list(SORT children)
	foreach(child ${children})
		if(IS_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/${child}" AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt")
			add_subdirectory(${child})
		endif()
	endforeach()
endfunction()
