# test_bench_smoke.cmake — runs `wgsim bench NAME --json --quick` and checks
# the shape of its one JSON line (never the figures: performance targets
# are measured by `wgsim bench`, not asserted by unit tests).
#   cmake -DWGSIM=path/to/wgsim -DBENCH=engine -DUNIT=events/s -DTARGET=">= 4" -P test_bench_smoke.cmake
foreach(var WGSIM BENCH UNIT TARGET)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "test_bench_smoke: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND "${WGSIM}" bench "${BENCH}" --json --quick
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wgsim bench ${BENCH} exited ${rc}: ${err}")
endif()
string(REGEX REPLACE "\n$" "" line "${out}")
if(line MATCHES "\n")
  message(FATAL_ERROR "expected exactly one line, got:\n${out}")
endif()

# Key order and spacing as documented:
# {"bench": NAME, "ours": X, "baseline": Y, "unit": U, "ratio": R, "target": T}
set(num "-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")
if(NOT line MATCHES "^\\{\"bench\": \"[a-z]+\", \"ours\": ${num}, \"baseline\": ${num}, \"unit\": \"[^\"]+\", \"ratio\": ${num}, \"target\": \"[^\"]+\"\\}$")
  message(FATAL_ERROR "line does not have the documented shape:\n${line}")
endif()

string(JSON name GET "${line}" bench)
string(JSON unit GET "${line}" unit)
string(JSON target GET "${line}" target)
if(NOT name STREQUAL BENCH OR NOT unit STREQUAL UNIT OR NOT target STREQUAL TARGET)
  message(FATAL_ERROR "expected bench=${BENCH} unit=${UNIT} target=${TARGET}: ${line}")
endif()
foreach(key ours baseline ratio)
  string(JSON type TYPE "${line}" ${key})
  if(NOT type STREQUAL "NUMBER")
    message(FATAL_ERROR "${key} is not a number: ${line}")
  endif()
endforeach()
# Figures are positive (CMake has no floating point to check ours/baseline).
string(JSON ours GET "${line}" ours)
string(JSON base GET "${line}" baseline)
string(JSON ratio GET "${line}" ratio)
if(ours MATCHES "^-" OR base MATCHES "^-" OR ratio MATCHES "^-" OR ours MATCHES "^0(\\.0*)?$" OR base MATCHES "^0(\\.0*)?$")
  message(FATAL_ERROR "figures must be positive: ${line}")
endif()
message(STATUS "ok: ${line}")
