/* install_dirs.h — where make install puts omg's files, for the commands that name them (omg
 * hook, omg doctor). configure passes each one (Makefile.am's AM_CPPFLAGS); these defaults
 * only serve a file compiled outside the build (an analyzer, a fuzz target). */
#ifndef OMG_INSTALL_DIRS_H
#define OMG_INSTALL_DIRS_H

#ifndef OMG_BASH_MODULE_PATH
#define OMG_BASH_MODULE_PATH "/usr/lib/bash/omg.so"
#endif
#ifndef OMG_ZSH_MODULE_DIR
#define OMG_ZSH_MODULE_DIR "/usr/lib/x86_64-linux-gnu/zsh/5.9"
#endif
#ifndef OMG_BASH_COMPLETION
#define OMG_BASH_COMPLETION "/usr/local/share/bash-completion/completions/omg"
#endif
#ifndef OMG_ZSH_FUNCTIONS
#define OMG_ZSH_FUNCTIONS "/usr/local/share/zsh/site-functions"
#endif
#ifndef OMG_APT_COMPLETION
#define OMG_APT_COMPLETION "/usr/local/share/omg/omg-apt.bash"
#endif
#ifndef OMG_SYSTEMD_USER_UNIT_DIR
#define OMG_SYSTEMD_USER_UNIT_DIR "/usr/local/lib/systemd/user"
#endif

#endif
