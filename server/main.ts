// Process entry point: `npm start` (ROLE=all), or one role of a scaled-out deployment.
import 'dotenv/config';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { secretValues, startPlatform } from './platform.ts';
import { ToolUnavailableError } from './tool-binaries.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, secretValues(config));
  let platform;
  try {
    platform = await startPlatform(config, log);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ToolUnavailableError) {
      console.error(err.message);
      process.exit(2);
    }
    log.fatal({ err }, 'the platform could not start');
    process.exit(1);
  }

  const lines = [`Autonomous Agents Platform is running (role: ${config.ROLE}, data: ${config.dataDir})`];
  if (platform.url) lines.push(`  Dashboard:        ${platform.url}`);
  if (platform.temporalUiUrl) lines.push(`  Temporal Web UI:  ${platform.temporalUiUrl}`);
  lines.push(`  Temporal server:  ${platform.temporalAddress}`, 'Press Ctrl-C to stop.');
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C means "now": the watchdog still takes the Temporal server down with us.
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  platform.workerDone?.catch(async (err: unknown) => {
    log.fatal({ err }, 'the worker stopped with an error');
    await platform.stop();
    process.exit(1);
  });
}

await main();
