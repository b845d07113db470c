#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx billstream ...` works without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/root/cli.ts');
