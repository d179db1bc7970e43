/**
 * The dashboard's DOM helpers: elements built with text and attributes (event data goes into
 * the page as text, never as HTML), and the sparkline of a metric series.
 */
import type { Series } from './model.js';

/** An element with attributes and children; strings become text nodes. */
export function el(tag: string, attrs: Record<string, string>, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 56;

/** A card for one series: its name and host, the last value, and the sparkline. */
export function spark(series: Series): { node: HTMLElement; value: HTMLElement; line: SVGPolylineElement } {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const title = document.createElementNS(SVG, 'title');
  title.textContent = `${series.name} on ${series.host}, the last updates`;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('points', '');
  svg.append(title, line);
  const value = el('span', { class: 'value' }, '–');
  const label = el('span', { class: 'name' }, `${series.name}${series.unit ? ` ${series.unit}` : ''} · ${series.host}`);
  const node = el('div', { class: 'spark', 'data-name': series.name, 'data-host': series.host }, label, value, svg);
  return { node, value, line };
}

/**
 * The polyline's points for `values`, spread over the whole width (a series that has just
 * started is a line across its card, not a squiggle in its corner): a percentage on a 0–100
 * scale, anything else between its window's minimum and maximum.
 */
export function svgPoints(values: readonly number[], percent: boolean): string {
  let low = percent ? 0 : Math.min(...values);
  let high = percent ? 100 : Math.max(...values);
  if (high - low < 1e-9) {
    low -= 1;
    high += 1;
  }
  const step = WIDTH / Math.max(1, values.length - 1);
  const y = (v: number) => HEIGHT - 2 - ((v - low) / (high - low)) * (HEIGHT - 4);
  return values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}
