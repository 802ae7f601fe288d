/**
 * The lineage graph's minimap: the whole layout in miniature (group boxes, nodes coloured by
 * status) with a rectangle for the part in view; clicking or dragging on it moves the view there.
 */
import { s } from './dom.js';

const WIDTH = 220;
const MAX_HEIGHT = 160;

/**
 * @param {{ onPick: (x: number, y: number) => void }} options called with graph coordinates
 * @returns {{ element: SVGElement, draw: (layout: { width: number, height: number, groups: any[], nodes: Map<string, any> }, statusOf: (id: string) => string) => void, follow: (visible) => void }}
 */
export function minimap({ onPick }) {
  const frame = s('rect', { class: 'minimap-view', 'data-testid': 'minimap-view' });
  const content = s('g', {});
  const element = s(
    'svg',
    {
      class: 'minimap',
      'data-testid': 'minimap',
      role: 'img',
      'aria-label': 'Minimap: the whole graph; click to move the view',
    },
    content,
    frame,
  );
  let scale = 1;
  let dragging = false;

  const pick = (event) => {
    const rect = element.getBoundingClientRect();
    onPick((event.clientX - rect.left) / scale, (event.clientY - rect.top) / scale);
  };
  element.addEventListener('pointerdown', (event) => {
    dragging = true;
    element.setPointerCapture(event.pointerId);
    pick(event);
  });
  element.addEventListener('pointermove', (event) => {
    if (dragging) pick(event);
  });
  element.addEventListener('pointerup', () => {
    dragging = false;
  });

  return {
    element,
    draw(layout, statusOf) {
      scale = Math.min(WIDTH / layout.width, MAX_HEIGHT / layout.height);
      const width = Math.max(1, Math.round(layout.width * scale));
      const height = Math.max(1, Math.round(layout.height * scale));
      element.setAttribute('width', width);
      element.setAttribute('height', height);
      element.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
      content.replaceChildren(
        ...layout.groups.map((g) =>
          s('rect', { class: 'minimap-group', x: g.x, y: g.y, width: g.width, height: g.height, rx: 12 }),
        ),
        ...[...layout.nodes.entries()].map(([id, n]) =>
          s('rect', {
            class: `minimap-node status-${statusOf(id)}`,
            x: n.x,
            y: n.y,
            width: n.width,
            height: n.height,
            rx: 8,
          }),
        ),
      );
    },
    follow(visible) {
      if (!visible) return;
      frame.setAttribute('x', visible.x);
      frame.setAttribute('y', visible.y);
      frame.setAttribute('width', visible.width);
      frame.setAttribute('height', visible.height);
    },
  };
}
