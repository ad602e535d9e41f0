#!/usr/bin/env bash
# A private, real Docker Engine for the integration tests, in the state the tests expect:
# one container per MKE STIG violation, one compliant container, Swarm with a secret and
# overlay networks. Usage:
#   eval "$(scripts/docker-test-env.sh start DIR)"   # prints the exports the tests read
#   scripts/docker-test-env.sh stop DIR               # stops the daemon, removes DIR
# Needs root and Debian's docker.io, busybox-static and openssl (scripts/test.sh installs them).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}

stop() {
  if [ -f "$dir/docker.pid" ]; then
    pid=$(cat "$dir/docker.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # containerd-shims of a killed daemon may hold mounts under the data root.
  if [ -d "$dir" ]; then
    grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
  fi
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/docker.sock"
# Free ports, so two test engines (a developer's and a CI run) can share a machine.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])'; }
# A free privileged port (< 1024) for the "host port below 1024" violation: 80 when free.
low_port=$(python3 -c '
import socket
for p in [80] + list(range(81, 1024)):
    try:
        s = socket.socket(); s.bind(("0.0.0.0", p)); s.close(); print(p); break
    except OSError:
        pass')
high_port=$(free_port)
port=${OSCAL_STIG_TEST_DOCKER_PORT:-$(free_port)}
swarm_port=$(free_port)
# Swarm's VXLAN data path port: UDP, and Docker accepts only 1024-49151.
data_port=$(python3 -c '
import random, socket
for p in random.sample(range(30000, 49152), 500):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p)); s.close(); print(p); break
    except OSError:
        pass')

# TLS material shaped like an MKE client bundle: ca.pem, cert.pem, key.pem, env.sh.
tls="$dir/bundle"
mkdir -p "$tls"
(
  cd "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=oscal-stig test CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server-key.pem -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=admin" -keyout key.pem -out client.csr 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > client.ext
  openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem 2>/dev/null
  printf 'export DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH="$(pwd)"\nexport DOCKER_HOST=tcp://127.0.0.1:%s\n' "$port" > env.sh
)

dockerd --host "unix://$sock" --host "tcp://127.0.0.1:$port" \
  --tlsverify --tlscacert "$tls/ca.pem" --tlscert "$tls/server.pem" --tlskey "$tls/server-key.pem" \
  --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
  --iptables=false --ip6tables=false >"$dir/dockerd.log" 2>&1 &
export DOCKER_HOST="unix://$sock"
for _ in $(seq 1 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1; }

# The test image: busybox-static in an otherwise empty root file system (no registry here).
root="$dir/rootfs"
mkdir -p "$root/bin" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh sleep cp; do ln -sf busybox "$root/bin/$a"; done
tar -C "$root" -cf "$dir/rootfs.tar" .
docker import "$dir/rootfs.tar" oscal-stig-test:1 >/dev/null

canary=${OSCAL_STIG_CANARY:-canary-$(date +%s%N)}
run() { docker run -d "$@" >/dev/null; }
img=oscal-stig-test:1
run --name stig-hostnet --network host $img sleep 100000
run --name stig-pidhost --pid host $img sleep 100000
run --name stig-ipchost --ipc host $img sleep 100000
run --name stig-usernshost --userns host $img sleep 100000
run --name stig-dockersock -v "$sock:/var/run/docker.sock" $img sleep 100000
run --name stig-capadd --cap-add NET_ADMIN $img sleep 100000
run --name stig-seccomp --security-opt seccomp=unconfined $img sleep 100000
run --name stig-port80 -p "$low_port:8080" $img sleep 100000
run --name stig-allifaces -p "0.0.0.0:$high_port:8080" $img sleep 100000
# A process named sshd: busybox run under that file name, told which applet to be.
run --name stig-sshd $img sh -c 'cp /bin/busybox /tmp/sshd; exec -a sleep /tmp/sshd 100000'
# Secrets in the environment and on the command line must never reach any output.
run --name stig-canary -e "DB_PASSWORD=$canary" $img sh -c 'exec sleep 100000' sh --db-password="$canary"
run --name stig-compliant --read-only --security-opt no-new-privileges --cpu-shares 512 --memory 64m $img sleep 100000
# Privileged containers can be created, not started, on these machines.
docker create --name stig-privileged --privileged $img sleep 100000 >/dev/null

docker swarm init --advertise-addr "127.0.0.1:$swarm_port" --listen-addr "127.0.0.1:$swarm_port" --data-path-port "$data_port" >/dev/null
printf '%s' "$canary" | docker secret create db_password - >/dev/null
docker network create -d overlay stig-plain-overlay >/dev/null
docker network create -d overlay --opt encrypted stig-encrypted-overlay >/dev/null

echo "export OSCAL_STIG_TEST_DOCKER_HOST=unix://$sock"
echo "export OSCAL_STIG_TEST_BUNDLE=$tls"
echo "export OSCAL_STIG_CANARY=$canary"
echo "export OSCAL_STIG_TEST_HIGH_PORT=$high_port"
