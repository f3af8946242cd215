#!/usr/bin/env python3
"""Known answers for the crate's random streams, computed independently of
the Rust code from the generators' published definitions:

- SplitMix64 (Steele, Lea & Flood 2014) and xoshiro256++ / xoshiro128++
  (Blackman & Vigna 2019, https://prng.di.unimi.it/);
- the crate's documented seeding (`Rng::seed_from_u64`: four SplitMix64
  outputs; `Rng::stream`: a SplitMix64-mixed sub-seed), the 53-bit
  uniform, Box-Muller `normal`, and `LaneRng` (sixteen xoshiro128++ lanes
  seeded from two `next_u64` draws each, the second with its low bit set).

Run `python3 tests/data/random_reference.py > tests/data/random_reference.json`
(numpy needed for the f32 arithmetic). tests/random_reference.rs compares.
"""
import json
import math

import numpy as np

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl64(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


def rotl32(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro256pp:
    def __init__(self, seed):
        s = []
        for _ in range(4):
            seed, out = splitmix64(seed)
            s.append(out)
        self.s = s

    @classmethod
    def stream(cls, seed, stream):
        _, a = splitmix64(seed ^ 0x5851F42D4C957F2D)
        _, sub = splitmix64(((stream * 0x2545F4914F6CDD1D) & M64) ^ a)
        return cls(sub)

    def next_u64(self):
        s = self.s
        result = (rotl64((s[0] + s[3]) & M64, 23) + s[0]) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl64(s[3], 45)
        return result

    def next_f64(self):
        return (self.next_u64() >> 11) * 2.0**-53

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next_f64()

    def normal(self):
        u1 = 1.0 - self.next_f64()
        u2 = self.next_f64()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


class Lanes:
    def __init__(self, rng):
        self.lanes = []
        for _ in range(16):
            a = rng.next_u64()
            b = rng.next_u64() | 1
            self.lanes.append([a & M32, a >> 32, b & M32, b >> 32])

    def next_block(self):
        out = []
        for st in self.lanes:
            s0, s1, s2, s3 = st
            out.append((rotl32((s0 + s3) & M32, 7) + s0) & M32)
            t = (s1 << 9) & M32
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = rotl32(s3, 11)
            st[:] = [s0, s1, s2, s3]
        return out

    def fill_uniform_f32(self, n, lo, hi):
        lo, hi = np.float32(lo), np.float32(hi)
        span = np.float32(hi - lo)
        out = []
        while len(out) < n:
            for b in self.next_block():
                u = np.float32(b >> 8) * np.float32(2.0**-24)
                out.append(np.float32(lo + np.float32(span * u)))
        return out[:n]

    def fill_uniform_f64(self, n, lo, hi):
        span = hi - lo
        out = []
        while len(out) < n:
            high, low = self.next_block(), self.next_block()
            for h, l in zip(high, low):
                bits = ((h << 32) | l) >> 11
                out.append(lo + span * (bits * 2.0**-53))
        return out[:n]


def f32_bits(x):
    return int(np.float32(x).view(np.uint32))


def f64_bits(x):
    return int(np.float64(x).view(np.uint64))


def main():
    seeds = [0, 1, 42, 2**64 - 1]
    ref = {"seed_from_u64": [], "stream": [], "uniform": [], "normal": [], "lanes": []}
    for seed in seeds:
        r = Xoshiro256pp(seed)
        ref["seed_from_u64"].append({"seed": seed, "u64": [r.next_u64() for _ in range(4)]})
    for seed, stream in [(0, 0), (0, 1), (7, 0x494E4954), (2**64 - 1, 3)]:
        r = Xoshiro256pp.stream(seed, stream)
        ref["stream"].append({"seed": seed, "stream": stream, "u64": [r.next_u64() for _ in range(4)]})
    for seed, lo, hi in [(3, 0.0, 1.0), (3, -1.0, 1.0), (11, 1.0, 2.0), (11, 2.0, 6.0)]:
        r = Xoshiro256pp(seed)
        ref["uniform"].append({"seed": seed, "lo": lo, "hi": hi,
                               "bits": [f64_bits(r.uniform(lo, hi)) for _ in range(5)]})
    for seed in [5, 1337]:
        r = Xoshiro256pp(seed)
        ref["normal"].append({"seed": seed, "values": [r.normal() for _ in range(6)]})
    for seed, stream in [(0, 0), (3, 1)]:
        lanes = Lanes(Xoshiro256pp.stream(seed, stream))
        blocks = [lanes.next_block() for _ in range(2)]
        f32 = Lanes(Xoshiro256pp.stream(seed, stream)).fill_uniform_f32(20, 1.0, 2.0)
        f64 = Lanes(Xoshiro256pp.stream(seed, stream)).fill_uniform_f64(20, -6.0, 6.0)
        ref["lanes"].append({"seed": seed, "stream": stream, "blocks": blocks,
                             "f32_1_2_bits": [f32_bits(x) for x in f32],
                             "f64_m6_6_bits": [f64_bits(x) for x in f64]})
    print(json.dumps(ref, indent=1))


if __name__ == "__main__":
    main()
