# Cross toolchain for the bare-metal AArch64 image (Debian's gcc-aarch64-linux-gnu used
# freestanding: no libc, no start files, our own linker script).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# The MMU stays off at EL2, so all memory is Device memory: no unaligned accesses, and no
# FP/SIMD registers in kernel code.
set(CMAKE_C_FLAGS_INIT "-ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-pic -O2 -g")
set(CMAKE_ASM_FLAGS_INIT "-ffreestanding -nostdlib")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--build-id=none")
