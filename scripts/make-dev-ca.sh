#!/usr/bin/env bash
# Makes a certificate authority and one certificate per role for a dev cluster with mutual TLS (docs/security.md).
# Usage: scripts/make-dev-ca.sh DIR [HOST...]
#   DIR   where the files go (created; mode 700). An existing DIR/ca.key is reused, so the script can be run again to
#         issue fresh role certificates under the same CA; delete DIR to start over.
#   HOST  names and IP addresses clients dial the scheduler and object storage at (default: 127.0.0.1, localhost and
#         this machine's name). They go into server.pem, which the scheduler and object storage present.
# Writes ca.pem (give it as tls_ca to every process), and NAME.pem + NAME.key for each role:
#   server   the scheduler and the object storage server
#   client   clients (ClientOptions.TlsCertificatePath/TlsKeyPath)
#   worker   worker managers (their workers and processors get the same files)
#   admin    an operator's client: may also shut the cluster down and watch the monitor
#   monitor  scaler_top
# A role is a subject-alternative-name URI urn:scaler:role:NAME. Keys are ECDSA P-256; certificates last 365 days.
# This is a dev CA: its key sits next to the certificates. A production cluster gets its certificates from the
# organisation's CA, with the same role URIs.
set -euo pipefail

if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    [ $# -lt 1 ] && exit 2 || exit 0
fi
command -v openssl >/dev/null || { echo "make-dev-ca: openssl is needed (apt-get install openssl)" >&2; exit 1; }

dir=$1
shift
hosts=("$@")
if [ ${#hosts[@]} -eq 0 ]; then
    hosts=(127.0.0.1 localhost "$(hostname)")
fi

mkdir -p "$dir"
chmod 700 "$dir"
umask 077
days=365

# subjectAltName entries for the hosts: IP: for addresses (v4 or v6), DNS: for names.
host_names=""
for host in "${hosts[@]}"; do
    if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then entry="IP:$host"; else entry="DNS:$host"; fi
    host_names="${host_names:+$host_names,}$entry"
done

if [ ! -f "$dir/ca.key" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$days" -subj "/CN=Scaler dev CA $(hostname)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$dir/ca.pem"
    echo "make-dev-ca: new CA $dir/ca.pem"
else
    echo "make-dev-ca: reusing the CA in $dir"
fi

# issue NAME ROLE SUBJECT_ALT_NAMES
issue() {
    local name=$1 role=$2 names=$3
    local extensions
    extensions=$(mktemp)
    cat >"$extensions" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = ${names:+$names,}URI:urn:scaler:role:$role
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
EOF
    openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$dir/$name.key"
    openssl req -new -key "$dir/$name.key" -subj "/CN=scaler-$name" -out "$dir/$name.csr"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -sha256 \
        -days "$days" -extfile "$extensions" -out "$dir/$name.pem" 2>/dev/null
    rm -f "$dir/$name.csr" "$extensions"
    echo "make-dev-ca: $dir/$name.pem (role $role)"
}

issue server server "$host_names"
for role in client worker admin monitor; do
    issue "$role" "$role" ""
done
chmod 600 "$dir"/*.key
chmod 644 "$dir"/*.pem

abs=$(cd "$dir" && pwd)
cat <<EOF

Certificates for a dev cluster are in $abs. In a stack file (tls:// addresses on the hosts above):

[scheduler]
bind_address = "tls://127.0.0.1:8516"
tls_cert = "$abs/server.pem"
tls_key = "$abs/server.key"
tls_ca = "$abs/ca.pem"

[[worker_manager]]
type = "baremetal_native"
scheduler_address = "tls://127.0.0.1:8516"
tls_cert = "$abs/worker.pem"
tls_key = "$abs/worker.key"
tls_ca = "$abs/ca.pem"

Clients: ClientOptions { TlsCertificatePath = "$abs/client.pem", TlsKeyPath = "$abs/client.key", TlsCaPath = "$abs/ca.pem" }
EOF
