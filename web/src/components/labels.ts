// Labels that do not overlap: each place's label goes to the first spot around its circle
// (right, left, above, below, the corners, then the same farther out) where it touches no label
// already placed, no other circle and stays inside the map; the places with most institutions
// choose first. A label that finds no free spot takes the one it overlaps least.

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A label's size as the browser measured it: its box around the text's origin (getBBox). */
export interface TextSize {
  dx: number; // left edge from the origin (0 for text-anchor start)
  dy: number; // top edge from the baseline (negative)
  width: number;
  height: number;
}

export interface Mark {
  x: number;
  y: number;
  r: number;
  weight: number;
  size: TextSize;
}

export interface Placed {
  x: number; // the text's origin, text-anchor start
  y: number;
  box: Box;
  moved: boolean; // placed farther than next to its circle: draw a leader line
}

const PAD = 2;

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

function circleBox(m: Mark): Box {
  return { x0: m.x - m.r, y0: m.y - m.r, x1: m.x + m.r, y1: m.y + m.r };
}

/** The candidate boxes around a mark, nearest first: eight directions at growing distances. */
function candidates(m: Mark): Box[] {
  const { width: w, height: h } = m.size;
  const found: Box[] = [];
  for (const ring of [1, 2, 3.5, 5]) {
    const gap = m.r * ring + 3 * ring;
    const spots: [number, number][] = [
      [m.x + gap, m.y - h / 2], // right
      [m.x - gap - w, m.y - h / 2], // left
      [m.x - w / 2, m.y - gap - h], // above
      [m.x - w / 2, m.y + gap], // below
      [m.x + gap * 0.7, m.y - gap * 0.7 - h], // above right
      [m.x + gap * 0.7, m.y + gap * 0.7], // below right
      [m.x - gap * 0.7 - w, m.y - gap * 0.7 - h], // above left
      [m.x - gap * 0.7 - w, m.y + gap * 0.7], // below left
    ];
    for (const [x0, y0] of spots) found.push({ x0, y0, x1: x0 + w, y1: y0 + h });
  }
  return found;
}

/** Where each mark's label goes (in the marks' order), inside [0, width] x [0, height]. */
export function placeLabels(marks: Mark[], width: number, height: number): Placed[] {
  const order = marks.map((_, i) => i).sort((a, b) => marks[b].weight - marks[a].weight || a - b);
  const taken: Box[] = [];
  const placed: Placed[] = new Array<Placed>(marks.length);
  const padded = (b: Box): Box => ({ x0: b.x0 - PAD, y0: b.y0 - PAD, x1: b.x1 + PAD, y1: b.y1 + PAD });
  for (const i of order) {
    const m = marks[i];
    const others = marks.filter((_, j) => j !== i).map(circleBox);
    const spots = candidates(m);
    let index = 0;
    let cost = Infinity;
    spots.forEach((box, at) => {
      const outside = box.x0 < 0 || box.y0 < 0 || box.x1 > width || box.y1 > height;
      const here = (outside ? 1e9 : 0) + [...taken, ...others].reduce((sum, b) => sum + overlap(padded(box), b), 0);
      if (here < cost) [index, cost] = [at, here];
    });
    const chosen = { box: spots[index], index };
    taken.push(chosen.box);
    placed[i] = {
      x: chosen.box.x0 - m.size.dx,
      y: chosen.box.y0 - m.size.dy,
      box: chosen.box,
      moved: chosen.index >= 8,
    };
  }
  return placed;
}

/** A label's size without the browser: about 0.6 em per Latin letter, 1 em per hanzi. */
export function estimateSize(text: string, fontSize: number): TextSize {
  let ems = 0;
  for (const ch of text) ems += /[\u3400-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.6;
  return { dx: 0, dy: -fontSize, width: ems * fontSize, height: fontSize * 1.3 };
}
