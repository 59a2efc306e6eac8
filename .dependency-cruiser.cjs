// The import rule of src/ (docs/design.md, "Layers"): floors, top to bottom; a module imports only
// from floors below its own, and within a floor only from its own folder. `npm test` enforces it.
const FLOORS = [
  ['src/(index|app|scheduled|dev-worker)\\.ts'],
  ['src/routes/', 'src/management/'],
  ['src/interaction/'],
  ['src/grants/'],
  ['src/http/'],
  ['src/tokens/', 'src/audit/'],
  ['src/durable-objects/', 'src/db/', 'src/mail/'],
  ['src/config\\.ts'],
  ['src/oauth/'],
  ['src/errors/'],
  ['src/views/'],
  ['src/i18n/'],
  ['src/crypto/'],
];

const anyOf = (paths) => `^(${paths.join('|')})`;
const above = (floor) => FLOORS.slice(0, floor).flat();

const upward = FLOORS.slice(1).map((paths, index) => ({
  name: `no-upward-from-${paths.join('+').replace(/[^a-z+-]/g, '')}`,
  comment: 'Imports run downward only: this floor may not import a floor above it.',
  severity: 'error',
  from: { path: anyOf(paths) },
  to: { path: anyOf(above(index + 1)) },
}));

const sideways = FLOORS.filter((paths) => paths.length > 1).flatMap((paths) =>
  paths.map((path) => ({
    name: `no-sideways-from-${path.replace(/[^a-z-]/g, '')}`,
    comment: 'Within a floor, a folder imports only from itself.',
    severity: 'error',
    from: { path: `^${path}` },
    to: { path: anyOf(paths.filter((other) => other !== path)) },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^cloudflare:' },
    },
    ...upward,
    ...sideways,
    {
      name: 'resource-server-kit-stands-alone',
      comment: 'packages/resource-server is published on its own: it imports only itself, jose and (types of) hono.',
      severity: 'error',
      from: { path: '^packages/resource-server/src/' },
      to: { pathNot: ['^packages/resource-server/src/', '(^|/)node_modules/(jose|hono)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/env\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
