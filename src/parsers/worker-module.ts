import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop, type Plugin } from 'esbuild';

/**
 * The service runs from its TypeScript sources, and a worker thread started on a `.ts` file needs tsx's
 * loader registered inside it. On Node 20 that loader runs on a hooks thread of its own, so every parse
 * worker cost two isolates and transformed its ~60 modules on each start (measured on a 49 KB export,
 * two parses per worker, eight workers: 90–110 MB of process RSS while a worker lived, 0.87 s per
 * start-and-two-parses). The worker's module graph is instead bundled once per process, in memory, into
 * one ES module that the worker loads from a `data:` URL: one isolate, no loader (45–70 MB while it
 * lives, 0.60 s). Node resolves only absolute specifiers from a `data:` module, so the packages left out
 * of the bundle (pdf.js: 3 MB of JavaScript it loads as its own modules) are imported by file URL.
 */
export interface WorkerModuleOptions {
  /** The worker's entry, a TypeScript or JavaScript module. */
  entry: URL;
  /** Packages imported by absolute file URL instead of bundled (and their subpaths). */
  external: string[];
  /** Where the external packages are resolved from; the entry's location unless given. */
  resolveFrom?: URL;
}

/**
 * Bundles `entry` with everything it imports but `external` into one ES module and returns it as a
 * `data:` URL for `new Worker(url)`. Fails with esbuild's messages when the sources do not build.
 */
export async function bundleWorkerModule(options: WorkerModuleOptions): Promise<URL> {
  const entryPath = fileURLToPath(options.entry);
  // esbuild keeps a child process (28 MB) for further calls; a process bundles once.
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    logLevel: 'silent',
    plugins: options.external.length > 0 ? [externalByFileUrl(options.external, fileURLToPath(options.resolveFrom ?? options.entry))] : [],
  }).finally(stop);
  const code = result.outputFiles[0]!.text;
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** Marks imports of `packages` external, rewritten to the absolute file URL Node resolves them to. */
function externalByFileUrl(packages: string[], from: string): Plugin {
  const require = createRequire(from);
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    name: 'external-by-file-url',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: new RegExp(`^(${escaped.join('|')})(/|$)`) }, (args) => ({
        path: pathToFileURL(require.resolve(args.path)).href,
        external: true,
      }));
    },
  };
}
