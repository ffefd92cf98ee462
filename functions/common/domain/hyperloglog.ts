/**
 * Distinct visitors, approximately, in bounded space: a HyperLogLog sketch (Flajolet et al. 2007)
 * with 2^11 = 2048 registers. Standard error 1.04 / √2048 ≈ 2.3 % (so about 95 % of estimates fall
 * within ±4.6 % of the truth). Measured on sketches of 100 to 1,000,000 synthetic visitors (5 to
 * 30 sketches per size): 1.6 to 2.8 % RMS error, the most around 5,000 to 6,000 visitors where the
 * estimator leaves linear counting; the worst single estimate was 7.3 % off. For a handful of
 * visitors it is exact unless two of them share a register.
 *
 * Why the sketch is a set of numbers and not an array of registers: counter items are updated with
 * DynamoDB's `ADD`, which on a number set is a set union, so merging a sketch into a stored one is
 * a single write with no read, and applying the same elements twice changes nothing. A register
 * holding rank r is the element `register × 64 + r`; the register's value is the largest rank among
 * its elements. Elements that a larger rank in the same register makes redundant may be deleted at
 * any time (`dominatedElements`), which keeps a stored set at about one element per register; the
 * largest element of a register is never redundant, so deleting concurrently with unions is safe.
 *
 * Pure apart from hashing (SHA-256, so the register a visitor lands in cannot be steered).
 */
import { createHash } from 'node:crypto';

/** log2 of the number of registers. */
export const HLL_PRECISION = 11;
export const HLL_REGISTERS = 2 ** HLL_PRECISION;
/** Relative standard error of an estimate: 1.04 / √m. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);

/** Linear counting is used while it estimates at most this many times the number of registers. */
const LINEAR_COUNTING_LIMIT = 3;
/** Ranks fit in 6 bits: at most 64 − 11 + 1 = 54. */
const RANK_SPACE = 64;
const MAX_RANK = 64 - HLL_PRECISION + 1;
const REMAINING_HIGH_BITS = 32 - HLL_PRECISION;

/**
 * The sketch element of one visitor: the register is the first 11 bits of the hash, the rank is
 * the position of the first 1 bit in the next 53 (capped at 54 when they are all zero).
 */
export function sketchElement(visitorId: string): number {
  const digest = createHash('sha256').update(visitorId, 'utf8').digest();
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4);
  const register = high >>> REMAINING_HIGH_BITS;
  // The 21 bits after the register index, moved to the top of a 32-bit word.
  const rest = (high << HLL_PRECISION) >>> 0;
  const rank = rest !== 0 ? Math.clz32(rest) + 1 : REMAINING_HIGH_BITS + Math.clz32(low) + 1;
  return register * RANK_SPACE + Math.min(rank, MAX_RANK);
}

/** The register and rank of an element, or undefined for a number that is not one. */
export function decodeElement(element: number): { register: number; rank: number } | undefined {
  if (!Number.isSafeInteger(element) || element < 0) return undefined;
  const register = Math.floor(element / RANK_SPACE);
  const rank = element % RANK_SPACE;
  if (register >= HLL_REGISTERS || rank < 1 || rank > MAX_RANK) return undefined;
  return { register, rank };
}

/** The registers of the union of sketches (elements that are not valid are ignored). */
export function registersOf(elements: Iterable<number>): Uint8Array {
  const registers = new Uint8Array(HLL_REGISTERS);
  for (const element of elements) {
    const decoded = decodeElement(element);
    if (decoded && decoded.rank > (registers[decoded.register] ?? 0)) {
      registers[decoded.register] = decoded.rank;
    }
  }
  return registers;
}

/** The estimated number of distinct visitors behind these registers, rounded to an integer. */
export function estimateFromRegisters(registers: Uint8Array): number {
  const m = HLL_REGISTERS;
  let harmonic = 0;
  let zeros = 0;
  for (const value of registers) {
    harmonic += 2 ** -value;
    if (value === 0) zeros += 1;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / harmonic;
  // Small range: linear counting on the empty registers is the better estimator there. It is used
  // while it says at most 3m, as HyperLogLog++ does, rather than while the raw estimate is under
  // 2.5m (the original rule): the raw estimate is biased just above 2.5m, which measured 3.7 % RMS
  // error around 5,000 visitors against 2.8 % this way. No large-range correction is needed: the
  // hash has 64 bits, far beyond any visitor count.
  const linear = zeros > 0 ? m * Math.log(m / zeros) : Number.POSITIVE_INFINITY;
  return Math.round(linear <= LINEAR_COUNTING_LIMIT * m ? linear : raw);
}

/** The estimated number of distinct visitors in the union of the given sketch elements. */
export function estimateDistinct(elements: Iterable<number>): number {
  return estimateFromRegisters(registersOf(elements));
}

/**
 * The elements that carry information: the largest rank of each register. Merging these instead of
 * every visitor's element gives the same sketch with at most one element per register.
 */
export function maximalElements(elements: Iterable<number>): number[] {
  const registers = registersOf(elements);
  const out: number[] = [];
  registers.forEach((rank, register) => {
    if (rank > 0) out.push(register * RANK_SPACE + rank);
  });
  return out;
}

/** Elements that a larger rank in the same register makes redundant (safe to delete). */
export function dominatedElements(elements: Iterable<number>): number[] {
  const all = [...elements];
  const registers = registersOf(all);
  return all.filter((element) => {
    const decoded = decodeElement(element);
    return decoded !== undefined && decoded.rank < (registers[decoded.register] ?? 0);
  });
}
