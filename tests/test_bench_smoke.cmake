# test_bench_smoke.cmake — runs `wgsim bench BENCH --json --quick` and checks
# the shape of its JSON lines: line i must have the documented shape and the
# name, unit and target given as LINEi ("NAME|UNIT|TARGET"), and there must
# be exactly as many lines as LINEs (one for most benchmarks; `hub` prints
# "hub" and "hub-memory"). Figures are never asserted: performance targets
# are measured by `wgsim bench` (docs/performance.md), not by unit tests.
#   cmake -DWGSIM=path/to/wgsim -DBENCH=engine "-DLINE1=engine|events/s|>= 4" -P test_bench_smoke.cmake
#   cmake -DWGSIM=path/to/wgsim -DBENCH=hub "-DLINE1=hub|s|<= 1.3" \
#         "-DLINE2=hub-memory|bytes/peer|<= 1" -P test_bench_smoke.cmake
foreach(var WGSIM BENCH LINE1)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "test_bench_smoke: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND "${WGSIM}" bench "${BENCH}" --json --quick
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wgsim bench ${BENCH} exited ${rc}: ${err}")
endif()
if(out MATCHES ";")
  message(FATAL_ERROR "unexpected ';' in the output (not the documented shape):\n${out}")
endif()
string(REGEX REPLACE "\n$" "" body "${out}")
string(REPLACE "\n" ";" lines "${body}")
list(LENGTH lines n_lines)

set(n_expected 1)
while(DEFINED LINE${n_expected})
  math(EXPR n_expected "${n_expected} + 1")
endwhile()
math(EXPR n_expected "${n_expected} - 1")
if(NOT n_lines EQUAL n_expected)
  message(FATAL_ERROR "expected ${n_expected} lines, got ${n_lines}:\n${out}")
endif()

# Key order and spacing as documented:
# {"bench": NAME, "ours": X, "baseline": Y, "unit": U, "ratio": R, "target": T}
set(num "-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")
set(i 0)
foreach(line IN LISTS lines)
  math(EXPR i "${i} + 1")
  string(REPLACE "|" ";" want "${LINE${i}}")
  list(LENGTH want n_fields)
  if(NOT n_fields EQUAL 3)
    message(FATAL_ERROR "LINE${i} must be NAME|UNIT|TARGET: ${LINE${i}}")
  endif()
  list(GET want 0 want_name)
  list(GET want 1 want_unit)
  list(GET want 2 want_target)
  if(NOT line MATCHES "^\\{\"bench\": \"[a-z-]+\", \"ours\": ${num}, \"baseline\": ${num}, \"unit\": \"[^\"]+\", \"ratio\": ${num}, \"target\": \"[^\"]+\"\\}$")
    message(FATAL_ERROR "line ${i} does not have the documented shape:\n${line}")
  endif()
  string(JSON name GET "${line}" bench)
  string(JSON unit GET "${line}" unit)
  string(JSON target GET "${line}" target)
  if(NOT name STREQUAL want_name OR NOT unit STREQUAL want_unit OR NOT target STREQUAL want_target)
    message(FATAL_ERROR "line ${i}: expected bench=${want_name} unit=${want_unit} target=${want_target}: ${line}")
  endif()
  foreach(key ours baseline ratio)
    string(JSON type TYPE "${line}" ${key})
    if(NOT type STREQUAL "NUMBER")
      message(FATAL_ERROR "line ${i}: ${key} is not a number: ${line}")
    endif()
  endforeach()
  # Figures are positive (CMake has no floating point to check ours/baseline).
  string(JSON ours GET "${line}" ours)
  string(JSON base GET "${line}" baseline)
  string(JSON ratio GET "${line}" ratio)
  if(ours MATCHES "^-" OR base MATCHES "^-" OR ratio MATCHES "^-" OR ours MATCHES "^0(\\.0*)?$" OR base MATCHES "^0(\\.0*)?$")
    message(FATAL_ERROR "line ${i}: figures must be positive: ${line}")
  endif()
  message(STATUS "ok: ${line}")
endforeach()
