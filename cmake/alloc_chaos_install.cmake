# Install rules, included by the top-level CMakeLists.txt after every target is defined.
#
#   include/alloc_chaos/                       the public headers (detail/ and integrations too)
#   lib/liballoc_chaos.a                       the core
#   lib/alloc_chaos/libbacktrace.a             GCC's libbacktrace, which the core calls for stacks
#   lib/alloc_chaos/new_delete.o, malloc.o     the bridges, linked as object files, never archived
#   lib/liballoc_chaos_boost_container.a       the Boost.Container integration
#   lib/cmake/alloc_chaos/                     the CMake package: find_package(alloc_chaos 0.2 CONFIG)
#   lib/pkgconfig/alloc-chaos*.pc              pkg-config: the core, and one file per bridge
#
# The CMake package has one export set per dependency: the core's (the standard library alone), and
# one per integration (Boost.Test, Boost.Container, GoogleTest, Catch2), which the package config
# loads only when the consumer's build finds that integration's dependency. A consumer without
# GoogleTest still gets the core and the rest.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(alloc_chaos_package_dir "${CMAKE_INSTALL_LIBDIR}/cmake/alloc_chaos")
set(alloc_chaos_objects_dir "${CMAKE_INSTALL_LIBDIR}/alloc_chaos")

install(DIRECTORY include/alloc_chaos DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# The core and its bridges. An imported OBJECT library links its object file into every executable
# that links it, as the build tree's does: the replacement operator new is never left in an archive.
set_target_properties(alloc_chaos PROPERTIES EXPORT_NAME alloc_chaos)
set_target_properties(alloc_chaos_new_delete PROPERTIES EXPORT_NAME new_delete)
set(alloc_chaos_core_targets alloc_chaos alloc_chaos_new_delete)
if(alloc_chaos_with_malloc)
  set_target_properties(alloc_chaos_malloc PROPERTIES EXPORT_NAME malloc)
  list(APPEND alloc_chaos_core_targets alloc_chaos_malloc)
endif()
install(TARGETS ${alloc_chaos_core_targets} EXPORT alloc_chaos-targets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        OBJECTS DESTINATION "${alloc_chaos_objects_dir}")
install(EXPORT alloc_chaos-targets NAMESPACE alloc_chaos:: DESTINATION "${alloc_chaos_package_dir}")

# The bridges' object files once more under plain names, for pkg-config and plain command lines
# (install(TARGETS) puts them under a directory per configuration and target).
install(FILES $<TARGET_OBJECTS:alloc_chaos_new_delete> DESTINATION "${alloc_chaos_objects_dir}" RENAME new_delete.o)
if(alloc_chaos_with_malloc)
  install(FILES $<TARGET_OBJECTS:alloc_chaos_malloc> DESTINATION "${alloc_chaos_objects_dir}" RENAME malloc.o)
endif()

# The core links GCC's libbacktrace privately, and a static library's private dependencies are its
# consumers' link dependencies. A copy is installed beside the core, so that a consumer links the
# libbacktrace the core was built with, whatever compiler it uses and whichever GCC is installed
# later; the package config names the copy alloc_chaos::libbacktrace, and alloc-chaos.pc links it.
set(alloc_chaos_pc_libbacktrace "")
if(alloc_chaos_stacks_backend STREQUAL "libbacktrace")
  install(FILES "${ALLOC_CHAOS_LIBBACKTRACE}" DESTINATION "${alloc_chaos_objects_dir}" RENAME libbacktrace.a)
  set(alloc_chaos_pc_libbacktrace " \${libdir}/alloc_chaos/libbacktrace.a")
endif()

# The integrations, each in its own export set, named by what follows alloc_chaos:: and the
# package its dependency comes from (what the package config looks for).
set(alloc_chaos_installed_integrations "")
function(alloc_chaos_install_integration target name dependency)
  if(NOT TARGET ${target})
    return()
  endif()
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  install(TARGETS ${target} EXPORT alloc_chaos-${name}-targets ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
  install(EXPORT alloc_chaos-${name}-targets NAMESPACE alloc_chaos:: DESTINATION "${alloc_chaos_package_dir}")
  set(alloc_chaos_installed_integrations "${alloc_chaos_installed_integrations}${name} ${dependency}\n" PARENT_SCOPE)
endfunction()
alloc_chaos_install_integration(alloc_chaos_boost_test boost_test "Boost 1.74 COMPONENTS unit_test_framework")
alloc_chaos_install_integration(alloc_chaos_boost_container boost_container "Boost 1.74 COMPONENTS container")
alloc_chaos_install_integration(alloc_chaos_gtest gtest "GTest")
alloc_chaos_install_integration(alloc_chaos_catch2 catch2 "Catch2 2.13")

# The package. Version compatibility is SameMinorVersion: before 1.0, a minor version may change
# the API (0.2 is not 0.1), and a patch version does not.
configure_package_config_file(cmake/alloc_chaos-config.cmake.in
                              "${PROJECT_BINARY_DIR}/alloc_chaos-config.cmake"
                              INSTALL_DESTINATION "${alloc_chaos_package_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/alloc_chaos-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/alloc_chaos-config.cmake" "${PROJECT_BINARY_DIR}/alloc_chaos-config-version.cmake"
        DESTINATION "${alloc_chaos_package_dir}")

# pkg-config files, relocatable: each finds the prefix from its own directory (${pcfiledir}).
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(FATAL_ERROR "alloc-chaos: CMAKE_INSTALL_LIBDIR must be relative to the prefix (it is ${CMAKE_INSTALL_LIBDIR})")
endif()
file(RELATIVE_PATH alloc_chaos_pc_prefix "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" alloc_chaos_pc_prefix "${alloc_chaos_pc_prefix}")
set(alloc_chaos_pc_files alloc-chaos alloc-chaos-new-delete)
if(alloc_chaos_with_malloc)
  list(APPEND alloc_chaos_pc_files alloc-chaos-malloc)
endif()
foreach(pc IN LISTS alloc_chaos_pc_files)
  configure_file(cmake/${pc}.pc.in "${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endforeach()
