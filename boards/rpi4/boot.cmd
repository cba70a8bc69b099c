# Faultline on a Raspberry Pi 4 through U-Boot rpi_4 (compiled to boot.scr
# by mkimage). U-Boot's distro boot finds this script on the SD card's FAT
# partition. It loads the kernel Image from the same partition and boots it
# with booti and the DTB U-Boot was given (by the Pi firmware, or by QEMU's
# raspi4b): fdt_addr is where U-Boot's rpi board code keeps it.
#
# Kernel arguments: if the partition has a file faultline.env with a line
# bootargs=..., U-Boot writes that into the DTB's /chosen/bootargs (the test
# harness uses it for kernel.root=ktest). Without it, bootargs stay as the
# firmware left them; Faultline ignores words it does not know.
# It is loaded at kernel_addr_r, which the Image overwrites right after.
if load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /faultline.env; then
	env import -t ${kernel_addr_r} ${filesize} bootargs
fi
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} /faultline.Image
booti ${kernel_addr_r} - ${fdt_addr}
echo "boot.scr: booti failed"
