// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Finds a QR code drawn as text (UTF-8 half blocks or ASCII) and decodes it with zbarimg.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync, mkdtempSync, writeFileSync, rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The project's decoder (tests/tools/qr-decode.mjs) when the tree has it; the code below otherwise.
const TOOL = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'qr-decode.mjs');

const QUIET = 4; // modules of light margin around the code, as the QR standard asks
const SCALE = 4; // pixels per module in the image zbar reads

const HALF = /^[ \u2580\u2584\u2588]*[\u2580\u2584\u2588][ \u2580\u2584\u2588]*$/;
const ASCII = /^[ #]*#[ #]*$/;

// The longest run of consecutive lines that all look like QR art.
function artLines(text, re) {
  let best = [];
  let cur = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (re.test(l)) {
      cur.push(l);
    } else {
      if (cur.length > best.length) best = cur;
      cur = [];
    }
  }
  return cur.length > best.length ? cur : best;
}

// Dark = true. Half blocks: one column and two rows per character.
function fromHalfBlocks(lines) {
  const w = Math.max(...lines.map((l) => [...l].length));
  const rows = [];
  for (const line of lines) {
    const chars = [...line.padEnd(w, ' ')];
    rows.push(chars.map((c) => c === '\u2588' || c === '\u2580'));
    rows.push(chars.map((c) => c === '\u2588' || c === '\u2584'));
  }
  return rows;
}

// ASCII: usually two characters per module ("##"); one row per line.
function fromAscii(lines) {
  const w = Math.max(...lines.map((l) => l.length));
  const padded = lines.map((l) => l.padEnd(w + (w % 2), ' '));
  const doubled = padded.every((l) => [...l].every((c, i) => i % 2 === 1 || c === l[i + 1]));
  return padded.map((l) => {
    const cells = [];
    for (let i = 0; i < l.length; i += doubled ? 2 : 1) cells.push(l[i] === '#');
    return cells;
  });
}

function pbm(rows, invert) {
  const h = rows.length + 2 * QUIET;
  const w = Math.max(...rows.map((r) => r.length)) + 2 * QUIET;
  const out = [`P1\n${w * SCALE} ${h * SCALE}\n`];
  for (let y = 0; y < h; y += 1) {
    const row = rows[y - QUIET] ?? [];
    const line = [];
    for (let x = 0; x < w; x += 1) {
      const inCode = y >= QUIET && y < h - QUIET && x >= QUIET && x < w - QUIET;
      const dark = inCode ? (row[x - QUIET] ?? false) !== invert : false;
      for (let s = 0; s < SCALE; s += 1) line.push(dark ? '1' : '0');
    }
    const l = `${line.join(' ')}\n`;
    for (let s = 0; s < SCALE; s += 1) out.push(l);
  }
  return out.join('');
}

function zbar(image) {
  const dir = mkdtempSync(join(tmpdir(), 'pam-oauth-qr-'));
  try {
    const f = join(dir, 'qr.pbm');
    writeFileSync(f, image);
    return execFileSync('zbarimg', ['--raw', '-q', f], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString().replace(/\n$/, '');
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Finds the QR art in text and decodes it. style: 'utf8' or 'ascii'.
 * Returns { text, lines } (text null when nothing decodes) or null when no art is present.
 */
export function decodeQr(text, style) {
  const lines = artLines(text, style === 'ascii' ? ASCII : HALF);
  if (lines.length < 5) return null;
  if (existsSync(TOOL)) {
    const r = spawnSync(process.execPath, [TOOL], { input: lines.join('\n'), encoding: 'utf8' });
    return { text: r.status === 0 ? r.stdout.replace(/\n$/, '') : null, lines, tool: TOOL };
  }
  const rows = style === 'ascii' ? fromAscii(lines) : fromHalfBlocks(lines);
  // Terminals draw light modules with ink as often as dark ones: try both.
  for (const invert of [false, true]) {
    const decoded = zbar(pbm(rows, invert));
    if (decoded) return { text: decoded, lines };
  }
  return { text: null, lines };
}

export function hasQrArt(text) {
  return artLines(text, HALF).length >= 5 || artLines(text, ASCII).length >= 5;
}
