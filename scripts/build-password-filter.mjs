// Builds src/static/common-passwords.bin: a Bloom filter of the most common passwords of 8 or
// more characters (shorter ones fail the length rule anyway), for the password policy.
//
// Source: the frequency-ordered list of @zxcvbn-ts/language-common (MIT; drawn from public
// breach corpora). Not a dependency: fetch it once when you rebuild the filter:
//   npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
//   node scripts/build-password-filter.mjs package/src/passwords.json
// Node 24 runs src/oauth/bloom-filter.ts directly (type stripping), so the worker and this script
// hash alike.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildFilter, mayContain } from '../src/oauth/bloom-filter.ts';

const COUNT = 10_000;
/** 11 bits and 8 hashes per entry: about one strong password in 200 is refused by mistake (and the person picks another). */
const BITS_PER_ENTRY = 11;
const HASHES = 8;

const [source] = process.argv.slice(2);
if (!source) throw new Error('usage: node scripts/build-password-filter.mjs path/to/passwords.json');
/** @type {string[]} */
const list = JSON.parse(readFileSync(source, 'utf8'));
const chosen = [...new Set(list.map((word) => word.toLowerCase()).filter((word) => [...word].length >= 8))].slice(0, COUNT);
const bits = Math.ceil((chosen.length * BITS_PER_ENTRY) / 8) * 8;
const filter = buildFilter(chosen, bits, HASHES);
if (!chosen.every((word) => mayContain(filter, word))) throw new Error('a listed password is missing from the filter');

// The format src/oauth/common-passwords.ts decodes: one byte for the number of hashes, then the bits.
writeFileSync(new URL('../src/static/common-passwords.bin', import.meta.url), Buffer.concat([Buffer.from([HASHES]), filter.data]));
console.log(`${chosen.length} passwords, ${bits} bits (${(bits / 8 / 1024).toFixed(1)} KiB), ${HASHES} hashes`);
