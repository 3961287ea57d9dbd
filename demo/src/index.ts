/**
 * @equinox-sync/demo — the `equinox demo` command (an oclif plugin of the host) and the
 * story it tells: tills of two tenants work offline, edit one product concurrently, sync
 * through a local cloud and agree. The story can also run without the command line.
 *
 * @example
 * import { DemoOutput, runDemoStory } from '@equinox-sync/demo';
 *
 * const summary = await runDemoStory({ dir, cloudDir: join(dir, 'cloud'), out: new DemoOutput(console.log, true) });
 */
export { DemoOutput } from './story/demo-output.js';
export { runDemoStory, type DemoSummary } from './story/demo-story.js';
