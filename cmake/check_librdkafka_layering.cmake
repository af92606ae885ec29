# ctest: no source outside src/kafka names librdkafka (RdKafka::, rd_kafka_), not even a type
# forward-declared by src/kafka's headers. Run with -DSOURCE_DIR=<checkout>.
file(GLOB_RECURSE sources "${SOURCE_DIR}/src/*.cpp" "${SOURCE_DIR}/src/*.h"
     "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/tests/*.h")
set(offenders "")
foreach(f IN LISTS sources)
  if(f MATCHES "/src/kafka/")
    continue()
  endif()
  file(STRINGS "${f}" hits REGEX "RdKafka::|rd_kafka_")
  if(hits)
    list(APPEND offenders "${f}: ${hits}")
  endif()
endforeach()
if(offenders)
  list(JOIN offenders "\n" text)
  message(FATAL_ERROR "librdkafka named outside src/kafka:\n${text}")
endif()
