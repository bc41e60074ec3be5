// DuckDB's SUMMARIZE over the benchmark CSV (the baseline's third reference): node bench/duckdb-summarize.mjs FILE
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const reader = await conn.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv_auto('${file.replaceAll("'", "''")}')`);
process.stderr.write(`${reader.getRows().length} columns summarized\n`);
