#!/bin/sh
set -eu
test -s out/greeting.txt
echo "greeting present: $(cat out/greeting.txt)"
