#!/bin/sh
# Check that kernel/plat/dtb.c builds as kernel code: freestanding AArch64
# with the kernel's flags, and that dtb.o linked with libfdt.a needs nothing
# beyond the C functions the kernel provides (and libfdt's stack-protector
# hooks), so a printf or malloc slipped into the parser fails here.
#
# usage: check-kernel-build.sh CC SOURCE_DIR WORK_DIR [ARM64_ROOT]
# ARM64_ROOT is where ./faultline deps unpacked libfdt-dev:arm64 (as the
# kernel build takes it); a system-wide libfdt-dev:arm64 also works.
set -eu
cc=$1
src=$2
out=$3/kernel-build
arm64_root=${4:-}
prefix=${cc%gcc}
libfdt=$arm64_root/usr/lib/aarch64-linux-gnu/libfdt.a
[ -f "$libfdt" ] || libfdt=/usr/lib/aarch64-linux-gnu/libfdt.a
[ -f "$libfdt" ] || { echo "FAIL: no AArch64 libfdt.a (run ./faultline deps)" >&2; exit 1; }
allowed="memchr memcmp memcpy memmove memset strchr strlen strnlen strrchr strtoul
__stack_chk_fail __stack_chk_guard"

# As kernel/CMakeLists.txt builds it: the kernel's own <string.h> and
# <stdlib.h> (include/libc), and libfdt's headers copied out of /usr/include.
mkdir -p "$out/fdt-include"
cp /usr/include/libfdt.h /usr/include/libfdt_env.h /usr/include/fdt.h "$out/fdt-include/"
"$cc" -std=c11 -ffreestanding -fno-builtin -nostdlib -Wall -Wextra -Werror -O2 \
	-mcpu=cortex-a72 -mgeneral-regs-only -mno-outline-atomics -fno-stack-protector -fno-pie \
	-I"$src/kernel/include" -I"$src/kernel/include/libc" -I"$out/fdt-include" \
	-c "$src/kernel/plat/dtb.c" -o "$out/dtb.o"
# A relocatable link pulls in exactly the libfdt members dtb.o needs.
"${prefix}ld" -r -o "$out/dtb+libfdt.o" "$out/dtb.o" "$libfdt"
bad=0
for sym in $("${prefix}nm" -u "$out/dtb+libfdt.o" | awk '{print $2}'); do
	case " $(echo $allowed) " in
	*" $sym "*) ;;
	*) echo "FAIL: dtb.o + libfdt.a needs $sym, which the kernel does not provide" >&2; bad=1 ;;
	esac
done
"${prefix}nm" "$out/dtb+libfdt.o" | grep -q ' T dtb_parse$' || { echo "FAIL: no dtb_parse" >&2; bad=1; }
[ $bad = 0 ] && echo "dtb.c builds freestanding for AArch64; undefined: $("${prefix}nm" -u "$out/dtb+libfdt.o" | awk '{print $2}' | tr '\n' ' ')"
exit $bad
