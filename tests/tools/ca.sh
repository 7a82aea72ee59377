#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Makes throwaway test PKI in DIR: a trusted CA with a server certificate for localhost and
# 127.0.0.1, and a second, untrusted CA with a server certificate for the same names.
#   ca.sh DIR  ->  DIR/ca.pem DIR/server.pem DIR/server.key
#                  DIR/other-ca.pem DIR/other-server.pem DIR/other-server.key
set -eu

dir=${1:?usage: ca.sh DIR}
mkdir -p "$dir"
umask 077

# ca NAME CN: a self-signed CA valid for a day (tests make fresh ones every run).
ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$2" \
		-keyout "$dir/$1.key" -out "$dir/$1.pem" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# server NAME CA: a localhost server certificate signed by CA.
server() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" \
		"subjectAltName=DNS:localhost,IP:127.0.0.1" >"$dir/$1.ext"
	openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$2.pem" -CAkey "$dir/$2.key" \
		-CAcreateserial -days 1 -sha256 -extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
	rm -f "$dir/$1.csr" "$dir/$1.ext"
}

ca ca "pam_oauth test CA"
server server ca
ca other-ca "pam_oauth untrusted test CA"
server other-server other-ca
# The CA certificates are public; let unprivileged readers (the module under test) open them.
chmod 0644 "$dir/ca.pem" "$dir/other-ca.pem" "$dir/server.pem" "$dir/other-server.pem"
openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null
if openssl verify -CAfile "$dir/ca.pem" "$dir/other-server.pem" >/dev/null 2>&1; then
	echo "ca.sh: the untrusted certificate verifies against the trusted CA" >&2
	exit 1
fi
