#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Decodes a QR code captured as terminal text (UTF-8 half blocks or ASCII '#') with zbarimg.
//
// Usage: qr-decode.mjs [-v] [FILE]      (reads stdin without FILE; -v: say what decoded)
// Prints the first decoded text and exits 0; exits 1 when nothing decodes, 2 on usage errors.
// Needs zbarimg (Debian: zbar-tools). Node 20, no packages.
// Also a module: the integration tests import decodeQr() and qrArt() from it, so there is one
// decoder whether a person runs it on a capture or a test asks in-process.
//
// Terminals draw with ink on their own background, so which cells are the
// QR's dark modules depends on the renderer and the terminal: both polarities
// are tried. Escaped text (ssh's "\342\226\210") is deliberately not undone:
// a code that arrives escaped must fail to decode.

import { spawnSync } from 'node:child_process';
import {
  mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCALE = 4; // pixels per module: zbar finds 1 px modules unreliably
const MARGIN = 4; // light modules added around the symbol (ISO/IEC 18004 quiet zone)
const MIN_SIDE = 21; // a version 1 symbol: smaller blocks are not QR codes

// [top, bottom] ink for each half-block character.
const HALF_BLOCKS = new Map([
  ['\u2588', [1, 1]],
  ['\u2580', [1, 0]],
  ['\u2584', [0, 1]],
  [' ', [0, 0]],
]);

function readInput(argv) {
  if (argv.length > 1 || (argv.length === 1 && argv[0].startsWith('-'))) {
    process.stderr.write('usage: qr-decode.mjs [-v] [FILE]\n');
    process.exit(2);
  }
  return readFileSync(argv.length === 1 ? argv[0] : 0, 'utf8');
}

// Runs of consecutive lines for which test() holds, as arrays of lines.
function blocks(lines, test) {
  const out = [];
  let run = [];
  for (const line of lines) {
    if (test(line)) {
      run.push(line);
    } else {
      if (run.length > 0) out.push(run);
      run = [];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

const isHalfBlockLine = (l) => /[\u2580\u2584\u2588]/u.test(l) && /^[\u2580\u2584\u2588 ]+$/u.test(l);
const isAsciiLine = (l) => /#/.test(l) && /^[# ]+$/.test(l);

// Module rows from half-block lines: each character is one module wide, two tall.
function gridFromHalfBlocks(run) {
  const width = Math.max(...run.map((l) => Array.from(l).length));
  const rows = [];
  for (const line of run) {
    const chars = Array.from(line.padEnd(width, ' '));
    rows.push(chars.map((c) => HALF_BLOCKS.get(c)[0]));
    rows.push(chars.map((c) => HALF_BLOCKS.get(c)[1]));
  }
  return rows;
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

// Module rows from '#' lines; a module is as many characters wide as the runs say (usually 2).
function gridFromAscii(run) {
  const width = Math.max(...run.map((l) => l.length));
  const padded = run.map((l) => l.padEnd(width, ' '));
  const left = Math.min(...padded.map((l) => l.indexOf('#')));
  let unit = 0;
  for (const line of padded) {
    for (const m of line.slice(left).trimEnd().matchAll(/#+| +/g)) unit = gcd(unit, m[0].length);
  }
  unit = Math.max(unit, 1);
  return padded.map((line) => {
    const row = [];
    for (let x = left; x + unit <= width; x += unit) row.push(line[x] === '#' ? 1 : 0);
    return row;
  });
}

// Crops to the cells that have ink: leading spaces and a spare half row are not the symbol.
function crop(rows) {
  const inked = (r) => r.some((v) => v === 1);
  const top = rows.findIndex(inked);
  const bottom = rows.length - 1 - [...rows].reverse().findIndex(inked);
  if (top < 0) return [];
  const kept = rows.slice(top, bottom + 1);
  const left = Math.min(...kept.map((r) => (r.indexOf(1) < 0 ? Infinity : r.indexOf(1))));
  const right = Math.max(...kept.map((r) => r.lastIndexOf(1)));
  return kept.map((r) => r.slice(left, right + 1));
}

// A plain PBM (P1) image; 1 is black. inkIsDark picks the polarity.
function pbm(rows, inkIsDark) {
  const w = (rows[0].length + 2 * MARGIN) * SCALE;
  const h = (rows.length + 2 * MARGIN) * SCALE;
  const lines = [`P1`, `${w} ${h}`];
  for (let y = 0; y < h; y++) {
    const my = Math.floor(y / SCALE) - MARGIN;
    const px = [];
    for (let x = 0; x < w; x++) {
      const mx = Math.floor(x / SCALE) - MARGIN;
      const inside = my >= 0 && my < rows.length && mx >= 0 && mx < rows[0].length;
      px.push(inside && (rows[my][mx] === 1) === inkIsDark ? '1' : '0');
    }
    // P1 lines should stay under 70 characters.
    for (let i = 0; i < px.length; i += 64) lines.push(px.slice(i, i + 64).join(''));
  }
  return lines.join('\n') + '\n';
}

function zbar(file) {
  const r = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run zbarimg: ${r.error.message}`);
  if (r.status !== 0 || r.stdout === '') return null;
  return r.stdout.replace(/\n$/, '');
}

/** Every run of lines that looks like QR art, of either kind: [{ style, lines }]. */
export function qrArt(text) {
  const lines = text.replace(/\r/g, '').split('\n');
  return [
    ...blocks(lines, isHalfBlockLine).map((b) => ({ style: 'utf8', lines: b })),
    ...blocks(lines, isAsciiLine).map((b) => ({ style: 'ascii', lines: b })),
  ];
}

/**
 * Decodes the first QR code found in text. Returns { text, style, how }: text null when nothing
 * decodes; style 'utf8' or 'ascii'; how says what decoded (size, polarity) or why nothing did.
 */
export function decodeQr(text) {
  const grid = { utf8: gridFromHalfBlocks, ascii: gridFromAscii };
  const candidates = qrArt(text)
    .filter((b) => (b.style === 'utf8' ? 2 * b.lines.length : b.lines.length) >= MIN_SIDE)
    .map((b) => [b.style, grid[b.style](b.lines)]);
  const dir = mkdtempSync(join(tmpdir(), 'qr-decode-'));
  try {
    for (const [style, cells] of candidates) {
      const rows = crop(cells);
      if (rows.length < MIN_SIDE) continue;
      for (const inkIsDark of [false, true]) {
        const file = join(dir, `${style}-${inkIsDark ? 'ink-dark' : 'ink-light'}.pbm`);
        writeFileSync(file, pbm(rows, inkIsDark));
        const decoded = zbar(file);
        if (decoded !== null) {
          const polarity = inkIsDark ? 'ink is dark' : 'ink is light';
          const how = `${style}, ${rows.length} modules tall, ${polarity}`;
          return { text: decoded, style, how };
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    text: null, style: null, how: `no QR code decoded (${candidates.length} candidate blocks)`,
  };
}

function main() {
  const args = process.argv.slice(2);
  const verbose = args[0] === '-v';
  const r = decodeQr(readInput(verbose ? args.slice(1) : args));
  if (r.text === null) {
    process.stderr.write(`qr-decode: ${r.how}\n`);
    return 1;
  }
  if (verbose) process.stderr.write(`qr-decode: ${r.how}\n`);
  process.stdout.write(`${r.text}\n`);
  return 0;
}

// Run as a program (not imported as a module).
function isMain() {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    process.exitCode = main();
  } catch (e) {
    process.stderr.write(`qr-decode: ${e.message}\n`);
    process.exitCode = 2;
  }
}
