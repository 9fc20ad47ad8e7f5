# Sourced by .ci/run and deploy/run-local: selects a JDK >= 21 and exports JAVA_HOME and PATH.
# JAVA_HOME wins when it is one; otherwise the first JDK >= 21 under /usr/lib/jvm. The default
# `java` on many machines is 17, which cannot build or run Bullpen.

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p'; }

pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ]; then
    echo "$JAVA_HOME"; return
  fi
  for dir in /usr/lib/jvm/*; do
    if [ -x "$dir/bin/javac" ] && [ "$(java_major "$dir")" -ge 21 ] 2>/dev/null; then echo "$dir"; return; fi
  done
  return 1
}

JAVA_HOME=$(pick_jdk) || { echo "No JDK >= 21 found in JAVA_HOME or under /usr/lib/jvm; install one (e.g. openjdk-21-jdk) or point JAVA_HOME at it." >&2; exit 1; }
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
