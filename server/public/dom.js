/**
 * Tiny DOM builders for the page (no framework): `h('a', { href: '#/' }, 'Graph')` makes an HTML
 * element, `s('rect', { width: 10 })` an SVG one. Attributes named `on…` with a function value
 * become event listeners; `null`, `undefined` and `false` attributes and children are skipped.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function')
      element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value' && 'value' in element) element.value = value;
    else if (name === 'checked' && 'checked' in element) element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (strings, nodes, nested arrays), skipping empty ones. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** An HTML element. */
export function h(tag, attrs, ...children) {
  return apply(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return apply(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces the content of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}
