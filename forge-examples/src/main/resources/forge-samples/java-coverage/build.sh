#!/bin/sh
# Compiles and runs the tests with the JDK alone (no Maven needed).
set -eu
rm -rf out && mkdir -p out
javac -d out $(find src -name '*.java')
java -cp out dev.example.CalculatorTest
