#pragma once
// Vector helpers for the inference kernels (fused norm, attention), in GCC's
// vector extension so that one source serves every instruction set.
#include <cstdint>

// The helpers are inlined; none crosses an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

// On x86-64 a kernel marked with this is compiled for AVX-512, AVX2 and the
// baseline, and the loader picks the widest the processor has; elsewhere, once.
#if defined(__x86_64__) && defined(__GNUC__)
#define DDSM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DDSM_VECTOR_CLONES
#endif

namespace ddsm {

// Sixteen floats: the AVX-512 clone runs them as one register, the AVX2 clone
// as two, the baseline as four SSE quarters.
constexpr int kLanes = 16;
typedef float Floats __attribute__((vector_size(4 * kLanes)));
typedef int32_t Ints __attribute__((vector_size(4 * kLanes)));

// exp(x) to about 2 ulp for x in [-87, 88] (libm's expf is not vectorised):
// 2^k from the exponent bits, e^r on |r| <= ln2 / 2 by its Taylor polynomial
// to r^6.
__attribute__((always_inline)) inline Floats vectorExp(Floats x)
{
    const Floats lo = Floats{} - 87.0f, hi = Floats{} + 88.0f;
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    const float round = 12582912.0f;  // 1.5 x 2^23: adding it rounds to an integer
    const Floats k = (x * 1.44269504f + round) - round;
    const Floats r = (x - k * 0.693145751953125f) - k * 1.428606765330187e-06f;
    Floats p = Floats{} + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const Ints bits = (__builtin_convertvector(k, Ints) + 127) << 23;
    return p * __builtin_bit_cast(Floats, bits);  // the exponent bits read as floats, without aliasing
}

}  // namespace ddsm
