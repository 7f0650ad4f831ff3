# What `cmake --install` and `cpack -G DEB` ship besides bin/roomctl: the man page and the
# shell completions, both generated at build time by the freshly built binary (`roomctl man`,
# `roomctl completion SHELL`), so they always describe exactly its commands and options.
# completions/ in the source tree holds the same scripts, committed; the completions_fresh test
# fails when they differ from what the binary generates.
include(GNUInstallDirs)

set(ROOMCTL_MAN_PAGE ${PROJECT_BINARY_DIR}/roomctl.1)
add_custom_command(
  OUTPUT ${ROOMCTL_MAN_PAGE} ${ROOMCTL_MAN_PAGE}.gz
  COMMAND roomctl man --output ${ROOMCTL_MAN_PAGE}
  COMMAND gzip -9 -n -k -f ${ROOMCTL_MAN_PAGE}
  DEPENDS roomctl
  COMMENT "Generating roomctl.1 with roomctl man"
  VERBATIM)

set(ROOMCTL_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completions)
set(ROOMCTL_COMPLETIONS)
foreach(shell_file IN ITEMS "bash=roomctl.bash" "zsh=_roomctl" "fish=roomctl.fish")
  string(REPLACE "=" ";" pair ${shell_file})
  list(GET pair 0 shell)
  list(GET pair 1 file)
  add_custom_command(
    OUTPUT ${ROOMCTL_COMPLETION_DIR}/${file}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ROOMCTL_COMPLETION_DIR}
    COMMAND sh -c "\"$1\" completion ${shell} > \"$2\"" sh $<TARGET_FILE:roomctl>
            ${ROOMCTL_COMPLETION_DIR}/${file}
    DEPENDS roomctl
    COMMENT "Generating the ${shell} completion with roomctl completion ${shell}"
    VERBATIM)
  list(APPEND ROOMCTL_COMPLETIONS ${ROOMCTL_COMPLETION_DIR}/${file})
endforeach()
add_custom_target(roomctl_docs ALL DEPENDS ${ROOMCTL_MAN_PAGE} ${ROOMCTL_MAN_PAGE}.gz
                                           ${ROOMCTL_COMPLETIONS})

install(FILES ${ROOMCTL_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Where Debian's shells look under /usr (the package): bash-completion loads
# completions/<command> on demand, zsh's fpath has vendor-completions, fish reads
# vendor_completions.d. Under /usr/local, zsh looks in share/zsh/site-functions instead.
set(ROOMCTL_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    CACHE STRING "Where the bash completion is installed (relative: to the prefix)")
set(ROOMCTL_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
    CACHE STRING "Where the zsh completion (_roomctl) is installed")
set(ROOMCTL_FISH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d
    CACHE STRING "Where the fish completion is installed")
install(FILES ${ROOMCTL_COMPLETION_DIR}/roomctl.bash DESTINATION ${ROOMCTL_BASH_COMPLETION_DIR}
        RENAME roomctl)
install(FILES ${ROOMCTL_COMPLETION_DIR}/_roomctl DESTINATION ${ROOMCTL_ZSH_COMPLETION_DIR})
install(FILES ${ROOMCTL_COMPLETION_DIR}/roomctl.fish DESTINATION ${ROOMCTL_FISH_COMPLETION_DIR})

# cpack -G DEB (run in the build directory): roomctl_<version>_<arch>.deb for /usr, its
# Depends computed from the binary by dpkg-shlibdeps (dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME roomctl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "roomctl developers <dev@roomctl.invalid>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "roomctl developers <dev@roomctl.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "keep video rooms consistent between PostgreSQL and LiveKit or Twilio")
set(CPACK_PACKAGE_DESCRIPTION
    "roomctl finds and repairs drift between the rooms an application records in PostgreSQL
and the rooms on its media server (LiveKit, or Twilio Programmable Video): rooms
closed by the server while the row says pending, rows without rooms, rooms whose
sessions ended. It tests connectivity layer by layer (check), mints and inspects
access tokens, administers rooms, audits, recreates missing rooms and cleans up
orphaned ones, with exit codes and JSON output made for cron and CI.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
