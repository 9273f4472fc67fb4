# The kernel's boot table, generated/smmu_boot_config.h: where the SMMUs are and which
# StreamIDs get pre-generated SID and CB caps in the root task's CNode. One pipeline:
#
#   SMMU_CONFIG_SOURCE=dtb (default): tools/dt2smmu reads SMMU_DTB (empty: QEMU virt's DTB,
#       dumped by the build with the demo's machine) and SMMU_ASSIGNMENT, and writes
#       generated/smmu.conf, with generated/smmu-report.txt and generated/smmu.json beside it;
#   SMMU_CONFIG_SOURCE=conf: the hand-written SMMU_CONFIG (config/smmu.conf) instead;
#
# then tools/gen_smmu_config.py compiles the configuration into the header. A bad device
# tree, assignment or configuration fails the build with a message naming it.
# Sets SMMU_BOOT_HEADER and SMMU_CONFIG_USED (the configuration compiled); in the host
# flavour also QEMU_VIRT_DTB_GEN (the QEMU DTB, for tests) when QEMU and dtc are present.
set(SMMU_CONFIG_SOURCE dtb CACHE STRING
    "Where the SMMU boot table comes from: dtb (dt2smmu on SMMU_DTB + SMMU_ASSIGNMENT) or conf (SMMU_CONFIG)")
set_property(CACHE SMMU_CONFIG_SOURCE PROPERTY STRINGS dtb conf)
set(SMMU_CONFIG ${CMAKE_SOURCE_DIR}/config/smmu.conf CACHE FILEPATH
    "Hand-written SMMU configuration, used when SMMU_CONFIG_SOURCE=conf")
set(SMMU_DTB "" CACHE FILEPATH
    "Device tree (.dtb, or .dts through dtc) for dt2smmu; empty: QEMU virt's, dumped by the build")
set(SMMU_ASSIGNMENT ${CMAKE_SOURCE_DIR}/config/qemu-virt.assign CACHE FILEPATH
    "dt2smmu assignment: which masters get pre-generated SID/CB caps (docs/dt2smmu.md)")
set(SMMU_BOOT_HEADER ${GENERATED_DIR}/smmu_boot_config.h)

# QEMU virt's device tree for the demo's command line (tests/qemu/run-scenario.sh), repacked
# by dtc (QEMU pads it to 1 MiB). Regenerated when QEMU changes.
find_program(QEMU_AARCH64_EXE qemu-system-aarch64)
find_program(DTC_EXE dtc)
if(QEMU_AARCH64_EXE AND DTC_EXE)
    set(QEMU_VIRT_DTB_GEN ${GENERATED_DIR}/qemu-virt.dtb)
    add_custom_command(OUTPUT ${QEMU_VIRT_DTB_GEN}
        COMMAND ${QEMU_AARCH64_EXE} -M virt,iommu=smmuv3,virtualization=on,dumpdtb=${GENERATED_DIR}/qemu-virt.raw.dtb
                -cpu max -m 1G -nographic -nic none -device edu,addr=2 -device edu,addr=3
        COMMAND ${DTC_EXE} -q -I dtb -O dtb -o ${QEMU_VIRT_DTB_GEN} ${GENERATED_DIR}/qemu-virt.raw.dtb
        DEPENDS ${QEMU_AARCH64_EXE}
        COMMENT "QEMU virt DTB (iommu=smmuv3, two edu devices)" VERBATIM)
    if(NOT SMMU_IMAGE)
        add_custom_target(qemu_virt_dtb ALL DEPENDS ${QEMU_VIRT_DTB_GEN}) # for tests/dt
    endif()
endif()

if(SMMU_CONFIG_SOURCE STREQUAL "dtb")
    if(SMMU_DTB)
        set(smmu_dtb_in ${SMMU_DTB})
    elseif(QEMU_VIRT_DTB_GEN)
        set(smmu_dtb_in ${QEMU_VIRT_DTB_GEN})
    else()
        message(FATAL_ERROR "SMMU_CONFIG_SOURCE=dtb needs SMMU_DTB, or qemu-system-aarch64 and dtc to dump "
                            "QEMU virt's device tree (or use -DSMMU_CONFIG_SOURCE=conf)")
    endif()
    if(SMMU_IMAGE)
        # The cross flavour builds the host tool as a project of its own, with the host compiler.
        include(ExternalProject)
        set(DT2SMMU_EXE ${CMAKE_BINARY_DIR}/dt2smmu-host/dt2smmu)
        ExternalProject_Add(dt2smmu_host
            SOURCE_DIR ${CMAKE_SOURCE_DIR}/tools/dt2smmu
            BINARY_DIR ${CMAKE_BINARY_DIR}/dt2smmu-host
            CMAKE_GENERATOR Ninja
            CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release
            INSTALL_COMMAND ""
            BUILD_BYPRODUCTS ${DT2SMMU_EXE})
        set(dt2smmu_deps dt2smmu_host ${DT2SMMU_EXE})
    else()
        set(DT2SMMU_EXE $<TARGET_FILE:dt2smmu>)
        set(dt2smmu_deps dt2smmu) # tools/dt2smmu (add_subdirectory in the host flavour)
    endif()
    set(SMMU_CONFIG_USED ${GENERATED_DIR}/smmu.conf)
    add_custom_command(OUTPUT ${SMMU_CONFIG_USED} ${GENERATED_DIR}/smmu-report.txt ${GENERATED_DIR}/smmu.json
        COMMAND ${DT2SMMU_EXE} -a ${SMMU_ASSIGNMENT} -c ${SMMU_CONFIG_USED}
                -r ${GENERATED_DIR}/smmu-report.txt -j ${GENERATED_DIR}/smmu.json ${smmu_dtb_in}
        DEPENDS ${smmu_dtb_in} ${SMMU_ASSIGNMENT} ${dt2smmu_deps}
        COMMENT "dt2smmu: ${smmu_dtb_in} + ${SMMU_ASSIGNMENT} -> generated/smmu.conf" VERBATIM)
elseif(SMMU_CONFIG_SOURCE STREQUAL "conf")
    set(SMMU_CONFIG_USED ${SMMU_CONFIG})
else()
    message(FATAL_ERROR "SMMU_CONFIG_SOURCE must be dtb or conf, not '${SMMU_CONFIG_SOURCE}'")
endif()

add_custom_command(OUTPUT ${SMMU_BOOT_HEADER}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/gen_smmu_config.py ${SMMU_CONFIG_USED} ${SMMU_BOOT_HEADER}
    DEPENDS ${CMAKE_SOURCE_DIR}/tools/gen_smmu_config.py ${SMMU_CONFIG_USED}
    COMMENT "Compiling the SMMU configuration ${SMMU_CONFIG_USED}" VERBATIM)
