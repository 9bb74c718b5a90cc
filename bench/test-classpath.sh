# Sourced by the bench scripts (from the repository root): builds inference-udf and what it depends
# on in the reactor, test classes included (nothing is installed into ~/.m2), and sets $classpath to
# run them. MVN_FLAGS is passed to Maven (e.g. MVN_FLAGS=-o offline).
cp_file="$(mktemp)"
# shellcheck disable=SC2086
mvn -B -q ${MVN_FLAGS:-} -pl inference-udf -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="inference-udf/target/test-classes:inference-udf/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
