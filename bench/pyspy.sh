#!/bin/sh
# Profile the portal under load with py-spy (a bench extra): bench/pyspy.sh URL PATH [SECONDS]
# Prints the portal's own functions by the share of samples they appear in.
set -e
URL=${1:-sqlite:///var/bench.db}; TARGET=${2:-/initiatives}; SECONDS_=${3:-10}
exec .venv/bin/python -m bench.spy "$URL" "$TARGET" "$SECONDS_"
