// Ranking metrics for the graded judgments: nDCG@k with gain 2^grade - 1 and
// a log2 discount, and hit@k (a grade-3 service among the first k).
export type Grades = Readonly<Record<string, number>>

function dcg(gains: readonly number[], k: number): number {
  let sum = 0
  gains.slice(0, k).forEach((grade, i) => { sum += (2 ** grade - 1) / Math.log2(i + 2) })
  return sum
}

/** nDCG@k of a ranked list of ids against graded judgments (unjudged ids grade 0). */
export function ndcg(ranked: readonly string[], grades: Grades, k: number): number {
  const ideal = dcg(Object.values(grades).sort((a, b) => b - a), k)
  return ideal === 0 ? 0 : dcg(ranked.map((id) => grades[id] ?? 0), k) / ideal
}

export function hitAt(ranked: readonly string[], grades: Grades, k: number, grade = 3): boolean {
  return ranked.slice(0, k).some((id) => (grades[id] ?? 0) >= grade)
}
