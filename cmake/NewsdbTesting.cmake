include(GoogleTest)

# newsdb_add_unit_test(NAME <name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>])
# Builds one GoogleTest binary and registers each of its tests with ctest (label `unit` by default).
# A binary labelled `unit-concurrency` (one label: gtest_discover_tests takes one value) is a unit
# test (ctest -L unit matches it) that `tsan_tests` also builds, and scripts/test.sh runs the label
# `concurrency` under ThreadSanitizer.
function(newsdb_add_unit_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main
                                            newsdb::warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # Every unit test also runs under ASan/UBSan (scripts/test.sh builds `sanitized_tests`).
  set_property(GLOBAL APPEND PROPERTY NEWSDB_SANITIZED_TESTS ${ARG_NAME})
  if("unit-concurrency" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY NEWSDB_TSAN_TESTS ${ARG_NAME})
  endif()
  gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}"
                       ENVIRONMENT "NEWSDB_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
                       DISCOVERY_TIMEOUT 60)
endfunction()
