#!/bin/sh
# run-fuzz-corpus.sh -- replay tests/fuzz/corpus through a replay binary
# usage: tools/run-fuzz-corpus.sh build/fuzz-replay
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
exec "$1" tests/fuzz/corpus
