/**
 * The layout's rules (docs/architecture.md). From the bottom:
 *   the shared kernel (src/domain/shared) and the foundations
 *   (event store, database, jobs, clock, config, logger, HTTP plumbing,
 *   projection and scheduler runtimes);
 *   the domain's deciders (src/domain/<feature>);
 *   the read models (src/projections/<feature>);
 *   the application (src/application/<feature>);
 *   the edges: src/api/<feature>, src/cli/<feature>, src/scheduler/<feature>;
 *   the composition root (src/root, src/main.ts).
 * A layer imports only layers below it; the kernel stands below the
 * foundations (the event store's port speaks of deciders, actors and errors).
 * Type-only imports count.
 */
const FOUNDATION = '^src/(eventstore|db|jobs|clock|config|logger)/|^src/(projections/runtime|scheduler/runtime|api/http)/';
const KERNEL = '^src/domain/shared/';
const DOMAIN = '^src/domain/(?!shared/)';
const PROJECTIONS = '^src/projections/(?!runtime/)';
const APPLICATION = '^src/application/';
const EDGE = '^src/(api/(?!http/)|cli/|scheduler/(?!runtime/))';
const ROOT = '^src/(root/|main\\.ts$)';
const FEATURE = [DOMAIN, PROJECTIONS, APPLICATION, EDGE, ROOT];

const above = (...layers) => ({ path: layers });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles, type-only imports included.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain imports nothing outside itself but zod and the date library.',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '(^|/)node_modules/(zod|temporal-polyfill)/'] },
    },
    { name: 'kernel-is-the-bottom', severity: 'error', comment: 'The shared kernel stands on nothing of ours.', from: { path: KERNEL }, to: above(FOUNDATION, ...FEATURE) },
    { name: 'foundations-import-no-feature', severity: 'error', comment: 'Foundations serve every feature and know none.', from: { path: FOUNDATION }, to: above(...FEATURE) },
    { name: 'domain-not-upward', severity: 'error', comment: 'Deciders import no layer above them.', from: { path: DOMAIN }, to: above(PROJECTIONS, APPLICATION, EDGE, ROOT) },
    { name: 'projections-not-upward', severity: 'error', comment: 'Read models import no layer above them.', from: { path: PROJECTIONS }, to: above(APPLICATION, EDGE, ROOT) },
    { name: 'application-not-upward', severity: 'error', comment: 'Application work imports no edge and not the root.', from: { path: APPLICATION }, to: above(EDGE, ROOT) },
    { name: 'edges-not-upward', severity: 'error', comment: 'Routes, CLI commands and triggers are assembled by the root, never import it.', from: { path: EDGE }, to: above(ROOT) },
    {
      name: 'enter-through-index',
      severity: 'error',
      comment: "A folder is entered only through its index.ts: a file imports its own folder's files, and other folders' index.ts.",
      from: { path: '^(src/.+)/[^/]+$' },
      to: { path: '^src/', pathNot: ['^$1/[^/]+$', '/index\\.ts$'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages are leaves of the graph, not left out of it: domain-is-pure must see an import of kysely or node:crypto.
    doNotFollow: { path: 'node_modules' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
