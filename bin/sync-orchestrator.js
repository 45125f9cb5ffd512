#!/usr/bin/env node
// The service ships as TypeScript sources run through tsx's loader (no build step to forget); the
// loader is registered here so that `npx sync-orchestrator` works from any directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
