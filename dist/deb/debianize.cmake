# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS of dist/package.cmake): turns
# the staged `cmake --install` tree into what Debian policy asks of a package,
# before cpack -G DEB archives it. A plain `cmake --install` keeps the plain
# files: this runs for the package only.
#  - manual pages compressed with `gzip -9n` (policy 12.1; -n: no name or
#    time stamp inside, so the same tree gives the same package bytes);
#  - /usr/share/doc/wgsim/copyright and changelog.gz (policy 12.5, 12.7);
#  - programs stripped of symbols, debug information and the .comment and
#    .note sections, as dh_strip does (policy 10.1).
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT IS_DIRECTORY "${root}/bin")
  message(FATAL_ERROR "debianize: no staged install tree at ${root}")
endif()
find_program(GZIP gzip REQUIRED)
file(GLOB_RECURSE pages "${root}/share/man/man*/*")
list(FILTER pages EXCLUDE REGEX "\\.gz$")
set(doc "${root}/share/doc/${CPACK_PACKAGE_NAME}")
file(COPY_FILE "${CPACK_WGSIM_DEB_DIR}/changelog" "${doc}/changelog")
file(COPY_FILE "${CPACK_WGSIM_DEB_DIR}/copyright" "${doc}/copyright")
foreach(f IN LISTS pages ITEMS "${doc}/changelog")
  execute_process(COMMAND ${GZIP} -9nf "${f}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "debianize: gzip ${f} failed")
  endif()
endforeach()
if(NOT CPACK_WGSIM_STRIP)
  message(FATAL_ERROR "debianize: no strip program (binutils) found when CMake configured")
endif()
file(GLOB programs "${root}/bin/*" "${root}/libexec/${CPACK_PACKAGE_NAME}/*")
foreach(f IN LISTS programs)
  execute_process(COMMAND ${CPACK_WGSIM_STRIP} --remove-section=.comment --remove-section=.note "${f}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "debianize: strip ${f} failed")
  endif()
endforeach()
