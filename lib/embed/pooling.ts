// Sentence vectors from a transformer's token vectors: the mean over the tokens the attention mask
// keeps (padding excluded), scaled to unit length, as sentence-transformers does for MiniLM.

/**
 * Mean-pools `hidden` ([batch, seq, dim], row-major) over positions where `mask` ([batch, seq]) is
 * non-zero, then L2-normalises each row. Returns one vector per batch row.
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  batch: number,
  seq: number,
  dim: number,
): Float32Array[] {
  if (hidden.length !== batch * seq * dim) {
    throw new Error(`model output has ${hidden.length} values, expected ${batch}×${seq}×${dim}`);
  }
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    // Sum in float64: a 512-token sum in float32 loses digits the test checks against.
    const sum = new Float64Array(dim);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (Number(mask[b * seq + s]) === 0) continue;
      count++;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) sum[d] = sum[d]! + hidden[base + d]!;
    }
    out.push(normalize(sum, Math.max(count, 1e-9)));
  }
  return out;
}

/** `v / divisor`, then scaled to length 1 (a zero vector stays zero). */
function normalize(v: Float64Array, divisor: number): Float32Array {
  let norm = 0;
  for (let d = 0; d < v.length; d++) {
    const x = v[d]! / divisor;
    v[d] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  const result = new Float32Array(v.length);
  if (norm < 1e-12) return result;
  for (let d = 0; d < v.length; d++) result[d] = v[d]! / norm;
  return result;
}
