/**
 * Drag to pan and wheel to zoom an SVG whose content sits in one `<g>` (the viewport). A click on
 * the background that did not drag calls `onBackgroundClick`; every move calls `onChange` (the
 * minimap follows it). The current scale is on the SVG as `data-scale`.
 *
 * Example:
 *   const camera = panZoom(svg, viewport, { onBackgroundClick: () => select(null) });
 *   camera.show(layout, { readableScale: 0.9 });
 */
export function panZoom(svg, viewport, { onBackgroundClick, onChange = () => {} }) {
  let transform = null;
  let drag = null;

  const apply = () => {
    viewport.setAttribute('transform', `translate(${transform.x},${transform.y}) scale(${transform.k})`);
    svg.dataset.scale = String(transform.k);
    onChange();
  };
  const size = () => ({ width: svg.clientWidth || 800, height: svg.clientHeight || 500 });

  /** Scales `layout` to fit (at most 1.1). */
  function fitAll(layout) {
    if (!layout) return;
    const { width, height } = size();
    const k = Math.min(1.1, Math.max(0.05, Math.min(width / layout.width, height / layout.height)));
    transform = { k, x: (width - layout.width * k) / 2, y: Math.max(0, (height - layout.height * k) / 2) };
    apply();
  }

  /**
   * Shows `box` (graph coordinates) at scale `k`: from its left edge (what lies to its right comes
   * into view beside it), centred vertically, or from its top when it is taller than the view.
   */
  function frame(box, k) {
    const { height } = size();
    const pad = 16;
    const x = pad - box.x * k;
    const y =
      box.height * k + 2 * pad <= height ? (height - box.height * k) / 2 - box.y * k : pad - box.y * k;
    transform = { k, x, y };
    apply();
  }

  /**
   * The first view of a layout. When all of it fits at `readableScale` or more, all of it; else, at
   * `readableScale`, `focusBox` when given, otherwise as many groups as fit, taken left to right
   * (where the data comes from) — never a view whose labels are too small to read.
   */
  function show(layout, { readableScale, focusBox, regions }) {
    if (!layout) return;
    const { width, height } = size();
    const fitScale = Math.min(width / layout.width, height / layout.height);
    if (fitScale >= readableScale) {
      fitAll(layout);
      return;
    }
    if (focusBox) {
      centerOn(focusBox, readableScale);
      return;
    }
    const room = { width: width / readableScale - 32, height: height / readableScale - 32 };
    const ordered = [...regions].sort((a, b) => a.x - b.x || a.y - b.y);
    let box = null;
    for (const region of ordered) {
      const next = box ? union(box, region) : region;
      if (box && (next.width > room.width || next.height > room.height)) break;
      box = next;
    }
    frame(box ?? { x: 0, y: 0, width: layout.width, height: layout.height }, readableScale);
  }

  /** Moves `box` to the middle, zooming in to at least `minScale`. */
  function centerOn(box, minScale = 0.8) {
    const { width, height } = size();
    const k = Math.max(transform?.k ?? minScale, minScale);
    transform = {
      k,
      x: width / 2 - (box.x + box.width / 2) * k,
      y: height / 2 - (box.y + box.height / 2) * k,
    };
    apply();
  }

  /** Moves the point (x, y) of the graph to the middle, keeping the scale. */
  function centerAt(x, y) {
    if (!transform) return;
    const { width, height } = size();
    transform = { ...transform, x: width / 2 - x * transform.k, y: height / 2 - y * transform.k };
    apply();
  }

  /** Zooms by `factor` around a point of the SVG (its centre by default). */
  function zoomBy(factor, cx, cy) {
    if (!transform) return;
    const { width, height } = size();
    const px = cx ?? width / 2;
    const py = cy ?? height / 2;
    const k = Math.min(2.5, Math.max(0.05, transform.k * factor));
    transform = {
      k,
      x: px - ((px - transform.x) / transform.k) * k,
      y: py - ((py - transform.y) / transform.k) * k,
    };
    apply();
  }

  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || !transform || event.target.closest('.node, .group-header')) return;
    drag = { x: event.clientX, y: event.clientY, origin: { ...transform }, moved: false };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add('dragging');
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    transform = { ...drag.origin, x: drag.origin.x + dx, y: drag.origin.y + dy };
    apply();
  });
  svg.addEventListener('pointerup', () => {
    if (drag && !drag.moved) onBackgroundClick();
    drag = null;
    svg.classList.remove('dragging');
  });
  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    },
    { passive: false },
  );

  return {
    fit: fitAll,
    show,
    centerOn,
    centerAt,
    zoomBy,
    /** The part of the graph in view, in graph coordinates; null before the first placement. */
    visible() {
      if (!transform) return null;
      const { width, height } = size();
      return {
        x: -transform.x / transform.k,
        y: -transform.y / transform.k,
        width: width / transform.k,
        height: height / transform.k,
      };
    },
    /** Whether a position was set (fit or user moves); a redraw keeps it. */
    get placed() {
      return transform !== null;
    },
    /** Forgets the position, so the next draw places the graph again. */
    reset() {
      transform = null;
    },
  };
}

function union(a, b) {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}
