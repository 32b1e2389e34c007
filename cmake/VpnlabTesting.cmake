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

# vpnlab_add_fuzzer(NAME SOURCE fuzz_x.cpp LIBS ... CORPUS dir [CRASHERS dir])
# The source defines LLVMFuzzerTestOneInput. Always builds a replay executable (a plain main
# that feeds every file of the corpus and crashers folders) registered as a ctest, so GCC
# builds keep every crasher fixed; with -DVPNLAB_FUZZ=ON under clang it also builds the
# libFuzzer binary NAME, which .ci/run runs briefly.
function(vpnlab_add_fuzzer name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS;CRASHERS" "LIBS" ${ARGN})
  add_executable(${name}_replay ${F_SOURCE} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  target_link_libraries(${name}_replay PRIVATE ${F_LIBS})
  set(dirs ${F_CORPUS})
  if(F_CRASHERS)
    list(APPEND dirs ${F_CRASHERS})
  endif()
  add_test(NAME fuzz_replay.${name} COMMAND ${name}_replay ${dirs})
  set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS "fuzz" TIMEOUT 120)
  if(VPNLAB_FUZZ)
    add_executable(${name} ${F_SOURCE})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    add_test(NAME fuzz_run.${name}
             COMMAND ${CMAKE_SOURCE_DIR}/scripts/run-fuzzer.sh $<TARGET_FILE:${name}> ${F_CORPUS})
    set_tests_properties(fuzz_run.${name} PROPERTIES LABELS "fuzzrun" TIMEOUT 300)
    if(NOT TARGET fuzz_targets)
      add_custom_target(fuzz_targets)
    endif()
    add_dependencies(fuzz_targets ${name})
  endif()
endfunction()
