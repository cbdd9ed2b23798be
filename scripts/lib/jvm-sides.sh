# Sourced by scripts/bench-events and scripts/bench-rimp: runs the benchmark's server-side JVM with AIM's shipped
# JVM options or with the JVM's defaults, for an A/B in one run (issue 16: "no loss in throughput").
# The shipped options have one source of truth, dist/src/bin/abiquo-aim: its lines between the markers
# "# shipped-jvm-options:begin" and "# shipped-jvm-options:end" are evaluated here, with AIM_JVM_OPTS and
# MALLOC_ARENA_MAX unset, so the benchmarks get exactly what the launcher sets by default.
#
# BENCH_JVM picks the side(s):
#   (unset)       the benchmark's own options, as before
#   shipped       AIM_JVM_OPTS's default and MALLOC_ARENA_MAX as the launcher sets them
#   default       the JVM's defaults (G1, a quarter of RAM for the heap, C2): what AIM ran with before
#   ab[:N]        N rounds (default 2) of shipped then default, taking turns, in one run; each round is headed
#                 by its side and the load average, so a shared machine's load is seen to hit both sides alike

jvm_sides_launcher="$(dirname "${BASH_SOURCE[0]}")/../../dist/src/bin/abiquo-aim"

# Prints two lines: the shipped AIM_JVM_OPTS and the shipped MALLOC_ARENA_MAX.
shipped_jvm_options() {
  local block
  block=$(sed -n '/^# shipped-jvm-options:begin/,/^# shipped-jvm-options:end/p' "$jvm_sides_launcher")
  if [ -z "$block" ]; then
    echo "jvm-sides: no shipped-jvm-options markers in $jvm_sides_launcher" >&2
    return 1
  fi
  env -u AIM_JVM_OPTS -u MALLOC_ARENA_MAX sh -ec "$block"'
printf "%s\n%s\n" "$AIM_JVM_OPTS" "$MALLOC_ARENA_MAX"'
}

# The sides BENCH_JVM asks for, one word each, in run order; "own" when it is unset.
jvm_sides() {
  local spec=${BENCH_JVM:-own} rounds i
  case "$spec" in
    own|shipped|default) echo "$spec" ;;
    ab|ab:[0-9]*)
      rounds=${spec#ab}; rounds=${rounds#:}; rounds=${rounds:-2}
      for ((i = 0; i < rounds; i++)); do echo shipped default; done ;;
    *) echo "jvm-sides: BENCH_JVM=$spec: expected shipped, default or ab[:N]" >&2; return 1 ;;
  esac
}

# run_jvm_side SIDE OWN_OPTIONS -- JAVA_ARGS...: runs java for one side. OWN_OPTIONS (one word list, e.g. the
# benchmark's -Xmx2g) are used only on the "own" side; the other sides get nothing but theirs, so "default" really
# is the JVM's defaults. BENCH_JAVA_OPTS is added on every side, last.
run_jvm_side() {
  local side=$1 own=$2 options malloc status=0
  shift 3
  case "$side" in
    own) options=$own; malloc=${MALLOC_ARENA_MAX:-} ;;
    shipped) { read -r options; read -r malloc; } < <(shipped_jvm_options) ;;
    default) options=""; malloc="" ;;
  esac
  if [ "$side" != own ]; then
    printf '\n==== JVM side: %s   options: %s%s   load average: %s\n' "$side" "${options:-none, the JVM defaults}" \
      "${malloc:+   MALLOC_ARENA_MAX=$malloc}${BENCH_JAVA_OPTS:+   then BENCH_JAVA_OPTS: $BENCH_JAVA_OPTS}" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
  fi
  # word splitting of the option lists is wanted (several options); no file pattern expansion
  set -f
  if [ -n "$malloc" ]; then
    MALLOC_ARENA_MAX=$malloc java $options ${BENCH_JAVA_OPTS:-} "$@" || status=$?
  else
    env -u MALLOC_ARENA_MAX java $options ${BENCH_JAVA_OPTS:-} "$@" || status=$?
  fi
  set +f
  if [ "$side" != own ]; then
    printf '==== end of JVM side: %s   load average: %s\n' "$side" "$(cut -d' ' -f1-3 /proc/loadavg)"
  fi
  return $status
}
