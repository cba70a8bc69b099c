/* The boot archive, built by the build system and linked into the image. */
	.section .boot_archive, "a"
	.balign 4096
	.incbin FAULTLINE_ARCHIVE_PATH
