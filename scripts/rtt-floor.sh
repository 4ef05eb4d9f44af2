#!/bin/bash
# Floor of the ping-RTT ratio: raw veth pair vs. the shortest path with one isolated router in between
# (no nftables at all) and vs. two routers (the per-VPC-router-plus-peering shape).
set -e
P=rttx
cleanup(){ for n in a b r1 r2 c d e f g; do ip netns del $P$n 2>/dev/null || true; done; }
cleanup; trap cleanup EXIT
for n in a b r1 r2 c d e f g; do ip netns add $P$n; ip -n $P$n link set dev lo up; done
# raw: a <-> b
ip -n ${P}a link add x type veth peer name y netns ${P}b
ip -n ${P}a addr add 10.0.0.1/24 dev x; ip -n ${P}a link set dev x up
ip -n ${P}b addr add 10.0.0.2/24 dev y; ip -n ${P}b link set dev y up
# one router: c <-> r1 <-> d
ip -n ${P}c link add x type veth peer name c netns ${P}r1
ip -n ${P}d link add x type veth peer name d netns ${P}r1
ip -n ${P}c addr add 10.1.0.2/24 dev x; ip -n ${P}c link set dev x up; ip -n ${P}c route add default via 10.1.0.1
ip -n ${P}d addr add 10.2.0.2/24 dev x; ip -n ${P}d link set dev x up; ip -n ${P}d route add default via 10.2.0.1
ip -n ${P}r1 addr add 10.1.0.1/24 dev c; ip -n ${P}r1 addr add 10.2.0.1/24 dev d
ip -n ${P}r1 link set dev c up; ip -n ${P}r1 link set dev d up
ip netns exec ${P}r1 sysctl -qw net.ipv4.ip_forward=1
# two routers: e <-> r2 <-> g(router) <-> f   (g plays the second VPC router)
ip -n ${P}e link add x type veth peer name e netns ${P}r2
ip -n ${P}r2 link add p type veth peer name p netns ${P}g
ip -n ${P}f link add x type veth peer name f netns ${P}g
ip -n ${P}e addr add 10.3.0.2/24 dev x; ip -n ${P}e link set dev x up; ip -n ${P}e route add default via 10.3.0.1
ip -n ${P}f addr add 10.4.0.2/24 dev x; ip -n ${P}f link set dev x up; ip -n ${P}f route add default via 10.4.0.1
ip -n ${P}r2 addr add 10.3.0.1/24 dev e; ip -n ${P}r2 addr add 10.9.0.1/30 dev p
ip -n ${P}g addr add 10.4.0.1/24 dev f; ip -n ${P}g addr add 10.9.0.2/30 dev p
for n in r2 g; do ip netns exec $P$n sysctl -qw net.ipv4.ip_forward=1; for l in $(ip -n $P$n -o link | awk -F': ' '{print $2}' | cut -d@ -f1); do ip -n $P$n link set dev $l up; done; done
ip -n ${P}r2 route add 10.4.0.0/24 via 10.9.0.2; ip -n ${P}g route add 10.3.0.0/24 via 10.9.0.1
sleep 1
# Flood ping sends the next echo as soon as the reply is in, so its total time over the count is the mean round
# trip at sub-microsecond resolution (ping's own avg is printed in whole microseconds).
avg(){ ip netns exec $1 ping -q -f -c ${N:-20000} $2 | awk -v n=${N:-20000} '/transmitted/{for(i=1;i<=NF;i++) if($i=="time") t=$(i+1); sub("ms","",t); printf "%.2f", t*1000/n}'; }
for round in $(seq ${ROUNDS:-3}); do
  raw=$(avg ${P}a 10.0.0.2); one=$(avg ${P}c 10.2.0.2); two=$(avg ${P}e 10.4.0.2)
  echo "round $round: raw ${raw} us, one router ${one} us ($(echo "scale=2; $one/$raw"|bc)x), two routers ${two} us ($(echo "scale=2; $two/$raw"|bc)x)"
done
