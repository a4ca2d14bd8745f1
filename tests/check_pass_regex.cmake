# CTest splits a PASS_REGULAR_EXPRESSION value at every ';' into several
# regexes and passes when ANY of them matches, so a ';' in one of ours
# silently weakens it to its pieces. A literal semicolon must be written
# [;] (CMake does not split inside square brackets). This script fails when
# a PASS_REGULAR_EXPRESSION string in FILE holds a bare ';'.
file(READ "${FILE}" text)
set(bad 0)
string(FIND "${text}" "PASS_REGULAR_EXPRESSION" pos)
while(pos GREATER -1)
  string(SUBSTRING "${text}" ${pos} -1 rest)
  string(FIND "${rest}" "\"" q)
  math(EXPR start "${q} + 1")
  string(SUBSTRING "${rest}" ${start} -1 body)
  # the regex string ends at the first unescaped quote
  string(REGEX MATCH "^([^\"\\\\]|\\\\.)*" value "${body}")
  string(REPLACE "[;]" "" stripped "${value}")
  string(FIND "${stripped}" ";" semi)
  if(semi GREATER -1)
    message(SEND_ERROR "PASS_REGULAR_EXPRESSION with a bare ';' (write [;]): ${value}")
    set(bad 1)
  endif()
  math(EXPR next "${pos} + 23")
  string(SUBSTRING "${text}" ${next} -1 tail)
  string(FIND "${tail}" "PASS_REGULAR_EXPRESSION" p2)
  if(p2 GREATER -1)
    math(EXPR pos "${next} + ${p2}")
  else()
    set(pos -1)
  endif()
endwhile()
if(bad)
  message(FATAL_ERROR "bare ';' in PASS_REGULAR_EXPRESSION")
endif()
message(STATUS "no bare ';' in any PASS_REGULAR_EXPRESSION")
