#!/bin/bash
# loop.sh: a shell loop that runs external commands every round.
#
# Why: every round bash forks and execs short-lived children (date and wc joined by
# a pipe inside a command substitution, sh, sleep), so a checkpoint usually finds a
# child running and a restart must bring back bash together with it. $$ is set once
# at startup, but $BASHPID asks getpid() every time and the sh child reports its own
# getppid(), so after a restart all three must still show the pid bash had before.
#
# Usage: loop.sh [ROUNDS] [DELAY]  -- stop after ROUNDS rounds (default: forever),
# sleeping DELAY seconds between rounds (default 0.2).
# Output: "loop <i> len=<length of date +%s and newline> pid=<$$> bashpid=<$BASHPID>
# childppid=<getppid() of a child>" per round, then "loop done".
rounds=${1:-0}
delay=${2:-0.2}
i=0
while [ "$rounds" -eq 0 ] || [ "$i" -lt "$rounds" ]; do
  i=$((i + 1))
  len=$(date +%s | wc -c)
  childppid=$(sh -c 'echo $PPID')
  echo "loop $i len=$len pid=$$ bashpid=$BASHPID childppid=$childppid"
  sleep "$delay"
done
echo "loop done"
