#!/usr/bin/env bash
# The demo's steps: import the example cases into a fresh store, triage
# them by examples/rules.toml and list them. usage: examples/demo.sh SOCQ STORE
set -euo pipefail
socq=$1 store=$2
here=$(dirname "$0")
"$socq" fetch --from "$here/cases.jsonl" --store "$store" -v
"$socq" triage --rules "$here/rules.toml" --store "$store"
"$socq" case list --store "$store" --format table
