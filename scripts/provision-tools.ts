// `npm run tools [-- temporal minio]`: find or install the pinned binaries that are not on npm.
// `npm start` and `npm test` do this themselves; CI runs it up front so a slow first build is visible.
import { ensureTool, MINIO, TEMPORAL_CLI, ToolUnavailableError, type ToolSpec } from '../server/tool-binaries.ts';

const known: Record<string, ToolSpec> = { temporal: TEMPORAL_CLI, minio: MINIO };
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['temporal'];

for (const name of wanted) {
  const spec = known[name];
  if (!spec) {
    console.error(`Unknown tool "${name}". Known: ${Object.keys(known).join(', ')}`);
    process.exit(2);
  }
  try {
    const path = await ensureTool(spec, (msg) => console.log(msg));
    console.log(`${name} ${spec.version}: ${path}`);
  } catch (err) {
    if (err instanceof ToolUnavailableError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
