#!/bin/bash
# The bash completion (dist/bash-completion/wgsim) sourced in bash: COMPREPLY
# for a command, an option, an option's value, a scenario file and the node
# names read from the scenario on the command line.
# usage: completion.sh COMPLETION_FILE SOURCE_DIR
source "$1" || exit 1
cd "$2" || exit 1
c4=scenarios/conformance/c4-maintenance-mode-roams-remote.yaml
t() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _wgsim
    echo "${COMP_WORDS[*]} => ${COMPREPLY[*]}"
}
t wgsim va
t wgsim test --ju
t wgsim test --engine ''
t wgsim run --kinds carp,pf
t wgsim validate scenarios/examples/st
t wgsim run "$c4" --only ''
t wgsim explore "$c4" --only fw1,re
t wgsim report --fail
t wgsim merge --ma
t wgsim bench sc
