/**
 * Drag to pan and wheel to zoom an SVG whose content sits in one `<g>` (the viewport). A click on
 * the background that did not drag calls `onBackgroundClick`.
 *
 * Example:
 *   const camera = panZoom(svg, viewport, { onBackgroundClick: () => select(null) });
 *   camera.fit(layout);
 */
export function panZoom(svg, viewport, { onBackgroundClick }) {
  let transform = null;
  let drag = null;

  const apply = () =>
    viewport.setAttribute('transform', `translate(${transform.x},${transform.y}) scale(${transform.k})`);
  const size = () => ({ width: svg.clientWidth || 800, height: svg.clientHeight || 500 });

  /** Scales `layout` to fit; if that makes it too small to read, centres `focusBox` instead. */
  function fit(layout, focusBox) {
    if (!layout) return;
    const { width, height } = size();
    const k = Math.min(1.1, Math.max(0.15, Math.min(width / layout.width, height / layout.height)));
    transform = { k, x: (width - layout.width * k) / 2, y: Math.max(0, (height - layout.height * k) / 2) };
    if (focusBox && k < 0.6) centerOn(focusBox, 0.9);
    else apply();
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

  /** Zooms by `factor` around a point of the SVG (its centre by default). */
  function zoomBy(factor, cx, cy) {
    if (!transform) return;
    const { width, height } = size();
    const px = cx ?? width / 2;
    const py = cy ?? height / 2;
    const k = Math.min(2.5, Math.max(0.1, transform.k * factor));
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
    fit,
    centerOn,
    zoomBy,
    /** Whether a position was set (fit or user moves); a redraw keeps it. */
    get placed() {
      return transform !== null;
    },
    /** Forgets the position, so the next draw fits again. */
    reset() {
      transform = null;
    },
  };
}
