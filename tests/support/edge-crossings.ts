/**
 * Counting edge crossings as drawn, for the lineage graph's tests: every edge is a polyline, and
 * two edges cross once per pair of their segments that properly intersect (touching at a shared
 * end, or running along the same line, does not count).
 */
export type Point = [number, number];

function side(a: Point, b: Point, c: Point): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

function properlyIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = side(q1, q2, p1);
  const d2 = side(q1, q2, p2);
  const d3 = side(p1, p2, q1);
  const d4 = side(p1, p2, q2);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/** Crossings between the edges (each a polyline), counted per pair of segments. */
export function countCrossings(edges: Point[][]): number {
  let crossings = 0;
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const a = edges[i];
      const b = edges[j];
      for (let s = 0; s + 1 < a.length; s++)
        for (let t = 0; t + 1 < b.length; t++)
          if (properlyIntersect(a[s], a[s + 1], b[t], b[t + 1])) crossings++;
    }
  }
  return crossings;
}

/** A cubic Bézier curve as a polyline of `steps` segments. */
export function bezierPoints(p0: Point, p1: Point, p2: Point, p3: Point, steps = 32): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    out.push([
      u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
      u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1],
    ]);
  }
  return out;
}

/**
 * The points an SVG path of `M`, `L`, `Q` and `C` commands (absolute coordinates) passes through:
 * the ends of its segments, curves sampled.
 */
export function pathPoints(d: string): Point[] {
  const tokens = d.match(/[MLQC]|-?\d+(?:\.\d+)?(?:e-?\d+)?/gi) ?? [];
  const points: Point[] = [];
  let i = 0;
  const next = (): Point => [Number(tokens[i++]), Number(tokens[i++])];
  while (i < tokens.length) {
    const command = tokens[i++];
    if (command === 'M' || command === 'L') points.push(next());
    else if (command === 'Q') {
      const control = next();
      const end = next();
      const start = points[points.length - 1];
      // NOTE: a quadratic curve is the cubic with control points 2/3 of the way to its control.
      const c1: Point = [
        start[0] + (2 / 3) * (control[0] - start[0]),
        start[1] + (2 / 3) * (control[1] - start[1]),
      ];
      const c2: Point = [end[0] + (2 / 3) * (control[0] - end[0]), end[1] + (2 / 3) * (control[1] - end[1])];
      points.push(...bezierPoints(start, c1, c2, end, 8).slice(1));
    } else if (command === 'C') {
      const c1 = next();
      const c2 = next();
      const end = next();
      points.push(...bezierPoints(points[points.length - 1], c1, c2, end).slice(1));
    } else throw new Error(`unexpected path command ${command} in ${d}`);
  }
  return points;
}
