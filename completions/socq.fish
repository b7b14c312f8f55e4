# fish completion for socq: candidates come from `socq __complete`.
function __socq_complete
    set -l words (commandline -opc)
    set -e words[1]
    socq __complete $words (commandline -ct) 2>/dev/null
end
complete -c socq -f -a '(__socq_complete)'
