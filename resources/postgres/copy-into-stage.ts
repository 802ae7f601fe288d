import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { didYouMean } from '../../framework/errors/did-you-mean.js';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { encodeCsvRecords } from './csv-record-encoder.js';
import { pgCopyStreams } from './pg-driver.js';
import { quoteIdentifier } from './sql-identifier.js';
import type { ColumnSpec } from './table-spec.js';

/** Incoming rows: records (keys = column names) or the path of a CSV file with a header line. */
export type LoadRows = AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>> | string;

/**
 * Streams `rows` into the (temporary) table `stage` with `COPY … FROM STDIN` and returns how many
 * rows arrived. A CSV file is streamed as is (its header must name exactly the spec's columns, in
 * any order); records are encoded on the fly. Nothing is ever held in memory as a whole.
 *
 * @example
 * const staged = await copyIntoStage(client, 'sf_load_stage', spec.columns, 'data/raw/customers.csv');
 */
export async function copyIntoStage(
  client: pg.PoolClient,
  stage: string,
  columns: ColumnSpec[],
  rows: LoadRows,
): Promise<number> {
  if (typeof rows === 'string') {
    const header = await readCsvHeader(rows, columns);
    const copy = client.query(pgCopyStreams().from(copyStatement(stage, header, true)));
    await pipeline(createReadStream(rows), copy);
    return copy.rowCount;
  }
  const copy = client.query(
    pgCopyStreams().from(
      copyStatement(
        stage,
        columns.map((column) => column.name),
        false,
      ),
    ),
  );
  await pipeline(Readable.from(encodeCsvRecords(rows, columns)), copy);
  return copy.rowCount;
}

function copyStatement(stage: string, names: string[], header: boolean): string {
  const list = names.map((name) => quoteIdentifier(name)).join(', ');
  return `copy ${quoteIdentifier(stage)} (${list}) from stdin with (format csv${header ? ', header true' : ''})`;
}

/** The column names of a CSV file's header line, checked against the expected columns. */
async function readCsvHeader(path: string, columns: ColumnSpec[]): Promise<string[]> {
  let firstLine: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      const end = text.search(/\r?\n/);
      firstLine = (end === -1 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ShopflowError('SF_IO', `cannot read the CSV file \`${path}\`: ${(error as Error).message}`, {
      hint: 'check that the file exists and is readable',
      cause: error,
    });
  }
  if (firstLine.trim() === '') {
    throw new ShopflowError('SF_INPUT_INVALID', `the CSV file \`${path}\` has no header line`, {
      hint: `its first line must name the columns: ${columns.map((column) => column.name).join(',')}`,
    });
  }
  const names = firstLine.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  const expected = new Set(columns.map((column) => column.name));
  for (const name of names) {
    if (!expected.has(name)) {
      throw new ShopflowError(
        'SF_INPUT_INVALID',
        `the CSV file \`${path}\` has an unexpected column \`${name}\``,
        {
          hint: didYouMean(name, expected) ?? `expected the columns ${[...expected].join(',')}`,
        },
      );
    }
  }
  const missing = [...expected].filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `the CSV file \`${path}\` lacks the column(s) ${missing.join(', ')}`,
      {
        hint: `its header must name the columns ${[...expected].join(',')}`,
      },
    );
  }
  if (new Set(names).size !== names.length) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `the CSV file \`${path}\` names a column twice: ${firstLine}`,
      {
        hint: 'remove the duplicate column',
      },
    );
  }
  return names;
}
