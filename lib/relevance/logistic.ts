// Weighted, L2-regularised binary logistic regression on sparse rows (plus an optional dense block),
// solved with L-BFGS. Written here because no maintained npm package fits: the JavaScript ones
// (ml-logistic-regression and kin) take dense matrices, and a topic's training set is a few hundred
// rows over tens of thousands of sparse term columns. The problem is small and smooth, so a plain
// L-BFGS with a backtracking (Armijo) line search converges in well under a second.
//
//   minimise  Σ_i s_i · log(1 + exp(−t_i · (w·x_i + u·e_i + b)))  +  λ/2 · (‖w‖² + μ‖u‖²)
//
// t_i = ±1 (positive / negative), s_i the sample weight, x_i a sparse row, e_i the dense row (zero
// when absent), b the bias (not regularised), μ the extra penalty on the dense block.

export interface SparseRow {
  /** Column ids (0-based, into the training set's own column space). */
  cols: Int32Array;
  vals: Float64Array;
}

export interface LogisticProblem {
  rows: SparseRow[];
  columns: number;
  /** Dense features per row (length denseDim each), or null for a row that has none. */
  dense?: (Float32Array | null)[];
  denseDim?: number;
  positive: boolean[];
  weight: Float64Array;
  /** λ: L2 penalty on the sparse weights. */
  lambda: number;
  /** μ: the dense block's penalty is λ·μ. */
  denseLambdaFactor?: number;
  maxIterations?: number;
}

export interface LogisticModel {
  w: Float64Array;
  u: Float64Array;
  bias: number;
  iterations: number;
  loss: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + exp(z)) without overflow. */
const softplus = (z: number) => (z > 30 ? z : z < -30 ? Math.exp(z) : Math.log1p(Math.exp(z)));

export function trainLogistic(p: LogisticProblem): LogisticModel {
  const F = p.columns;
  const D = p.denseDim ?? 0;
  const n = p.rows.length;
  const size = F + D + 1;
  const mu = p.denseLambdaFactor ?? 1;
  const t = p.positive.map((pos) => (pos ? 1 : -1));

  const margins = new Float64Array(n);
  /** Loss and gradient at θ (written into `grad`). */
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const b = theta[F + D]!;
    for (let i = 0; i < n; i++) {
      const row = p.rows[i]!;
      let z = b;
      for (let k = 0; k < row.cols.length; k++) z += theta[row.cols[k]!]! * row.vals[k]!;
      const e = p.dense?.[i];
      if (e) for (let k = 0; k < D; k++) z += theta[F + k]! * e[k]!;
      margins[i] = z;
      const s = p.weight[i]!;
      loss += s * softplus(-t[i]! * z);
      // d/dz of s·log(1+exp(−t z)) = −s·t·σ(−t z)
      const g = -s * t[i]! * sigmoid(-t[i]! * z);
      for (let k = 0; k < row.cols.length; k++) grad[row.cols[k]!]! += g * row.vals[k]!;
      if (e) for (let k = 0; k < D; k++) grad[F + k]! += g * e[k]!;
      grad[F + D]! += g;
    }
    for (let j = 0; j < F; j++) {
      loss += 0.5 * p.lambda * theta[j]! ** 2;
      grad[j]! += p.lambda * theta[j]!;
    }
    for (let j = F; j < F + D; j++) {
      loss += 0.5 * p.lambda * mu * theta[j]! ** 2;
      grad[j]! += p.lambda * mu * theta[j]!;
    }
    return loss;
  };

  const theta = new Float64Array(size);
  const grad = new Float64Array(size);
  let loss = evaluate(theta, grad);
  const memory = 10;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const dir = new Float64Array(size);
  const next = new Float64Array(size);
  const nextGrad = new Float64Array(size);
  const alpha = new Float64Array(memory);
  const maxIterations = p.maxIterations ?? 200;
  let iterations = 0;
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < size; i++) s += a[i]! * b[i]!;
    return s;
  };
  const gradNorm0 = Math.sqrt(dot(grad, grad));

  for (; iterations < maxIterations; iterations++) {
    const gNorm = Math.sqrt(dot(grad, grad));
    if (gNorm <= 1e-6 * Math.max(1, gradNorm0)) break;
    // Two-loop recursion: dir = −H·grad.
    dir.set(grad);
    for (let k = sList.length - 1; k >= 0; k--) {
      alpha[k] = rhoList[k]! * dot(sList[k]!, dir);
      const y = yList[k]!;
      const a = alpha[k]!;
      for (let i = 0; i < size; i++) dir[i]! -= a * y[i]!;
    }
    if (sList.length) {
      const last = sList.length - 1;
      const gamma = dot(sList[last]!, yList[last]!) / dot(yList[last]!, yList[last]!);
      for (let i = 0; i < size; i++) dir[i]! *= gamma;
    } else {
      for (let i = 0; i < size; i++) dir[i]! /= gNorm;
    }
    for (let k = 0; k < sList.length; k++) {
      const beta = rhoList[k]! * dot(yList[k]!, dir);
      const s = sList[k]!;
      const a = alpha[k]!;
      for (let i = 0; i < size; i++) dir[i]! += s[i]! * (a - beta);
    }
    for (let i = 0; i < size; i++) dir[i] = -dir[i]!;
    let slope = dot(grad, dir);
    if (slope >= 0) {
      // Not a descent direction (curvature lost): restart from the gradient.
      sList.length = yList.length = rhoList.length = 0;
      for (let i = 0; i < size; i++) dir[i] = -grad[i]! / gNorm;
      slope = dot(grad, dir);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let nextLoss = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < size; i++) next[i] = theta[i]! + step * dir[i]!;
      nextLoss = evaluate(next, nextGrad);
      if (nextLoss <= loss + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextLoss < loss)) break;
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = next[i]! - theta[i]!;
      y[i] = nextGrad[i]! - grad[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    const improvement = loss - nextLoss;
    theta.set(next);
    grad.set(nextGrad);
    loss = nextLoss;
    if (improvement <= 1e-9 * Math.max(1, Math.abs(loss))) {
      iterations++;
      break;
    }
  }
  return { w: theta.slice(0, F), u: theta.slice(F, F + D), bias: theta[F + D]!, iterations, loss };
}
