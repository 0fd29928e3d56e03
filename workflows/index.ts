// The worker bundles this file: every workflow type the platform runs is exported here.
export { buildApp } from './build-app.ts';
