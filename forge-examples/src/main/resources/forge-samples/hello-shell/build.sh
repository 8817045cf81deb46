#!/bin/sh
# Builds with nothing but a POSIX shell. Parameters arrive as FORGE_PARAM_* variables.
set -eu
mkdir -p out
greeting="${FORGE_PARAM_GREETING:-hello}"
printf '%s from a shell build\n' "$greeting" > out/greeting.txt
echo "wrote out/greeting.txt"
