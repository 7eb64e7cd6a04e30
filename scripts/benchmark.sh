#!/usr/bin/env bash
# benchmark.sh: time spark-web-model on sample data in a fresh warehouse (README, "Performance").
#
#   scripts/benchmark.sh [--rows N]                  full run: N page views' worth (default
#                                                    1,000,000), the module steps, the floor and
#                                                    the sessions transform alone
#   scripts/benchmark.sh --incremental [--history-rows H] [--batch-rows B] [--history-factor F]
#                                                    an incremental batch after a history of H and
#                                                    of F x H page views, and the ratio
#   scripts/benchmark.sh --batches [K] [--maintain-every M] [--var vacuum_retention_hours=0 --var vacuum_force=true]
#                                                    K incremental batches in a row (default 30)
#                                                    without maintenance, with maintenance every M
#                                                    batches, with auto compaction: files and times
#   scripts/benchmark.sh --help                      all options
#
# Runs in one JVM through scripts/web-model, from the classpath of the tools module (tools/, not
# part of any cluster jar; builds the project on first use). Defaults to
# local[2], the machine the README's figures come from; WEB_MODEL_MASTER, WEB_MODEL_HEAP and
# WEB_MODEL_PARTITIONS change it as for scripts/web-model. Prints the step logs on stderr and the
# table of figures on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
export WEB_MODEL_MASTER="${WEB_MODEL_MASTER:-local[2]}"
export WEB_MODEL_MAIN=org.sparkwebmodel.tools.Benchmark
export WEB_MODEL_TOOLS=true
exec "$ROOT/scripts/web-model" "$@"
