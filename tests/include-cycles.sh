#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Fails when pam_oauth's files include each other in a circle. A file and its header are one
# module; module a depends on module b when a.c or a.h includes b.h. tsort(1) finds the circles:
# in a layered core every module sits above or below another, never both.
set -u
dir=${1:-pam_oauth}
edges=$(
	for f in "$dir"/*.c "$dir"/*.h; do
		m=$(basename "$f")
		m=${m%.*}
		sed -n 's/^#include "\([A-Za-z0-9_]*\)\.h".*/\1/p' "$f" | while read -r h; do
			[ "$h" = "$m" ] || [ "$h" = build_config ] || echo "$m $h"
		done
	done
)
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	echo "include cycle among the modules of $dir:"
	printf '%s\n' "$out" | sed -n 's/^tsort: //p' | grep -v 'input contains a loop'
	exit 1
fi
echo "no include cycle among the modules of $dir"
