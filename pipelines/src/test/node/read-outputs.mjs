// Reads a Tarjama output folder with readers that share no code with Tarjama: DuckDB for every
// format, hyparquet for Parquet. Input: a JSON spec file {dir, tables: [{name, path, format}],
// queries: {label: sql}}; each table becomes a DuckDB view of that name. Output (stdout, JSON):
// {tables: {name: {rows, columns: [[name, type]]}}, hyparquet: {name: {rows, columns}},
// queries: {label: rows}}.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

// The files a glob of one folder matches ("*" only in the file name, as the card writes them).
function files(dir, pattern) {
  const folder = join(dir, dirname(pattern));
  const re = new RegExp('^' + basename(pattern).split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return readdirSync(folder).filter((f) => re.test(f)).map((f) => join(folder, f));
}

const out = { tables: {}, hyparquet: {}, queries: {} };
for (const t of spec.tables) {
  const glob = join(spec.dir, t.path);
  const from = t.format === 'parquet'
    ? `read_parquet(${quote(glob)})`
    : `read_json(${quote(glob)}, format = 'newline_delimited')`;
  await con.run(`create view "${t.name}" as select * from ${from}`);
  const count = await rows(`select count(*) as n from "${t.name}"`);
  const columns = await rows(`describe "${t.name}"`);
  out.tables[t.name] = {
    rows: Number(count[0].n),
    files: files(spec.dir, t.path).length,
    columns: columns.map((c) => [c.column_name, c.column_type]),
  };
  if (t.format === 'parquet') {
    let n = 0;
    let names = null;
    for (const f of files(spec.dir, t.path)) {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(f));
      n += Number(metadata.num_rows);
      names = parquetSchema(metadata).children.map((c) => c.element.name);
    }
    out.hyparquet[t.name] = { rows: n, columns: names };
  }
}
for (const [label, sql] of Object.entries(spec.queries ?? {})) {
  out.queries[label] = await rows(sql);
}
console.log(JSON.stringify(out));
