# bash completion for socq: candidates come from `socq __complete`, which
# reads socq's own command tree, so they never go stale.
_socq() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\n'
  local words=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  local candidates
  candidates=$(socq __complete "${words[@]}" "$cur" 2>/dev/null)
  if [ -n "$candidates" ]; then
    COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _socq socq
