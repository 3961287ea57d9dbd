#!/usr/bin/env node
import { execute } from '@oclif/core';
import { loadCliConfig } from '../dist/cli/cli-config.js';

// The host's commands, its built-in plugins', and those of the plugins the device config lists.
const args = process.argv.slice(2);
await execute({ args, loadOptions: await loadCliConfig(import.meta.url, args) });
