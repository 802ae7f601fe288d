import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from '../../support/run-shopflow.js';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]));
  }
  return anchors;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(REPO, 'docs', name));
  return [join(REPO, 'README.md'), ...docs];
}

test('every relative link in the README and docs/ points at a file and heading that exist', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const resolved = path ? join(dirname(file), path) : file;
      const where = `${relative(REPO, file)} → ${target}`;
      if (!existsSync(resolved)) broken.push(`${where}: no such file`);
      else if (anchor && resolved.endsWith('.md') && !anchorsIn(resolved).has(anchor))
        broken.push(`${where}: no heading with this anchor`);
    }
  }
  expect(broken).toEqual([]);
});

test('the anchor of a heading follows GitHub: punctuation dropped, spaces become hyphens', () => {
  expect(anchorOf('The lake: a folder or an S3 bucket')).toBe('the-lake-a-folder-or-an-s3-bucket');
  expect(anchorOf('`customer_clv`')).toBe('customer_clv');
});
