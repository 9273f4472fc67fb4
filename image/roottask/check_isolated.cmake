# cmake -DNM=<nm> -DOBJECT=<roottask.o> -P check_isolated.cmake
# Fails if the root task's object has an undefined symbol: a reference to code or data
# outside the root task, which its VSpace does not map.
execute_process(COMMAND ${NM} -u ${OBJECT} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "root task: ${NM} -u ${OBJECT} failed")
endif()
string(STRIP "${undefined}" undefined)
if(NOT undefined STREQUAL "")
    message(FATAL_ERROR "root task references symbols outside itself (its VSpace maps only "
                        "its own pages):\n${undefined}")
endif()
