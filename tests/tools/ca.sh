#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Makes throwaway test PKI in DIR: a trusted CA with a server certificate for localhost and
# 127.0.0.1, and a second, untrusted CA with a server certificate for the same names.
#   ca.sh DIR  ->  DIR/ca.pem DIR/server.pem DIR/server.key
#                  DIR/other-ca.pem DIR/other-server.pem DIR/other-server.key
# and, for the fault matrix, certificates that must be refused (each with its .key):
#   DIR/wrong-name.pem (trusted CA, names only wrong.example), DIR/expired.pem (trusted CA,
#   localhost, expired in 2020), DIR/self-signed.pem (localhost, signed by its own key).
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

# csr NAME SAN: a key and a certificate request; NAME.ext holds the server extensions.
csr() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" \
		"subjectAltName=$2" >"$dir/$1.ext"
}

# server NAME CA [SAN]: a server certificate (localhost by default) signed by CA.
server() {
	csr "$1" "${3:-DNS:localhost,IP:127.0.0.1}"
	openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$2.pem" -CAkey "$dir/$2.key" \
		-CAcreateserial -days 1 -sha256 -extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
	rm -f "$dir/$1.csr" "$dir/$1.ext"
}

# expired NAME CA: a localhost certificate from CA whose validity ended in 2020. OpenSSL 3.0's
# x509 takes no start or end date (and no negative -days); "openssl ca" does.
expired() {
	csr "$1" "DNS:localhost,IP:127.0.0.1"
	db=$dir/$1.db
	mkdir -p "$db" && : >"$db/index.txt"
	printf '%s\n' "[ca]" "default_ca = test" "[test]" "database = $db/index.txt" \
		"new_certs_dir = $db" "serial = $db/serial" "default_md = sha256" \
		"policy = any" "[any]" "commonName = supplied" >"$db/ca.cnf"
	openssl ca -batch -notext -rand_serial -config "$db/ca.cnf" -cert "$dir/$2.pem" \
		-keyfile "$dir/$2.key" -startdate 20200101000000Z -enddate 20200102000000Z \
		-extfile "$dir/$1.ext" -in "$dir/$1.csr" -out "$dir/$1.pem" 2>/dev/null
	rm -rf "$db" "$dir/$1.csr" "$dir/$1.ext"
}

ca ca "pam_oauth test CA"
server server ca
ca other-ca "pam_oauth untrusted test CA"
server other-server other-ca
server wrong-name ca DNS:wrong.example
expired expired ca
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
	-keyout "$dir/self-signed.key" -out "$dir/self-signed.pem" \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
# The CA certificates are public; let unprivileged readers (the module under test) open them.
chmod 0644 "$dir/ca.pem" "$dir/other-ca.pem" "$dir/server.pem" "$dir/other-server.pem" \
	"$dir/wrong-name.pem" "$dir/expired.pem" "$dir/self-signed.pem"
openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null
if openssl verify -CAfile "$dir/ca.pem" "$dir/other-server.pem" >/dev/null 2>&1; then
	echo "ca.sh: the untrusted certificate verifies against the trusted CA" >&2
	exit 1
fi
for bad in expired self-signed; do
	if openssl verify -CAfile "$dir/ca.pem" "$dir/$bad.pem" >/dev/null 2>&1; then
		echo "ca.sh: $bad.pem verifies against the trusted CA" >&2
		exit 1
	fi
done
openssl verify -CAfile "$dir/ca.pem" -verify_hostname wrong.example "$dir/wrong-name.pem" >/dev/null
