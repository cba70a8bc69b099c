# Faultline on QEMU virt through U-Boot (compiled to boot.scr by mkimage).
# Loads the kernel Image from the partition this script was found on and
# boots it with booti and the DTB QEMU gave U-Boot. The bootargs come from
# faultline_bootargs, which the pflash environment made by the QEMU harness
# sets (./faultline run --uboot -- ARGS); U-Boot writes them into the DTB's
# /chosen/bootargs. With U-Boot's default environment it is empty.
setenv bootargs "${faultline_bootargs}"
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /faultline.Image
booti ${kernel_addr_r} - ${fdt_addr}
echo "boot.scr: booti failed"
