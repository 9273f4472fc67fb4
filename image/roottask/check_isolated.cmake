# cmake -DNM=<nm> -DOBJECT=<roottask.o> [-DWHAT=guest] -P check_isolated.cmake
# Fails if the root task's (or the guest's) object has an undefined symbol: a reference to
# code or data outside it, which its VSpace does not map.
if(NOT WHAT)
    set(WHAT "root task")
endif()
execute_process(COMMAND ${NM} -u ${OBJECT} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${WHAT}: ${NM} -u ${OBJECT} failed")
endif()
string(STRIP "${undefined}" undefined)
if(NOT undefined STREQUAL "")
    message(FATAL_ERROR "${WHAT} references symbols outside itself (its VSpace maps only "
                        "its own pages):\n${undefined}")
endif()
