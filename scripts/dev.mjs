// `npm run dev`: the platform in watch mode (restarts on server/workflow/activity changes)
// and the Vite dev server with hot reload, which proxies /api to it.
import { spawn } from 'node:child_process';

const apiPort = process.env.PORT ?? '3000';
const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', '--watch-preserve-output', 'server/main.ts'], { stdio: 'inherit', env: { ...process.env, PORT: apiPort } }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', process.env.VITE_PORT ?? '5173'], { stdio: 'inherit', env: { ...process.env, PORT: apiPort } }),
];
console.log(`Dashboard with hot reload: http://localhost:${process.env.VITE_PORT ?? '5173'} (API on port ${apiPort})`);

let stopping = false;
const stop = (code = 0) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 15_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const child of children) child.once('exit', (code) => stop(code ?? 1));
