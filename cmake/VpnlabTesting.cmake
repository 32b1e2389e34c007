# vpnlab_add_test(NAME SOURCES a.cpp b.cpp LIBS vpnlab::esp [LABELS netns] [TIMEOUT 120])
# A GoogleTest executable registered with ctest per test case (gtest_discover_tests), so a
# failing case is named in ctest's output. LABELS lets `ctest -L netns` run a group alone.
include(GoogleTest)
find_package(GTest REQUIRED)

function(vpnlab_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set(props TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    list(APPEND props LABELS "${T_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES ${props})
endfunction()
