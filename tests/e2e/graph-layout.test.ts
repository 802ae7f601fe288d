import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflowDefinitions from '../../assets/definitions.js';
import { syntheticAssets } from '../../bench/server-bench.js';
import { defineDefinitions, type ShopflowRuntime } from '../../framework/index.js';
import { createServer } from '../../server/create-server.js';
import { layoutGraph } from '../support/banded-layout.js';
import { launchChromium } from '../support/chromium.js';
import { bezierPoints, countCrossings, type Point, pathPoints } from '../support/edge-crossings.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';

const SCREENSHOTS = join('test-results', 'screenshots');
/** The smallest on-screen size of an asset's name the first view may show. */
const READABLE_PX = 11;

interface Served {
  runtime: ShopflowRuntime;
  app: FastifyInstance;
  base: string;
  cleanup(): void;
}

async function serve(definitions: Parameters<typeof openTestRuntime>[0]): Promise<Served> {
  const home = tempHome('shopflow-graph-');
  const runtime = await openTestRuntime(definitions, home.home);
  const app = createServer({ runtime, host: '127.0.0.1', port: 0, log: silentLog });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    runtime,
    app,
    base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`,
    cleanup: home.cleanup,
  };
}

let shopflow: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  shopflow = await serve(shopflowDefinitions);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await shopflow?.app.close();
  await shopflow?.runtime.close();
  shopflow?.cleanup();
});

/** The edges as the page draws them: the points of every `path.edge`, with its ends. */
async function drawnEdges(): Promise<Array<{ from: string; to: string; points: Point[] }>> {
  const paths = await page.$$eval('[data-testid="graph-edges"] path.edge', (els) =>
    els.map((el) => ({ from: el.dataset.from!, to: el.dataset.to!, d: el.getAttribute('d') ?? '' })),
  );
  return paths.map(({ from, to, d }) => ({ from, to, points: pathPoints(d) }));
}

/**
 * Pairs of groups `[from, to]` where `to` leads back to `from` (ShopFlow's bronze group holds the
 * change feed of the warehouse's customers): kept as boxes, one of their edges must run backwards.
 */
function groupCycles(edges: Array<{ from: string; to: string }>, groupOf: (key: string) => string) {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [groupOf(e.from), groupOf(e.to)];
    if (a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const reaches = (from: string, to: string) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (n === to) return true;
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return false;
  };
  return (from: string, to: string) => {
    const [a, b] = [groupOf(from), groupOf(to)];
    return a !== b && reaches(b, a);
  };
}

/**
 * The same graph laid out by the algorithm the page used before (one band per group, barycentric
 * ordering; `tests/support/banded-layout.js`) and drawn as it drew it: a cubic curve from the
 * middle of the source's right side to the middle of the target's left side, 228 × 66 nodes.
 */
function bandedEdges(graph: {
  nodes: Array<{ key: string; group: string }>;
  edges: Array<{ from: string; to: string }>;
}) {
  const layout = layoutGraph(
    { nodes: graph.nodes.map((n) => ({ id: n.key, group: n.group })), edges: graph.edges },
    { nodeWidth: 228, nodeHeight: 66 },
  );
  return layout.edges.map(({ points: [[x1, y1], [x2, y2]] }) => {
    const dx = Math.max(40, Math.abs(x2 - x1) / 2);
    return bezierPoints([x1, y1], [x1 + dx, y1], [x2 - dx, y2], [x2, y2]);
  });
}

describe('the ShopFlow lineage graph at 1600 × 1000', () => {
  test('opens with legible labels, grouped left to right, with fewer edge crossings than the banded layout', async () => {
    await page.goto(shopflow.base);
    const assets = shopflow.runtime.graph.keys.length;
    // NOTE: the first view waits for the status of everything and a cold layout worker.
    await expect.poll(() => page.locator('[data-testid="graph-node"]').count()).toBe(assets);
    await page.waitForSelector('[data-testid="graph-canvas"][data-scale]');
    await page.screenshot({ path: join(SCREENSHOTS, 'shopflow-graph.png') });

    // Every asset name is at least READABLE_PX on screen (font size × the zoom), and the view
    // shows a good part of the graph rather than one node.
    const labels = await page.$$eval('[data-testid="graph-node"] .node-key', (texts) => {
      const canvas = document.querySelector('[data-testid="graph-canvas"]')!.getBoundingClientRect();
      return texts.map((text) => {
        const box = text.getBoundingClientRect();
        return {
          px: Number.parseFloat(getComputedStyle(text).fontSize) * (text as SVGTextElement).getScreenCTM()!.a,
          height: box.height,
          visible:
            box.left >= canvas.left &&
            box.right <= canvas.right &&
            box.top >= canvas.top &&
            box.bottom <= canvas.bottom,
        };
      });
    });
    expect(labels).toHaveLength(assets);
    expect(Math.min(...labels.map((l) => l.px))).toBeGreaterThanOrEqual(READABLE_PX);
    const visible = labels.filter((l) => l.visible);
    expect(visible.length).toBeGreaterThanOrEqual(8);
    expect(Math.min(...visible.map((l) => l.height))).toBeGreaterThanOrEqual(READABLE_PX);

    // Left to right: every edge ends to the right of where it starts, but where groups lead back to
    // each other; every group is drawn as a box.
    const drawn = await drawnEdges();
    const edges = drawn.map((e) => e.points);
    const graph = await (await fetch(`${shopflow.base}api/graph`)).json();
    const pairs = new Set(graph.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`));
    expect(edges.length).toBe(pairs.size);
    const cyclic = groupCycles(drawn, (key) => shopflow.runtime.graph.get(key).group);
    const backward = drawn.filter((e) => e.points[e.points.length - 1][0] <= e.points[0][0]);
    expect(backward.filter((e) => !cyclic(e.from, e.to))).toEqual([]);
    expect(backward.length).toBeLessThanOrEqual(2);
    const groups = await page.$$eval('[data-testid="graph-group"]', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-group'),
        box: el.querySelector('rect')!.getBoundingClientRect().toJSON(),
      })),
    );
    expect(groups.map((g) => g.name).sort()).toEqual(
      [...new Set(shopflow.runtime.graph.assets.map((a) => a.group))].sort(),
    );

    // Fewer crossings than the layout before, on the same graph, counted on what is drawn.
    const before = countCrossings(bandedEdges(graph));
    const now = countCrossings(edges);
    expect(now, `edge crossings: ${now} now, ${before} with the banded layout`).toBeLessThan(before);

    // The minimap shows the whole graph and where the view is; clicking it moves the view there.
    const view = page.locator('[data-testid="minimap-view"]');
    const startX = Number(await view.getAttribute('x'));
    const map = await page.locator('[data-testid="minimap"]').boundingBox();
    await page.mouse.click(map!.x + map!.width - 10, map!.y + map!.height - 10);
    await expect.poll(async () => Number(await view.getAttribute('x'))).toBeGreaterThan(startX);
    expect(pageErrors).toEqual([]);
  });

  test('"Show the whole graph" zooms out to all of it; collapsing a group redraws it as one node', async () => {
    await page.goto(shopflow.base);
    await page.waitForSelector('[data-testid="graph-canvas"][data-scale]');
    const readable = Number(await page.locator('[data-testid="graph-canvas"]').getAttribute('data-scale'));
    await page.click('button[aria-label="Show the whole graph"]');
    const whole = Number(await page.locator('[data-testid="graph-canvas"]').getAttribute('data-scale'));
    expect(whole).toBeLessThan(readable);
    await page.click('[data-testid="group-toggle"] >> nth=0');
    await page.waitForSelector('[data-testid="graph-group-node"]');
    expect(await page.locator('[data-testid="graph-group-node"]').count()).toBe(1);
    await page.click('[data-testid="graph-group-node"]', { clickCount: 2 });
    await expect.poll(() => page.locator('[data-testid="graph-group-node"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

describe('a graph of 1,000 assets', () => {
  test('opens in focus mode on one neighbourhood and moves the focus', async () => {
    const big = await serve(defineDefinitions({ assets: syntheticAssets(1000) }));
    const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await other.goto(big.base);
      await other.waitForSelector('[data-testid="graph-focus-note"]:not([hidden])');
      await other.waitForSelector('[data-testid="graph-node"]');
      const shown = await other.locator('[data-testid="graph-node"]').count();
      expect(shown).toBeGreaterThan(1);
      expect(shown).toBeLessThan(200);
      await other.fill('[data-testid="graph-search"]', 'asset_0500');
      await other.keyboard.press('Enter');
      await other.waitForSelector('[data-testid="graph-node"][data-key="asset_0500"]');
      expect(await other.locator('[data-testid="graph-focus-note"] code').textContent()).toBe('asset_0500');
      const px = await other.$eval(
        '[data-testid="graph-node"][data-key="asset_0500"] .node-key',
        (text) =>
          Number.parseFloat(getComputedStyle(text).fontSize) * (text as SVGTextElement).getScreenCTM()!.a,
      );
      expect(px).toBeGreaterThanOrEqual(READABLE_PX);
    } finally {
      await other.close();
      await big.app.close();
      await big.runtime.close();
      big.cleanup();
    }
  });
});
